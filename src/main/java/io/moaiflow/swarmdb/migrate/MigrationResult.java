package io.moaiflow.swarmdb.migrate;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@link Migrator#migrate()} did. This record is immutable and thread safe.
 *
 * @param fromVersion the schema version before
 * @param toVersion the schema version after
 * @param applied the migrations applied, in order (empty when already current)
 * @param backup the backup taken before applying, or null when none was needed or configured
 */
public record MigrationResult(
    int fromVersion, int toVersion, List<MigrationInfo> applied, @Nullable Path backup) {

  /**
   * Copies the list.
   *
   * @param fromVersion the schema version before
   * @param toVersion the schema version after
   * @param applied the migrations applied, in order (empty when already current)
   * @param backup the backup taken before applying, or null when none was needed or configured
   */
  public MigrationResult {
    applied = List.copyOf(applied);
  }
}
