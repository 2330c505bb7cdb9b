package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.Agent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.HistoryPruneResult;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.MemoryVersion;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.Session;
import io.moaiflow.swarmdb.SessionStatus;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.SwarmState;
import io.moaiflow.swarmdb.health.HistoryInfo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The flight recorder's reads on either backend (docs/history.md): the versions of a memory entry,
 * and the registry, sessions and memory as of a position {@code seq} on the one sequence, rebuilt
 * from the history tables of schema v3 ({@code memory_history}, {@code agent_history}, {@code
 * session_history}; their triggers write them). The state of an entity as of N is its history row
 * with the greatest seq at or below N, unless that row is a deletion. Every as-of read checks, in
 * its own read transaction, that N is not below the recorded horizon (retention keeps the state at
 * the horizon exact, nothing before it). Thread safe: it holds only its statements.
 */
public final class History {
  /** The setting that records the horizon: the earliest seq an as-of view can be built at. */
  static final String HORIZON = "history_horizon";

  /**
   * The setting that changes whenever events or history rows are deleted: a fresh token written by
   * each deleting transaction (retention's event chunks, pruning's chunks, erasing a session), so a
   * linked append can tell that events or memory versions it saw exist may be gone ({@link
   * KnownLinks}). No row: nothing was ever deleted.
   */
  static final String REMOVALS = "history_removals";

  /** The statement that records a new {@link #REMOVALS} token. */
  static final String RECORD_REMOVAL =
      "INSERT INTO swarm_settings (name, value) VALUES ('"
          + REMOVALS
          + "', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value";

  /** The select of the {@link #REMOVALS} token (no row: nothing was ever removed). */
  static final String SELECT_REMOVAL_TOKEN =
      "SELECT value FROM swarm_settings WHERE name = '" + REMOVALS + "'";

  /** {@link #SELECT_REMOVAL_TOKEN} as a subquery, for an insert's {@code RETURNING}. */
  static final String REMOVAL_TOKEN = "(" + SELECT_REMOVAL_TOKEN + ")";

  /**
   * Gives an opened database's {@link KnownLinks} the removal token it holds now: what its appends
   * and writes see from now on is remembered under it. A database opened at an older schema
   * remembers nothing until its first linked append after the migration has read the token.
   */
  public static void startKnownLinks(Backend db) {
    if (db instanceof BackendBase b && !b.state.isCurrent()) {
      // opened without migrating: the first linked append after the migration reads the token
      return;
    }
    String token =
        db.read(
            "open.knownLinks",
            h -> {
              List<String> v = Rows.strings(h.prepare(SELECT_REMOVAL_TOKEN));
              return v.isEmpty() ? "" : v.get(0);
            });
    db.known().start(token);
  }

  /** Records a new {@link #REMOVALS} token in the caller's transaction. */
  static void recordRemoval(Handle h) throws SQLException {
    String token = Uuid7.next();
    h.prepare(RECORD_REMOVAL, token).executeUpdate();
    h.unit().removalToken(token);
  }

  /**
   * What erasing a session adds, in its transaction after its data deletes (whose tombstones these
   * remove too): the session's memory history, then per agent id of the session its {@code
   * agent:ID} memory history and its registry history, then the session's own (docs/history.md).
   * Each searches its table's (entity, seq) key.
   */
  static final List<String> ERASE_SESSION =
      List.of(
          "DELETE FROM memory_history WHERE scope = 'session:' || ?",
          "DELETE FROM session_history WHERE session_id = ?");

  /** See {@link #ERASE_SESSION}: once per agent id of the erased session. */
  static final List<String> ERASE_AGENT =
      List.of(
          "DELETE FROM memory_history WHERE scope = 'agent:' || ?",
          "DELETE FROM agent_history WHERE agent_id = ?");

  private static final String MEMORY_COLUMNS =
      "scope, memory_type, key, seq, ts, version, %s, deleted, expires_at, created_at, writer";
  private static final String AGENT_COLUMNS =
      "agent_id, agent_type, status, session_id, spawned_at, completed_at, duration_ms,"
          + " updated_at, %s, seq";
  private static final String SESSION_COLUMNS = "session_id, status, started_at, ended_at, %s, seq";

