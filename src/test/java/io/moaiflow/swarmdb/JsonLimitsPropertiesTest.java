package io.moaiflow.swarmdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Issue 12 item 3: one nesting limit ({@value JsonLimits#MAX_DEPTH} levels of the stored JSON
 * document) holds on every write path, and every value a write accepts is read back equal by every
 * reader. Each try stores a document of random shape (objects and arrays mixed at random) exactly
 * at the limit - 1, the limit or the limit + 1; the first two must round-trip, the last must be
 * INVALID_ARGUMENT with nothing stored. Fixed seed keeps runs repeatable.
 */
class JsonLimitsPropertiesTest {
  private static final int LIMIT = JsonLimits.MAX_DEPTH;
  private static final Instant TS = Instant.ofEpochMilli(1_700_000_000_000L);
  private static final AtomicLong COUNTER = new AtomicLong();

  /** Writes documents deeper than the library allows, to hand them to importJson. */
  private static final ObjectMapper DEEP_WRITER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamWriteConstraints(
                      StreamWriteConstraints.builder().maxNestingDepth(10_000).build())
                  .build())
          .build();

  private static final TempSwarmDb SWARM = TempSwarmDb.withSession("limits.db", "mem").open();
  private static final SwarmDB db = SWARM.db();

  /** Where a document enters the database. */
  enum WritePath {
    APPEND,
    APPEND_ASYNC,
    APPEND_ALL,
    REGISTER,
    TRANSITION,
    SESSION_START,
    MEMORY_PUT,
    MEMORY_PUT_ALL,
    MEMORY_IMPORT
  }

  @AfterContainer
  static void close() throws IOException {
    SWARM.close();
  }

  @Provide
  Arbitrary<Integer> boundary() {
    return Arbitraries.of(LIMIT - 1, LIMIT, LIMIT + 1);
  }

  /**
   * A value with exactly {@code depth} nested containers (0: a string), each level an object or an
   * array at random, some with scalar siblings.
   */
  static Object nested(int depth, Random r) {
    Object v = "leaf";
    for (int i = 0; i < depth; i++) {
      int shape = r.nextInt(4);
      v =
          switch (shape) {
            case 0 -> List.of(v);
            case 1 -> List.of(i, v, true);
            case 2 -> Map.of("k", v);
            default -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("n" + i, i);
              m.put("v", v);
              yield m;
            }
          };
    }
    return v;
  }

  /** Every path at every boundary depth with 6 random shapes each: 9 x 3 x 6 = 162 tries. */
  @Property(generation = GenerationMode.EXHAUSTIVE)
  void everyAcceptedDocumentReadsBackOnEveryPath(
      @ForAll WritePath path,
      @ForAll("boundary") int depth,
      @ForAll @IntRange(min = 0, max = 5) int shapeSeed) {
    Random r = new Random(shapeSeed);
    // metadata is itself the outermost object; a memory value is the whole document
    Map<String, Object> meta = Map.of("d", nested(depth - 1, r));
    Object value = nested(depth, new Random(shapeSeed));
    String id = path.name().toLowerCase(java.util.Locale.ROOT) + "-" + COUNTER.incrementAndGet();
    boolean accepted;
    try {
      write(path, id, meta, value);
      accepted = true;
    } catch (SwarmDbException e) {
      assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains("nested", String.valueOf(LIMIT));
      accepted = false;
    }
    assertThat(accepted).as("depth %d on %s", depth, path).isEqualTo(depth <= LIMIT);
    if (accepted) {
      readBack(path, id, meta, value);
    } else {
      assertNothingStored(path, id);
    }
  }

  private static void write(WritePath path, String id, Map<String, Object> meta, Object value) {
    SessionMemory m = db.sessions().memory("mem");
    switch (path) {
      case APPEND -> db.events().append(event(id, meta));
      case APPEND_ASYNC -> {
        try {
          db.events().appendAsync(event(id, meta)).join();
        } catch (java.util.concurrent.CompletionException e) {
          throw (SwarmDbException) e.getCause();
        }
      }
      case APPEND_ALL ->
          db.events().appendAll(List.of(event(id + "-a", Map.of()), event(id, meta)));
      case REGISTER -> db.agents().register(id, "deep", null, meta);
      case TRANSITION -> {
        db.agents().register(id, "deep");
        db.agents().transition(id, AgentStatus.RUNNING, meta);
      }
      case SESSION_START -> db.sessions().start(id, meta);
      case MEMORY_PUT -> m.put("deep", id, value);
      case MEMORY_PUT_ALL -> m.putAll("deep", Map.of(id, value), null);
      case MEMORY_IMPORT -> {
        try {
          m.importJson(
              "{\"sessionId\":\"mem\",\"entries\":[{\"memoryType\":\"deep\",\"key\":"
                  + DEEP_WRITER.writeValueAsString(id)
                  + ",\"value\":"
                  + DEEP_WRITER.writeValueAsString(value)
                  + ",\"expiresAt\":null}]}");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new AssertionError(e);
        }
      }
    }
  }

  private static AgentEvent event(String id, Map<String, Object> meta) {
    return new AgentEvent(0, id, "deep", "agent-" + id, null, null, TS, meta);
  }

  private static void readBack(WritePath path, String id, Map<String, Object> meta, Object value) {
    switch (path) {
      case APPEND, APPEND_ASYNC, APPEND_ALL -> {
        AgentEvent got = db.events().get(id).orElseThrow();
        assertThat(got.metadata()).isEqualTo(meta);
        assertThat(db.events().since(got.seq() - 1, 1)).containsExactly(got);
        assertThat(db.events().query(EventQuery.agent("agent-" + id))).containsExactly(got);
        try (Stream<AgentEvent> s = db.events().stream(EventQuery.agent("agent-" + id))) {
          assertThat(s).containsExactly(got);
        }
      }
      case REGISTER, TRANSITION -> {
        Agent a = db.agents().get(id).orElseThrow();
        assertThat(a.metadata()).isEqualTo(meta);
        assertThat(db.agents().byType("deep")).contains(a);
      }
      case SESSION_START -> {
        assertThat(db.sessions().get(id).orElseThrow().metadata()).isEqualTo(meta);
        assertThat(db.sessions().recent(1).get(0).metadata()).isEqualTo(meta);
      }
      case MEMORY_PUT, MEMORY_PUT_ALL, MEMORY_IMPORT -> {
        SessionMemory m = db.sessions().memory("mem");
        assertThat(m.get("deep", id, Object.class)).contains(value);
        // the export document wraps the value three levels deeper; it must import again
        String copy = "copy-" + id;
        db.sessions().start(copy);
        SessionMemory c = db.sessions().memory(copy);
        String doc = m.exportJson();
        assertThat(c.importJson(doc)).isPositive();
        assertThat(c.get("deep", id, Object.class)).contains(value);
      }
    }
  }

  private static void assertNothingStored(WritePath path, String id) {
    switch (path) {
      case APPEND, APPEND_ASYNC, APPEND_ALL -> {
        assertThat(db.events().get(id)).isEmpty();
        assertThat(db.events().get(id + "-a")).isEmpty();
      }
      case REGISTER -> assertThat(db.agents().get(id)).isEmpty();
      case TRANSITION ->
          assertThat(db.agents().get(id).orElseThrow().status()).isEqualTo(AgentStatus.SPAWNED);
      case SESSION_START -> assertThat(db.sessions().get(id)).isEmpty();
      case MEMORY_PUT, MEMORY_PUT_ALL, MEMORY_IMPORT ->
          assertThat(db.sessions().memory("mem").entry("deep", id)).isEmpty();
    }
  }
}
