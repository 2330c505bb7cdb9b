package io.moaiflow.swarmdb.ops;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.health.HealthReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Reuses a health report for a short time, so that many concurrent probes run one check: the first
 * caller after expiry runs it while the others wait for its result. Thread safe.
 */
final class HealthCache {
  private final SwarmDB db;
  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private @Nullable HealthReport report;
  private long checkedAt;
  private long checks;

  HealthCache(SwarmDB db, Duration ttl, LongSupplier nanoClock) {
    this.db = db;
    this.ttlNanos = ttl.toNanos();
    this.nanoClock = nanoClock;
  }

  synchronized HealthReport get() {
    long now = nanoClock.getAsLong();
    HealthReport r = report;
    if (r == null || now - checkedAt >= ttlNanos) {
      r = check();
      report = r;
      checkedAt = now;
      checks++;
    }
    return r;
  }

  synchronized long checks() {
    return checks;
  }

  private HealthReport check() {
    try {
      return db.inspect().health();
    } catch (RuntimeException e) {
      // The inspector reports problems rather than throwing; this covers a failure it did not
      // expect.
      return new HealthReport(
          false,
          "disconnected",
          false,
          -1,
          -1,
          0,
          0,
          0,
          Instant.now(),
          List.of("health check failed: " + e),
          Map.of(),
          -1,
          0);
    }
  }
}
