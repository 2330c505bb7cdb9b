package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Scope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The JSON document of {@code Memory.exportJson()} and {@code importJson()}, shared by both
 * backends and every scope (a session's document names its {@code "sessionId"} exactly as before
 * scopes, any other scope's names its {@code "scope"}): writing keeps each stored value's text
 * exactly (no re-parse that would round decimals), reading validates every entry before anything is
 * written. Stateless and thread safe.
 */
final class MemoryDocuments {
  private MemoryDocuments() {}

  /**
   * One entry of an import document, validated.
   *
   * @param valueJson the value as JSON text
   * @param expiresAt epoch milliseconds of expiry, or null for no TTL
   */
  public record Item(String memoryType, String key, String valueJson, @Nullable Long expiresAt) {}

  /**
   * Writes a scope's entries as a document.
   *
   * @return {@code {"sessionId":..., "entries":[{"memoryType", "key", "value", "expiresAt"}]}} for
   *     a session, {@code {"scope":"agent:ID", "entries":[...]}} for any other scope
   * @throws io.moaiflow.swarmdb.SwarmDbException {@code CORRUPT} naming the first entry whose
   *     stored value is not readable JSON
   */
  public static String write(Scope scope, List<MemoryEntry> entries) {
    ObjectNode root = Json.mapper().createObjectNode();
    if (scope.kind() == Scope.Kind.SESSION) {
      root.put("sessionId", scope.id());
    } else {
      root.put("scope", scope.toString());
    }
    ArrayNode arr = root.putArray("entries");
    for (MemoryEntry e : entries) {
      ObjectNode n = arr.addObject();
      n.put("memoryType", e.memoryType());
      n.put("key", e.key());
      // the stored text as is: re-parsing would round decimals to double precision (entries
      // are read with their value checked, so damaged text cannot make the document invalid)
      n.putRawValue("value", new RawValue(e.valueJson()));
      Instant exp = e.expiresAt();
      if (exp == null) {
        n.putNull("expiresAt");
      } else {
        n.put("expiresAt", exp.toEpochMilli());
      }
    }
    return Json.write("export", root);
  }

  /**
   * Reads and validates a document for {@code target}; throws before anything is written. A
   * document naming another scope ({@code "scope"}), or a session's document ({@code "sessionId"})
   * for a scope that is not a session's, is refused; a session's document fits any session (copying
   * a session's memory into another), and a document naming no scope fits every scope.
   *
   * @throws io.moaiflow.swarmdb.SwarmDbException {@code INVALID_ARGUMENT} naming the bad entry or
   *     both scopes
   */
  public static List<Item> read(String json, Scope target) {
    Objects.requireNonNull(json, "json");
    JsonNode root = Json.readTreeExact("memory import", json);
    JsonNode entries = root == null ? null : root.get("entries");
    if (root == null || entries == null || !entries.isArray()) {
      throw Checks.invalid(
          "memory import needs an object with an \"entries\" array, as exportJson() writes");
    }
    checkScope(root, target);
    List<Item> items = new ArrayList<>();
    int i = 0;
    for (JsonNode n : entries) {
      JsonNode type = n.get("memoryType");
      JsonNode key = n.get("key");
      if (type == null || !type.isTextual() || key == null || !key.isTextual() || !n.has("value")) {
        throw Checks.invalid(
            "memory import entry " + i + " needs textual memoryType and key, and a value");
      }
      String t = Checks.type("memoryType", type.asText());
      String k = Checks.key("key", key.asText());
      JsonNode exp = n.get("expiresAt");
      if (exp != null && !exp.isNull() && !(exp.isIntegralNumber() && exp.canConvertToLong())) {
        throw Checks.invalid(
            "memory import entry "
                + i
                + " has expiresAt "
                + Checks.printable(exp.toString())
                + "; it must be epoch milliseconds or null");
      }
      items.add(
          new Item(
              t,
              k,
              Json.write("value of '" + k + "'", n.get("value")),
              exp == null || exp.isNull() ? null : exp.asLong()));
      i++;
    }
    return items;
  }

  private static void checkScope(JsonNode root, Scope target) {
    JsonNode scope = root.get("scope");
    JsonNode session = root.get("sessionId");
    if (scope != null && !scope.isTextual()) {
      throw Checks.invalid(
          "memory import has \"scope\" "
              + Checks.printable(scope.toString())
              + "; it must be the written form of a scope, as exportJson() writes");
    }
    if (session != null && !session.isTextual()) {
      throw Checks.invalid(
          "memory import has \"sessionId\" "
              + Checks.printable(session.toString())
              + "; it must be a session id, as exportJson() writes");
    }
    if (scope != null && !scope.asText().equals(target.toString())) {
      throw Checks.invalid(
          "memory import document is of scope '"
              + Checks.printable(scope.asText())
              + "', not of '"
              + Checks.printable(target.toString())
              + "'; import it into db.memory(Scope.parse(\""
              + Checks.printable(scope.asText())
              + "\")), or remove its \"scope\" to import its entries here. Nothing was written");
    }
    if (session != null && target.kind() != Scope.Kind.SESSION) {
      throw Checks.invalid(
          "memory import document holds the memory of session '"
              + Checks.printable(session.asText())
              + "', not of '"
              + Checks.printable(target.toString())
              + "'; import it into a session's memory, or remove its \"sessionId\" to import its"
              + " entries here. Nothing was written");
    }
  }
}
