package io.moaiflow.swarmdb;

import java.util.Locale;

/** A session's state: active until ended. This enum is immutable and thread safe. */
public enum SessionStatus {
  /** Started and not ended. */
  ACTIVE,
  /** Ended (final). */
  ENDED;

  /** {@return the lower-case name stored in the database, for example {@code active}} */
  public String dbName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
