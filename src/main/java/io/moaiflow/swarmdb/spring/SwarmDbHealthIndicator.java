package io.moaiflow.swarmdb.spring;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.health.HealthReport;
import java.nio.file.Path;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Spring Boot Actuator's {@code swarmdb} health component: {@link
 * io.moaiflow.swarmdb.health.Inspector#health()} on every call (a read, a write probe and the
 * schema version; never an integrity check), with the report's fields as details, in the order of
 * {@code swarmdb health --json}: {@code status}, {@code database}, {@code path} (file databases),
 * {@code writable}, {@code schemaVersion}, {@code expectedSchemaVersion}, {@code dbSizeBytes},
 * {@code walSizeBytes}, {@code checkMillis}, {@code checkedAt}, {@code recentWriteFailures}, {@code
 * usableBytes}, {@code minFreeBytes}, {@code problems}.
 *
 * <p>The status:
 *
 * <ul>
 *   <li>{@code UP}: the report is healthy.
 *   <li>{@code OUT_OF_SERVICE}: the database is connected and writable, and the only problem is its
 *       schema version (older than this library needs, with {@code swarmdb.migrate=false} waiting
 *       for {@code migrator().migrate()}, or newer): nothing is broken, but SwarmDB refuses its
 *       calls until the versions agree.
 *   <li>{@code DOWN}: anything else unhealthy: closed, unreadable, not writable, writes failing in
 *       the last 60 seconds (for example {@code DISK_FULL}), free space below the minimum; and an
 *       exception thrown by the check (Actuator then adds it as the {@code error} detail).
 * </ul>
 *
 * <p>This class is thread safe, as the database is.
 */
public final class SwarmDbHealthIndicator extends AbstractHealthIndicator {
  private final SwarmDB db;

  /**
   * A health component for a database.
   *
   * @param db the database; it stays owned by the caller
   */
  public SwarmDbHealthIndicator(SwarmDB db) {
    super("SwarmDB health check failed");
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    HealthReport report = db.inspect().health();
    builder
        .status(status(report))
        .withDetails(report.toJsonMap(db.path().map(Path::toString).orElse(null)));
  }

  /**
   * {@return the Actuator status of a report, by the rules in the class description}
   *
   * @param report the report
   */
  public static Status status(HealthReport report) {
    if (report.healthy()) {
      return Status.UP;
    }
    boolean onlySchema =
        report.database().equals("connected")
            && report.writable()
            && report.schemaVersion() >= 0
            && report.schemaVersion() != report.expectedSchemaVersion()
            && report.problems().size() == 1;
    return onlySchema ? Status.OUT_OF_SERVICE : Status.DOWN;
  }
}
