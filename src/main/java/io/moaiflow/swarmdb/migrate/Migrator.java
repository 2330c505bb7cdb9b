package io.moaiflow.swarmdb.migrate;

import java.util.List;

/**
 * Applies and reports schema migrations. Obtain it from {@code SwarmDB.migrator()}.
 *
 * <p>Migrations are SQL resources shipped with the library; each runs in one transaction, is
 * recorded with its CRC32 checksum in {@code schema_history}, and sets {@code PRAGMA user_version}.
 * A file database is backed up before any migration is applied. Implementations are thread safe:
 * migrations run on the single writer.
 */
public interface Migrator {

  /** {@return the schema version applied to the database (0 for an empty database)} */
  int currentVersion();

  /** {@return the newest schema version this library ships} */
  int latestVersion();

  /** {@return every migration, applied or not, with its state, by version} */
  List<MigrationInfo> status();

  /** {@return the migrations not yet applied, by version} */
  List<MigrationInfo> pending();

  /**
   * Checks that every applied migration matches its shipped script and that the database is not
   * newer than this library. Writes nothing.
   *
   * @throws io.moaiflow.swarmdb.SwarmDbException {@code SCHEMA_TOO_NEW} or {@code
   *     MIGRATION_CHECKSUM_MISMATCH} naming both versions or checksums and the fix
   */
  void validate();

  /**
   * Validates, backs up a file database, then applies every pending migration, each in its own
   * transaction.
   *
   * @return what was applied
   */
  MigrationResult migrate();
}
