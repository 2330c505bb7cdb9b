package io.moaiflow.swarmdb.cli;

/**
 * An error the CLI detects itself (a missing file, a refused restore), with the exit code it maps
 * to. The message is the one line printed on stderr: what failed, the file, and the fix. Instances
 * are immutable and thread safe.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  static CliException usage(String message) {
    return new CliException(ExitCodes.USAGE, message);
  }

  static CliException database(String message) {
    return new CliException(ExitCodes.DATABASE, message);
  }

  int exitCode() {
    return exitCode;
  }
}
