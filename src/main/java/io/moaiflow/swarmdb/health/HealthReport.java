package io.moaiflow.swarmdb.health;

import java.time.Instant;
import java.util.List;

/**
 * The result of a health check. This record is immutable and thread safe.
 *
 * @param healthy true when the database is connected, readable, writable and at the current schema
 * @param database {@code connected} or {@code disconnected}
 * @param writable whether a write probe succeeded
 * @param schemaVersion the applied schema version, or -1 when it could not be read
 * @param expectedSchemaVersion the version this library needs
 * @param dbSizeBytes main + WAL + SHM bytes
 * @param walSizeBytes WAL bytes
 * @param checkMillis how long the check took
 * @param checkedAt when it ran
 * @param problems why it is unhealthy; empty when healthy
 */
public record HealthReport(
    boolean healthy,
    String database,
    boolean writable,
    int schemaVersion,
    int expectedSchemaVersion,
    long dbSizeBytes,
    long walSizeBytes,
    long checkMillis,
    Instant checkedAt,
    List<String> problems) {

  /**
   * Copies the problems.
   *
   * @param healthy true when the database is connected, readable, writable and at the current
   *     schema
   * @param database {@code connected} or {@code disconnected}
   * @param writable whether a write probe succeeded
   * @param schemaVersion the applied schema version, or -1 when it could not be read
   * @param expectedSchemaVersion the version this library needs
   * @param dbSizeBytes main + WAL + SHM bytes
   * @param walSizeBytes WAL bytes
   * @param checkMillis how long the check took
   * @param checkedAt when it ran
   * @param problems why it is unhealthy; empty when healthy
   */
  public HealthReport {
    problems = List.copyOf(problems);
  }

  /**
   * {@code healthy} or {@code unhealthy}.
   *
   * @return the status word used by the CLI and the ops endpoint
   */
  public String status() {
    return healthy ? "healthy" : "unhealthy";
  }
}
