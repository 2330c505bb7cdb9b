package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Bad input is rejected with INVALID_ARGUMENT before anything is written. */
class BadInputTest extends OneSessionTest {
  static final String LONG_ID = "x".repeat(257);
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  BadInputTest() {
    super("swarm.db");
  }

  Map<String, Long> counts() {
    return db.inspect().info().rowCounts();
  }

  /** Asserts the call is rejected with INVALID_ARGUMENT and changed no row count. */
  void rejected(ThrowingCallable call, String... fragments) {
    Map<String, Long> before = counts();
    long tx = db.inspect().writerStats().writes();
    assertInvalid(call, fragments);
    assertThat(counts()).isEqualTo(before);
    assertThat(db.inspect().writerStats().writes()).as("nothing reached the writer").isEqualTo(tx);
  }

  static List<String> badIds() {
    List<String> ids = new ArrayList<>();
    ids.add(null);
    ids.add("");
    ids.add("   ");
    ids.add("\t\n");
    ids.add(LONG_ID);
    ids.add("a\0b");
    ids.add("a\uD800b");
    ids.add("\uDC00");
    return ids;
  }

  @Test
  void badIdsAreRejectedEverywhere() {
    for (String id : badIds()) {
      rejected(() -> db.agents().register(id, "w"), "agentId");
      rejected(() -> db.agents().transition(id, AgentStatus.RUNNING), "agentId");
      rejected(() -> db.agents().heartbeat(id), "agentId");
      rejected(() -> db.agents().get(id), "agentId");
      rejected(() -> db.agents().bySession(id), "sessionId");
      rejected(() -> db.agents().register("ok", "w", id == null ? "" : id, Map.of()), "sessionId");
      rejected(() -> db.sessions().start(id), "sessionId");
      rejected(() -> db.sessions().end(id), "sessionId");
      rejected(() -> db.sessions().get(id), "sessionId");
      rejected(() -> db.sessions().memory(id), "sessionId");
      if (id != LONG_ID) { // keys may be 512 characters long
        rejected(() -> memory.put("semantic", id, 1), "key");
        rejected(() -> memory.entry("semantic", id), "key");
        rejected(() -> memory.delete("semantic", id), "key");
      }
      rejected(() -> db.events().get(id), "eventId");
      rejected(
          () -> db.events().append(new AgentEvent(0, id, "run", "a", null, null, T0, Map.of())),
          "eventId");
    }
    assertInvalid(() -> db.agents().register(LONG_ID, "w"), "257 characters", "limit is 256");
    assertInvalid(() -> db.agents().register("a\0", "w"), "NUL character at index 1");
    assertInvalid(
        () -> db.agents().register("a\uD800", "w"), "unpaired UTF-16 surrogate at index 1");
    assertThat(db.agents().register("x".repeat(256), "w").agentId()).hasSize(256);
    assertThat(memory.put("semantic", "k".repeat(512), 1).key()).hasSize(512);
    rejected(() -> memory.put("semantic", "k".repeat(513), 1), "513 characters", "512");
  }

  @Test
  void badTypeNamesAreRejected() {
    List<String> bad =
        List.of("", " ", "-lead", ".x", "has space", "t".repeat(65), "é", "a/b", "a\0", "타입");
    for (String type : bad) {
      rejected(() -> db.agents().register("a", type), "agentType", "not a valid type name");
      rejected(() -> memory.put(type, "k", 1), "memoryType");
      rejected(() -> AgentEvent.of(type, "a", null, Map.of()), "eventType");
      rejected(() -> AgentEvent.of("run", "a", type, Map.of()), "agentType");
    }
    rejected(() -> db.agents().register("a", null), "agentType is null");
    for (String ok : List.of("a", "Z9", "spawn", "x.y:z-w_v", "t".repeat(64))) {
      assertThat(AgentEvent.of(ok, "a", ok, Map.of()).eventType()).isEqualTo(ok);
    }
  }

  record SelfRef(List<Object> items) {}

  @Test
  void unserialisableMetadataIsRejected() {
    rejected(() -> db.agents().register("a", "w", null, Map.of("x", new Object())), "metadata");
    rejected(
        () -> db.sessions().start("t", Map.of("arr", new Object[] {new Object()})), "metadata");
    Map<String, Object> cyclic = new HashMap<>();
    cyclic.put("self", cyclic);
    rejected(() -> db.sessions().start("t", cyclic), "metadata");
    List<Object> loop = new ArrayList<>();
    loop.add(loop);
    rejected(() -> memory.put("semantic", "k", new SelfRef(loop)), "value");
    Map<String, Object> nullKey = new HashMap<>();
    nullKey.put(null, 1);
    rejected(() -> db.sessions().start("t", nullKey), "null key");
    rejected(() -> db.sessions().start("t", null), "metadata is null");
    rejected(
        () -> db.events().append(AgentEvent.of("run", "a", null, Map.of("v", "\uD800"))),
        "surrogate");
    rejected(() -> memory.put("semantic", "k", "bad \uDFFF"), "surrogate");
  }

