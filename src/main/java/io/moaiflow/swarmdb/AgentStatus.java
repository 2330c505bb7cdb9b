package io.moaiflow.swarmdb;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * An agent's lifecycle state: {@code spawned → running → complete | error | cancelled}; a spawned
 * agent may also fail or be cancelled before it runs. The three end states are final. This enum is
 * immutable and thread safe.
 */
public enum AgentStatus {
  /** Registered, not yet running. */
  SPAWNED,
  /** Working. */
  RUNNING,
  /** Finished successfully (final). */
  COMPLETE,
  /** Failed, or went silent past the stale threshold (final). */
  ERROR,
  /** Stopped on purpose (final). */
  CANCELLED;

  /** {@return the states this one may move to; empty for final states} */
  public Set<AgentStatus> next() {
    return switch (this) {
      case SPAWNED -> EnumSet.of(RUNNING, ERROR, CANCELLED);
      case RUNNING -> EnumSet.of(COMPLETE, ERROR, CANCELLED);
      default -> EnumSet.noneOf(AgentStatus.class);
    };
  }

  /**
   * Whether the state machine allows moving from this state to {@code target}.
   *
   * @param target the next state
   * @return true when allowed
   */
  public boolean canMoveTo(AgentStatus target) {
    return next().contains(target);
  }

  /** {@return whether this is an end state: true for complete, error and cancelled} */
  public boolean isFinal() {
    return next().isEmpty();
  }

  /** {@return the lower-case name stored in the database, for example {@code running}} */
  public String dbName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a stored or user-given name, case-insensitively.
   *
   * @param name for example {@code running}
   * @return the status
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} naming the allowed values
   */
  public static AgentStatus parse(String name) {
    for (AgentStatus s : values()) {
      if (s.name().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new SwarmDbException(
        ErrorCode.INVALID_ARGUMENT,
        "unknown agent status '"
            + name
            + "'; use one of spawned, running, complete, error,"
            + " cancelled");
  }
}
