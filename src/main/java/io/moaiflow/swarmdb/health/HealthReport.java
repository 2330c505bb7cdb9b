package io.moaiflow.swarmdb.health;

import io.moaiflow.swarmdb.ErrorCode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The result of a health check. This record is immutable and thread safe.
 *
 * <p>Besides the probes, two rules make a database unhealthy while writes fail or are about to: the
 * writer's recent failures (a write transaction that failed with a database error, such as {@link
 * ErrorCode#DISK_FULL}, in the last 60 seconds with no commit since; the next successful commit, or
 * 60 seconds without another failure, clears it), and the usable space on the database file's
 * filesystem below the configured minimum ({@code SwarmDbConfig.Builder.minFreeSpaceBytes}). Each
 * adds a problem naming its figures.
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
 * @param recentWriteFailures failed write transactions of the last 60 seconds in this process, by
 *     code; empty when none
 * @param usableBytes usable bytes on the database file's filesystem, or -1 when not measured (in
 *     memory, PostgreSQL, or the filesystem could not be read)
 * @param minFreeBytes the configured minimum of usable bytes (0 when the check is off)
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
    List<String> problems,
    Map<ErrorCode, Long> recentWriteFailures,
    long usableBytes,
    long minFreeBytes) {

  /**
   * Copies the problems and the failure counts.
   *
   * @param healthy true when connected, readable, writable and at the current schema
   * @param database {@code connected} or {@code disconnected}
   * @param writable whether a write probe succeeded
   * @param schemaVersion the applied schema version, or -1 when it could not be read
   * @param expectedSchemaVersion the version this library needs
   * @param dbSizeBytes main + WAL + SHM bytes
   * @param walSizeBytes WAL bytes
   * @param checkMillis how long the check took
   * @param checkedAt when it ran
   * @param problems why it is unhealthy; empty when healthy
   * @param recentWriteFailures failed write transactions of the last 60 seconds, by code
   * @param usableBytes usable bytes on the database file's filesystem, or -1 when not measured
   * @param minFreeBytes the configured minimum of usable bytes (0 when the check is off)
   */
  public HealthReport {
    problems = List.copyOf(problems);
    recentWriteFailures = Map.copyOf(recentWriteFailures);
  }

  /**
   * {@return {@code healthy} or {@code unhealthy}, the status word used by the CLI and the ops
   * endpoint}
   */
  public String status() {
    return healthy ? "healthy" : "unhealthy";
  }

  /**
   * The report as the JSON object that {@code swarmdb health --json} and the ops endpoint's {@code
   * /health} print, in their field order, with {@code path} after {@code database} when given.
   *
   * @param path the database path to show, or null to leave the field out
   * @return a new ordered map of the report's fields ({@code checkedAt} as ISO-8601 text)
   */
  public Map<String, Object> toJsonMap(@Nullable String path) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", status());
    m.put("database", database);
    if (path != null) {
      m.put("path", path);
    }
    m.put("writable", writable);
    m.put("schemaVersion", schemaVersion);
    m.put("expectedSchemaVersion", expectedSchemaVersion);
    m.put("dbSizeBytes", dbSizeBytes);
    m.put("walSizeBytes", walSizeBytes);
    m.put("checkMillis", checkMillis);
    m.put("checkedAt", checkedAt.toString());
    m.put("recentWriteFailures", recentWriteFailures);
    m.put("usableBytes", usableBytes);
    m.put("minFreeBytes", minFreeBytes);
    m.put("problems", problems);
    return m;
  }
}
