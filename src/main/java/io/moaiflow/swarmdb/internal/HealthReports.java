package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.health.HealthReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link HealthReport} from what a backend's probes found, the same way on both backends.
 * Stateless and thread safe.
 */
public final class HealthReports {
  private HealthReports() {}

  /** A backend's probes, run in this order by {@link #check}. */
  public interface Probes {
    /** Reads the schema version; throws when the database cannot be read. */
    int readVersion();

    /** After a read: false, with a problem, when the database vanished under it. */
    default boolean present(List<String> problems) {
      return true;
    }

    /** Whether writes would succeed, with a problem when not; throws when the probe fails. */
    boolean writable(List<String> problems);

    /** Sizes and free space, measured last (also when closed or disconnected). */
    Sizes sizes(boolean connected, List<String> problems);
  }

  /**
   * What {@link Probes#sizes} measured.
   *
   * @param usableBytes usable bytes on the database's filesystem, or -1 when not measured
   * @param walBytes the write-ahead log's size (0 where there is none)
   */
  public record Sizes(long totalBytes, long walBytes, long usableBytes, long minFreeBytes) {}

  /**
   * Runs the probes of an open database (a closed one is reported as such); a schema version other
   * than the shipped one and the writer's recent failures (see {@link WriteFailures}) are added to
   * the problems.
   */
  public static HealthReport check(
      BackendBase db, int shipped, WriteFailures failures, Probes probes) {
    long start = System.nanoTime();
    List<String> problems = new ArrayList<>();
    int version = -1;
    boolean connected = false;
    boolean writable = false;
    if (db.isClosed()) {
      problems.add("database is closed");
    } else {
      try {
        version = probes.readVersion();
        connected = true;
      } catch (RuntimeException e) {
        problems.add("read failed: " + e.getMessage());
      }
      connected = probes.present(problems) && connected;
      if (connected) {
        try {
          writable = probes.writable(problems);
        } catch (RuntimeException e) {
          problems.add("write probe failed: " + e.getMessage());
        }
      }
    }
    Sizes sizes = probes.sizes(connected, problems);
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
        sizes.totalBytes(),
        sizes.walBytes(),
        TimeSource.millisSince(start),
        Instant.ofEpochMilli(db.time().now()),
        problems,
        recent,
        sizes.usableBytes(),
        sizes.minFreeBytes());
  }
}
