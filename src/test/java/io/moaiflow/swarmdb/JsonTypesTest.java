package io.moaiflow.swarmdb;

import static io.moaiflow.swarmdb.SwarmAssertions.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.moaiflow.swarmdb.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * java.time and Optional types in metadata and memory (ISO-8601 text), and a database's own
 * customised mapper that cannot loosen what the library depends on.
 */
class JsonTypesTest extends BackendSuite {
  static final Instant T0 = Instant.parse("2026-11-01T06:00:00Z");
  static final Instant AT = Instant.parse("2026-05-01T08:00:00.123Z");
  static final OffsetDateTime LOCAL = OffsetDateTime.parse("2026-05-01T10:00:00+02:00");
  static final Duration TOOK = Duration.ofMinutes(90);

  record Times(
      Instant at,
      OffsetDateTime local,
      Duration took,
      Optional<String> name,
      Optional<String> none,
      OptionalInt count,
      OptionalLong nothing) {}

  record Person(@Nullable String firstName, int age) {}

  private static final ObjectMapper READER = new ObjectMapper();

  JsonTypesTest() {
    super(T0);
  }

  static Times times() {
    return new Times(
        AT,
        LOCAL,
        TOOK,
        Optional.of("kim"),
        Optional.empty(),
        OptionalInt.of(3),
        OptionalLong.empty());
  }

  static Map<String, @Nullable Object> timesMetadata() {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("at", AT);
    m.put("local", LOCAL);
    m.put("took", TOOK);
    m.put("name", Optional.of("kim"));
    m.put("none", Optional.empty());
    m.put("count", OptionalInt.of(3));
    return m;
  }

  /** What the metadata reads back as: plain JSON values, dates and durations as ISO-8601 text. */
  static Map<String, @Nullable Object> timesAsStored() {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("at", "2026-05-01T08:00:00.123Z");
    m.put("local", "2026-05-01T10:00:00+02:00");
    m.put("took", "PT1H30M");
    m.put("name", "kim");
    m.put("none", null);
    m.put("count", 3);
    return m;
  }

  @BackendTest
  void memoryValuesOfJavaTimeAndOptionalTypesRoundTripAsIsoText() throws Exception {
    db.sessions().start("s");
    for (Memory m : List.of(db.sessions().memory("s"), db.memory(Scope.swarm()))) {
      MemoryEntry e = m.put(Memory.SEMANTIC, "t", times());
      assertThat(tree(e.valueJson()))
          .isEqualTo(
              tree(
                  "{\"at\":\"2026-05-01T08:00:00.123Z\",\"local\":\"2026-05-01T10:00:00+02:00\","
                      + "\"took\":\"PT1H30M\",\"name\":\"kim\",\"none\":null,\"count\":3,"
                      + "\"nothing\":null}"));
      // the offset is kept as written, not adjusted to UTC
      assertThat(m.get(Memory.SEMANTIC, "t", Times.class)).contains(times());
      assertThat(m.entry(Memory.SEMANTIC, "t", Times.class).orElseThrow().value())
          .isEqualTo(times());
      m.put(Memory.SEMANTIC, "instant", AT);
      assertThat(m.get(Memory.SEMANTIC, "instant", Instant.class)).contains(AT);
    }
  }

  @BackendTest
  void metadataOfJavaTimeAndOptionalTypesIsStoredAsIsoText() {
    Session s = db.sessions().start("s", timesMetadata());
    assertThat(s.metadata()).isEqualTo(timesAsStored());
    assertThat(db.sessions().get("s").orElseThrow().metadata()).isEqualTo(timesAsStored());
    Agent a = db.agents().register("a", "w", "s", timesMetadata());
    assertThat(a.metadata()).isEqualTo(timesAsStored());
    Agent moved = db.agents().transition("a", AgentStatus.RUNNING, Map.of("since", Instant.EPOCH));
    assertThat(moved.metadata()).containsEntry("since", "1970-01-01T00:00:00Z");
    assertThat(db.agents().get("a").orElseThrow()).isEqualTo(moved);
    AgentEvent e = db.events().append(AgentEvent.of("spawn", "a", "w", timesMetadata()));
    assertThat(e.metadata()).isEqualTo(timesAsStored());
    assertThat(db.events().get(e.eventId()).orElseThrow().metadata()).isEqualTo(timesAsStored());
  }