  private final Backend db;
  private final Dialect d;
  final String horizon;
  private final String latest;
  private final String memoryVersions;
  private final String memoryAt;
  final String memoryScopeAt;
  private final String newestAt;
  final String agentAt;
  final String agentsAt;
  final String sessionAt;
  final String sessionsAt;
  private final String recordHorizon;
  private final String forkMemory;
  private final String forkAgent;
  final List<String> prune;
  private final List<String> seqAtTime;
  private final List<String> timeAtSeq;
  final String size;
  final String budgetHorizon;
  final String removable;

  public History(Backend db) {
    this.db = db;
    this.d = db.dialect();
    String mem =
        "SELECT " + MEMORY_COLUMNS.formatted(d.jsonColumn("value")) + " FROM memory_history";
    String ofKey = " WHERE scope = ? AND memory_type = ? AND key = ?";
    this.horizon = "SELECT value FROM swarm_settings WHERE name = '" + HORIZON + "'";
    String maxSeq =
        "SELECT max(seq) AS s FROM agent_events UNION ALL SELECT max(seq) FROM memory_history"
            + " UNION ALL SELECT max(seq) FROM agent_history"
            + " UNION ALL SELECT max(seq) FROM session_history";
    this.latest =
        "SELECT coalesce(max(s), 0) FROM ("
            + maxSeq
            + (db.config().isPostgres()
                ? ""
                : " UNION ALL SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'")
            + ") x";
    this.memoryVersions = mem + ofKey + " AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?";
    this.memoryAt = mem + ofKey + " AND seq <= ? ORDER BY seq DESC LIMIT 1";
    String memH =
        "SELECT h."
            + MEMORY_COLUMNS.replace(", ", ", h.").formatted(d.jsonColumn("value"))
            + " FROM memory_history h JOIN (SELECT memory_type AS t, key AS k, max(seq) AS s FROM"
            + " memory_history WHERE scope = ? AND seq <= ? GROUP BY memory_type, key) l"
            + " ON h.seq = l.s WHERE NOT h.deleted"
            + " AND (h.expires_at IS NULL OR h.expires_at > ?)";
    this.memoryScopeAt = memH;
    // every session's latest version of one key, read by the (scope, type, key, seq) key
    this.newestAt =
        "SELECT h."
            + MEMORY_COLUMNS.replace(", ", ", h.").formatted(d.jsonColumn("value"))
            + " FROM memory_history h JOIN (SELECT scope AS o, max(seq) AS s FROM memory_history"
            + " WHERE scope >= 'session:' AND scope < 'session;' AND memory_type = ? AND key = ?"
            + " AND seq <= ? GROUP BY scope) l ON h.seq = l.s WHERE NOT h.deleted"
            + " AND (h.expires_at IS NULL OR h.expires_at > ?)"
            + " ORDER BY h.ts DESC, h.seq DESC LIMIT 1";
    this.agentAt =
        "SELECT "
            + AGENT_COLUMNS.formatted(d.jsonColumn("metadata"))
            + ", deleted FROM agent_history WHERE agent_id = ? AND seq <= ?"
            + " ORDER BY seq DESC LIMIT 1";
    this.agentsAt =
        "SELECT "
            + ("h." + AGENT_COLUMNS.replace(", ", ", h.")).formatted(d.jsonColumn("metadata"))
            + ", h.deleted FROM agent_history h JOIN (SELECT agent_id AS a, max(seq) AS s FROM"
            + " agent_history WHERE seq <= ? GROUP BY agent_id) l ON h.seq = l.s"
            + " WHERE NOT h.deleted ORDER BY h.agent_id";
    this.sessionAt =
        "SELECT "
            + SESSION_COLUMNS.formatted(d.jsonColumn("metadata"))
            + ", deleted FROM session_history WHERE session_id = ? AND seq <= ?"
            + " ORDER BY seq DESC LIMIT 1";
    this.sessionsAt =
        "SELECT "
            + ("h." + SESSION_COLUMNS.replace(", ", ", h.")).formatted(d.jsonColumn("metadata"))
            + ", h.deleted FROM session_history h JOIN (SELECT session_id AS i, max(seq) AS s FROM"
            + " session_history WHERE seq <= ? GROUP BY session_id) l ON h.seq = l.s"
            + " WHERE NOT h.deleted ORDER BY h.started_at DESC, h.session_id";
    List<String> seqAt = new ArrayList<>();
    List<String> timeAt = new ArrayList<>();
    seqAt.add("SELECT seq FROM agent_events WHERE ts <= ? ORDER BY ts DESC, seq DESC LIMIT 1");
    timeAt.add("SELECT ts FROM agent_events WHERE seq <= ? ORDER BY seq DESC LIMIT 1");
    for (String t : Schema.V3_TABLES) {
      // history rows are timed by the writer's monotonic clock, so they are in time order too: the
      // newest row at or before the time is found walking back from the end
      seqAt.add("SELECT seq FROM " + t + " WHERE ts <= ? ORDER BY seq DESC LIMIT 1");
      timeAt.add("SELECT ts FROM " + t + " WHERE seq <= ? ORDER BY seq DESC LIMIT 1");
    }
    this.seqAtTime = List.copyOf(seqAt);
    this.forkMemory =
        "INSERT INTO session_memory (session_id, memory_type, key, value, version, created_at,"
            + " updated_at, expires_at) VALUES (?, ?, ?, "
            + d.jsonParameter()
            + ", 1, ?, ?, ?)";
    this.forkAgent =
        "INSERT INTO agents (agent_id, agent_type, status, session_id, spawned_at, completed_at,"
            + " duration_ms, updated_at, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
            + d.jsonParameter()
            + ") ON CONFLICT (agent_id) DO NOTHING";
    this.recordHorizon =
        "INSERT INTO swarm_settings (name, value) VALUES ('"
            + HORIZON
            + "', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value";
    // each history table: its entity's columns, and the budget's bytes of a row beside the fixed
    // overhead (HistoryInfo): the UTF-8 bytes of its text columns as stored
    List<String[]> tables =
        List.of(
            new String[] {
              "memory_history",
              "scope, memory_type, key",
              "octet_length(scope) + octet_length(memory_type) + octet_length(key)"
                  + " + coalesce(octet_length("
                  + d.jsonColumn("value")
                  + "), 0)"
            },
            new String[] {
              "agent_history",
              "agent_id",
              "octet_length(agent_id) + octet_length(agent_type) + octet_length(status)"
                  + " + coalesce(octet_length(session_id), 0) + octet_length("
                  + d.jsonColumn("metadata")
                  + ")"
            },
            new String[] {
              "session_history",
              "session_id",
              "octet_length(session_id) + octet_length(status) + octet_length("
                  + d.jsonColumn("metadata")
                  + ")"
            });
    List<String> p = new ArrayList<>();
    List<String> sizes = new ArrayList<>();
    List<String> removals = new ArrayList<>();
    for (String[] t : tables) {
      String sameEntity =
          String.join(
              " AND ", Arrays.stream(t[1].split(", ")).map(c -> "m." + c + " = h." + c).toList());
      // in a window of seqs below the horizon: every row but each entity's latest at or before the
      // horizon, and that one too when it is a deletion (the entity did not exist at the horizon)
      p.add(
          "DELETE FROM "
              + t[0]
              + " WHERE seq IN (SELECT h.seq FROM "
              + t[0]
              + " h WHERE h.seq >= ? AND h.seq < ? AND (h.deleted OR h.seq < (SELECT max(m.seq)"
              + " FROM "
              + t[0]
              + " m WHERE "
              + sameEntity
              + " AND m.seq <= ?)))");
      // the budget's bytes of a row, and the horizon from which pruning removes it: any past a
      // deletion, for any other version those at or after the entity's next version
      String bytes = HistoryInfo.ROW_OVERHEAD_BYTES + " + " + t[2];
      sizes.add("SELECT count(*), coalesce(sum(" + bytes + "), 0) FROM " + t[0]);
      removals.add(
          "SELECT CASE WHEN deleted THEN seq + 1 ELSE lead(seq) OVER (PARTITION BY "
              + t[1]
              + " ORDER BY seq) END AS gone, "
              + bytes
              + " AS b FROM "
              + t[0]);
    }
    this.prune = List.copyOf(p);
    this.timeAtSeq = List.copyOf(timeAt);
    this.size = String.join(" UNION ALL ", sizes);
    String gone =
        " FROM ("
            + String.join(" UNION ALL ", removals)
            + ") x WHERE gone IS NOT NULL AND gone <= ?";
    // the smallest horizon whose pruning removes at least the bytes asked for: the removals in
    // horizon order, summed up to each
    this.budgetHorizon =
        "SELECT gone FROM (SELECT gone, sum(sum(b)) OVER (ORDER BY gone) AS removed"
            + gone
            + " GROUP BY gone) y WHERE removed >= ? ORDER BY gone LIMIT 1";
    this.removable = "SELECT coalesce(sum(b), 0)" + gone;
  }

