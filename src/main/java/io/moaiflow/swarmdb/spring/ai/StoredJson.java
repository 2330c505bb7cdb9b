package io.moaiflow.swarmdb.spring.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDbException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The adapters' reading of stored values, and the CORRUPT error that names a damaged row. */
final class StoredJson {
  static final ObjectMapper JSON = new ObjectMapper();

  private StoredJson() {}

  /** {@return the stored value of an entry as a JSON tree} */
  static JsonNode tree(MemoryEntry entry, String fix) {
    try {
      return JSON.readTree(entry.valueJson());
    } catch (IOException e) {
      throw corrupt(entry, "is not JSON (" + e.getMessage() + ")", fix);
    }
  }

  /** {@return a JSON object's members as Java values (strings, numbers, booleans, lists, maps)} */
  static Map<String, Object> members(JsonNode object) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> f : object.properties()) {
      out.put(f.getKey(), JSON.convertValue(f.getValue(), Object.class));
    }
    return out;
  }

  /** {@return CORRUPT naming the table and row of a damaged entry, and the fix} */
  static SwarmDbException corrupt(MemoryEntry entry, String problem, String fix) {
    Scope scope = entry.scope();
    String row =
        scope.kind() == Scope.Kind.SESSION
            ? "session_memory row (session_id '" + scope.id()
            : "scoped_memory row (scope '" + scope;
    return new SwarmDbException(
        ErrorCode.CORRUPT,
        "the stored value of "
            + row
            + "', memory_type '"
            + entry.memoryType()
            + "', key '"
            + entry.key()
            + "') "
            + problem
            + "; restore the database from a backup, or "
            + fix);
  }
}
