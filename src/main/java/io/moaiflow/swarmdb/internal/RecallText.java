package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.io.IOException;

/**
 * The text recall reads from a memory entry: its key, a space, then every string inside its JSON
 * value in document order, joined by single spaces (object member names and non-string values are
 * not text). It is what an {@code Embedder} embeds, and what SQLite's full-text triggers index
 * ({@code key || ' ' || group_concat(value, ' ')} over {@code json_tree(value) WHERE type =
 * 'text'}); an entry without strings gives the key and a space. Stateless and thread safe.
 */
public final class RecallText {
  private RecallText() {}

  /**
   * The recall text of an entry.
   *
   * @param key the entry's key
   * @param valueJson the entry's value as JSON text, as stored (one JSON value)
   * @return {@code key + " " + strings joined by " "}
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when {@code valueJson} is not JSON
   */
  public static String of(String key, String valueJson) {
    StringBuilder out = new StringBuilder(key.length() + valueJson.length() + 1).append(key);
    out.append(' ');
    boolean first = true;
    try (JsonParser p = Json.mapper().getFactory().createParser(valueJson)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.VALUE_STRING) {
          if (!first) {
            out.append(' ');
          }
          out.append(p.getText());
          first = false;
        }
      }
    } catch (IOException e) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "the value of '" + Checks.printable(key) + "' is not JSON: " + e.getMessage(),
          e);
    }
    return out.toString();
  }
}
