package io.moaiflow.swarmdb;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The registry of agents and their lifecycle state. Obtain it from {@link SwarmDB#agents()}.
 *
 * <p>An agent's session must exist; events about agents need no registration (<a
 * href="SwarmDB.html#references">the reference rule</a>).
 *
 * <p>Implementations are thread safe. Every change runs in one writer transaction that reads the
 * current state and writes the new one, so concurrent transitions of one agent cannot both win.
 */
public interface AgentRegistry {

  /**
   * Registers a new agent in state {@link AgentStatus#SPAWNED}. Its session, when given, must exist
   * (<a href="SwarmDB.html#references">the reference rule</a>).
   *
   * @param agentId a new id
   * @param agentType its type
   * @param sessionId its session (an existing one), or null
   * @param metadata JSON details, within {@link JsonLimits}
   * @return the stored agent
   * @throws SwarmDbException {@link ErrorCode#ALREADY_EXISTS} when the id is already registered
   *     (nothing is written; see {@link #registerIfAbsent}), {@link ErrorCode#NOT_FOUND} when the
   *     session does not exist, {@link ErrorCode#INVALID_ARGUMENT} for bad input
   */
  Agent register(
      String agentId,
      String agentType,
      @Nullable String sessionId,
      Map<String, ? extends @Nullable Object> metadata);

  /**
   * Registers an agent unless one with this id is registered (in any state), in one transaction: of
   * any number of callers racing on one id, from any thread, process or host, exactly one registers
   * it. An existing agent is returned as stored and left unchanged, even when its type, session or
   * metadata differ from the arguments.
   *
   * @param agentId the agent's id
   * @param agentType its type, for a new agent
   * @param sessionId its session for a new agent (an existing one, checked even when the agent
   *     exists: <a href="SwarmDB.html#references">the reference rule</a>), or null
   * @param metadata JSON details for a new agent, within {@link JsonLimits}
   * @return the stored agent, and whether this call registered it
   * @throws SwarmDbException {@link ErrorCode#NOT_FOUND} when the session does not exist, {@link
   *     ErrorCode#INVALID_ARGUMENT} for bad input
   */
  CreateResult<Agent> registerIfAbsent(
      String agentId,
      String agentType,
      @Nullable String sessionId,
      Map<String, ? extends @Nullable Object> metadata);

  /**
   * Registers a new agent without session or metadata.
   *
   * @param agentId a new id
   * @param agentType its type
   * @return the stored agent
   */
  default Agent register(String agentId, String agentType) {
    return register(agentId, agentType, null, Map.of());
  }

  /**
   * Moves an agent to a new state. Reaching an end state records {@code completedAt} and the
   * duration since spawn.
   *
   * @param agentId the agent
   * @param target the new state
   * @return the updated agent
   * @throws SwarmDbException {@link ErrorCode#NOT_FOUND} for an unknown agent, {@link
   *     ErrorCode#ILLEGAL_TRANSITION} when the state machine does not allow the move
   */
  Agent transition(String agentId, AgentStatus target);

  /**
   * Moves an agent to a new state only if it is still in {@code expected} (compare-and-set): of
   * callers racing to move an agent out of one state, exactly one succeeds.
   *
   * @param agentId the agent
   * @param expected the state the caller saw
   * @param target the new state
   * @return the updated agent
   * @throws SwarmDbException {@link ErrorCode#CONFLICT} naming the expected and the actual state
   *     when the agent is in another state (nothing is written), {@link ErrorCode#NOT_FOUND} for an
   *     unknown agent, {@link ErrorCode#ILLEGAL_TRANSITION} when the state machine does not allow
   *     the move from {@code expected}
   */
  Agent transition(String agentId, AgentStatus expected, AgentStatus target);

  /**
   * Moves an agent to a new state and merges keys into its metadata (a key mapped to null is
   * removed).
   *
   * @param agentId the agent
   * @param target the new state
   * @param metadataUpdate keys to set or remove; the merged metadata must fit {@link JsonLimits}
   * @return the updated agent
   */
  Agent transition(
      String agentId, AgentStatus target, Map<String, ? extends @Nullable Object> metadataUpdate);

  /**
   * Records that a live agent is still working, so {@link #sweepStale} does not mark it.
   *
   * @param agentId the agent
   * @return the updated agent
   * @throws SwarmDbException {@link ErrorCode#ILLEGAL_TRANSITION} when the agent already ended
   */
  Agent heartbeat(String agentId);

  /**
   * One agent.
   *
   * @param agentId the agent
   * @return the agent, or empty
   */
  Optional<Agent> get(String agentId);

  /** {@return the agents that are spawned or running, least recently updated first} */
  List<Agent> active();

  /**
   * Agents of one type, in any state.
   *
   * @param agentType the type
   * @return the agents, by id
   */
  List<Agent> byType(String agentType);

  /**
   * Agents of one type in one state.
   *
   * @param agentType the type
   * @param status the state
   * @return the agents, by id
   */
  List<Agent> byType(String agentType, AgentStatus status);

  /**
   * Agents of one session.
   *
   * @param sessionId the session
   * @return the agents, by id
   */
  List<Agent> bySession(String sessionId);

  /**
   * One page of agents in id order: the way to list every agent (pass null filters), or every agent
   * of a state or session, however many, with bounded memory (keyset paging: stable while agents
   * register or change state; no total cap, only the page size is limited). Pass null as {@code
   * afterAgentId} for the first page, then the id of the last agent of the previous page; the
   * listing has ended when a page holds fewer than {@code limit} agents. The cursor need not exist
   * any more.
   *
   * @param status only agents in this state, or null for any
   * @param sessionId only agents of this session, or null for any
   * @param afterAgentId only agents whose id sorts after this one, or null from the start
   * @param limit most rows, between 1 and 10,000
   * @return the agents, by id
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a limit out of range or an
   *     invalid id
   */
  List<Agent> page(
      @Nullable AgentStatus status,
      @Nullable String sessionId,
      @Nullable String afterAgentId,
      int limit);

  /** {@return the number of agents in each state (states without agents map to 0)} */
  Map<AgentStatus, Long> countByStatus();

  /**
   * Marks as {@link AgentStatus#ERROR} every spawned or running agent not updated for longer than
   * {@code silence}, recording {@code "stale": true} in its metadata.
   *
   * @param silence how long without a transition or heartbeat counts as stale (positive)
   * @return the ids of the agents marked
   */
  List<String> sweepStale(Duration silence);
}
