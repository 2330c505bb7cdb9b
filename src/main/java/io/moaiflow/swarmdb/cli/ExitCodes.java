package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.ErrorCode;

/** The process exit codes of {@code swarmdb}. This class has no state and is thread safe. */
final class ExitCodes {
  /** Success. */
  static final int OK = 0;

  /** A check failed or the database is unhealthy. */
  static final int CHECK_FAILED = 1;

  /** Bad command line or environment (unknown flag, bad duration, invalid variable). */
  static final int USAGE = 2;

  /** The database or its files are missing, corrupt, locked, too new, or unwritable. */
  static final int DATABASE = 3;

  private ExitCodes() {}

  static int of(ErrorCode code) {
    return code.isDatabaseError() ? DATABASE : USAGE;
  }
}