  /** Seqs of history pruned per write transaction. */
  static final int PRUNE_CHUNK = 20_000;

  /**
   * Prunes every history table below a new horizon, recording it first (see {@code
   * Maintenance.pruneHistory}).
   */
  long prune(long newHorizon) {
    long recorded =
        db.write(
            "maintenance.pruneHistory",
            h -> {
              long latestSeq = h.queryLong(latest);
              if (newHorizon < 0 || newHorizon > latestSeq) {
                throw Checks.invalid(
                    "history horizon "
                        + newHorizon
                        + " is "
                        + (newHorizon < 0
                            ? "negative"
                            : "after the latest change, seq " + latestSeq)
                        + "; pass a seq between 0 and "
                        + latestSeq);
              }
              long old = horizon(h, horizon);
              if (newHorizon > old) {
                h.prepare(recordHorizon, Long.toString(newHorizon)).executeUpdate();
              }
              return old;
            });
    if (newHorizon <= recorded) {
      return 0;
    }
    long deleted = 0;
    for (String sql : prune) {
      long first = db.read("maintenance.pruneHistory", h -> h.queryLong(minSeq(sql)));
      for (long lo = first; lo < newHorizon; lo += PRUNE_CHUNK) {
        long from = lo;
        long to = Math.min(newHorizon, lo + PRUNE_CHUNK);
        deleted +=
            db.write(
                "maintenance.pruneHistory",
                h -> {
                  int n = h.prepare(sql, from, to, newHorizon).executeUpdate();
                  if (n > 0) {
                    recordRemoval(h); // in the deleting transaction (KnownLinks)
                  }
                  return n;
                });
      }
    }
    return deleted;
  }

