package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one Jackson mapper the library uses, with limits that match the storage rules: nesting at
 * most {@value #MAX_DEPTH} levels, text at most {@link Checks#MAX_JSON_BYTES}. This class is thread
 * safe (the mapper is configured once and never changed).
 */
public final class Json {
  /** Deepest JSON nesting accepted, reading or writing. */
  public static final int MAX_DEPTH = 1000;

  private static final TypeReference<LinkedHashMap<String, @Nullable Object>> MAP =
      new TypeReference<>() {};

  private static final ObjectMapper MAPPER = build();

  private static final ObjectReader EXACT =
      MAPPER
          .reader()
          .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);

  private Json() {}

  private static ObjectMapper build() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(Checks.MAX_JSON_BYTES)
                    .maxDocumentLength(Checks.MAX_JSON_BYTES + 1024L)
                    .build())
            .streamWriteConstraints(
                StreamWriteConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    return JsonMapper.builder(factory)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  /**
   * The shared mapper. Do not reconfigure it.
   *
   * @return the mapper
   */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * Serialises a value, enforcing the size and UTF-8 rules.
   *
   * @param what the parameter name for messages
   * @param value any Jackson-serialisable value
   * @return JSON text
   */
  public static String write(String what, @Nullable Object value) {
    String json;
    try {
      json = MAPPER.writeValueAsString(value);
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

  private static io.moaiflow.swarmdb.SwarmDbException notJson(String what, String reason) {
    return Checks.invalid(
        what
            + " cannot be written as JSON: "
            + reason
            + "; pass maps, lists, strings, numbers, booleans, or Jackson-serialisable objects"
            + " nested at most "
            + MAX_DEPTH
            + " deep");
  }

  /**
   * Serialises metadata.
   *
   * @param metadata the map
   * @return JSON object text
   */
  public static String writeMetadata(Map<String, ? extends @Nullable Object> metadata) {
    if (metadata.isEmpty()) {
      return "{}";
    }
    return write("metadata", metadata);
  }

  /**
   * The metadata as a query will read it back from {@code json}: the map itself when Jackson would
   * read its values back as the same types (strings, booleans, Integers, Longs beyond int, finite
   * Doubles, maps, lists, null), else the parsed JSON. Rows returned by writes then equal the rows
   * queries return.
   *
   * @param metadata the caller's map
   * @param json its serialised form
   * @return an equal-on-read-back map
   */
  public static Map<String, @Nullable Object> asStored(
      Map<String, @Nullable Object> metadata, String json) {
    return isCanonical(metadata) ? metadata : readMetadata(json);
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
   * @param json JSON object text
   * @return an unmodifiable, insertion-ordered map
   */
  public static Map<String, @Nullable Object> readMetadata(String json) {
    if ("{}".equals(json)) {
      return Map.of();
    }
    try {
      return Collections.unmodifiableMap(MAPPER.readValue(json, MAP));
    } catch (JsonProcessingException e) {
      throw Checks.invalid("stored metadata is not a JSON object: " + e.getOriginalMessage());
    }
  }

  /**
   * Parses JSON text into a tree keeping every number exactly (decimals as written, not rounded to
   * double), for documents whose values are stored again.
   *
   * @param what the document, for messages
   * @param json the text
   * @return the tree
   */
  public static JsonNode readTreeExact(String what, String json) {
    try {
      return EXACT.readTree(json);
    } catch (JsonProcessingException e) {
      throw Checks.invalid(what + " is not valid JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * Parses JSON text into a type.
   *
   * @param <T> the type
   * @param what the parameter name for messages
   * @param json the text
   * @param type the class
   * @return the value, or null for JSON null
   */
  public static <T> @Nullable T read(String what, String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw Checks.invalid(
          what + " cannot be read as " + type.getSimpleName() + ": " + e.getOriginalMessage());
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
    if (json.length() > Checks.MAX_JSON_BYTES / 3) {
      long bytes = json.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > Checks.MAX_JSON_BYTES) {
        throw Checks.invalid(
            what
                + " is "
                + bytes
                + " bytes as JSON; the limit is "
                + Checks.MAX_JSON_BYTES
                + " bytes (16 MiB)");
      }
    }
  }
}
