package io.moaiflow.swarmdb.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.moaiflow.swarmdb.health.DatabaseInfo;
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
    return i.toJsonMap();
  }
}
