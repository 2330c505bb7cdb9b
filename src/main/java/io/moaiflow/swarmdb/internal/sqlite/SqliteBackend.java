package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.internal.Backend;
import io.moaiflow.swarmdb.internal.Listeners;
import io.moaiflow.swarmdb.internal.SqlAgentRegistry;
import io.moaiflow.swarmdb.internal.SqlSessionStore;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** The embedded SQLite backend: an open {@link SqliteDatabase} and its DAOs. Thread safe. */
public final class SqliteBackend implements Backend {
  private final SqliteDatabase db;
  private final Daos daos;

  private SqliteBackend(SqliteDatabase db) {
    this.db = db;
    this.daos =
        new Daos(
            new SqliteEventStore(db),
            new SqlAgentRegistry(db),
            new SqlSessionStore(db),
            new SqliteMigrator(db),
            new SqliteInspector(db),
            new SqliteMaintenance(db));
  }

  /**
   * Opens a SQLite file or in-memory database.
   *
   * @param config the configuration
   * @return the backend
   */
  public static SqliteBackend open(SwarmDbConfig config) {
    return new SqliteBackend(SqliteDatabase.open(config));
  }

  /**
   * Opens an existing SQLite file for checks without changing it ({@link
   * SqliteDatabase#openReadOnly}).
   *
   * @param config a file configuration with {@code migrate(false)}
   * @return the backend
   */
  public static SqliteBackend openReadOnly(SwarmDbConfig config) {
    return new SqliteBackend(SqliteDatabase.openReadOnly(config));
  }

  @Override
  public Daos daos() {
    return daos;
  }

  @Override
  public SwarmDbConfig config() {
    return db.config();
  }

  @Override
  public @Nullable Path path() {
    return db.path();
  }

  @Override
  public Listeners listeners() {
    return db.listeners();
  }

  @Override
  public boolean isClosed() {
    return db.isClosed();
  }

  @Override
  public String label() {
    return db.label();
  }

  @Override
  public void close() {
    db.close();
  }
}
