package io.moaiflow.swarmdb;

import io.moaiflow.swarmdb.internal.Json;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The limits of every JSON document SwarmDB stores: event, agent and session metadata and session
 * memory values. Each write path (append, appendAll, appendAsync, register, transition, session
 * start, memory put, putAll and importJson, and the CLI's import) checks them before anything is
 * written and rejects a value beyond any of them with {@link ErrorCode#INVALID_ARGUMENT}; every
 * reader accepts exactly what they allow, so anything a write accepted reads back. A stored
 * document beyond them can only be damage and reads as {@link ErrorCode#CORRUPT}.
 *
 * <p>This class has no state and is thread safe.
 */
public final class JsonLimits {
  /**
   * Deepest nesting of objects and arrays, counted over the stored document: its outermost object
   * or array is level 1. Metadata is an object, so a value inside it may nest {@code MAX_DEPTH - 1}
   * levels; a memory value is the whole document and may nest {@code MAX_DEPTH} levels.
   */
  public static final int MAX_DEPTH = 1000;

  /** Largest document, in UTF-8 bytes of its JSON text (16 MiB). */
  public static final int MAX_BYTES = 16 * 1024 * 1024;

  /** Longest object key (a metadata key, or a key of a nested object), in UTF-16 characters. */
  public static final int MAX_NAME_LENGTH = 50_000;

  /**
   * Longest number, in characters of its JSON text (a {@link java.math.BigInteger} of at most this
   * many digits, or a {@link java.math.BigDecimal} whose text is at most this long). Numbers must
   * also be finite: {@code NaN} and infinities have no JSON form, and a decimal beyond the range of
   * {@code double} would read back as one.
   */
  public static final int MAX_NUMBER_LENGTH = 1000;

  private JsonLimits() {}

  /**
   * Checks metadata exactly as an append does, without storing it: for tools that validate a whole
   * input before writing any of it (the CLI's {@code import}). It serialises with the library's
   * default mapper; a database opened with {@link SwarmDbConfig.Builder#jsonMapper} may accept
   * types (through the application's modules) that this check refuses.
   *
   * @param metadata an event's metadata
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT}, with the message an append of it
   *     would give, when its JSON text is beyond any of these limits (including more than {@link
   *     #MAX_BYTES}) or it holds a value with no JSON form, such as {@code NaN} or an infinity
   */
  public static void checkMetadata(Map<String, ? extends @Nullable Object> metadata) {
    Json.writeMetadata(Objects.requireNonNull(metadata, "metadata"));
  }
}
