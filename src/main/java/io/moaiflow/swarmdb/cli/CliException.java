package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDbException;
import org.jspecify.annotations.Nullable;

/**
 * An error the CLI detects itself (a missing file, a refused restore), with the exit code it maps
 * to. The message is the one line printed on stderr: what failed, the file, and the fix. Instances
 * are immutable and thread safe.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  private CliException(int exitCode, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  static CliException usage(String message) {
    return new CliException(ExitCodes.USAGE, message, null);
  }

  static CliException database(String message) {
    return new CliException(ExitCodes.DATABASE, message, null);
  }

  /** The library's message as it is: it already names the files and the fix. */
  static CliException verbatim(int exitCode, SwarmDbException e) {
    return new CliException(exitCode, String.valueOf(e.getMessage()), e);
  }

  int exitCode() {
    return exitCode;
  }
}