  /**
   * Prunes the history to the configured budget at the smallest horizon that fits it (see {@code
   * Maintenance.pruneHistoryToBudget}): one read finds it, {@link #prune} deletes.
   */
  HistoryPruneResult pruneToBudget() {
    OptionalLong configured = db.config().historyBudgetBytes();
    if (configured.isEmpty()) {
      throw Checks.invalid(
          "no history budget is configured; set SwarmDbConfig.Builder.historyBudgetBytes (CLI:"
              + " --history-budget SIZE), or prune by seq with pruneHistory(horizon)");
    }
    long budget = configured.getAsLong();
    String op = "maintenance.pruneHistoryToBudget";
    // the size and the horizon in one read transaction, so they describe the same rows
    long[] plan =
        db.read(
            op,
            h -> {
              HistoryInfo before = info(h, true);
              long recorded = before.horizon();
              if (before.bytes() <= budget) {
                return new long[] {before.bytes(), recorded, recorded};
              }
              long latestSeq = h.queryLong(latest);
              long need = before.bytes() - budget;
              try (ResultSet rs = h.prepare(budgetHorizon, latestSeq, need).executeQuery()) {
                if (rs.next()) {
                  // a horizon at or before the recorded one changes nothing: the next one does
                  long chosen = Math.min(latestSeq, Math.max(rs.getLong(1), recorded + 1));
                  return new long[] {before.bytes(), recorded, chosen};
                }
              }
              long kept;
              try (ResultSet rs = h.prepare(removable, latestSeq).executeQuery()) {
                kept = before.bytes() - (rs.next() ? rs.getLong(1) : 0);
              }
              throw Checks.invalid(
                  String.format(
                      Locale.ROOT,
                      "history of %d rows is %d bytes, over its budget of %d bytes, and even"
                          + " pruning at the latest change, seq %d, keeps %d bytes: the state at"
                          + " that seq (each memory entry, agent and session as it is then)"
                          + " alone exceeds the budget; nothing was pruned. Raise"
                          + " historyBudgetBytes (CLI: --history-budget) to at least %d bytes"
                          + " plus room for new versions, or delete the memory, agents and"
                          + " sessions no longer needed (sessions().erase(id) removes a"
                          + " session's history too)",
                      before.rows(),
                      before.bytes(),
                      budget,
                      latestSeq,
                      kept,
                      kept));
            });
    long bytesBefore = plan[0];
    long recorded = plan[1];
    long chosen = plan[2];
    if (bytesBefore <= budget) {
      return new HistoryPruneResult(budget, recorded, recorded, 0, bytesBefore, bytesBefore);
    }
    long deleted = chosen > recorded ? prune(chosen) : 0;
    HistoryInfo after = db.read(op, h -> info(h, true));
    return new HistoryPruneResult(
        budget, recorded, after.horizon(), deleted, bytesBefore, after.bytes());
  }

