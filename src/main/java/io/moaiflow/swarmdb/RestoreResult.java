package io.moaiflow.swarmdb;

import java.nio.file.Path;
import java.util.List;

/**
 * A database file restored from a backup ({@link SwarmDB#restore}). This record is immutable and
 * thread safe.
 *
 * @param database the database file, absolute
 * @param backup what the backup held, checked before anything was replaced
 * @param kept the replaced main file and its {@code -wal} and {@code -shm}, moved aside as {@code
 *     <database>.replaced-<timestamp>[-wal|-shm]}; empty when there was no database
 */
public record RestoreResult(Path database, BackupCheck backup, List<Path> kept) {

  /**
   * Copies the list.
   *
   * @param database the database file, absolute
   * @param backup what the backup held, checked before anything was replaced
   * @param kept the files moved aside
   */
  public RestoreResult {
    kept = List.copyOf(kept);
  }
}
