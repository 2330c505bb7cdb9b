package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.health.HealthReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link HealthReport} from what a backend's probes found, the same way on both backends.
 * Stateless and thread safe.
 */
public final class HealthReports {
  private HealthReports() {}

  /**
   * The report; a schema version other than the shipped one and the writer's recent failures (see
   * {@link WriteFailures}) are added to the problems.
   *
   * @param version the schema version read, or -1 when it could not be read
   * @param walBytes the write-ahead log's size (0 where there is none)
   * @param startNanos when the check started ({@link System#nanoTime()})
   * @param problems what the probes found wrong; appended to
   * @param usableBytes usable bytes on the database's filesystem, or -1 when not measured
   */
  public static HealthReport of(
      boolean connected,
      boolean writable,
      int version,
      int shipped,
      long totalBytes,
      long walBytes,
      long startNanos,
      long now,
      List<String> problems,
      WriteFailures failures,
      long usableBytes,
      long minFreeBytes) {
    if (version >= 0 && version != shipped) {
      problems.add(
          "schema version is "
              + version
              + ", this library needs "
              + shipped
              + "; run 'swarmdb migrate'");
    }
    String writes = failures.problem();
    if (writes != null) {
      problems.add(writes);
    }
    Map<ErrorCode, Long> recent = failures.recent();
    return new HealthReport(
        problems.isEmpty(),
        connected ? "connected" : "disconnected",
        writable,
        version,
        shipped,
        totalBytes,
        walBytes,
        TimeSource.millisSince(startNanos),
        Instant.ofEpochMilli(now),
        problems,
        recent,
        usableBytes,
        minFreeBytes);
  }
}