  /**
   * The history's figures, read in the caller's transaction (one pass over the history tables).
   *
   * @param present whether the history tables exist (schema v3 or later); zeros when not
   */
  public HistoryInfo info(Handle h, boolean present) throws SQLException {
    OptionalLong budget = db.config().historyBudgetBytes();
    if (!present) {
      return new HistoryInfo(0, 0, 0, budget);
    }
    long rows = 0;
    long bytes = 0;
    try (ResultSet rs = h.prepare(size).executeQuery()) {
      while (rs.next()) {
        rows += rs.getLong(1);
        bytes += rs.getLong(2);
      }
    }
    return new HistoryInfo(rows, bytes, horizon(h, horizon), budget);
  }

  private static String minSeq(String pruneSql) {
    String table = pruneSql.substring("DELETE FROM ".length(), pruneSql.indexOf(' ', 12));
    return "SELECT coalesce(min(seq), 0) FROM " + table;
  }

  /** {@return every statement this class prepares, for the query-plan test} */
  List<String> statements() {
    List<String> all =
        new ArrayList<>(
            List.of(
                horizon,
                latest,
                memoryVersions,
                memoryAt,
                memoryScopeAt,
                newestAt,
                agentAt,
                agentsAt,
                sessionAt,
                sessionsAt));
    all.addAll(seqAtTime);
    all.addAll(timeAtSeq);
    all.addAll(prune);
    all.add(size);
    all.add(budgetHorizon);
    all.add(removable);
    all.add(recordHorizon);
    all.add(forkMemory);
    all.add(forkAgent);
    all.addAll(ERASE_SESSION);
    all.addAll(ERASE_AGENT);
    all.add(RECORD_REMOVAL);
    return all;
  }

  Backend db() {
    return db;
  }

  Dialect dialect() {
    return d;
  }

  /** {@return the recorded horizon: the earliest seq an as-of view can be built at} */
  static long horizon(Handle h, String sql) throws SQLException {
    List<String> v = Rows.strings(h.prepare(sql));
    if (v.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(v.get(0));
    } catch (NumberFormatException e) {
      throw new SwarmDbException(
          ErrorCode.CORRUPT,
          "swarm_settings row name '"
              + HORIZON
              + "' holds '"
              + Checks.printable(v.get(0))
              + "', not a seq; 'swarmdb restore' brings back a backup",
          e);
    }
  }

  /**
   * Opens a view as of a seq.
   *
   * @throws SwarmDbException INVALID_ARGUMENT when the seq is negative, before the horizon or after
   *     the latest change
   */
  public SwarmState asOf(long seq) {
    return db.read("history.asOf", h -> view(h, seq));
  }

