package io.moaiflow.swarmdb;

import io.moaiflow.swarmdb.health.Inspector;
import io.moaiflow.swarmdb.internal.ActingHandle;
import io.moaiflow.swarmdb.internal.Backend;
import io.moaiflow.swarmdb.internal.Causality;
import io.moaiflow.swarmdb.internal.EventIndex;
import io.moaiflow.swarmdb.internal.History;
import io.moaiflow.swarmdb.internal.RecallSearch;
import io.moaiflow.swarmdb.internal.pg.PgDatabase;
import io.moaiflow.swarmdb.internal.sqlite.BackupFiles;
import io.moaiflow.swarmdb.internal.sqlite.SqliteDatabase;
import io.moaiflow.swarmdb.migrate.Migrator;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * An open SwarmDB database: the event log, the agent registry, sessions with their memory, the
 * migrator, introspection and maintenance.
 *
 * <pre>{@code
 * try (SwarmDB db = SwarmDB.open(SwarmDbConfig.builder(Path.of("swarm.db")).build())) {
 *   db.events().append(AgentEvent.of("spawn", "agent-1", "expert-backend", Map.of()));
 * }
 * }</pre>
 *
 * <p>This class is thread safe: share one instance per database file across the application. All
 * writes go through one writer connection (SQLite allows one writer at a time); reads use a small
 * pool of read-only connections. {@link #close()} waits for queued writes to commit.
 *
 * <h2 id="references">References between rows</h2>
 *
 * <p>One rule, the same on both backends:
 *
 * <ul>
 *   <li>The event log records ids as given: an event naming a session or an agent that does not
 *       exist (yet, or any more) is stored. A log must not lose an event to the order in which
 *       hosts write, and a session's erasure does not stop later events naming it.
 *   <li>What a session owns must name an existing session: writing its memory ({@link
 *       SessionStore#memory(String)}), and registering an agent in it ({@link
 *       AgentRegistry#register(String, String, String, java.util.Map)} with a session id), fail
 *       with {@link ErrorCode#NOT_FOUND} and write nothing when the session does not exist. The
 *       check and the write are one transaction, so a concurrent {@link SessionStore#erase} either
 *       runs first (and the write fails) or after (and deletes what was written).
 *   <li>Memory of the other scopes ({@link Scope#agent(String)}, {@link Scope#swarm()}, {@link
 *       Scope#namespace(String)}) needs no registry row: an agent's memory may be written before or
 *       without its registration.
 *   <li>Causal links ({@link EventStore#append(AgentEvent, CausalLinks)}) must name what exists
 *       when the event is appended: a cause must be a stored event (so it is always an earlier one,
 *       and links form no cycle), a read a memory version the history holds; otherwise the append
 *       fails with {@link ErrorCode#NOT_FOUND} and writes nothing. Links are deleted with either of
 *       their events (retention, erasure); a memory version an event read may later be pruned from
 *       the history, and the link still names it.
 * </ul>
 *
 * <p>Reads never check references: a query for an unknown session or agent returns nothing.
 */
public final class SwarmDB implements AutoCloseable {
  private final Backend db;
  private final Backend.Daos daos;
  private final RecallSearch recall;
  private final Causality causality;

  private SwarmDB(Backend db) {
    this.db = db;
    this.daos = db.daos();
    this.recall = new RecallSearch(db);
    this.causality = new Causality(db);
  }

  /**
   * Opens a database: creates a missing file (0600, directories 0700), sets and verifies the
   * pragmas, validates and applies migrations (after backing up an existing file). A configuration
   * from {@link SwarmDbConfig#postgres(String)} or {@link
   * SwarmDbConfig#dataSource(javax.sql.DataSource)} opens the PostgreSQL backend instead: same API,
   * schema applied under an advisory lock. A configuration's {@link SwarmDbConfig#indexEvents()},
   * when set and different from what the database records, is applied and recorded here, in one
   * write transaction, for every process (see {@link SwarmDbConfig.Builder#indexEvents}).
   *
   * @param config the configuration
   * @return the open database; close it when done
   * @throws SwarmDbException for example {@link ErrorCode#SCHEMA_TOO_NEW}, {@link
   *     ErrorCode#CORRUPT}, {@link ErrorCode#READ_ONLY} or {@link ErrorCode#NATIVE_LIBRARY}, with
   *     the file and the fix in the message
   */
  public static SwarmDB open(SwarmDbConfig config) {
    Objects.requireNonNull(config, "config");
    Backend db = config.isPostgres() ? PgDatabase.open(config) : SqliteDatabase.open(config);
    try {
      EventIndex.apply(db);
      History.startKnownLinks(db);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    return new SwarmDB(db);
  }

  /**
   * Opens an existing SQLite database file for checks (integrity checks, schema, counts, health)
   * without changing any of its files: no {@code -wal} or {@code -shm} is created, no {@code -shm}
   * is rebuilt, nothing is migrated, checkpointed or truncated, on open or on close. It works on a
   * read-only mount. A hot WAL is read through its existing {@code -shm} opened read-only (SQLite
   * validates its frames as recovery would, in private memory, when no other process has it open).
   * Without a {@code -wal}, or with one from which SQLite recovers nothing, the main file is read
   * as immutable. Every write, migration, checkpoint, vacuum or backup fails with {@link
   * ErrorCode#READ_ONLY} before anything is written; {@code inspect().health()} reports the files
   * as writable when this user may write them and their directory, without taking the write lock.
   *
   * @param config a file configuration ({@link SwarmDbConfig#builder(Path)}) with {@code
   *     migrate(false)}
   * @return the open database; close it when done
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for PostgreSQL, in-memory or
   *     migrating configurations, {@link ErrorCode#NOT_FOUND} for a missing file, {@link
   *     ErrorCode#READ_ONLY} when a {@code -wal} holds committed transactions but there is no
   *     {@code -shm} (SQLite can only read them by building one), {@link ErrorCode#CORRUPT} for a
   *     damaged file
   */
  public static SwarmDB openReadOnly(SwarmDbConfig config) {
    Objects.requireNonNull(config, "config");
    return new SwarmDB(SqliteDatabase.openReadOnly(config));
  }

  /**
   * Checks a SQLite backup file without changing any of its files (it is opened as {@link
   * #openReadOnly} opens a database): no non-empty {@code -wal} beside it (committed data the file
   * alone would lack), {@code integrity_check}, SwarmDB's tables, and a schema version this library
   * can open. Thread safe; each call uses its own connection.
   *
   * @param backup the file, such as one written by {@link Maintenance#backupTo}
   * @return its schema version and event count
   * @throws SwarmDbException {@link ErrorCode#IO_ERROR} when the file does not exist or is not a
   *     regular file, {@link ErrorCode#CORRUPT} when it is not a readable SQLite file, fails {@code
   *     integrity_check}, lacks a SwarmDB table or has a non-empty {@code -wal}, {@link
   *     ErrorCode#SCHEMA_TOO_NEW} when a newer SwarmDB wrote it; each message names the file and
   *     the fix
   */
  public static BackupCheck verifyBackup(Path backup) {
    return BackupFiles.verify(Objects.requireNonNull(backup, "backup"));
  }

  /**
   * Puts a SQLite backup in place of a database file. The backup is checked first as {@link
   * #verifyBackup} does, then copied beside the database into a new 0600 file, switched to WAL
   * mode, and renamed over the database; the replaced main file and its {@code -wal} and {@code
   * -shm} are kept beside it as {@code <database>.replaced-<timestamp>}. Missing directories are
   * created 0700. Every refusal happens before anything is changed. Close every {@code SwarmDB} of
   * this process on the database first: the check for other users sees only other processes. Thread
   * safe, but two restores of one database must not run at once.
   *
   * @param config the database file's configuration ({@link SwarmDbConfig#builder(Path)}); its
   *     backup root, when set, must contain {@code backup}
   * @param backup the backup file
   * @param replace whether an existing database may be replaced
   * @return the database, what the backup held, and the files kept aside
   * @throws SwarmDbException as {@link #verifyBackup} does; {@link ErrorCode#INVALID_ARGUMENT} when
   *     the backup is outside the backup root, is the database itself, or the database exists and
   *     {@code replace} is false; {@link ErrorCode#BUSY} when another process has the database
   *     open; {@link ErrorCode#UNSUPPORTED} for PostgreSQL or in-memory configurations; {@link
   *     ErrorCode#IO_ERROR} or {@link ErrorCode#READ_ONLY} when the files cannot be written
   */
  public static RestoreResult restore(SwarmDbConfig config, Path backup, boolean replace) {
    Objects.requireNonNull(config, "config");
    return BackupFiles.restore(config, Objects.requireNonNull(backup, "backup"), replace);
  }

  /**
   * Opens a database file with the default configuration.
   *
   * @param path the file
   * @return the open database
   */
  public static SwarmDB open(Path path) {
    return open(SwarmDbConfig.builder(path).build());
  }

  /**
   * Opens {@code $MOAI_DB_PATH}, else {@value SwarmDbConfig#DEFAULT_PATH}.
   *
   * @return the open database
   */
  public static SwarmDB openDefault() {
    return open(SwarmDbConfig.defaultPath());
  }

  /**
   * Opens a private in-memory database (for tests).
   *
   * @return the open database
   */
  public static SwarmDB openInMemory() {
    return open(SwarmDbConfig.inMemory().build());
  }

  /** {@return the agent event log} */
  public EventStore events() {
    return daos.events();
  }

  /** {@return the agent registry} */
  public AgentRegistry agents() {
    return daos.agents();
  }

  /** {@return sessions and their memory} */
  public SessionStore sessions() {
    return daos.sessions();
  }

  /**
   * Recalls memory entries and events by text and, with an embedder or a query vector, by meaning,
   * ranked by the fused score {@link Recall} describes. Runs in one read; the query text is
   * embedded before it, outside any transaction. Thread safe.
   *
   * @param query the query
   * @return at most {@code query}'s limit hits, best first; empty when nothing matches
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} before any work when the query has
   *     no word and no vector, asks for semantic recall without an embedder or vector, or has a
   *     vector whose dimension is not the embedder's (or, without an embedder, the stored
   *     vectors'); {@link ErrorCode#CORRUPT} naming the row when a hit's stored value is damaged
   */
  public List<RecallHit> recall(Recall query) {
    return recall.recall(Objects.requireNonNull(query, "query"));
  }

  /**
   * {@link #recall} as a stream, for callers that process hits one by one. The hits are read in
   * full first (a fusion ranks every candidate, and the limit is at most {@value
   * Recall#MAX_LIMIT}), so the stream holds no connection, transaction or cursor: closing it is not
   * needed, and it may be consumed on any thread. Thread safe.
   *
   * @param query the query
   * @return the hits, best first
   * @throws SwarmDbException as {@link #recall} does, when called (not when consumed)
   */
  public Stream<RecallHit> recallStream(Recall query) {
    return recall(query).stream();
  }

  /**
   * The memory of a scope: a session's ({@link Scope#session}: the same as {@code
   * sessions().memory(id)}, whose writes need the session to exist), an agent's, the whole swarm's
   * or a namespace's (these need no registry row). Cheap: no database access until used.
   *
   * @param scope the scope, for example {@code Scope.agent("planner")} or {@code
   *     Scope.parse("ns:user:alice")}
   * @return its memory, thread safe; a session scope's is a {@link SessionMemory}
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a session id that {@link
   *     SessionStore#memory(String)} refuses
   */
  public Memory memory(Scope scope) {
    return daos.sessions().memory(Objects.requireNonNull(scope, "scope"));
  }

  /**
   * The swarm as it was right after the change at position {@code seq} of the database's one
   * sequence committed: agents and their states, sessions, and the memory of every scope, with the
   * same read API as the live database (docs/history.md). Every change (event, agent registration
   * or state change, session start or end, memory write or delete in any scope) has its own
   * position, so the state as of a seq is exact. Thread safe.
   *
   * @param seq a position from the history horizon (where retention or the upgrade to schema v3
   *     started the history) to the latest change; an event's {@link AgentEvent#seq()} names the
   *     state right after that event
   * @return the read-only view; it holds no connection
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a negative seq, one after the
   *     latest change, or one before the horizon (the message names the horizon)
   */
  public SwarmState asOf(long seq) {
    return db.history().asOf(seq);
  }

  /**
   * The swarm as it was at a moment: {@link #asOf(long)} at the latest change recorded at or before
   * {@code time} (writes are timed by the configured clock, deletes by the database's).
   *
   * @param time the moment
   * @return the read-only view
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when no change at or after the
   *     history horizon was recorded at or before {@code time}
   */
  public SwarmState asOf(java.time.Instant time) {
    return db.history().asOf(Objects.requireNonNull(time, "time"));
  }

  /**
   * A handle acting as one agent: the memory versions its reads return are attached to the agent's
   * next event appended through it ({@link ActingAgent}). Cheap: no database access until used.
   *
   * @param agentId the agent (it needs no registry row)
   * @return the handle, thread safe
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for an invalid id
   */
  public ActingAgent actingAs(String agentId) {
    return new ActingHandle(
        agentId,
        daos.events(),
        (scope, writer) -> daos.sessions().memory(scope, writer),
        db.json(),
        db.known());
  }

  /**
   * Why an event happened: the event (depth 0), the events it named as causes (depth 1), theirs,
   * and so on back to the roots, with every memory version any of them read (at its reader's depth
   * plus one), breadth first. In one read transaction; each step searches a key. At most {@value
   * CausalGraph#MAX_LIMIT} nodes; {@link #why(String, int)} takes a smaller limit.
   *
   * @param eventId the event
   * @return the chain; {@link CausalGraph#truncated()} when the limit stopped it
   * @throws SwarmDbException {@link ErrorCode#NOT_FOUND} when the event is not in the log
   */
  public CausalGraph why(String eventId) {
    return why(eventId, CausalGraph.MAX_LIMIT);
  }

  /**
   * {@link #why(String)} with a limit on the nodes (events plus memory versions) returned.
   *
   * @param eventId the event
   * @param limit between 1 and {@value CausalGraph#MAX_LIMIT}
   * @return the chain, at most {@code limit} nodes
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a limit out of range; as {@link
   *     #why(String)}
   */
  public CausalGraph why(String eventId, int limit) {
    return causality.why(eventId, limit);
  }

  /**
   * What depended on a memory version, transitively, breadth first from it (depth 0): the events
   * that read it; the events that named those as causes; and for each such event, the versions its
   * agent wrote after it: in any scope through its {@link #actingAs} handle (the recorded writer,
   * schema v5) and in its own memory ({@link Scope#agent(String)}) without a recorded writer; then
   * the dependents of each of those, and so on. {@link CausalGraph#agents()} are the agents of
   * those events. In one read transaction of key searches, except an agent's handle writes: a range
   * of the history's seq key after the agent's earliest dependent event, read once per agent
   * (docs/history.md). A version no event read has only itself. At most {@value
   * CausalGraph#MAX_LIMIT} nodes.
   *
   * @param ref the memory version
   * @return the dependents
   */
  public CausalGraph blastRadius(MemoryRef ref) {
    return blastRadius(ref, CausalGraph.MAX_LIMIT);
  }

  /**
   * {@link #blastRadius(MemoryRef)} with a limit on the nodes returned.
   *
   * @param ref the memory version
   * @param limit between 1 and {@value CausalGraph#MAX_LIMIT}
   * @return the dependents, at most {@code limit} nodes (the version itself counts)
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a limit out of range
   */
  public CausalGraph blastRadius(MemoryRef ref, int limit) {
    return causality.blast(Objects.requireNonNull(ref, "ref"), limit);
  }

  /** {@return the schema migrator} */
  public Migrator migrator() {
    return daos.migrator();
  }

  /** {@return size, health and introspection} */
  public Inspector inspect() {
    return daos.inspector();
  }

  /** {@return retention, checks, compaction and backups} */
  public Maintenance maintenance() {
    return daos.maintenance();
  }

  /** {@return the configuration this database was opened with} */
  public SwarmDbConfig config() {
    return db.config();
  }

  /** {@return the database file, absolute and normalised, or empty for an in-memory database} */
  public java.util.Optional<Path> path() {
    return java.util.Optional.ofNullable(db.path());
  }

  /**
   * Registers a listener for metrics and tracing.
   *
   * @param listener the listener
   */
  public void addListener(SwarmDbListener listener) {
    db.listeners().add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Removes a listener.
   *
   * @param listener the listener
   */
  public void removeListener(SwarmDbListener listener) {
    db.listeners().remove(Objects.requireNonNull(listener, "listener"));
  }

  /** {@return whether {@link #close()} was called} */
  public boolean isClosed() {
    return db.isClosed();
  }

  /**
   * Commits every queued write, truncates the WAL and closes all connections. Later calls on this
   * instance fail with {@link ErrorCode#CLOSED}. Idempotent.
   */
  @Override
  public void close() {
    db.close();
  }

  @Override
  public String toString() {
    return "SwarmDB[" + db.label() + "]";
  }
}
