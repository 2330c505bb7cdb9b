package io.moaiflow.swarmdb.internal;

import org.jspecify.annotations.Nullable;

/**
 * SQLite's spellings: JSON is stored as text, the single writer needs no row locks, text compares
 * by code point, and keys match with {@code GLOB}. Stateless and thread safe.
 */
final class SqliteDialect implements Dialect {
  static final SqliteDialect INSTANCE = new SqliteDialect();

  private SqliteDialect() {}

  @Override
  public String jsonColumn(String column) {
    return column;
  }

  @Override
  public String jsonParameter() {
    return "?";
  }

  @Override
  public String storedJson(String text) {
    return text;
  }

  @Override
  public String forUpdate() {
    return "";
  }

  @Override
  public String forKeyShare() {
    return "";
  }

  @Override
  public String binaryCollation() {
    return "";
  }

  @Override
  public String greatest() {
    return "max";
  }

  @Override
  public String markedStale() {
    return "json_set(metadata, '$.stale', json('true'))";
  }

  @Override
  public @Nullable String keyInArray() {
    return null;
  }

  @Override
  public String prefixPredicate() {
    return "key GLOB ?";
  }

  /**
   * Rejects an unpaired surrogate: the driver encodes it to UTF-8 as {@code ?}, which GLOB reads as
   * "any character", so a lookup for a literal prefix would match every key.
   */
  @Override
  public String prefixArgument(String prefix) {
    Checks.searchText("prefix", prefix, false);
    return escapeGlob(prefix) + "*";
  }

  @Override
  public String globPredicate() {
    return "key GLOB ?";
  }

  @Override
  public String globArgument(String glob) {
    return Checks.searchText("glob", glob, true);
  }

  /**
   * Escapes GLOB metacharacters so user text matches literally: {@code *}, {@code ?} and {@code [}
   * become one-character classes.
   */
  static String escapeGlob(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '*' || c == '?' || c == '[') {
        sb.append('[').append(c).append(']');
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
