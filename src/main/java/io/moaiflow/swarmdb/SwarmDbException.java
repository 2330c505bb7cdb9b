package io.moaiflow.swarmdb;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The one exception SwarmDB throws. It carries an {@link ErrorCode}, keeps the underlying {@code
 * SQLException} (if any) as its cause, and SQLite's extended result code when there is one.
 *
 * <p>Messages say what failed, the numbers involved, and how to fix it. Instances are immutable and
 * thread safe.
 */
public final class SwarmDbException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The value of {@link #sqliteResultCode()} when no SQLite result code applies. */
  public static final int NO_RESULT_CODE = -1;

  /** What went wrong. */
  private final ErrorCode code;

  /** SQLite's extended result code, or {@link #NO_RESULT_CODE}. */
  private final int sqliteResultCode;

  /**
   * Creates an exception.
   *
   * @param code what went wrong
   * @param message what failed, the numbers, and the fix
   */
  public SwarmDbException(ErrorCode code, String message) {
    this(code, message, null, NO_RESULT_CODE);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param code what went wrong
   * @param message what failed, the numbers, and the fix
   * @param cause the underlying exception, or null
   */
  public SwarmDbException(ErrorCode code, String message, @Nullable Throwable cause) {
    this(code, message, cause, NO_RESULT_CODE);
  }

  /**
   * Creates an exception with a cause and SQLite's extended result code.
   *
   * @param code what went wrong
   * @param message what failed, the numbers, and the fix
   * @param cause the underlying exception, or null
   * @param sqliteResultCode SQLite's extended result code, or {@link #NO_RESULT_CODE}
   */
  public SwarmDbException(
      ErrorCode code, String message, @Nullable Throwable cause, int sqliteResultCode) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.code = Objects.requireNonNull(code, "code");
    this.sqliteResultCode = sqliteResultCode;
  }

  /** {@return what went wrong} */
  public ErrorCode code() {
    return code;
  }

  /**
   * {@return SQLite's extended result code (for example 5 for {@code SQLITE_BUSY}, 13 for {@code
   * SQLITE_FULL}), or {@link #NO_RESULT_CODE} when the error did not come from SQLite}
   */
  public int sqliteResultCode() {
    return sqliteResultCode;
  }
}
