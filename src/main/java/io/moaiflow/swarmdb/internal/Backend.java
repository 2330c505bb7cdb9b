package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.AgentRegistry;
import io.moaiflow.swarmdb.EventStore;
import io.moaiflow.swarmdb.Maintenance;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.health.Inspector;
import io.moaiflow.swarmdb.migrate.Migrator;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The one seam between the {@code SwarmDB} facade, the shared DAOs and a storage engine (DESIGN
 * §12): {@code sqlite.SqliteDatabase} (one group-committing writer, a read-only pool) or {@code
 * pg.PgDatabase} (pooled PostgreSQL transactions). Every unit of work gets a {@link Handle}; the
 * verbs are the same on both: {@link #read}, {@link #write}, {@link #readUnchecked} and {@link
 * #outsideTransaction}. Each maps errors to {@code SwarmDbException}s, refuses work once closed
 * (and while the schema is outdated, where checked), and reports the operation to the listeners.
 * Implementations are thread safe.
 */
public interface Backend extends AutoCloseable {

  /** The DAOs of one backend. Immutable; each DAO is thread safe. */
  record Daos(
      EventStore events,
      AgentRegistry agents,
      SqlSessionStore sessions,
      Migrator migrator,
      Inspector inspector,
      Maintenance maintenance) {}

  /** A read on a current schema; {@code op} names it in errors and metrics. */
  <T> T read(String op, SqlFunction<T> fn);

  /** A read that skips the schema check: introspection and the migrator. */
  <T> T readUnchecked(String op, SqlFunction<T> fn);

  /** A write in its own transaction on a current schema, returned once committed. */
  <T> T write(String op, SqlFunction<T> fn);

  /**
   * Work outside any transaction, without the schema check (VACUUM, checkpoints, migrations that
   * manage their own transactions and locks).
   */
  <T> T outsideTransaction(String op, SqlFunction<T> fn);

  Dialect dialect();

  /**
   * The database's mapper for the application's values (metadata, memory values, typed reads): the
   * shared one, or the database's own when the configuration customises it.
   */
  ObjectMapper json();

  /** The flight recorder's reads (schema v3's history tables). */
  History history();

  /** What this open database has seen exist, for linked appends ({@link KnownLinks}). */
  KnownLinks known();

  /** This open database's in-memory copy of its int8 vectors ({@link VectorIndex}). */
  VectorIndex vectors();

  Daos daos();

  SwarmDbConfig config();

  /** The database file, or null when there is none (in memory, PostgreSQL). */
  @Nullable Path path();

  Listeners listeners();

  boolean isClosed();

  /** The database for messages: a file, {@code :memory:} or a URL without its password. */
  String label();

  /** Finishes pending work and releases every connection. Idempotent. */
  @Override
  void close();
}
