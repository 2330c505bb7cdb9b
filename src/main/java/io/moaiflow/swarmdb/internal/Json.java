package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.JsonLimits;
import io.moaiflow.swarmdb.SwarmDbException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The library's Jackson mappers: the shared one, and a database's own when the application
 * customises it ({@link #forDatabase}); each with the limits of {@link JsonLimits} applied
 * identically when writing (by {@link LimitedGenerator}) and when reading (by the parser's
 * constraints), so any document a write accepts reads back. Stored text that does not parse is
 * damage: {@link ErrorCode#CORRUPT} naming the row, never a usage error. This class is thread safe
 * (the mappers are configured once and never changed).
 */
public final class Json {
  private static final int MAX_DEPTH = JsonLimits.MAX_DEPTH;

  /**
   * Levels a memory export document ({@code {"entries":[{"value":...}]}}) adds around each value:
   * such documents may nest this much deeper than a value, and each value is checked on its own.
   */
  private static final int DOCUMENT_ENVELOPE = 3;

  private static final TypeReference<LinkedHashMap<String, @Nullable Object>> MAP =
      new TypeReference<>() {};

  private static final ObjectMapper MAPPER = build(MAX_DEPTH);

  private static final ObjectReader EXACT_DOCUMENT =
      build(MAX_DEPTH + DOCUMENT_ENVELOPE)
          .reader()
          .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);

  private Json() {}

  private static ObjectMapper build(int maxDepth) {
    return build(maxDepth, null);
  }

  /**
   * A mapper: the library's defaults (java.time and Optional types, dates and durations as ISO-8601
   * text, offsets kept when reading), then the application's customisation, then again what the
   * library depends on, whatever the customisation changed: the limits of {@link JsonLimits} on
   * reading and writing, strict single-value reads, finite numbers, compact text.
   */
  private static ObjectMapper build(
      int maxDepth, @Nullable Consumer<JsonMapper.Builder> customisation) {
    StreamReadConstraints read =
        StreamReadConstraints.builder()
            .maxNestingDepth(maxDepth)
            .maxNameLength(JsonLimits.MAX_NAME_LENGTH)
            .maxNumberLength(JsonLimits.MAX_NUMBER_LENGTH)
            .maxStringLength(JsonLimits.MAX_BYTES)
            .maxDocumentLength(JsonLimits.MAX_BYTES + 1024L)
            .build();
    StreamWriteConstraints write =
        StreamWriteConstraints.builder().maxNestingDepth(maxDepth).build();
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(read)
            .streamWriteConstraints(write)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .addDecorator((f, g) -> new LimitedGenerator(g, maxDepth))
            .build();
    JsonMapper.Builder b =
        JsonMapper.builder(factory)
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .disable(
                SerializationFeature.WRITE_DATES_AS_TIMESTAMPS,
                SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    if (customisation != null) {
      customisation.accept(b);
    }
    ObjectMapper mapper =
        b.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    // the customisation may have reached the factory through b.streamFactory()
    mapper.getFactory().setStreamReadConstraints(read).setStreamWriteConstraints(write);
    return mapper;
  }

  /**
   * A database's own mapper for the application's values (metadata, memory values, typed reads),
   * built from {@link io.moaiflow.swarmdb.SwarmDbConfig#jsonMapper()}; the shared mapper is never
   * changed.
   *
   * @param customisation the application's changes to the library's builder, or null for none
   * @throws io.moaiflow.swarmdb.SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when the
   *     customisation throws
   */
  public static ObjectMapper forDatabase(@Nullable Consumer<JsonMapper.Builder> customisation) {
    if (customisation == null) {
      return MAPPER;
    }
    try {
      return build(MAX_DEPTH, customisation);
    } catch (RuntimeException e) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "the jsonMapper customisation failed: "
              + e
              + "; fix the Consumer passed to SwarmDbConfig.Builder.jsonMapper",
          e);
    }
  }

  /** The shared mapper. Do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Serialises a value with the shared mapper, enforcing the size and UTF-8 rules. */
  public static String write(String what, @Nullable Object value) {
    return write(MAPPER, what, value);
  }

  /** Serialises a value with a database's mapper, enforcing the size and UTF-8 rules. */
  public static String write(ObjectMapper mapper, String what, @Nullable Object value) {
    String json;
    try {
      json = mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw notJson(what, e.getOriginalMessage());
    } catch (RuntimeException e) {
      throw notJson(what, e.toString());
    } catch (StackOverflowError e) {
      throw Checks.invalid(what + " is nested too deeply to write as JSON");
    }
    checkText(what, json);
    return json;
  }

  private static SwarmDbException notJson(String what, String reason) {
    return Checks.invalid(
        what
            + " cannot be written as JSON: "
            + reason
            + "; pass maps, lists, strings, numbers, booleans, or Jackson-serialisable objects"
            + " nested at most "
            + MAX_DEPTH
            + " deep");
  }

  public static String writeMetadata(Map<String, ? extends @Nullable Object> metadata) {
    return writeMetadata(MAPPER, metadata);
  }

  public static String writeMetadata(
      ObjectMapper mapper, Map<String, ? extends @Nullable Object> metadata) {
    if (metadata.isEmpty()) {
      return "{}";
    }
    return write(mapper, "metadata", metadata);
  }

  /**
   * The metadata as a query will read it back from {@code json}: the map itself when Jackson would
   * read its values back as the same types (strings, booleans, Integers, Longs beyond int, finite
   * Doubles, maps, lists, null), else the parsed JSON. Rows returned by writes then equal the rows
   * queries return.
   */
  public static Map<String, @Nullable Object> asStored(
      Map<String, @Nullable Object> metadata, String json) {
    return isCanonical(metadata) ? metadata : readMetadata(() -> "metadata just written", json);
  }

  private static boolean isCanonical(@Nullable Object v) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Integer) {
      return true;
    }
    if (v instanceof Long l) {
      return l < Integer.MIN_VALUE || l > Integer.MAX_VALUE;
    }
    if (v instanceof Double d) {
      return !d.isNaN() && !d.isInfinite();
    }
    // plain loops: a stream pipeline adds about ten frames per level, and metadata may be nested
    // 1,000 levels deep
    if (v instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String) || !isCanonical(e.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (v instanceof java.util.List<?> list) {
      for (Object o : list) {
        if (!isCanonical(o)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * Parses stored metadata.
   *
   * @param row names the row for messages, such as {@code agent_events row seq 3}; called only when
   *     it is damaged (the row readers call this for every row; building the name each time cost
   *     more than the check)
   * @throws io.moaiflow.swarmdb.SwarmDbException {@link ErrorCode#CORRUPT} naming the row when the
   *     text is not a JSON object within {@link JsonLimits}
   */
  public static Map<String, @Nullable Object> readMetadata(
      Supplier<String> row, @Nullable String json) {
    if ("{}".equals(json)) {
      return Map.of();
    }
    if (json == null) {
      throw corrupt(row.get(), "metadata", "it is SQL NULL");
    }
    LinkedHashMap<String, @Nullable Object> map;
    try {
      map = MAPPER.readValue(json, MAP);
    } catch (JsonProcessingException e) {
      throw corrupt(row.get(), "metadata", e.getOriginalMessage());
    }
    if (map == null) {
      throw corrupt(row.get(), "metadata", "it is JSON null, not an object");
    }
    return FrozenMap.of(map);
  }

  /**
   * The {@link ErrorCode#CORRUPT} error for a stored JSON column that cannot be read: damage, never
   * the caller's input.
   *
   * @param row the row, such as {@code agent_events row seq 3}
   */
  public static SwarmDbException corrupt(String row, String column, String reason) {
    return new SwarmDbException(
        ErrorCode.CORRUPT,
        row
            + ": the stored "
            + column
            + " is not readable JSON ("
            + reason
            + "); the row is damaged. 'swarmdb verify --full' lists every damaged row,"
            + " 'swarmdb export --skip-corrupt' saves the readable events, 'swarmdb restore'"
            + " brings back a backup");
  }

  /**
   * Why stored JSON text cannot be read back, or null when it can: one JSON value within {@link
   * JsonLimits}, nothing after it. Reads tokens only (no objects are built).
   */
  private static @Nullable String problem(String json) {
    try (JsonParser p = MAPPER.createParser(json)) {
      if (p.nextToken() == null) {
        return "it is empty";
      }
      p.skipChildren();
      if (p.nextToken() != null) {
        return "text follows the JSON value at offset " + p.currentTokenLocation().getCharOffset();
      }
      return null;
    } catch (IOException e) {
      return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.toString();
    }
  }

  /**
   * Checks stored JSON text before it is passed on unparsed (for example into an export).
   *
   * @param row the row, for messages (built only when the text is damaged)
   * @throws io.moaiflow.swarmdb.SwarmDbException {@link ErrorCode#CORRUPT} when it cannot be read
   */
  public static String checkStored(Supplier<String> row, String column, String json) {
    String problem = problem(json);
    if (problem != null) {
      throw corrupt(row.get(), column, problem);
    }
    return json;
  }

  /**
   * Parses a document whose values are stored again into a tree keeping every number exactly
   * (decimals as written, not rounded to double). It may nest {@value #DOCUMENT_ENVELOPE} levels
   * deeper than a value; each value is checked against {@link JsonLimits} when it is written.
   */
  public static JsonNode readTreeExact(String what, String json) {
    try {
      return EXACT_DOCUMENT.readTree(json);
    } catch (JsonProcessingException e) {
      throw Checks.invalid(
          what
              + " is not valid JSON: "
              + e.getOriginalMessage()
              + (e instanceof StreamConstraintsException
                  ? "; values may be nested at most "
                      + MAX_DEPTH
                      + " levels deep (the "
                      + DOCUMENT_ENVELOPE
                      + " levels of the document around each value do not count)"
                  : ""));
    }
  }

  /**
   * Parses a stored JSON value into a type.
   *
   * @param row the row it was read from, for messages
   * @return the value, or null for JSON null
   * @throws io.moaiflow.swarmdb.SwarmDbException {@link ErrorCode#CORRUPT} when the text is not
   *     readable JSON; {@link ErrorCode#INVALID_ARGUMENT} when it is, but not as {@code type}
   */
  public static <T> @Nullable T read(Supplier<String> row, String json, Class<T> type) {
    return read(MAPPER, row, json, MAPPER.constructType(type));
  }

  /**
   * Parses a stored JSON value into a type with a database's mapper, as {@link #read(Supplier,
   * String, Class)} does.
   *
   * @param type the type, built by {@code mapper} from a {@code Class<T>} or {@code
   *     TypeReference<T>}
   */
  @SuppressWarnings("TypeParameterUnusedInFormals") // a JavaType has no static type of its own
  public static <T> @Nullable T read(
      ObjectMapper mapper, Supplier<String> row, String json, JavaType type) {
    try {
      return mapper.readValue(json, type); // refuses text after the value, as built
    } catch (JsonProcessingException e) {
      String problem = problem(json);
      if (problem != null) {
        throw corrupt(row.get(), "value", problem);
      }
      throw Checks.invalid(
          row.get()
              + ": the value cannot be read as "
              + type.getRawClass().getSimpleName()
              + ": "
              + e.getOriginalMessage());
    }
  }

  private static void checkText(String what, String json) {
    int bad = Checks.unpairedSurrogate(json);
    if (bad >= 0) {
      throw Checks.invalid(
          what
              + " contains an unpaired UTF-16 surrogate; SQLite stores UTF-8, which cannot"
              + " represent it");
    }
    if (json.length() > JsonLimits.MAX_BYTES / 3) {
      long bytes = json.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > JsonLimits.MAX_BYTES) {
        throw Checks.invalid(
            what
                + " is "
                + bytes
                + " bytes as JSON; the limit is "
                + JsonLimits.MAX_BYTES
                + " bytes (16 MiB)");
      }
    }
  }
}
