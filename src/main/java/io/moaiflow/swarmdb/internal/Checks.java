package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Argument checks shared by the public records and the DAOs. Every failure is a {@link
 * SwarmDbException} with {@link ErrorCode#INVALID_ARGUMENT} raised before anything is written. This
 * class is stateless and thread safe.
 */
public final class Checks {
  /** Longest id (agent, session, event) accepted. */
  public static final int MAX_ID_LENGTH = 256;

  /** Longest memory key accepted. */
  public static final int MAX_KEY_LENGTH = 512;

  /** Longest type name (event type, agent type, memory type) accepted. */
  public static final int MAX_TYPE_LENGTH = 64;

  /** Most rows a list call returns. */
  public static final int MAX_LIMIT = 10_000;

  private Checks() {}

  /**
   * An {@link ErrorCode#INVALID_ARGUMENT} exception.
   *
   * @param message what is wrong and how to fix it
   */
  public static SwarmDbException invalid(String message) {
    return new SwarmDbException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /** Checks an id: not blank, at most {@value #MAX_ID_LENGTH} characters, no NUL, valid UTF-16. */
  public static String id(String name, @Nullable String value) {
    return text(name, value, MAX_ID_LENGTH);
  }

  /** Checks a memory key like an id, up to {@value #MAX_KEY_LENGTH} characters. */
  public static String key(String name, @Nullable String value) {
    return text(name, value, MAX_KEY_LENGTH);
  }

  /**
   * Checks a type name: letters, digits and {@code _ . : -}, starting with a letter or digit, at
   * most {@value #MAX_TYPE_LENGTH} characters.
   */
  public static String type(String name, @Nullable String value) {
    if (value == null) {
      throw invalid(name + " is null; pass a type such as 'spawn' or 'semantic'");
    }
    if (!isTypeName(value)) {
      throw invalid(
          name
              + " '"
              + printable(value)
              + "' is not a valid type name; use 1 to 64 letters, digits, '_', '.', ':' or '-',"
              + " starting with a letter or digit");
    }
    return value;
  }

  /** {@code [A-Za-z0-9][A-Za-z0-9_.:-]{0,63}}, without a regex: every row read passes here. */
  private static boolean isTypeName(String value) {
    int n = value.length();
    if (n == 0 || n > MAX_TYPE_LENGTH) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '_' && c != '.' && c != ':' && c != '-'))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks search text (a literal prefix or a glob): at most {@value #MAX_KEY_LENGTH} characters,
   * no NUL, valid UTF-16 (an unpaired surrogate would reach the database as {@code ?}: a wildcard
   * in SQLite's GLOB, a literal character on PostgreSQL, wrong either way).
   */
  public static String searchText(String name, @Nullable String value, boolean nonEmpty) {
    if (value == null) {
      throw invalid(name + " is null; pass a string");
    }
    if (nonEmpty && value.isEmpty()) {
      throw invalid(name + " is empty; pass a pattern such as 'task-*'");
    }
    checkLength(name, value, MAX_KEY_LENGTH);
    checkChars(name, value);
    return value;
  }

  private static String text(String name, @Nullable String value, int max) {
    if (value == null) {
      throw invalid(name + " is null; pass a non-blank string");
    }
    checkLength(name, value, max);
    int n = value.length();
    // one pass for the common case (ASCII letters, digits and punctuation, no space first); any
    // other character takes the full checks below
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        if (value.isBlank()) {
          throw invalid(name + " is blank; pass a non-blank string");
        }
        checkChars(name, value);
        return value;
      }
    }
    if (n == 0) {
      throw invalid(name + " is blank; pass a non-blank string");
    }
    return value;
  }

  private static void checkLength(String name, String value, int max) {
    if (value.length() > max) {
      throw invalid(
          name + " is " + value.length() + " characters long; the limit is " + max + " characters");
    }
  }

  private static void checkChars(String name, String value) {
    if (value.indexOf('\0') >= 0) {
      throw invalid(name + " contains a NUL character at index " + value.indexOf('\0'));
    }
    int bad = unpairedSurrogate(value);
    if (bad >= 0) {
      throw invalid(
          name
              + " contains an unpaired UTF-16 surrogate at index "
              + bad
              + "; the database stores UTF-8, which cannot represent it");
    }
  }

  /**
   * The index of the first unpaired surrogate in {@code s}, or -1.
   *
   * @return the index or -1
   */
  public static int unpairedSurrogate(CharSequence s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      } else if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /** Checks that an instant fits epoch milliseconds and truncates it to milliseconds. */
  public static Instant millis(String name, @Nullable Instant value) {
    if (value == null) {
      throw invalid(name + " is null; pass an Instant");
    }
    try {
      return Instant.ofEpochMilli(value.toEpochMilli());
    } catch (ArithmeticException e) {
      throw invalid(name + " " + value + " does not fit in epoch milliseconds");
    }
  }

  /**
   * Checks a positive duration and returns its milliseconds.
   *
   * @return milliseconds, at least 1
   */
  public static long positiveMillis(String name, @Nullable Duration value) {
    if (value == null) {
      throw invalid(name + " is null; pass a positive Duration");
    }
    if (value.isNegative() || value.isZero()) {
      throw invalid(name + " is " + value + "; it must be positive");
    }
    long ms;
    try {
      ms = value.toMillis();
    } catch (ArithmeticException e) {
      throw invalid(name + " " + value + " overflows milliseconds; use at most 100 years");
    }
    if (ms < 1) {
      throw invalid(name + " is " + value + "; it must be at least 1 ms");
    }
    return ms;
  }

  /** Adds a TTL to now, rejecting overflow and TTLs beyond 100 years. */
  public static long expiry(long now, Duration ttl) {
    long ms = positiveMillis("ttl", ttl);
    long hundredYears = Duration.ofDays(36_525).toMillis();
    if (ms > hundredYears) {
      throw invalid("ttl is " + ttl + "; the longest TTL is 100 years (36525 days)");
    }
    return Math.addExact(now, ms);
  }

  public static int limit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw invalid("limit is " + limit + "; it must be between 1 and " + MAX_LIMIT);
    }
    return limit;
  }

  /** Copies metadata into an unmodifiable, insertion-ordered map; keys must be non-null. */
  public static Map<String, @Nullable Object> metadata(
      @Nullable Map<String, ? extends @Nullable Object> metadata) {
    if (metadata == null) {
      throw invalid("metadata is null; pass Map.of() for none");
    }
    if (metadata instanceof FrozenMap f) {
      return f; // made by this library from a map nobody else holds: already checked and owned
    }
    if (metadata.isEmpty()) {
      return Map.of();
    }
    LinkedHashMap<String, @Nullable Object> copy = new LinkedHashMap<>(metadata.size() * 2);
    for (Map.Entry<String, ? extends @Nullable Object> e : metadata.entrySet()) {
      if (e.getKey() == null) {
        throw invalid("metadata has a null key; JSON object keys must be strings");
      }
      copy.put(e.getKey(), e.getValue());
    }
    return FrozenMap.of(copy);
  }

  /**
   * A value shortened and stripped of control characters, safe to put in a message.
   *
   * @return at most 80 printable characters
   */
  public static String printable(String value) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length() && sb.length() < 80; i++) {
      char c = value.charAt(i);
      sb.append(Character.isISOControl(c) ? '?' : c);
    }
    if (value.length() > 80) {
      sb.append("...");
    }
    return sb.toString();
  }
}