  /**
   * Opens a view as of a time: the latest change recorded at or before it.
   *
   * @throws SwarmDbException INVALID_ARGUMENT when nothing was recorded at or before it
   */
  public SwarmState asOf(Instant time) {
    Objects.requireNonNull(time, "time");
    long t = time.toEpochMilli();
    return db.read(
        "history.asOf",
        h -> {
          long seq = -1;
          for (String sql : seqAtTime) {
            try (ResultSet rs = h.prepare(sql, t).executeQuery()) {
              if (rs.next()) {
                seq = Math.max(seq, rs.getLong(1));
              }
            }
          }
          long horizon = horizon(h, this.horizon);
          if (seq < horizon) {
            throw new SwarmDbException(
                ErrorCode.INVALID_ARGUMENT,
                "no state as of "
                    + time
                    + " can be rebuilt: the history horizon is seq "
                    + horizon
                    + (seq < 0
                        ? " and nothing was recorded at or before that time"
                        : " and the latest change at or before that time is seq " + seq)
                    + "; ask for a later time, or asOf(seq) with a seq from "
                    + horizon);
          }
          return view(h, seq);
        });
  }

  private SwarmState view(Handle h, long seq) throws SQLException {
    long latestSeq = h.queryLong(latest);
    if (seq < 0 || seq > latestSeq) {
      throw Checks.invalid(
          "as-of seq "
              + seq
              + " is "
              + (seq < 0 ? "negative" : "after the latest change, seq " + latestSeq)
              + "; pass a seq between the history horizon and "
              + latestSeq);
    }
    checkHorizon(h, seq);
    long time = 0;
    for (String sql : timeAtSeq) {
      try (ResultSet rs = h.prepare(sql, seq).executeQuery()) {
        if (rs.next()) {
          time = Math.max(time, rs.getLong(1));
        }
      }
    }
    return new AsOfState(this, seq, Instant.ofEpochMilli(time));
  }

  /**
   * Forks a session in the caller's write transaction (see {@code SessionStore.fork}): every check
   * and every copied id is worked out before the first write.
   *
   * @param insertSession the session store's insert of a new active session (id, time, metadata)
   */
  Session fork(Handle h, String sourceId, String newId, long seq, String insertSession)
      throws SQLException {
    long latestSeq = h.queryLong(latest);
    if (seq < 0 || seq > latestSeq) {
      throw Checks.invalid(
          "fork of '"
              + Checks.printable(sourceId)
              + "' as of seq "
              + seq
              + ": the seq is "
              + (seq < 0 ? "negative" : "after the latest change, seq " + latestSeq)
              + "; pass a seq between the history horizon and "
              + latestSeq);
    }
    checkHorizon(h, seq);
    Session source;
    try (ResultSet rs = h.prepare(sessionAt, sourceId, seq).executeQuery()) {
      source = rs.next() ? session(rs).orElse(null) : null;
    }
    if (source == null) {
      throw new SwarmDbException(
          ErrorCode.NOT_FOUND,
          "session '"
              + Checks.printable(sourceId)
              + "' did not exist as of seq "
              + seq
              + "; fork a session as of a seq where it existed");
    }
    List<Agent> agents = new ArrayList<>();
    try (ResultSet rs = h.prepare(agentsAt, seq).executeQuery()) {
      while (rs.next()) {
        agent(rs).filter(a -> sourceId.equals(a.sessionId())).ifPresent(agents::add);
      }
    }
    for (Agent a : agents) {
      Checks.id("the forked agent id", newId + "/" + a.agentId());
    }
    long now = h.now();
    long then = 0;
    for (String sql : timeAtSeq) {
      try (ResultSet rs = h.prepare(sql, seq).executeQuery()) {
        if (rs.next()) {
          then = Math.max(then, rs.getLong(1));
        }
      }
    }
    List<MemoryEntry> memory =
        entries(h.prepare(memoryScopeAt, "session:" + sourceId, seq, then), then);
    Map<String, @Nullable Object> meta = new LinkedHashMap<>(source.metadata());
    meta.put("forkedFrom", sourceId);
    meta.put("forkedAtSeq", seq);
    StoredMetadata stored = StoredMetadata.of(db.json(), meta);
    if (h.prepare(insertSession, newId, now, stored.json()).executeUpdate() == 0) {
      throw new SwarmDbException(
          ErrorCode.ALREADY_EXISTS,
          "session '" + Checks.printable(newId) + "' already exists; fork into a new id");
    }
    for (MemoryEntry e : memory) {
      Instant expires = e.expiresAt();
      if (expires != null && expires.toEpochMilli() <= now) {
        continue; // expired since: a copy would never be returned
      }
      PreparedStatement ps = h.prepare(forkMemory);
      ps.setString(1, newId);
      ps.setString(2, e.memoryType());
      ps.setString(3, e.key());
      ps.setString(4, e.valueJson());
      ps.setLong(5, now);
      ps.setLong(6, now);
      Rows.setNullable(ps, 7, expires == null ? null : expires.toEpochMilli());
      ps.executeUpdate();
    }
    for (Agent a : agents) {
      String id = newId + "/" + a.agentId();
      Map<String, @Nullable Object> am = new LinkedHashMap<>(a.metadata());
      am.put("forkedFrom", a.agentId());
      PreparedStatement ps = h.prepare(forkAgent);
      ps.setString(1, id);
      ps.setString(2, a.agentType());
      ps.setString(3, a.status().dbName());
      ps.setString(4, newId);
      ps.setLong(5, a.spawnedAt().toEpochMilli());
      Rows.setNullable(ps, 6, a.completedAt() == null ? null : a.completedAt().toEpochMilli());
      Rows.setNullable(ps, 7, a.durationMs());
      ps.setLong(8, now);
      ps.setString(9, StoredMetadata.of(db.json(), am).json());
      if (ps.executeUpdate() == 0) {
        throw new SwarmDbException(
            ErrorCode.ALREADY_EXISTS,
            "agent '"
                + Checks.printable(id)
                + "' already exists, so session '"
                + Checks.printable(sourceId)
                + "' cannot be forked into '"
                + Checks.printable(newId)
                + "'; fork into another id");
      }
    }
    return new Session(
        newId, SessionStatus.ACTIVE, Instant.ofEpochMilli(now), null, stored.stored());
  }

