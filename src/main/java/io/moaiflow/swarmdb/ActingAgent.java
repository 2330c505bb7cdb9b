package io.moaiflow.swarmdb;

import java.util.List;

/**
 * The database as one agent uses it, from {@link SwarmDB#actingAs(String)}: what the agent reads
 * through {@link #memory(Scope)} is remembered, and attached to its next event appended through
 * {@link #append} as {@link CausalLinks#reads()}; that event's {@code why} then names what the
 * agent knew (docs/history.md).
 *
 * <p>Recorded reads: every entry a read of {@link #memory(Scope)} returned ({@code entry}, {@code
 * get}, {@code getAll}, {@code findByPrefix}, {@code findByGlob}, {@code recent}, typed or not), as
 * its {@link MemoryRef} ({@code key@version}), each once. Not recorded: {@code keys}, {@code
 * count}, {@code history} and {@code exportJson} (they return no entry version), and writes.
 *
 * <p>Recorded writes (schema v5): every write through {@link #memory(Scope)}, in any scope ({@code
 * put}, {@code putAll}, {@code putIfVersion}, with or without vectors, {@code importJson}), stores
 * this agent as the version's writer, and every delete ({@code delete}, {@code deleteAll}, {@code
 * clear}) records it on the tombstones it writes: {@link MemoryVersion#writerId()} is this agent
 * and {@link SwarmDB#blastRadius} follows these versions from this agent's events. A handle delete
 * costs two statements more than a plain one (the last history seq, then the stamp of the rows
 * after it, both on the seq key); writes cost nothing more.
 *
 * <p>Thread safe: reads from several threads are all attached to the next append. An append
 * attaches the reads recorded when it starts and, once committed (or found stored already, an
 * idempotent retry), forgets exactly those; a failed append forgets nothing. More than {@value
 * CausalLinks#MAX_READS} pending reads fail the append with {@link ErrorCode#INVALID_ARGUMENT}
 * (nothing is dropped): append an event per step of work.
 */
public interface ActingAgent {

  /** {@return the agent this handle acts as} */
  String agentId();

  /**
   * The memory of a scope, as {@link SwarmDB#memory(Scope)} gives it, whose reads are recorded and
   * whose writes and deletes record this agent as their writer. A session scope's is a plain {@link
   * Memory} (not a {@link SessionMemory}); its writes need the session to exist, as there.
   *
   * @param scope the scope
   * @return the memory; cheap, no database access until used
   */
  Memory memory(Scope scope);

  /**
   * Appends one of this agent's events with the recorded reads, then forgets them.
   *
   * @param event the event; its {@code agentId} must be this handle's
   * @return the stored row
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for another agent's event or too
   *     many reads; as {@link EventStore#append(AgentEvent, CausalLinks)} otherwise
   */
  default AgentEvent append(AgentEvent event) {
    return append(event, CausalLinks.none());
  }

  /**
   * Appends one of this agent's events with explicit links plus the recorded reads (a read named in
   * both is recorded once), then forgets the recorded reads.
   *
   * @param event the event; its {@code agentId} must be this handle's
   * @param links the causes and any further reads
   * @return the stored row
   * @throws SwarmDbException as {@link #append(AgentEvent)}
   */
  AgentEvent append(AgentEvent event, CausalLinks links);

  /** {@return the reads recorded since the last append, in the order first read} */
  List<MemoryRef> pendingReads();
}
