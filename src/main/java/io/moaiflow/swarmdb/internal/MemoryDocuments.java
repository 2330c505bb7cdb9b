package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.moaiflow.swarmdb.MemoryEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The JSON document of {@code SessionMemory.exportJson()} and {@code importJson()}, shared by both
 * backends: writing keeps each stored value's text exactly (no re-parse that would round decimals),
 * reading validates every entry before anything is written. Stateless and thread safe.
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
   * Writes a session's entries as a document.
   *
   * @return {@code {"sessionId":..., "entries":[{"memoryType", "key", "value", "expiresAt"}]}}
   * @throws io.moaiflow.swarmdb.SwarmDbException {@code CORRUPT} naming the first entry whose
   *     stored value is not readable JSON
   */
  public static String write(String sessionId, List<MemoryEntry> entries) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("sessionId", sessionId);
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
   * Reads and validates a document; throws before anything is written.
   *
   * @throws io.moaiflow.swarmdb.SwarmDbException {@code INVALID_ARGUMENT} naming the bad entry
   */
  public static List<Item> read(String json) {
    Objects.requireNonNull(json, "json");
    JsonNode root = Json.readTreeExact("memory import", json);
    JsonNode entries = root == null ? null : root.get("entries");
    if (entries == null || !entries.isArray()) {
      throw Checks.invalid(
          "memory import needs an object with an \"entries\" array, as exportJson() writes");
    }
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
}
