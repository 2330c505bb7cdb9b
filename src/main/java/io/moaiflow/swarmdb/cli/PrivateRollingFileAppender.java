package io.moaiflow.swarmdb.cli;

import ch.qos.logback.core.rolling.RollingFileAppender;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Logback's rolling file appender, except that the log file it opens (at start and after each daily
 * roll) is created with mode 0600 where POSIX, rather than with the process umask. Thread safe as
 * Logback's appender is.
 *
 * @param <E> the event type
 */
public final class PrivateRollingFileAppender<E> extends RollingFileAppender<E> {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  /** Creates the appender; Logback configures it from {@code logback-swarmdb.xml}. */
  public PrivateRollingFileAppender() {}

  @Override
  public void openFile(String fileName) throws IOException {
    createPrivate(Path.of(fileName));
    super.openFile(fileName);
  }

  /** Creates {@code file} empty with mode 0600 unless it exists. */
  static void createPrivate(Path file) throws IOException {
    if (!POSIX) {
      return;
    }
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      // an existing log is appended to as it is
    }
  }

  /** Creates {@code dir} and its missing parents with mode 0700 where POSIX. */
  static void createPrivateDirectories(Path dir) throws IOException {
    if (POSIX) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(dir);
    }
  }
}
