package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.ErrorCode;

/** The process exit codes of {@code swarmdb}, with the meanings {@link Main}'s help lists. */
final class ExitCodes {
  static final int OK = 0;
  static final int CHECK_FAILED = 1;
  static final int USAGE = 2;
  static final int DATABASE = 3;

  private ExitCodes() {}

  static int of(ErrorCode code) {
    return code.isDatabaseError() ? DATABASE : USAGE;
  }
}
