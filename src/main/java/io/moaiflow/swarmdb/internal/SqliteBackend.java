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

/** The embedded SQLite backend: an open {@link SqliteDatabase} and its DAOs. Thread safe. */
public final class SqliteBackend implements Backend {
  private final SqliteDatabase db;
  private final EventStore events;
  private final AgentRegistry agents;
  private final SessionStore sessions;
  private final Migrator migrator;
  private final Inspector inspector;
  private final Maintenance maintenance;

  private SqliteBackend(SqliteDatabase db) {
    this.db = db;
    this.events = new SqliteEventStore(db);
    this.agents = new SqlAgentRegistry(db);
    this.sessions = new SqlSessionStore(db);
    this.migrator = new SqliteMigrator(db);
    this.inspector = new Inspectors(db);
    this.maintenance = new Maintenances(db);
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

  @Override
  public EventStore events() {
    return events;
  }

  @Override
  public AgentRegistry agents() {
    return agents;
  }

  @Override
  public SessionStore sessions() {
    return sessions;
  }

  @Override
  public Migrator migrator() {
    return migrator;
  }

  @Override
  public Inspector inspector() {
    return inspector;
  }

  @Override
  public Maintenance maintenance() {
    return maintenance;
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
