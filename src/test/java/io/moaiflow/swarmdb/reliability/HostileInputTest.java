package io.moaiflow.swarmdb.reliability;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.MutableClock;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.TempSwarmDb;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Item 9: hostile input, property-based with a fixed seed and 1,000 tries per property. Every call
 * either round-trips exactly or fails with INVALID_ARGUMENT; any other exception (or code) fails
 * the property. Covers lone surrogates, NUL, control characters, injection strings, LIKE and GLOB
 * wildcards in lookups, ids past their length limits, JSON nested past 1,000 levels, 1 MB and 20 MB
 * strings, TTLs of -1, 0 and Long.MAX_VALUE ms, and a wall clock stepped backwards.
 */
@Tag("reliability")
class HostileInputTest {
  static final String SEED = "20261124";
  static final int TRIES = 1_000;
  static final Instant TS = Instant.ofEpochMilli(1_700_000_000_000L);
  static final List<String> KEYS =
      List.of(
          "a",
          "ab",
          "abc",
          "a%b",
          "a_b",
          "a*b",
          "a?b",
          "a[b]",
          "a]b",
          "a\\b",
          "a'b",
          "%",
          "_",
          "*",
          "?",
          "[",
          "A",
          "a b",
          "a\u00e9",
          "a\uD83D\uDE00");

  static final MutableClock clock = new MutableClock(TS);
  static final TempSwarmDb SWARM = TempSwarmDb.withSession("hostile.db", "s", b -> b.clock(clock));
  static SwarmDB swarm;
  static final AtomicLong counter = new AtomicLong();

  @BeforeContainer
  static void open() {
    swarm = SWARM.open().db();
    SessionMemory m = SWARM.memory();
    for (String k : KEYS) {
      m.put("search", k, k);
    }
  }

  @AfterContainer
  static void close() throws IOException {
    SWARM.close();
  }