  /** Fails when retention has moved the horizon past {@code seq}. */
  void checkHorizon(Handle h, long seq) throws SQLException {
    long horizon = horizon(h, this.horizon);
    if (seq < horizon) {
      throw Checks.invalid(
          "as-of seq "
              + seq
              + " is before the history horizon, seq "
              + horizon
              + ": retention kept the state at the horizon and removed what came before; ask for a"
              + " seq from "
              + horizon);
    }
  }

  /** An as-of read: the horizon check and the work in one read transaction. */
  <T> T read(String op, long seq, SqlFunction<T> fn) {
    return db.read(
        op,
        h -> {
          checkHorizon(h, seq);
          return fn.apply(h);
        });
  }

  /**
   * Versions of one entry after {@code afterSeq} and at or before {@code upTo}, oldest first.
   *
   * @param owner the scope's written form, as memory_history holds it
   */
  List<MemoryVersion> versions(
      String owner, String memoryType, String key, long afterSeq, long upTo, int limit) {
    Checks.type("memoryType", memoryType);
    Checks.key("key", key);
    Checks.limit(limit);
    if (afterSeq < 0) {
      throw Checks.invalid("afterSeq is " + afterSeq + "; pass 0 for the first page");
    }
    return db.read(
        "memory.history",
        h -> {
          List<MemoryVersion> out = new ArrayList<>();
          try (ResultSet rs =
              h.prepare(memoryVersions, owner, memoryType, key, afterSeq, upTo, limit)
                  .executeQuery()) {
            while (rs.next()) {
              out.add(version(rs));
            }
          }
          return List.copyOf(out);
        });
  }

  /** The entry of a key as of a seq, unless missing, deleted or expired at {@code now}. */
  Optional<MemoryEntry> entryAt(Handle h, String owner, String type, String key, long seq, long now)
      throws SQLException {
    try (ResultSet rs = h.prepare(memoryAt, owner, type, key, seq).executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return live(rs, now);
    }
  }

