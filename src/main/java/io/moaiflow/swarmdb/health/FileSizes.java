package io.moaiflow.swarmdb.health;

/**
 * Sizes of the database's files in bytes (0 for a missing file). This record is immutable and
 * thread safe.
 *
 * @param mainBytes the database file
 * @param walBytes the {@code -wal} file
 * @param shmBytes the {@code -shm} file
 */
public record FileSizes(long mainBytes, long walBytes, long shmBytes) {

  /**
   * The three sizes added up.
   *
   * @return total bytes
   */
  public long totalBytes() {
    return mainBytes + walBytes + shmBytes;
  }
}