  @Provide
  Arbitrary<String> hostile() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.strings().all().ofMaxLength(40)),
        Tuple.of(
            3,
            Arbitraries.of(
                "",
                " ",
                "\u0000",
                "a\u0000b",
                "\uD800",
                "\uDC00",
                "a\uD800",
                "\uDC00a",
                "\uD83D\uDE00",
                "'; DROP TABLE agent_events; --",
                "\" OR 1=1 --",
                "') OR ('1'='1",
                "1; ATTACH DATABASE '/tmp/x.db' AS x; --",
                "%",
                "_",
                "%%",
                "a%",
                "*",
                "?",
                "[",
                "[a-z]*",
                "\\",
                "\\%",
                "$.a",
                "{\"a\":1}",
                "\r\n\t",
                "\u202E\u200B",
                "x".repeat(256),
                "x".repeat(257),
                "x".repeat(513))),
        Tuple.of(
            3,
            Arbitraries.strings()
                .withChars("%_*?[]^!\\'\";-\u0000 aA\uD800\uDC00")
                .ofMinLength(1)
                .ofMaxLength(12)),
        Tuple.of(1, Arbitraries.strings().alpha().ofMinLength(250).ofMaxLength(600)));
  }

  @Property(tries = TRIES, seed = SEED)
  void eventIdsRoundTripOrAreInvalid(@ForAll("hostile") String s) {
    roundTripOrInvalid(
        () -> {
          AgentEvent e = new AgentEvent(0, s, "run", s, null, s, TS, Map.of());
          AgentEvent stored = swarm.events().append(e);
          assertThat(stored.sameContent(e)).isTrue();
          assertThat(swarm.events().get(s))
              .hasValueSatisfying(g -> assertThat(g.sameContent(e)).isTrue());
          List<AgentEvent> byAgent = swarm.events().query(EventQuery.agent(s).limit(10_000));
          assertThat(byAgent).isNotEmpty().allMatch(x -> x.agentId().equals(s));
          assertThat(swarm.events().query(EventQuery.session(s).limit(10_000)))
              .isNotEmpty()
              .allMatch(x -> s.equals(x.sessionId()));
        });
  }

  @Property(tries = TRIES, seed = SEED)
  void typesRoundTripOrAreInvalid(@ForAll("hostile") String s) {
    roundTripOrInvalid(
        () -> {
          String id = "t" + counter.incrementAndGet();
          AgentEvent e = new AgentEvent(0, id, s, "agent", s, null, TS, Map.of());
          swarm.events().append(e);
          assertThat(swarm.events().get(id))
              .hasValueSatisfying(g -> assertThat(g.sameContent(e)).isTrue());
          assertThat(swarm.events().query(EventQuery.type(s).limit(10_000)))
              .isNotEmpty()
              .allMatch(x -> x.eventType().equals(s));
        });
  }

  @Property(tries = TRIES, seed = SEED)
  void metadataRoundTripsOrIsInvalid(
      @ForAll("hostile") String key, @ForAll("hostile") String value) {
    roundTripOrInvalid(
        () -> {
          Map<String, Object> meta = new LinkedHashMap<>();
          meta.put(key, value);
          meta.put("list", List.of(value, value));
          String id = "m" + counter.incrementAndGet();
          AgentEvent e = new AgentEvent(0, id, "run", "agent", null, null, TS, meta);
          swarm.events().append(e);
          assertThat(swarm.events().get(id).orElseThrow().metadata()).isEqualTo(meta);
        });
  }

  @Property(tries = TRIES, seed = SEED)
  void memoryRoundTripsOrIsInvalid(@ForAll("hostile") String key, @ForAll("hostile") String value) {
    roundTripOrInvalid(
        () -> {
          SessionMemory m = swarm.sessions().memory("s");
          MemoryEntry put = m.put(SessionMemory.SEMANTIC, key, value);
          assertThat(put.key()).isEqualTo(key);
          assertThat(m.get(SessionMemory.SEMANTIC, key, String.class)).contains(value);
          assertThat(m.getAll(SessionMemory.SEMANTIC, List.of(key))).containsKey(key);
        });
  }

  @Property(tries = TRIES, seed = SEED)
  void prefixSearchIsLiteral(@ForAll("hostile") String prefix) {
    roundTripOrInvalid(
        () -> {
          List<String> found =
              swarm.sessions().memory("s").findByPrefix("search", prefix).stream()
                  .map(MemoryEntry::key)
                  .toList();
          List<String> expected = KEYS.stream().filter(k -> k.startsWith(prefix)).sorted().toList();
          assertThat(found).containsExactlyInAnyOrderElementsOf(expected);
        });
  }

  @Property(tries = TRIES, seed = SEED)
  void globSearchNeverEscapesItsSessionOrFails(@ForAll("hostile") String glob) {
    roundTripOrInvalid(
        () -> {
          List<MemoryEntry> found = swarm.sessions().memory("s").findByGlob("search", glob);
          assertThat(found).allMatch(e -> KEYS.contains(e.key()) && e.sessionId().equals("s"));
          if (KEYS.contains(glob)
              && glob.chars().noneMatch(c -> c == '*' || c == '?' || c == '[')) {
            assertThat(found).extracting(MemoryEntry::key).contains(glob);
          }
        });
  }

  @Provide
  Arbitrary<Duration> ttls() {
    return Arbitraries.frequencyOf(
        Tuple.of(
            3,
            Arbitraries.of(
                Duration.ofMillis(-1),
                Duration.ZERO,
                Duration.ofMillis(1),
                Duration.ofMillis(Long.MAX_VALUE),
                Duration.ofMillis(Long.MIN_VALUE),
                Duration.ofSeconds(Long.MAX_VALUE),
                Duration.ofNanos(1),
                Duration.ofNanos(999_999),
                Duration.ofDays(36_525),
                Duration.ofDays(36_525).plusMillis(1))),
        Tuple.of(2, Arbitraries.longs().map(Duration::ofMillis)),
        Tuple.of(2, Arbitraries.longs().between(1, 10_000_000).map(Duration::ofMillis)));
  }

  @Property(tries = TRIES, seed = SEED)
  void ttlIsStoredExactlyOrInvalid(@ForAll("ttls") Duration ttl) {
    roundTripOrInvalid(
        () -> {
          SessionMemory m = swarm.sessions().memory("s");
          String key = "ttl" + counter.incrementAndGet();
          MemoryEntry e = m.put("ttl", key, 1, ttl);
          assertThat(ttl.isNegative() || ttl.isZero()).isFalse();
          assertThat(e.expiresAt()).isNotNull();
          assertThat(Duration.between(e.updatedAt(), e.expiresAt()))
              .isEqualTo(Duration.ofMillis(ttl.toMillis()));
        });
  }

  @Provide
  Arbitrary<List<Long>> clockSteps() {
    return Arbitraries.longs().between(-86_400_000L, 3_000L).list().ofMinSize(1).ofMaxSize(8);
  }

  @Property(tries = TRIES, seed = SEED)
  void expiredMemoryNeverReturnsWhenTheClockStepsBack(@ForAll("clockSteps") List<Long> steps) {
    SessionMemory m = swarm.sessions().memory("s");
    String key = "clock" + counter.incrementAndGet();
    clock.set(clock.highest() + 86_400_000L);
    MemoryEntry put = m.put("clock", key, "v", Duration.ofMillis(1_000));
    long expiresAt = put.expiresAt().toEpochMilli();
    long maxSeen = clock.millis();
    for (long step : steps) {
      clock.set(clock.millis() + step);
      maxSeen = Math.max(maxSeen, clock.millis());
      Optional<MemoryEntry> e = m.entry("clock", key);
      if (maxSeen >= expiresAt) {
        assertThat(e)
            .as(
                "expired at %d; clock now %d after a step of %d ms",
                expiresAt, clock.millis(), step)
            .isEmpty();
        assertThat(m.get("clock", key, String.class)).isEmpty();
        assertThat(m.keys("clock")).doesNotContain(key);
      } else {
        assertThat(e).as("not yet expired").isPresent();
      }
    }
  }

  @Property(tries = TRIES, seed = SEED)
  void deepJsonRoundTripsOrIsInvalid(@ForAll("depths") int depth) {
    roundTripOrInvalid(
        () -> {
          Object nested = "leaf";
          for (int i = 0; i < depth; i++) {
            nested = (i % 2 == 0) ? List.of(nested) : Map.of("k", nested);
          }
          Map<String, Object> meta = Map.of("n", nested);
          String id = "d" + counter.incrementAndGet();
          swarm.events().append(new AgentEvent(0, id, "run", "agent", null, null, TS, meta));
          assertThat(swarm.events().get(id).orElseThrow().metadata()).isEqualTo(meta);
        });
  }

  @Provide
  Arbitrary<Integer> depths() {
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.of(1, 998, 999, 1_000, 1_001, 1_002, 2_000, 10_000)),
        Tuple.of(3, Arbitraries.integers().between(0, 1_100)));
  }

  @Example
  void jsonNested1001DeepIsInvalid() {
    Object nested = "leaf";
    for (int i = 0; i < 1_001; i++) {
      nested = List.of(nested);
    }
    Map<String, Object> meta = Map.of("n", nested);
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        () ->
            swarm.events().append(new AgentEvent(0, "deep1001", "run", "a", null, null, TS, meta)));
    assertFails(
        ErrorCode.INVALID_ARGUMENT, () -> swarm.sessions().memory("s").put("deep", "k", meta));
  }

  @Example
  void oneMegabyteStringsRoundTrip() {
    String big = "\u00e9a\uD83D\uDE00".repeat(1 << 18);
    AgentEvent e = new AgentEvent(0, "big1m", "run", "agent", null, null, TS, Map.of("big", big));
    swarm.events().append(e);
    assertThat(swarm.events().get("big1m").orElseThrow().metadata()).containsEntry("big", big);
    SessionMemory m = swarm.sessions().memory("s");
    m.put("big", "k", big);
    assertThat(m.get("big", "k", String.class)).contains(big);
  }

  @Example
  void twentyMegabyteStringsAreInvalid() {
    String huge = "x".repeat(20 * 1024 * 1024);
    assertFails(
        ErrorCode.INVALID_ARGUMENT,
        () ->
            swarm
                .events()
                .append(
                    new AgentEvent(
                        0, "big20m", "run", "agent", null, null, TS, Map.of("big", huge))));
    assertFails(
        ErrorCode.INVALID_ARGUMENT, () -> swarm.sessions().memory("s").put("big", "k20", huge));
    assertThat(swarm.events().get("big20m")).isEmpty();
    assertThat(swarm.sessions().memory("s").entry("big", "k20")).isEmpty();
  }

  /** Runs a write-and-read-back; INVALID_ARGUMENT is an accepted outcome, anything else is not. */
  private static void roundTripOrInvalid(Runnable r) {
    try {
      r.run();
    } catch (SwarmDbException e) {
      assertThat(e.code()).as(String.valueOf(e.getMessage())).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }
  }
}
