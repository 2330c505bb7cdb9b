package io.moaiflow.swarmdb;

import java.time.Instant;

/**
 * The swarm exactly as it was after one position of the database's sequence: the agent registry,
 * the sessions and the memory of every scope, read through the same interfaces as the live database
 * ({@link SwarmDB#agents()}, {@link SwarmDB#sessions()}, {@link SwarmDB#memory(Scope)}). Obtain one
 * from {@link SwarmDB#asOf(long)} or {@link SwarmDB#asOf(Instant)}.
 *
 * <p>Every read returns what the live read would have returned right after the change at {@link
 * #seq()} committed: memory TTLs count against {@link #time()}. Every write method ({@code
 * register}, {@code transition}, {@code put}, {@code start}, ...) fails with {@link
 * ErrorCode#READ_ONLY} and changes nothing. A read fails with {@link ErrorCode#INVALID_ARGUMENT}
 * naming the horizon once retention has moved the history horizon past {@link #seq()} (the state
 * can no longer be rebuilt). Implementations are thread safe; a view holds no connection and needs
 * no closing.
 */
public interface SwarmState {

  /** {@return the position on the sequence this state is as of} */
  long seq();

  /**
   * {@return the time of this state: the time of the latest change at or before {@link #seq()}, by
   * which TTLs count}
   */
  Instant time();

  /** {@return the agent registry as it was; read only} */
  AgentRegistry agents();

  /** {@return the sessions and their memory as they were; read only} */
  SessionStore sessions();

  /**
   * The memory of a scope as it was.
   *
   * @param scope the scope
   * @return its memory, read only; a session scope's is a {@link SessionMemory}
   */
  Memory memory(Scope scope);
}
