package io.moaiflow.swarmdb.health;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

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
   * The files of a SQLite database whose sizes {@link #of} reads; SQLite creates the {@code -wal}
   * and {@code -shm} beside the main file while it has the database open in WAL mode. The one place
   * that names them: the library's own code asks here too, and {@code swarmdb size} reads them
   * without loading the library's internals. Thread safe.
   *
   * @param db the main file
   * @return the main file, its {@code -wal} and its {@code -shm}, in this order (each may be
   *     absent)
   */
  public static List<Path> files(Path db) {
    return List.of(db, Path.of(db + "-wal"), Path.of(db + "-shm"));
  }

  /**
   * Sizes of a SQLite database's files, read from the file system without opening the database: the
   * main file, its {@code -wal} and its {@code -shm}, each 0 when missing. Thread safe.
   *
   * @param db the main file
   * @return the sizes
   * @throws SwarmDbException {@link ErrorCode#IO_ERROR} naming the file when one exists but its
   *     size cannot be read
   */
  public static FileSizes of(Path db) {
    long[] bytes = new long[3];
    int i = 0;
    for (Path p : files(db)) {
      try {
        bytes[i++] = Files.size(p);
      } catch (NoSuchFileException e) {
        // a missing file has no bytes
      } catch (IOException e) {
        throw new SwarmDbException(
            ErrorCode.IO_ERROR,
            "could not read the size of "
                + p
                + ": "
                + e
                + "; check that the database file and its directory are readable by this user",
            e);
      }
    }
    return new FileSizes(bytes[0], bytes[1], bytes[2]);
  }

  /** {@return the three sizes added up} */
  public long totalBytes() {
    return mainBytes + walBytes + shmBytes;
  }
}
