package io.moaiflow.swarmdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Arbitrary text as ids, keys, metadata and memory values: each is stored and read back exactly, or
 * rejected with INVALID_ARGUMENT; no other exception escapes. Fixed seeds keep runs repeatable.
 */
class InputPropertiesTest {
  private static final TempSwarmDb SWARM = TempSwarmDb.withSession("props.db", "props").open();
  private static final SwarmDB db = SWARM.db();
  private static final AtomicLong COUNTER = new AtomicLong();

  @AfterContainer
  static void close() throws IOException {
    SWARM.close();
  }

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(300),
        Arbitraries.strings().withCharRange('\uAC00', '\uD7A3').ofMaxLength(50),
        Arbitraries.of(
            "한국어 세션 메모리",
            "🚀🔥 emoji \uD83D\uDE00",
            "'; DROP TABLE agent_events; --",
            "\" OR 1=1 --",
            "Robert'); DELETE FROM sessions;--",
            "a\0b",
            "\0",
            "\uD800",
            "x\uDC00y",
            "%_*?[]\\",
            "",
            " ",
            "\u3000",
            "line\nbreak\ttab"),
        Arbitraries.strings().withChars("*?[]%_\\'\"\0 한🚀").ofMaxLength(20));
  }

  /** Runs a call; true when stored, false when rejected with INVALID_ARGUMENT. */
  private static boolean storedOrRejected(Runnable call) {
    try {
      call.run();
      return true;
    } catch (SwarmDbException e) {
      assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      return false;
    }
  }

  @Property(tries = 300, seed = "20261124")
  void metadataValuesAndKeysRoundTrip(@ForAll("text") String s) {
    String id = "e-" + COUNTER.incrementAndGet();
    AgentEvent[] stored = new AgentEvent[1];
    boolean ok =
        storedOrRejected(
            () ->
                stored[0] =
                    db.events()
                        .append(
                            new AgentEvent(
                                0,
                                id,
                                "run",
                                "agent",
                                null,
                                null,
                                Instant.EPOCH,
                                Map.of("value", s, s, "as key"))));
    if (ok) {
      AgentEvent back = db.events().get(id).orElseThrow();
      assertThat(back).isEqualTo(stored[0]);
      assertThat(back.metadata()).containsEntry("value", s).containsEntry(s, "as key");
    } else {
      assertThat(s.chars().anyMatch(c -> Character.isSurrogate((char) c))).isTrue();
      assertThat(db.events().get(id)).isEmpty();
    }
  }

  @Property(tries = 300, seed = "20261125")
  void memoryValuesRoundTrip(@ForAll("text") String s) {
    String key = "k-" + COUNTER.incrementAndGet();
    SessionMemory m = db.sessions().memory("props");
    boolean ok = storedOrRejected(() -> m.put(SessionMemory.SEMANTIC, key, s));
    if (ok) {
      assertThat(m.get(SessionMemory.SEMANTIC, key, String.class)).contains(s);
    } else {
      assertThat(m.entry(SessionMemory.SEMANTIC, key)).isEmpty();
    }
  }

  @Property(tries = 300, seed = "20261126")
  void idsAndKeysRoundTripOrAreRejected(@ForAll("text") String s) {
    String unique = s + "#" + COUNTER.incrementAndGet();
    if (storedOrRejected(() -> db.agents().register(s.isEmpty() ? s : unique, "w"))) {
      assertThat(db.agents().get(unique).orElseThrow().agentId()).isEqualTo(unique);
    }
    SessionMemory m = db.sessions().memory("props");
    if (storedOrRejected(() -> m.put(SessionMemory.EPISODIC, unique, 1))) {
      assertThat(m.entry(SessionMemory.EPISODIC, unique).orElseThrow().key()).isEqualTo(unique);
      assertThat(m.findByPrefix(SessionMemory.EPISODIC, unique))
          .extracting(MemoryEntry::key)
          .containsExactly(unique);
    }
    storedOrRejected(() -> m.findByPrefix(SessionMemory.EPISODIC, s));
    storedOrRejected(() -> m.findByGlob(SessionMemory.EPISODIC, s));
    storedOrRejected(() -> db.events().query(EventQuery.agent(s)));
    storedOrRejected(() -> m.importJson(s));
  }
}
