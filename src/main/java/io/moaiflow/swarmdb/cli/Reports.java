package io.moaiflow.swarmdb.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.moaiflow.swarmdb.health.DatabaseInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns reports into ordered maps and single-line JSON for {@code --json} output and export lines.
 * Stateless and thread safe.
 */
final class Reports {
  private Reports() {}

  static String json(Object value) {
    try {
      return EventLines.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  static Map<String, Object> info(DatabaseInfo i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", i.path());
    m.put("sqliteVersion", i.sqliteVersion());
    m.put("schemaVersion", i.schemaVersion());
    m.put("latestSchemaVersion", i.latestSchemaVersion());
    m.put("rowCounts", i.rowCounts());
    m.put("indexCount", i.indexes().size());
    m.put("indexes", i.indexes());
    m.put("pragmas", i.pragmas());
    m.put("pageSize", i.pageSize());
    m.put("pageCount", i.pageCount());
    m.put("freelistCount", i.freelistCount());
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("mainBytes", i.files().mainBytes());
    files.put("walBytes", i.files().walBytes());
    files.put("shmBytes", i.files().shmBytes());
    files.put("totalBytes", i.files().totalBytes());
    m.put("files", files);
    return m;
  }
}
