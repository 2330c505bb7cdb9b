package io.moaiflow.swarmdb.spring;

import io.moaiflow.swarmdb.SwarmDB;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The Actuator endpoint {@code swarmdb} ({@code GET /actuator/swarmdb} once exposed with {@code
 * management.endpoints.web.exposure.include=swarmdb}): what {@code swarmdb info --json} prints,
 * from {@link io.moaiflow.swarmdb.health.Inspector#info()}. Read-only; it writes nothing.
 *
 * <p>This class is thread safe, as the database is.
 */
@Endpoint(id = "swarmdb")
public final class SwarmDbEndpoint {
  private final SwarmDB db;

  /**
   * An endpoint for a database.
   *
   * @param db the database; it stays owned by the caller
   */
  public SwarmDbEndpoint(SwarmDB db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /**
   * {@return schema version, row counts, indexes, pragmas, pages and file sizes, in the fields and
   * order of {@code swarmdb info --json}}
   */
  @ReadOperation
  public Map<String, Object> info() {
    return db.inspect().info().toJsonMap();
  }
}
