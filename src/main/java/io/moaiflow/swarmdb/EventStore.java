package io.moaiflow.swarmdb;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The append-only agent event log. Obtain it from {@link SwarmDB#events()}.
 *
 * <p>Implementations are thread safe: many threads may append and query at once. Concurrent {@link
 * #append} calls are committed together (group commit); each returns only after the transaction
 * holding its row has committed.
 *
 * <p>Metadata must fit {@link JsonLimits} (nesting, key and number length, size, finite numbers);
 * every write checks them before anything is written, so every stored event reads back. A stored
 * row that cannot be read is damage: the readers ({@link #get}, {@link #since}, {@link #query},
 * {@link #stream}) fail with {@link ErrorCode#CORRUPT} naming its {@code seq}, and {@link
 * #salvageSince} reads around it.
 *
 * <p>The log records the session and agent ids of an event as given: neither needs to exist (<a
 * href="SwarmDB.html#references">the reference rule</a>).
 */
public interface EventStore {

  /**
   * Appends one event and waits until it is committed. Appending an event whose id is already
   * stored writes nothing and returns the stored row (idempotent retries).
   *
   * @param event the event (its {@code seq} is ignored)
   * @return the stored row, with its log position
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} before any write for bad input
   */
  AgentEvent append(AgentEvent event);

  /**
   * Appends one event with what caused it: the earlier events named by id and the memory versions
   * it read, recorded in the same transaction as the event (docs/history.md); {@link SwarmDB#why}
   * and {@link SwarmDB#blastRadius} follow them. With {@link CausalLinks#none()} this is {@link
   * #append(AgentEvent)}. Appending an event whose id is already stored writes nothing, links
   * included, and returns the stored row. Only events appended this way (or through {@link
   * SwarmDB#actingAs}) have links; the event record and its JSON are unchanged.
   *
   * @param event the event (its {@code seq} is ignored)
   * @param links its causes and reads, within {@link CausalLinks}'s limits
   * @return the stored row, with its log position
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} before any write for bad input or
   *     an event naming itself as its cause; {@link ErrorCode#NOT_FOUND}, writing nothing, when a
   *     cause is not a stored event or a read is not a version the memory history holds (<a
   *     href="SwarmDB.html#references">the reference rule</a>)
   */
  AgentEvent append(AgentEvent event, CausalLinks links);

  /**
   * Appends one event with the links another database recorded for it, as {@code swarmdb import}
   * restores an export: {@link #append(AgentEvent, CausalLinks)}, except that the reads are
   * recorded as given, without looking for them in this database's memory history (the versions
   * were read where the event happened). Causes must still be stored events.
   *
   * @param event the event (its {@code seq} is ignored)
   * @param links its causes and reads, within {@link CausalLinks}'s limits
   * @return the stored row, with its log position
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} before any write for bad input or
   *     an event naming itself as its cause; {@link ErrorCode#NOT_FOUND}, writing nothing, when a
   *     cause is not a stored event
   */
  AgentEvent appendAsRecorded(AgentEvent event, CausalLinks links);

  /**
   * The causal links stored for the events whose seq is after {@code afterSeq} and at most {@code
   * upToSeq}, as {@code swarmdb export} writes them: keyed by the event's seq in seq order, causes
   * as event ids in the order of the causes' seqs, reads in scope, type, key and version order.
   * Events without links are absent. One read transaction of range searches of the link tables'
   * primary keys. Pass a page's range: for the events {@link #salvageSince} returned, {@code
   * afterSeq} its cursor and {@code upToSeq} its {@link SalvagedEvents#lastSeq()}.
   *
   * @param afterSeq the range's exclusive start, 0 or more
   * @param upToSeq the range's inclusive end, at least {@code afterSeq}
   * @return the links by event seq (unmodifiable)
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a negative or reversed range,
   *     or when more than {@value EventQuery#MAX_LIMIT} events of the range have links (pass a
   *     smaller range); {@link ErrorCode#CORRUPT} naming the row for a damaged link
   */
  Map<Long, CausalLinks> links(long afterSeq, long upToSeq);

  /**
   * Queues one event and returns at once; the future completes when the transaction holding it
   * commits, or exceptionally with a {@link SwarmDbException}. Invalid events are rejected by this
   * call, before queuing. When the writer's queue is full this call blocks for room, up to the
   * configured write timeout.
   *
   * @param event the event
   * @return the stored row, when committed
   */
  CompletableFuture<AgentEvent> appendAsync(AgentEvent event);

  /**
   * Appends events in one transaction: all are stored or none. Events whose ids are already stored
   * are returned as stored and not written again.
   *
   * @param events the events, at most 100,000
   * @return the stored rows in the order given
   */
  List<AgentEvent> appendAll(List<AgentEvent> events);

  /**
   * Events matching a query, newest first (by timestamp, then seq), at most its limit.
   *
   * @param query the filter
   * @return the events; empty when none match
   */
  List<AgentEvent> query(EventQuery query);

  /**
   * Every event matching a query, newest first, read page by page so memory stays bounded for any
   * number of rows and no read transaction is held between pages. The stream must be closed.
   *
   * @param query the filter
   * @return a lazy stream that must be closed
   */
  Stream<AgentEvent> stream(EventQuery query);

  /**
   * Events after a log position, oldest first: the tailing call. Pass the last {@code seq} seen (0
   * to start) and call again with the last returned row's {@code seq}.
   *
   * @param seq the last position seen
   * @param limit most rows, between 1 and {@value EventQuery#MAX_LIMIT}
   * @return the next events in commit order
   */
  List<AgentEvent> since(long seq, int limit);

  /**
   * Events after a log position like {@link #since}, for salvage (as {@code swarmdb export
   * --skip-corrupt} does): a row whose stored data cannot be read is reported in {@link
   * SalvagedEvents#damaged()} by its {@code seq} instead of failing the call, and the readable rows
   * around it are returned. Nothing is repaired or deleted. {@link #since} and the other readers
   * keep failing on such a row with {@link ErrorCode#CORRUPT}.
   *
   * @param seq the last position seen (0 to start); continue from {@link SalvagedEvents#lastSeq()}
   * @param limit most rows covered, readable or damaged, between 1 and {@value
   *     EventQuery#MAX_LIMIT}
   * @return the page; {@link SalvagedEvents#isEmpty()} at the end of the log
   */
  SalvagedEvents salvageSince(long seq, int limit);

  /**
   * One event by id.
   *
   * @param eventId the id
   * @return the event, or empty
   */
  Optional<AgentEvent> get(String eventId);

  /** {@return the number of events in the log} */
  long count();

  /**
   * Number of events matching a query's filters (its limit and cursor are ignored).
   *
   * @param query the filter
   * @return the count
   */
  long count(EventQuery query);

  /** {@return the number of events per type, sorted by type} */
  Map<String, Long> countByType();

  /**
   * Number of events per type with {@code seq} greater than {@code afterSeq}, and the highest such
   * {@code seq}, in one read snapshot. {@code seq} is assigned in commit order and never reused, so
   * passing the returned {@link EventCounts#lastSeq()} back counts each event exactly once, whoever
   * appended it (any process). With 0 the whole log is counted on the event-type index; after that
   * only the newer rows are read, by primary key. Events deleted by retention after they were
   * counted are not subtracted.
   *
   * @param afterSeq 0 for the whole log, or the {@code lastSeq} of the previous call
   * @return the counts
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when {@code afterSeq} is negative
   */
  EventCounts countByTypeAfter(long afterSeq);

  /** {@return the newest log position, or 0 when the log is empty} */
  long lastSeq();
}