  @BackendTest
  void aCustomisedMapperServesOnlyItsOwnDatabase() throws Exception {
    SwarmDB snake =
        backend.open(
            b ->
                b.clock(clock)
                    .jsonMapper(
                        j -> j.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)));
    snake.sessions().start("s", Map.of("who", new Person("Kim", 30)));
    Memory mine = snake.memory(Scope.swarm());
    assertThat(tree(mine.put(Memory.SEMANTIC, "p", new Person("Kim", 30)).valueJson()))
        .isEqualTo(tree("{\"first_name\":\"Kim\",\"age\":30}"));
    assertThat(mine.get(Memory.SEMANTIC, "p", Person.class)).contains(new Person("Kim", 30));
    assertThat(snake.sessions().get("s").orElseThrow().metadata())
        .isEqualTo(Map.of("who", Map.of("first_name", "Kim", "age", 30)));
    // the default database, on the same data, keeps the library's mapper (and so does the shared
    // one): it writes camel case and cannot read snake case into the record's fields
    Memory plain = db.memory(Scope.swarm());
    assertThat(tree(plain.put(Memory.SEMANTIC, "q", new Person("Lee", 40)).valueJson()))
        .isEqualTo(tree("{\"firstName\":\"Lee\",\"age\":40}"));
    assertThat(plain.get(Memory.SEMANTIC, "p", Person.class))
        .contains(new Person(null, 30)); // unknown properties are ignored
    assertThat(JsonLimits.MAX_DEPTH).isPositive();
  }

  @BackendTest
  void aCustomisationCannotLoosenTheLimitsOrTheFeaturesTheLibraryDependsOn() {
    SwarmDB loose =
        backend.open(
            b ->
                b.clock(clock)
                    .jsonMapper(
                        j -> {
                          j.enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);
                          j.disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
                          j.enable(SerializationFeature.INDENT_OUTPUT);
                          ((JsonFactory) j.streamFactory())
                              .setStreamWriteConstraints(
                                  StreamWriteConstraints.builder()
                                      .maxNestingDepth(100_000)
                                      .build());
                        }));
    Memory m = loose.memory(Scope.swarm());
    // depth: the limit - 1 and the limit are stored, the limit + 1 is refused
    assertThat(m.put(Memory.SEMANTIC, "d1", nested(JsonLimits.MAX_DEPTH - 1)).version()).isOne();
    assertThat(m.put(Memory.SEMANTIC, "d", nested(JsonLimits.MAX_DEPTH)).version()).isOne();
    assertInvalid(() -> m.put(Memory.SEMANTIC, "d2", nested(JsonLimits.MAX_DEPTH + 1)), "nested");
    assertThat(m.entry(Memory.SEMANTIC, "d2")).isEmpty();
    assertInvalid(() -> m.put(Memory.SEMANTIC, "nan", Double.NaN), "no JSON form");
    assertInvalid(() -> loose.sessions().start("s", Map.of("nan", Double.NaN)), "no JSON form");
    assertThat(m.put(Memory.SEMANTIC, "compact", Map.of("a", List.of(1))).valueJson())
        .isEqualTo("{\"a\":[1]}");
  }

  @BackendTest
  void anApplicationMayChooseNumericTimestamps() throws Exception {
    SwarmDB numeric =
        backend.open(
            b ->
                b.clock(clock)
                    .jsonMapper(j -> j.enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)));
    Memory m = numeric.memory(Scope.swarm());
    assertThat(tree(m.put(Memory.SEMANTIC, "at", Instant.ofEpochSecond(5)).valueJson()).isNumber())
        .isTrue();
    assertThat(m.get(Memory.SEMANTIC, "at", Instant.class)).contains(Instant.ofEpochSecond(5));
  }

  @BackendTest
  void aCustomisationThatThrowsFailsTheBuildWithItsCause() {
    IllegalStateException boom = new IllegalStateException("no such module");
    SwarmDbException e =
        assertInvalid(
            () ->
                SwarmDbConfig.inMemory()
                    .jsonMapper(
                        j -> {
                          throw boom;
                        })
                    .build(),
            "the jsonMapper customisation failed",
            "no such module",
            "SwarmDbConfig.Builder.jsonMapper");
    assertThat(e).hasCause(boom);
    assertThat(SwarmDbConfig.inMemory().build().jsonMapper()).isNull();
    assertThat(SwarmDbConfig.inMemory().build().toString()).contains("jsonMapper=library defaults");
  }

  private static JsonNode tree(String json) throws JsonProcessingException {
    return READER.readTree(json);
  }

  static Object nested(int depth) {
    Object v = "leaf";
    for (int i = 0; i < depth; i++) {
      List<Object> l = new ArrayList<>();
      l.add(v);
      v = l;
    }
    return v;
  }
}
