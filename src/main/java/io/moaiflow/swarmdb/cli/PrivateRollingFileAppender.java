package io.moaiflow.swarmdb.cli;

import ch.qos.logback.core.rolling.RollingFileAppender;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Logback's rolling file appender, except that the log file it opens (at start and after each daily
 * roll) is created with mode 0600 where POSIX, rather than with the process umask. Its static
 * helpers create every private file and directory of the CLI. Thread safe as Logback's appender is.
 *
 * @param <E> the event type
 */
public final class PrivateRollingFileAppender<E> extends RollingFileAppender<E> {

  /** Creates the appender; Logback configures it from {@code logback-swarmdb.xml}. */
  public PrivateRollingFileAppender() {}

  @Override
  public void openFile(String fileName) throws IOException {
    try {
      createPrivateFile(Path.of(fileName));
    } catch (FileAlreadyExistsException e) {
      // an existing log is appended to as it is
    }
    super.openFile(fileName);
  }

  /** Creates {@code file} empty, with mode 0600 where POSIX; an existing file is refused. */
  static Path createPrivateFile(Path file) throws IOException {
    return posix(file) ? Files.createFile(file, mode("rw-------")) : Files.createFile(file);
  }

  /** Creates {@code dir} and its missing parents with mode 0700 where POSIX. */
  static void createPrivateDirectories(Path dir) throws IOException {
    if (posix(dir)) {
      Files.createDirectories(dir, mode("rwx------"));
    } else {
      Files.createDirectories(dir);
    }
  }

  static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static FileAttribute<?> mode(String permissions) {
    return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions));
  }
}