  static Object nested(int depth) {
    Object v = "leaf";
    for (int i = 0; i < depth; i++) {
      v = List.of(v);
    }
    return v;
  }

  @Test
  void jsonNestedDeeperThan1000IsRejected() {
    rejected(() -> memory.put("semantic", "deep", nested(1001)), "nested at most 1000");
    rejected(
        () -> db.events().append(AgentEvent.of("run", "a", null, Map.of("d", nested(1000)))),
        "metadata");
    MemoryEntry ok = memory.put("semantic", "deep", nested(1000));
    assertThat(memory.get("semantic", "deep", Object.class)).contains(nested(1000));
    assertThat(ok.valueJson()).startsWith("[[[[");
    AgentEvent e = db.events().append(AgentEvent.of("run", "a", null, Map.of("d", nested(999))));
    assertThat(db.events().get(e.eventId()).orElseThrow().metadata().get("d"))
        .isEqualTo(nested(999));
    rejected(
        () ->
            memory.importJson(
                "{\"entries\":[{\"memoryType\":\"a\",\"key\":\"k\",\"value\":"
                    + "[".repeat(1001)
                    + "]".repeat(1001)
                    + "}]}"),
        "not valid JSON");
  }

  @Test
  void valuesOver16MiBAreRejected() {
    String big = "x".repeat(16 * 1024 * 1024);
    rejected(() -> memory.put("semantic", "big", big), "bytes as JSON", "16777216");
    rejected(
        () -> db.events().append(AgentEvent.of("run", "a", null, Map.of("b", big))),
        "metadata",
        "16 MiB");
    String multiByte = "가".repeat(6 * 1024 * 1024); // 18 MiB in UTF-8
    rejected(() -> memory.put("semantic", "big", multiByte), "bytes as JSON");
    String justUnder = "y".repeat(16 * 1024 * 1024 - 2);
    assertThat(memory.put("semantic", "max", justUnder).valueJson()).hasSize(16 * 1024 * 1024);
    assertThat(memory.get("semantic", "max", String.class)).contains(justUnder);
  }

  @Test
  void aOneMegabyteValueRoundTripsExactly() {
    StringBuilder sb = new StringBuilder();
    String unit = "한국어 🚀 '; DROP TABLE session_memory; -- \0 \\ \" \n";
    while (sb.length() < 1024 * 1024) {
      sb.append(unit);
    }
    String value = sb.toString();
    memory.put("semantic", "mb", value);
    assertThat(memory.get("semantic", "mb", String.class)).contains(value);
    AgentEvent e = db.events().append(AgentEvent.of("run", "a", null, Map.of("mb", value)));
    assertThat(db.events().get(e.eventId()).orElseThrow().metadata()).containsEntry("mb", value);
  }

  @Test
  void badTtlsAreRejected() {
    for (Duration ttl :
        List.of(
            Duration.ZERO,
            Duration.ofMillis(-1),
            Duration.ofNanos(999_999),
            Duration.ofSeconds(Long.MAX_VALUE),
            Duration.ofDays(36_526))) {
      rejected(() -> memory.put("semantic", "k", 1, ttl), "ttl");
      rejected(() -> memory.putAll("semantic", Map.of("k", 1), ttl), "ttl");
    }
    assertThat(memory.put("semantic", "k", 1, Duration.ofDays(36_525)).expiresAt()).isNotNull();
  }

  @Test
  void badListArgumentsAreRejected() {
    rejected(() -> memory.recent(0), "limit");
    rejected(() -> memory.getAll("semantic", java.util.Collections.nCopies(10_001, "k")), "10001");
    rejected(() -> memory.getAll("semantic", List.of("ok", "")), "keys[1] is blank");
    rejected(
        () -> memory.deleteAll("semantic", java.util.Collections.nCopies(10_001, "k")), "10001");
    rejected(() -> memory.deleteAll("semantic", List.of("ok", "")), "keys[1] is blank");
    Map<String, Object> many = new HashMap<>();
    for (int i = 0; i <= 10_000; i++) {
      many.put("k" + i, i);
    }
    rejected(() -> memory.putAll("semantic", many, null), "10001");
    Map<String, Object> withBadKey = new HashMap<>();
    withBadKey.put("ok", 1);
    withBadKey.put("", 2);
    rejected(() -> memory.putAll("semantic", withBadKey, null), "key is blank");
  }
}
