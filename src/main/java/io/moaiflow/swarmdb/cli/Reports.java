package io.moaiflow.swarmdb.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.moaiflow.swarmdb.health.DatabaseInfo;
import io.moaiflow.swarmdb.health.HealthReport;
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

  static Map<String, Object> health(HealthReport h, String path) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", h.status());
    m.put("database", h.database());
    m.put("path", path);
    m.put("writable", h.writable());
    m.put("schemaVersion", h.schemaVersion());
    m.put("expectedSchemaVersion", h.expectedSchemaVersion());
    m.put("dbSizeBytes", h.dbSizeBytes());
    m.put("walSizeBytes", h.walSizeBytes());
    m.put("checkMillis", h.checkMillis());
    m.put("checkedAt", h.checkedAt().toString());
    m.put("recentWriteFailures", h.recentWriteFailures());
    m.put("usableBytes", h.usableBytes());
    m.put("minFreeBytes", h.minFreeBytes());
    m.put("problems", h.problems());
    return m;
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