  /** The newest unexpired version of a key across sessions as of a seq. */
  Optional<MemoryEntry> newestAt(Handle h, String type, String key, long seq, long now)
      throws SQLException {
    try (ResultSet rs = h.prepare(newestAt, type, key, seq, now).executeQuery()) {
      return rs.next() ? live(rs, now) : Optional.empty();
    }
  }

  /** The entries of a statement over {@link #memoryScopeAt}'s columns. */
  List<MemoryEntry> entries(PreparedStatement ps, long now) throws SQLException {
    List<MemoryEntry> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        live(rs, now).ifPresent(out::add);
      }
    }
    return out;
  }

  private Optional<MemoryEntry> live(ResultSet rs, long now) throws SQLException {
    MemoryVersion v = version(rs);
    String value = v.valueJson();
    Instant expires = v.expiresAt();
    if (value == null || (expires != null && expires.toEpochMilli() <= now)) {
      return Optional.empty();
    }
    return Optional.of(
        new MemoryEntry(
            v.scope(),
            v.memoryType(),
            v.key(),
            value,
            v.version(),
            Instant.ofEpochMilli(rs.getLong(10)),
            v.time(),
            expires));
  }

  private MemoryVersion version(ResultSet rs) throws SQLException {
    long seq = rs.getLong(4);
    String stored = rs.getString(7);
    boolean deleted = rs.getBoolean(8);
    String value =
        stored == null
            ? null
            : Json.checkStored(
                () -> row("memory_history", seq), "value", d.storedJson().apply(stored));
    Scope scope;
    try {
      scope = Scope.parse(rs.getString(1));
    } catch (SwarmDbException e) {
      throw damaged("memory_history", seq, "scope", e);
    }
    if (deleted == (value != null)) {
      throw new SwarmDbException(
          ErrorCode.CORRUPT,
          row("memory_history", seq)
              + (deleted ? " is a deletion with a value" : " is a write without a value")
              + "; 'swarmdb restore' brings back a backup");
    }
    return new MemoryVersion(
        scope,
        rs.getString(2),
        rs.getString(3),
        seq,
        Instant.ofEpochMilli(rs.getLong(5)),
        rs.getLong(6),
        value,
        deleted,
        Rows.nullableInstant(rs, 9),
        writer(rs, seq));
  }

  /** The writer column (schema v5): an agent id, or null; damaged text is CORRUPT. */
  private static @Nullable String writer(ResultSet rs, long seq) throws SQLException {
    String writer = rs.getString(11);
    if (writer != null) {
      try {
        Checks.id("writer", writer);
      } catch (SwarmDbException e) {
        throw damaged("memory_history", seq, "writer", e);
      }
    }
    return writer;
  }

  /** An agent row of {@link #agentAt} or {@link #agentsAt}, or empty for a deletion. */
  static Optional<Agent> agent(ResultSet rs) throws SQLException {
    long seq = rs.getLong(10);
    return rs.getBoolean(11)
        ? Optional.empty()
        : Optional.of(Rows.agent(rs, () -> row("agent_history", seq)));
  }

  /** A session row of {@link #sessionAt} or {@link #sessionsAt}, or empty for a deletion. */
  static Optional<Session> session(ResultSet rs) throws SQLException {
    long seq = rs.getLong(6);
    return rs.getBoolean(7)
        ? Optional.empty()
        : Optional.of(Rows.session(rs, () -> row("session_history", seq)));
  }

  static String row(String table, long seq) {
    return table + " row seq " + seq;
  }

  private static SwarmDbException damaged(String table, long seq, String column, Exception e) {
    return new SwarmDbException(
        ErrorCode.CORRUPT,
        row(table, seq)
            + ": the "
            + column
            + " is damaged ("
            + e.getMessage()
            + "); 'swarmdb restore' brings back a backup",
        e);
  }

  /** The written form memory_history holds for a scope ({@code session:ID} for a session). */
  static String owner(Scope scope) {
    return scope.toString();
  }

  @Override
  public String toString() {
    return "History[" + db.label() + "]";
  }
}
