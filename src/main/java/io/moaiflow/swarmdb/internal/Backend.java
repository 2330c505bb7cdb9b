package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.AgentRegistry;
import io.moaiflow.swarmdb.EventStore;
import io.moaiflow.swarmdb.Maintenance;
import io.moaiflow.swarmdb.SessionStore;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.health.Inspector;
import io.moaiflow.swarmdb.migrate.Migrator;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The seam between the {@code SwarmDB} facade and a storage engine (DESIGN §12): the embedded
 * SQLite file ({@link SqliteBackend}) or a PostgreSQL server ({@code pg.PgDatabase}). Each backend
 * supplies the same DAOs, migrator, inspector and maintenance. Implementations are thread safe.
 */
public interface Backend extends AutoCloseable {

  /**
   * The DAOs of one backend. Immutable; each DAO is thread safe.
   *
   * @param events the event log
   * @param agents the agent registry
   * @param sessions sessions and their memory
   * @param migrator the schema migrator
   * @param inspector size, health and introspection
   * @param maintenance retention, checks, compaction and backups
   */
  record Daos(
      EventStore events,
      AgentRegistry agents,
      SessionStore sessions,
      Migrator migrator,
      Inspector inspector,
      Maintenance maintenance) {}

  /**
   * The DAOs: the event log, agent registry, sessions, migrator, inspector and maintenance.
   *
   * @return the DAOs
   */
  Daos daos();

  /**
   * The configuration the backend was opened with.
   *
   * @return the configuration
   */
  SwarmDbConfig config();

  /**
   * The database file, or null when there is none (in memory, PostgreSQL).
   *
   * @return the file
   */
  @Nullable Path path();

  /**
   * The registered listeners.
   *
   * @return the listeners
   */
  Listeners listeners();

  /**
   * Whether {@link #close()} was called.
   *
   * @return true once closed
   */
  boolean isClosed();

  /**
   * The database for messages: a file, {@code :memory:} or a URL without its password.
   *
   * @return the label
   */
  String label();

  /** Finishes pending work and releases every connection. Idempotent. */
  @Override
  void close();
}
