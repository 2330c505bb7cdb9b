package io.moaiflow.swarmdb;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Sessions and their memory. Obtain it from {@link SwarmDB#sessions()}. A session's memory and its
 * agents need the session to exist; events naming it do not (<a href="SwarmDB.html#references">the
 * reference rule</a>). Implementations are thread safe.
 */
public interface SessionStore {

  /**
   * Starts a new session.
   *
   * @param sessionId a new id
   * @param metadata JSON details, within {@link JsonLimits}
   * @return the stored session
   * @throws SwarmDbException {@link ErrorCode#ALREADY_EXISTS} when the id already exists (nothing
   *     is written; see {@link #startIfAbsent}), {@link ErrorCode#INVALID_ARGUMENT} for a bad id or
   *     metadata
   */
  Session start(String sessionId, Map<String, ? extends @Nullable Object> metadata);

  /**
   * Starts a session unless one with this id exists (in any state), in one transaction: of any
   * number of callers racing on one id, from any thread, process or host, exactly one creates it.
   * An existing session is returned as stored and left unchanged (its metadata is not replaced by
   * {@code metadata}, an ended one is not reopened).
   *
   * @param sessionId the session's id
   * @param metadata JSON details for a new session, within {@link JsonLimits} (checked even when
   *     the session exists)
   * @return the stored session, and whether this call created it
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a bad id or metadata
   */
  CreateResult<Session> startIfAbsent(
      String sessionId, Map<String, ? extends @Nullable Object> metadata);

  /**
   * Starts a new session without metadata.
   *
   * @param sessionId a new id
   * @return the stored session
   */
  default Session start(String sessionId) {
    return start(sessionId, Map.of());
  }

  /**
   * Ends an active session.
   *
   * @param sessionId the session
   * @return the ended session
   * @throws SwarmDbException {@link ErrorCode#NOT_FOUND} for an unknown session, {@link
   *     ErrorCode#ILLEGAL_TRANSITION} when it already ended
   */
  Session end(String sessionId);

  /**
   * Deletes a session and everything it owns, in one transaction: its memory, the agents registered
   * in it with their memory and their events, and the events naming the session; their full-text
   * index rows and vectors go with them. Meant for privacy requests and test cleanup: nothing is
   * kept. Either everything goes or, when the call fails, nothing does. Events appended for the
   * session afterwards are recorded as any event is (<a href="SwarmDB.html#references">the
   * reference rule</a>).
   *
   * @param sessionId the session, active or ended
   * @return how many rows of each kind were deleted
   * @throws SwarmDbException {@link ErrorCode#NOT_FOUND} for an unknown session (nothing is
   *     deleted, not even events naming it), {@link ErrorCode#INVALID_ARGUMENT} for a bad id
   */
  EraseResult erase(String sessionId);

  /**
   * One session.
   *
   * @param sessionId the session
   * @return the session, or empty
   */
  Optional<Session> get(String sessionId);

  /**
   * Active sessions, most recently started first: the newest {@code limit} of them. To list every
   * active session, however many, use {@link #page page(true, ...)}.
   *
   * @param limit most rows, between 1 and 10,000
   * @return the sessions
   */
  List<Session> open(int limit);

  /**
   * Sessions in any state, most recently started first: the newest {@code limit} of them. To list
   * every session, however many, use {@link #page page(false, ...)}.
   *
   * @param limit most rows, between 1 and 10,000
   * @return the sessions
   */
  List<Session> recent(int limit);

  /**
   * One page of sessions, most recently started first (ties by id): the way to list every session,
   * however many, with bounded memory (keyset paging: stable while sessions start or end; no total
   * cap, only the page size is limited). Pass null as {@code afterSessionId} for the first page,
   * then the id of the last session of the previous page; the listing has ended when a page holds
   * fewer than {@code limit} sessions.
   *
   * @param activeOnly only sessions that have not ended
   * @param afterSessionId the last session of the previous page, or null for the first page
   * @param limit most rows, between 1 and 10,000
   * @return the sessions
   * @throws SwarmDbException {@link ErrorCode#NOT_FOUND} when the cursor session does not exist,
   *     {@link ErrorCode#INVALID_ARGUMENT} for a limit out of range or an invalid id
   */
  List<Session> page(boolean activeOnly, @Nullable String afterSessionId, int limit);

  /** {@return the number of sessions} */
  long count();

  /**
   * The memory of one session. The session must exist when memory is written (<a
   * href="SwarmDB.html#references">the reference rule</a>).
   *
   * @param sessionId the session
   * @return its memory (a cheap view; no database access until used)
   */
  SessionMemory memory(String sessionId);

  /**
   * The newest unexpired value of a key across all sessions.
   *
   * @param memoryType the memory type
   * @param key the key
   * @return the newest entry, or empty
   */
  Optional<MemoryEntry> newest(String memoryType, String key);

  /**
   * Starts a new session from an existing one as it was at a point of the sequence, so a swarm can
   * be rerun from just before a decision (docs/history.md). In one transaction: the new session
   * (active, started now, the source's metadata as of {@code asOfSeq} plus {@code forkedFrom} and
   * {@code forkedAtSeq}); the source's memory as of then, unexpired now, as new entries (version 1,
   * the same values and absolute expiry; vectors are not copied); and the source's agents as of
   * then, in the new session, each as {@code NEWID/AGENTID} with its state and metadata then plus
   * {@code forkedFrom}. Events are not copied: they stay the source's, readable by seq.
   *
   * @param sourceId the session to fork
   * @param newId the new session's id
   * @param asOfSeq the point: from the history horizon to the latest change
   * @return the new session
   * @throws SwarmDbException {@link ErrorCode#NOT_FOUND} when the source did not exist as of the
   *     seq; {@link ErrorCode#INVALID_ARGUMENT} for a bad id, a seq outside the history, a new id
   *     that exists, or a copied agent id that exists or is too long; nothing is written then
   */
  Session fork(String sourceId, String newId, long asOfSeq);
}
