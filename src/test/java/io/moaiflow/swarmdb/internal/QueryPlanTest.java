package io.moaiflow.swarmdb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.EventStore;
import io.moaiflow.swarmdb.Maintenance;
import io.moaiflow.swarmdb.SchemaV1;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.internal.sqlite.SqliteDatabase;
import io.moaiflow.swarmdb.internal.sqlite.SqliteDialect;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that no DAO statement scans a table: every statement the DAOs prepared during a workload
 * that calls every DAO method, plus the statements they run uncached and every shape {@link
 * EventQuerySql#sql} builds, is run through {@code EXPLAIN QUERY PLAN}.
 */
class QueryPlanTest {
  static final List<String> INDEXES = SchemaV1.INDEXES;

  private static final Pattern SCAN = Pattern.compile("\\bSCAN (\\w+)(.*)");
  private static final Pattern FTS_MATCH = Pattern.compile(" VIRTUAL TABLE INDEX \\d+:M");

  @TempDir Path dir;

  @Test
  void noDaoStatementScansATableAndEveryIndexBacksOne() throws Exception {
    Path file = dir.resolve("plan.db");
    Set<String> statements = new TreeSet<>();
    // with an embedder, so the vector writes' statements (the model check) are captured too
    try (SqliteDatabase db =
        SqliteDatabase.open(
            SwarmDbConfig.builder(file)
                .embedder(new io.moaiflow.swarmdb.WordHashEmbedder("plan-test", 8))
                .build())) {
      runEveryDaoMethod(db);
      statements.addAll(db.preparedSql());
    }
    // the capture works: statements from writer and readers are present
    assertThat(statements)
        .contains(
            EventQuerySql.sql(
                SqlEventStore.columns(SqliteDialect.INSTANCE),
                EventQuery.agent("a").withType("run").withSession("s"),
                false),
            new SqlMemory.Statements(SqliteDialect.INSTANCE, SqlMemory.Table.SESSION).entry,
            new RecallSearch.Statements(false, SqliteDialect.INSTANCE).memoryText,
            new RecallSearch.Statements(false, SqliteDialect.INSTANCE).eventText);
    assertThat(statements.size()).isGreaterThanOrEqualTo(35);
    assertThat(statements)
        .as("the metrics' event counts")
        .contains(
            SqlEventStore.COUNT_BY_TYPE, SqlEventStore.countByTypeAfter(SqliteDialect.INSTANCE));
    statements.addAll(uncachedStatements());
    statements.addAll(everyEventQueryShape());

    Map<String, List<String>> plans = new TreeMap<>();
    List<String> scans = new ArrayList<>();
    // a vector search over every scope reads every vector by definition (the brute force recall
    // documents); its plans are pinned in aScopeFilteredVectorSearchReadsOnlyItsScopeByKey
    Set<String> bruteForce = new HashSet<>();
    for (VectorSearch.Table t : VectorSearch.Table.values()) {
      bruteForce.add(t.count(false, false));
      for (String column : List.of("embedding", "embedding_q8")) {
        bruteForce.add(t.scan(false, false, column));
      }
      bruteForce.add(t.indexBuild); // building the in-memory index reads every vector too
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      // indexing a write's events reads those rows by seq and walks each one's own metadata with
      // json_tree (t), which is no scan of stored rows
      assertThat(explain(c, EventIndex.SQLITE_INDEX_RANGE))
          .containsExactly(
              "SEARCH e USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)",
              "SCALAR SUBQUERY 2",
              "SEARCH swarm_settings USING PRIMARY KEY (name=?)",
              "CORRELATED SCALAR SUBQUERY 1",
              "SCAN t VIRTUAL TABLE INDEX 1:");
      assertThat(statements)
          .as("appends index their events")
          .contains(EventIndex.SQLITE_INDEX_RANGE);
      for (String sql : statements) {
        List<String> plan = explain(c, sql);
        plans.put(sql, plan);
        if (bruteForce.contains(sql) || sql.equals(EventIndex.SQLITE_INDEX_RANGE)) {
          continue;
        }
        for (String line : tableScans(plan)) {
          scans.add(line + "  <=  " + sql);
        }
      }
      // the detector itself: a filter on an unindexed column is a scan, a count is not
      assertThat(tableScans(explain(c, "SELECT agent_id FROM agents WHERE metadata = ?")))
          .containsExactly("SCAN agents");
      assertThat(explain(c, "SELECT count(*) FROM agents")).hasSize(1);
      assertThat(tableScans(explain(c, "SELECT count(*) FROM agents"))).isEmpty();
      // the metrics' first count walks the small type index once; later counts read only the
      // rows past the cursor, by primary key, never the whole index
      assertThat(explain(c, SqlEventStore.COUNT_BY_TYPE))
          .containsExactly("SCAN agent_events USING COVERING INDEX idx_events_type_ts");
      assertThat(explain(c, SqlEventStore.countByTypeAfter(SqliteDialect.INSTANCE)))
          .containsExactly(
              "SEARCH agent_events USING INTEGER PRIMARY KEY (rowid>?)",
              "USE TEMP B-TREE FOR GROUP BY");
    }
    assertThat(scans).as("table scans").isEmpty();
    assertScopedMemoryPlans(file, statements);
    String allPlans = String.join("\n", plans.values().stream().flatMap(List::stream).toList());
    for (String index : INDEXES) {
      assertThat(allPlans).as("a DAO query uses " + index).contains(index + " ");
    }
  }

  @Test
  void schemaHasExactlyTheTwelveDesignedIndexes() throws Exception {
    Path file = dir.resolve("idx.db");
    SqliteDatabase.open(SwarmDbConfig.builder(file).build()).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"
                    + " ORDER BY name")) {
      List<String> names = new ArrayList<>();
      while (rs.next()) {
        assertThat(rs.getString(2)).startsWith("CREATE INDEX ");
        names.add(rs.getString(1));
      }
      assertThat(names).containsExactlyElementsOf(INDEXES);
    }
    // every shipped SQLite script together: V2 (recall) adds tables with primary keys, WITHOUT
    // ROWID tables and FTS5 tables, V3 (history) tables keyed by seq with UNIQUE constraints, V4
    // link tables keyed both ways, V5 (writer) a column and replaced triggers, but no index
    String index =
        new String(
            QueryPlanTest.class
                .getResourceAsStream("/db/migration/sqlite/index.txt")
                .readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8);
    List<String> scripts = index.lines().filter(l -> !l.isBlank()).toList();
    assertThat(scripts)
        .containsExactly(
            "V1__init.sql",
            "V2__recall.sql",
            "V3__history.sql",
            "V4__causality.sql",
            "V5__writer.sql",
            "V6__inline_links.sql",
            "V7__sequence.sql");
    long creates = 0;
    for (String name : scripts) {
      String script =
          new String(
              QueryPlanTest.class
                  .getResourceAsStream("/db/migration/sqlite/" + name)
                  .readAllBytes(),
              java.nio.charset.StandardCharsets.UTF_8);
      creates +=
          Pattern.compile("(?im)CREATE\\s+(UNIQUE\\s+)?INDEX").matcher(script).results().count();
    }
    assertThat(creates).as("CREATE INDEX in all shipped SQLite scripts").isEqualTo(12);
  }

  /**
   * The statements of conditional writes, counts and erasure (issue 16) search a primary key or the
   * index meant for them; each was captured by the workload.
   */
  @Test
  void conditionalWritesCountsAndErasureSearchTheirIndexes() throws Exception {
    Path file = dir.resolve("api16.db");
    SqliteDatabase.open(SwarmDbConfig.builder(file).build()).close();
    SqlMemory.Statements session =
        new SqlMemory.Statements(SqliteDialect.INSTANCE, SqlMemory.Table.SESSION);
    SqlMemory.Statements scoped =
        new SqlMemory.Statements(SqliteDialect.INSTANCE, SqlMemory.Table.SCOPED);
    String sessionPk = "SEARCH session_memory USING INDEX sqlite_autoindex_session_memory_1";
    String scopedPk = "SEARCH scoped_memory USING INDEX sqlite_autoindex_scoped_memory_1";
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      assertThat(explain(c, session.versionForUpdate))
          .containsExactly(sessionPk + " (session_id=? AND memory_type=? AND key=?)");
      assertThat(explain(c, scoped.versionForUpdate))
          .containsExactly(scopedPk + " (scope=? AND memory_type=? AND key=?)");
      assertThat(explain(c, session.count))
          .containsExactly(
              "SEARCH session_memory USING INDEX idx_memory_session_updated (session_id=?)");
      assertThat(explain(c, session.countType))
          .containsExactly(sessionPk + " (session_id=? AND memory_type=?)");
      assertThat(explain(c, scoped.count)).containsExactly(scopedPk + " (scope=?)");
      assertThat(explain(c, scoped.countType))
          .containsExactly(scopedPk + " (scope=? AND memory_type=?)");
      for (String q : List.of(session.upsertIfExpired, scoped.upsertIfExpired)) {
        assertThat(tableScans(explain(c, q))).as(q).isEmpty();
      }
      String agentsOfSession = "SEARCH agents USING INDEX idx_agents_session (session_id=?)";
      assertThat(explain(c, SqlSessionStore.AGENTS_OF_SESSION)).containsExactly(agentsOfSession);
      // since schema v3 the delete's history trigger needs no column outside the index
      assertThat(explain(c, SqlSessionStore.DELETE_AGENTS))
          .containsExactly("SEARCH agents USING COVERING INDEX idx_agents_session (session_id=?)");
      assertThat(explain(c, SqlSessionStore.DELETE_SESSION))
          .containsExactly(
              "SEARCH sessions USING INDEX sqlite_autoindex_sessions_1 (session_id=?)");
      assertThat(explain(c, SqlSessionStore.DELETE_SESSION_EVENTS))
          .containsExactly(
              "SEARCH agent_events USING COVERING INDEX idx_events_session_ts (session_id=?)");
      assertThat(explain(c, SqlSessionStore.DELETE_AGENT_EVENTS))
          .containsExactly(
              "SEARCH agent_events USING COVERING INDEX idx_events_agent_ts (agent_id=?)");
    }
  }

  /**
   * A delete through an agent's handle (schema v5) records its deleter on the tombstones it wrote:
   * the last history seq before it (the end of the seq key) and then an update of the rows after it
   * (a range of the seq key), never a scan.
   */
  @Test
  void aHandleDeleteStampsItsTombstonesByTheSeqKey() throws Exception {
    Path file = dir.resolve("writer.db");
    SqliteDatabase.open(SwarmDbConfig.builder(file).build()).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      assertThat(explain(c, SqlMemory.LAST_HISTORY_SEQ)).containsExactly("SEARCH memory_history");
      assertThat(explain(c, SqlMemory.STAMP_DELETER))
          .containsExactly("SEARCH memory_history USING INTEGER PRIMARY KEY (rowid>?)");
    }
  }

  /**
   * {@code Memory.deleteAll} on SQLite (no arrays) runs the one-key delete once a key in its
   * transaction: each searches the table's unique key, never a scan; the workload ran it on both
   * tables.
   */
  @Test
  void deleteAllSearchesTheKeyOnceAKey() throws Exception {
    Path file = dir.resolve("deleteAll.db");
    Set<String> prepared;
    try (SqliteDatabase db = SqliteDatabase.open(SwarmDbConfig.builder(file).build())) {
      SqlSessionStore sessions = new SqlSessionStore(db);
      sessions.start("s");
      for (io.moaiflow.swarmdb.Memory m :
          List.of(sessions.memory("s"), sessions.memory(io.moaiflow.swarmdb.Scope.agent("a")))) {
        m.putAll("semantic", Map.of("x", 1, "y", 2), null);
        assertThat(m.deleteAll("semantic", List.of("x", "y", "z"))).isEqualTo(2);
      }
      prepared = db.preparedSql();
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      for (SqlMemory.Table t : SqlMemory.Table.values()) {
        SqlMemory.Statements sql = new SqlMemory.Statements(SqliteDialect.INSTANCE, t);
        assertThat(sql.deleteEntries).as("no array parameter on SQLite").isNull();
        assertThat(prepared).contains(sql.delete);
        assertThat(explain(c, sql.delete))
            .containsExactly(
                "SEARCH "
                    + t.name
                    + " USING INDEX sqlite_autoindex_"
                    + t.name
                    + "_1 ("
                    + t.owner
                    + "=? AND memory_type=? AND key=?)");
      }
    }
  }

  /**
   * Causal links (schema v5, in the event's row): the linked insert finds each cause by its id and
   * each read by its entry's key; why reads an event's links and the events by seq; blast radius
   * finds its version by key and then reads forward from it by seq (the log's and the history's
   * primary keys, no sort); a missing link is named by the same key searches.
   */
  @Test
  void causalLinksSearchKeys() throws Exception {
    Path file = dir.resolve("causal.db");
    List<String> statements;
    try (SqliteDatabase db = SqliteDatabase.open(SwarmDbConfig.builder(file).build())) {
      statements = new Causality(db).statements();
    }
    Map<String, List<String>> plans = new TreeMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      for (String q : statements) {
        plans.put(q, explain(c, q));
      }
    }
    assertThat(plans)
        .containsOnly(
            Map.entry(
                Causality.CAUSE_SEQ,
                List.of(
                    "SEARCH agent_events USING COVERING INDEX sqlite_autoindex_agent_events_1"
                        + " (event_id=?)")),
            Map.entry(
                Causality.VERSION_KNOWN,
                List.of(
                    "SEARCH memory_history USING INDEX sqlite_autoindex_memory_history_1"
                        + " (scope=? AND memory_type=? AND key=?)")),
            Map.entry(
                Causality.VERSION_SEQ,
                List.of(
                    "SEARCH memory_history USING INDEX sqlite_autoindex_memory_history_1"
                        + " (scope=? AND memory_type=? AND key=?)")),
            Map.entry(
                Causality.LINKS,
                List.of("SEARCH agent_events USING INTEGER PRIMARY KEY (rowid=?)")),
            Map.entry(
                Causality.LINKED_AFTER,
                List.of("SEARCH agent_events USING INTEGER PRIMARY KEY (rowid>?)")),
            Map.entry(
                Causality.AGENT_VERSIONS_AFTER,
                List.of("SEARCH memory_history USING INTEGER PRIMARY KEY (rowid>?)")),
            // export: a page's links, by the range of the log's primary key, each cause's id by seq
            Map.entry(
                Causality.LINKS_RANGE,
                List.of("SEARCH agent_events USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)")),
            Map.entry(
                Causality.EVENT_ID,
                List.of("SEARCH agent_events USING INTEGER PRIMARY KEY (rowid=?)")),
            Map.entry(
                statements.get(8),
                List.of(
                    "SCALAR SUBQUERY 2",
                    "SEARCH agent_events USING COVERING INDEX sqlite_autoindex_agent_events_1"
                        + " (event_id=?)",
                    "LIST SUBQUERY 1",
                    "SCAN json_each VIRTUAL TABLE INDEX 1:",
                    "SCALAR SUBQUERY 5",
                    "SCAN j VIRTUAL TABLE INDEX 1:",
                    "SEARCH h EXISTS USING INDEX sqlite_autoindex_memory_history_1"
                        + " (scope=? AND memory_type=? AND key=?)",
                    "SCALAR SUBQUERY 6",
                    "SEARCH swarm_settings USING PRIMARY KEY (name=?)")),
            Map.entry(
                statements.get(9),
                List.of("SEARCH agent_events USING INTEGER PRIMARY KEY (rowid=?)")),
            // links whose causes and reads this database saw: the row as written, no search (the
            // removal token is read once per transaction, SELECT_UNIT_SETTINGS); after a removal
            // the causes are looked up by id (CAUSE_SEQ) and a changed seq rewrites the row's links
            Map.entry(statements.get(10), List.of()),
            Map.entry(
                SqlEventStore.STALE_LINKS,
                List.of("SEARCH agent_events USING INTEGER PRIMARY KEY (rowid=?)")));
  }

  /**
   * The flight recorder's statements (schema v3): a key's versions, an entity as of a seq and the
   * time lookups search the history tables' (entity, seq) keys or walk their seq order from the
   * end; rebuilding the whole registry or session list as of a seq reads each one's (id, seq) key
   * once (a covering index, never the rows). Every statement the history API prepared is pinned.
   */
  @Test
  void historySearchesEntityKeysAndSeqs() throws Exception {
    Path file = dir.resolve("history.db");
    Set<String> statements = new TreeSet<>();
    try (SqliteDatabase db = SqliteDatabase.open(SwarmDbConfig.builder(file).build())) {
      Backend.Daos swarm = db.daos();
      swarm.sessions().start("s");
      swarm.agents().register("a", "w", "s", Map.of());
      io.moaiflow.swarmdb.Memory m = swarm.sessions().memory(io.moaiflow.swarmdb.Scope.agent("a"));
      m.put("t", "k", 1);
      m.history("t", "k");
      io.moaiflow.swarmdb.SwarmState v = db.history().asOf(Instant.now().plusSeconds(60));
      v.agents().get("a");
      v.agents().active();
      v.sessions().get("s");
      v.sessions().count();
      v.sessions().newest("t", "k");
      for (io.moaiflow.swarmdb.Memory vm :
          List.of(v.memory(io.moaiflow.swarmdb.Scope.agent("a")), v.sessions().memory("s"))) {
        vm.entry("t", "k");
        vm.keys("t");
        vm.findByPrefix("t", "k");
        vm.findByGlob("t", "k*");
        vm.recent(10);
        vm.exportJson();
        vm.history("t", "k");
      }
      db.history().asOf(v.seq());
      db.preparedSql().stream()
          .filter(q -> q.contains("_history") || q.contains("history_horizon"))
          .forEach(statements::add);
    }
    try (SqliteDatabase other = SqliteDatabase.open(SwarmDbConfig.inMemory().build())) {
      // the statements run uncached (the latest seq) or only with a tail (a scope's state)
      statements.addAll(new History(other).statements());
    }
    Map<String, List<String>> plans = new TreeMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      for (String q : statements) {
        plans.put(q, explain(c, q));
      }
    }
    List<String> scans = new ArrayList<>();
    History history = history();
    // the history budget's reads are meant to read every history row, in maintenance and info
    // only (docs/history.md, "The history budget"): the size reads each table once; finding the
    // budget's horizon reads each table once in its (entity, seq) key order, so the next version
    // of each row comes without a sort, then sums the removals in horizon order
    List<String> tables = List.of("memory_history", "agent_history", "session_history");
    assertThat(tableScans(plans.get(history.size)))
        .containsExactlyElementsOf(tables.stream().map(t -> "SCAN " + t).toList());
    for (String q : List.of(history.budgetHorizon, history.removable)) {
      List<String> keyOrder =
          new ArrayList<>(
              tables.stream()
                  .map(t -> "SCAN " + t + " USING INDEX sqlite_autoindex_" + t + "_1")
                  .toList());
      keyOrder.add("SCAN x");
      if (q.equals(history.budgetHorizon)) {
        keyOrder.add("SCAN y");
      }
      assertThat(tableScans(plans.get(q))).as(q).containsExactlyElementsOf(keyOrder);
    }
    for (Map.Entry<String, List<String>> e : plans.entrySet()) {
      String q = e.getKey();
      List<String> plan = e.getValue();
      if (List.of(history.size, history.budgetHorizon, history.removable).contains(q)) {
        continue;
      }
      if (q.startsWith("SELECT seq FROM ")
          && q.endsWith(" WHERE ts <= ? ORDER BY seq DESC LIMIT 1")) {
        // the seq at a time: the table's rows in seq (rowid) order from the end, stopping at the
        // first at or before the time (history rows are timed by a monotonic clock), so it reads
        // only the changes made after that time
        String table = q.substring("SELECT seq FROM ".length(), q.indexOf(" WHERE"));
        assertThat(plan).as(q).containsExactly("SCAN " + table);
        continue;
      }
      for (String line : tableScans(plan)) {
        // the subquery's own rows (one per entity), and SQLite's one-row-per-table sequence list
        if (!line.equals("SCAN l") && !line.equals("SCAN sqlite_sequence")) {
          scans.add(line + "  <=  " + q);
        }
      }
    }
    assertThat(scans).isEmpty();
    String key = "sqlite_autoindex_memory_history_1";
    assertThat(plans)
        .containsEntry(
            history().agentAt,
            List.of(
                "SEARCH agent_history USING INDEX sqlite_autoindex_agent_history_1"
                    + " (agent_id=? AND seq<?)"))
        .containsEntry(
            history().agentsAt,
            List.of(
                "CO-ROUTINE l",
                "SCAN agent_history USING COVERING INDEX sqlite_autoindex_agent_history_1",
                "SCAN l",
                "SEARCH h USING INTEGER PRIMARY KEY (rowid=?)",
                "USE TEMP B-TREE FOR ORDER BY"))
        .containsEntry(
            history().memoryScopeAt,
            List.of(
                "CO-ROUTINE l",
                "SEARCH memory_history USING COVERING INDEX " + key + " (scope=?)",
                "SCAN l",
                "SEARCH h USING INTEGER PRIMARY KEY (rowid=?)"));
    assertThat(plans.values())
        .contains(
            List.of(
                "SEARCH memory_history USING INDEX "
                    + key
                    + " (scope=? AND memory_type=? AND key=? AND seq>? AND seq<?)"),
            List.of(
                "SEARCH memory_history USING INDEX "
                    + key
                    + " (scope=? AND memory_type=? AND key=? AND seq<?)"),
            List.of("SEARCH agent_events USING COVERING INDEX idx_events_ts (ts<?)"));
  }

  private static History history() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.open(SwarmDbConfig.inMemory().build())) {
      return new History(db);
    }
  }

  /**
   * Every scoped_memory statement (schema v2) searches the table's primary key, or the TTL sweep
   * table's, never a scan; and each kind of statement was captured.
   */
  private static void assertScopedMemoryPlans(Path file, Set<String> statements) throws Exception {
    SqlMemory.Statements scoped =
        new SqlMemory.Statements(SqliteDialect.INSTANCE, SqlMemory.Table.SCOPED);
    String pk =
        "SEARCH scoped_memory USING INDEX sqlite_autoindex_scoped_memory_1 (scope=? AND memory_type=? AND key=?)";
    String ofType =
        "SEARCH scoped_memory USING INDEX sqlite_autoindex_scoped_memory_1 (scope=? AND memory_type=?)";
    String ofScope = "SEARCH scoped_memory USING INDEX sqlite_autoindex_scoped_memory_1 (scope=?)";
    String keysOfType = ofType.replace("USING INDEX", "USING COVERING INDEX");
    String purge =
        statements.stream()
            .filter(q -> q.startsWith("DELETE FROM scoped_memory WHERE (scope, memory_type, key)"))
            .findFirst()
            .orElseThrow();
    List<String> settings =
        statements.stream()
            .filter(q -> q.startsWith("SELECT name, value FROM swarm_settings"))
            .filter(q -> !q.equals(EventIndex.SELECT_UNIT_SETTINGS))
            .toList();
    assertThat(settings).as("the model check ran").hasSize(1);
    assertThat(statements)
        .contains(
            scoped.entry,
            scoped.upsert,
            scoped.keys,
            scoped.prefix,
            scoped.glob,
            scoped.recent,
            scoped.export,
            scoped.delete,
            scoped.clear,
            scoped.clearType,
            MemoryVectors.RECORD_SETTING);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      assertThat(explain(c, scoped.entry)).containsExactly(pk);
      assertThat(explain(c, scoped.delete)).containsExactly(pk);
      assertThat(explain(c, scoped.keys)).containsExactly(ofType);
      // the delete finds its rows in the key index alone
      assertThat(explain(c, scoped.clearType)).containsExactly(keysOfType);
      assertThat(explain(c, scoped.prefix)).containsExactly(ofType);
      assertThat(explain(c, scoped.glob)).containsExactly(ofType);
      assertThat(explain(c, scoped.clear))
          .containsExactly(ofScope.replace("USING INDEX", "USING COVERING INDEX"));
      assertThat(explain(c, scoped.export)).containsExactly(ofScope);
      assertThat(explain(c, scoped.recent))
          .containsExactly(ofScope, "USE TEMP B-TREE FOR ORDER BY");
      assertThat(explain(c, purge))
          .contains(
              pk.replace("USING INDEX", "USING COVERING INDEX"),
              "SEARCH scoped_memory_expiry USING PRIMARY KEY (expires_at<?)");
      assertThat(explain(c, settings.get(0)))
          .containsExactly("SEARCH swarm_settings USING PRIMARY KEY (name=?)");
      for (String q : List.of(scoped.upsert, MemoryVectors.RECORD_SETTING, purge)) {
        assertThat(tableScans(explain(c, q))).as(q).isEmpty();
      }
    }
  }

  /**
   * Recall's statements: full text through the FTS5 MATCH index with each hit's row found by its
   * primary key, entries by primary key, the settings by name. The switch's reindexing reads every
   * event by design (it runs once, when indexing is switched on).
   */
  @Test
  void recallSearchesTheFullTextIndexAndPrimaryKeys() throws Exception {
    Path file = dir.resolve("recall.db");
    SqliteDatabase.open(SwarmDbConfig.builder(file).build()).close();
    RecallSearch.Statements sql = new RecallSearch.Statements(false, SqliteDialect.INSTANCE);
    String sessionRow =
        "SEARCH m USING INDEX sqlite_autoindex_session_memory_1"
            + " (session_id=? AND memory_type=? AND key=?)";
    String scopedRow =
        "SEARCH m USING INDEX sqlite_autoindex_scoped_memory_1 (scope=? AND memory_type=? AND key=?)";
    String setting = "SEARCH swarm_settings USING PRIMARY KEY (name=?)";
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      assertThat(explain(c, sql.memoryText))
          // each arm in FTS5's rank order (idxNum 32: FTS5 sorts; snippets only for the rows
          // returned), the two arms' few rows then merged
          .containsExactly(
              "MERGE (UNION ALL)",
              "LEFT",
              "CO-ROUTINE (subquery-2)",
              "SCAN memory_fts VIRTUAL TABLE INDEX 32:M4",
              "LIST SUBQUERY 1",
              "SCAN json_each VIRTUAL TABLE INDEX 1:",
              "CREATE BLOOM FILTER",
              sessionRow,
              "SCAN (subquery-2)",
              "USE TEMP B-TREE FOR ORDER BY",
              "RIGHT",
              "CO-ROUTINE (subquery-5)",
              "SCAN memory_fts VIRTUAL TABLE INDEX 32:M4",
              "LIST SUBQUERY 4",
              "SCAN json_each VIRTUAL TABLE INDEX 1:",
              "CREATE BLOOM FILTER",
              scopedRow,
              "SCAN (subquery-5)",
              "USE TEMP B-TREE FOR ORDER BY");
      assertThat(explain(c, sql.eventText))
          .containsExactly(
              "SCAN event_fts VIRTUAL TABLE INDEX 32:M1", // FTS5's rank order: no sort of its own
              "SEARCH e USING INTEGER PRIMARY KEY (rowid=?)");
      assertThat(explain(c, sql.sessionEntry)).containsExactly(sessionRow);
      assertThat(explain(c, sql.scopedEntry)).containsExactly(scopedRow);
      assertThat(explain(c, RecallSearch.Statements.DIMENSION)).containsExactly(setting);
      assertThat(explain(c, EventIndex.SELECT_SETTING)).containsExactly(setting);
      assertThat(explain(c, EventIndex.SELECT_UNIT_SETTINGS)).containsExactly(setting);
      assertThat(explain(c, EventIndex.UPDATE_SETTING)).containsExactly(setting);
      // the detector: FTS5 without MATCH reads every row, and so does the switch's one-off work
      assertThat(tableScans(explain(c, "SELECT rowid FROM event_fts")))
          .containsExactly("SCAN event_fts VIRTUAL TABLE INDEX 0:");
      assertThat(tableScans(explain(c, EventIndex.SQLITE.empty())))
          .containsExactly("SCAN event_fts VIRTUAL TABLE INDEX 0:");
      assertThat(tableScans(explain(c, EventIndex.SQLITE.reindex())))
          .containsExactly("SCAN e", "SCAN t VIRTUAL TABLE INDEX 1:"); // t: json_tree of a row
    }
  }

  /**
   * Vector search: a search filtered by scope reads only that scope's rows, by key (with or without
   * a memory type); so do the candidate count, the re-ranking's lookup of one vector and the
   * settings read. Only the unfiltered search, which by definition reads every vector, scans the
   * two tables. On {@code session_memory} (a rowid table) SQLite finds one session's rows through
   * {@code idx_memory_session_updated (session_id, ...)}, a prefix as selective as the primary
   * key's; with a type it takes the primary key itself.
   */
  @Test
  void aScopeFilteredVectorSearchReadsOnlyItsScopeByKey() throws Exception {
    Path file = dir.resolve("vectors.db");
    SqliteDatabase.open(SwarmDbConfig.builder(file).build()).close();
    VectorSearch.Table session = VectorSearch.Table.SESSION;
    VectorSearch.Table scoped = VectorSearch.Table.SCOPED;
    String sessionPk = "SEARCH session_memory USING INDEX sqlite_autoindex_session_memory_1";
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      for (String column : List.of("embedding", "embedding_q8")) {
        assertThat(explain(c, session.scan(true, false, column)))
            .containsExactly(
                "SEARCH session_memory USING INDEX idx_memory_session_updated (session_id=?)");
        assertThat(explain(c, session.scan(true, true, column)))
            .containsExactly(sessionPk + " (session_id=? AND memory_type=?)");
        assertThat(explain(c, scoped.scan(true, false, column)))
            .containsExactly(
                "SEARCH scoped_memory USING INDEX sqlite_autoindex_scoped_memory_1 (scope=?)");
        assertThat(explain(c, scoped.scan(true, true, column)))
            .containsExactly(
                "SEARCH scoped_memory USING INDEX sqlite_autoindex_scoped_memory_1 (scope=? AND memory_type=?)");
        // every scope: every row is a candidate
        assertThat(explain(c, session.scan(false, false, column)))
            .containsExactly("SCAN session_memory");
        assertThat(explain(c, session.scan(false, true, column)))
            .containsExactly(
                "SEARCH session_memory USING INDEX idx_memory_type_key (memory_type=?)");
        assertThat(explain(c, scoped.scan(false, false, column)))
            .containsExactly("SCAN scoped_memory");
        assertThat(explain(c, scoped.scan(false, true, column)))
            .containsExactly("SCAN scoped_memory");
      }
      assertThat(explain(c, session.count(true, false)))
          .containsExactly(
              "SEARCH session_memory USING COVERING INDEX idx_memory_session_updated"
                  + " (session_id=?)");
      assertThat(explain(c, session.count(true, true)))
          .containsExactly(
              "SEARCH session_memory USING COVERING INDEX sqlite_autoindex_session_memory_1"
                  + " (session_id=? AND memory_type=?)");
      assertThat(explain(c, session.count(false, false)))
          .containsExactly("SCAN session_memory USING COVERING INDEX idx_memory_session_updated");
      assertThat(explain(c, session.count(false, true)))
          .containsExactly(
              "SEARCH session_memory USING COVERING INDEX idx_memory_type_key (memory_type=?)");
      String scopedKey = "scoped_memory USING COVERING INDEX sqlite_autoindex_scoped_memory_1";
      assertThat(explain(c, scoped.count(true, false)))
          .containsExactly("SEARCH " + scopedKey + " (scope=?)");
      assertThat(explain(c, scoped.count(true, true)))
          .containsExactly("SEARCH " + scopedKey + " (scope=? AND memory_type=?)");
      assertThat(explain(c, scoped.count(false, false))).containsExactly("SCAN " + scopedKey);
      assertThat(explain(c, scoped.count(false, true))).containsExactly("SCAN " + scopedKey);
      assertThat(explain(c, session.vectors))
          .containsExactly(sessionPk + " (session_id=? AND memory_type=? AND key=?)");
      assertThat(explain(c, scoped.vectors))
          .containsExactly(
              "SEARCH scoped_memory USING INDEX sqlite_autoindex_scoped_memory_1 (scope=? AND memory_type=? AND key=?)");
      assertThat(explain(c, VectorSearch.SETTINGS))
          .containsExactly("SEARCH swarm_settings USING PRIMARY KEY (name=?)");
      // the index's position and changes read the history by seq, a changed row by key
      assertThat(explain(c, VectorIndex.POSITION))
          .containsExactly(
              "SCAN CONSTANT ROW",
              "SCALAR SUBQUERY 1",
              "SEARCH swarm_settings USING PRIMARY KEY (name=?)",
              "SCALAR SUBQUERY 2",
              "SEARCH memory_history");
      assertThat(explain(c, VectorIndex.CHANGES))
          .containsExactly("SEARCH memory_history USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)");
      assertThat(explain(c, session.indexRow))
          .containsExactly(sessionPk + " (session_id=? AND memory_type=? AND key=?)");
      assertThat(explain(c, scoped.indexRow))
          .containsExactly(
              "SEARCH scoped_memory USING INDEX sqlite_autoindex_scoped_memory_1 (scope=? AND memory_type=? AND key=?)");
      assertThat(explain(c, session.indexBuild)).containsExactly("SCAN session_memory");
      assertThat(explain(c, scoped.indexBuild)).containsExactly("SCAN scoped_memory");
      // the statements are what they claim: the filters are there, and only the named column
      assertThat(scoped.scan(true, true, "embedding_q8"))
          .isEqualTo(
              "SELECT scope, memory_type, key, embedding_q8 FROM scoped_memory WHERE scope = ?"
                  + " AND memory_type = ? AND embedding_model = ?"
                  + " AND (expires_at IS NULL OR expires_at > ?)");
      assertThat(session.count(false, false)).isEqualTo("SELECT count(*) FROM session_memory");
    }
  }

  static List<String> tableScans(List<String> plan) {
    List<String> out = new ArrayList<>();
    for (String line : plan) {
      Matcher m = SCAN.matcher(line);
      // sqlite_schema, SQLite's own catalog (a few rows, and no index can exist on it), is read
      // by the "does this table exist" check; every other table must be searched by an index
      // an FTS5 table searched through its MATCH index (idxStr starting "M"), and json_each over
      // a bound parameter (the recall's scope list), are no scans of stored rows
      if (m.find()
          && !m.group(1).equals("CONSTANT")
          && !m.group(1).equals("sqlite_schema")
          && !m.group(1).equals("json_each")
          && !FTS_MATCH.matcher(m.group(2)).lookingAt()
          && !m.group(2).startsWith(" USING COVERING INDEX")) {
        out.add(line);
      }
    }
    return out;
  }

  static List<String> explain(Connection c, String sql) throws SQLException {
    List<String> lines = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
      while (rs.next()) {
        lines.add(rs.getString("detail"));
      }
    }
    return lines;
  }

  /** Statements the DAOs run without the statement cache. */
  static List<String> uncachedStatements() {
    return List.of(
        "SELECT count(*) FROM agent_events",
        "SELECT coalesce(max(seq), 0) FROM agent_events",
        "SELECT count(*) FROM sessions",
        "SELECT last_insert_rowid()",
        MigrationEngine.APPLIED_SQL);
  }

  /** Every filter combination, with and without a cursor, as query and as count. */
  static List<String> everyEventQueryShape() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    AgentEvent stored = new AgentEvent(5, "e", "run", "a", null, null, t, Map.of());
    List<String> out = new ArrayList<>();
    for (int mask = 0; mask < 16; mask++) {
      EventQuery q = EventQuery.all();
      if ((mask & 1) != 0) {
        q = q.withAgent("a");
      }
      if ((mask & 2) != 0) {
        q = q.withType("run");
      }
      if ((mask & 4) != 0) {
        q = q.withSession("s");
      }
      if ((mask & 8) != 0) {
        q = q.withWindow(t, t.plusSeconds(60));
      }
      out.add(EventQuerySql.sql(SqlEventStore.columns(SqliteDialect.INSTANCE), q, false));
      out.add(EventQuerySql.sql(SqlEventStore.columns(SqliteDialect.INSTANCE), q, true));
      out.add(
          EventQuerySql.sql(SqlEventStore.columns(SqliteDialect.INSTANCE), q.after(stored), false));
    }
    return out;
  }

  private static void runEveryDaoMethod(SqliteDatabase db) {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    EventStore events = db.daos().events();
    AgentEvent e = events.append(new AgentEvent(0, "e1", "run", "a", "w", "s", t, Map.of("k", 1)));
    events.append(e);
    events.appendAsync(AgentEvent.of("spawn", "a", "w", Map.of())).join();
    events.appendAll(
        List.of(
            new AgentEvent(0, "e2", "run", "b", "w", "s", t.plusSeconds(1), Map.of()),
            new AgentEvent(0, "e1", "run", "b", "w", "s", t.plusSeconds(2), Map.of())));
    events.appendAll(List.of(new AgentEvent(0, "e3", "run", "b", "w", "s", t, Map.of())));
    for (String sql : everyEventQueryShape()) {
      assertThat(sql).isNotBlank();
    }
    events.query(EventQuery.agent("a").withType("run").withSession("s"));
    events.query(EventQuery.between(t, t.plusSeconds(9)));
    try (Stream<AgentEvent> s = events.stream(EventQuery.all().limit(2))) {
      assertThat(s.count()).isEqualTo(2);
    }
    events.since(0, 10);
    events.get("e1");
    events.count();
    events.count(EventQuery.type("run"));
    events.countByType();
    events.countByTypeAfter(0);
    events.countByTypeAfter(1);
    events.lastSeq();

    SqlSessionStore sessions = new SqlSessionStore(db);
    sessions.start("s");
    sessions.start("s2");
    sessions.end("s2");
    sessions.get("s");
    sessions.open(10);
    sessions.recent(10);
    sessions.page(false, null, 10);
    sessions.page(true, "s", 10);
    sessions.count();
    sessions.startIfAbsent("s", Map.of());
    SessionMemory m = sessions.memory("s");
    m.put("semantic", "k", 1, Duration.ofMinutes(1));
    m.putIfVersion("semantic", "k", 1, null, 1);
    m.putIfVersion("semantic", "new", 1, null, 0);
    m.count();
    m.count("semantic");
    m.putAll("semantic", Map.of("k2", 2), null);
    m.get("semantic", "k", Integer.class);
    m.getAll("semantic", List.of("k", "k2"));
    m.keys("semantic");
    m.findByPrefix("semantic", "k");
    m.findByGlob("semantic", "k*");
    m.recent(10);
    m.importJson(m.exportJson());
    sessions.newest("semantic", "k");
    m.delete("semantic", "k");
    m.deleteAll("semantic", List.of("k2", "new"));
    m.clear("semantic");
    m.clear();

    // a scope beyond a session: scoped_memory, every operation
    io.moaiflow.swarmdb.Memory a = sessions.memory(io.moaiflow.swarmdb.Scope.agent("a"));
    a.put("semantic", "k", 1, Duration.ofMinutes(1));
    a.putIfVersion("semantic", "k", 1, null, 1);
    a.putIfVersion("semantic", "new", 1, null, 0);
    a.count();
    a.count("semantic");
    a.putAll("semantic", Map.of("k2", 2), null);
    a.get("semantic", "k", Integer.class);
    a.getAll("semantic", List.of("k", "k2"));
    a.keys("semantic");
    a.findByPrefix("semantic", "k");
    a.findByGlob("semantic", "k*");
    a.recent(10);
    a.importJson(a.exportJson());
    a.delete("semantic", "k");
    a.deleteAll("semantic", List.of("k2", "new"));
    a.clear("semantic");
    a.clear();

    SqlAgentRegistry agents = new SqlAgentRegistry(db);
    agents.register("a", "w", "s", Map.of());
    agents.register("b", "w");
    agents.heartbeat("a");
    agents.transition("a", AgentStatus.RUNNING);
    agents.transition("b", AgentStatus.SPAWNED, AgentStatus.RUNNING);
    agents.registerIfAbsent("b", "w", null, Map.of());
    agents.get("a");
    agents.active();
    agents.byType("w");
    agents.byType("w", AgentStatus.RUNNING);
    agents.bySession("s");
    agents.countByStatus();
    agents.page(null, null, null, 10);
    agents.page(AgentStatus.RUNNING, null, "a", 10);
    agents.page(null, "s", null, 10);
    agents.page(AgentStatus.RUNNING, "s", "a", 10);
    agents.sweepStale(Duration.ofDays(1));

    RecallSearch recall = new RecallSearch(db);
    m.put("semantic", "k", "recall me");
    recall.recall(
        io.moaiflow.swarmdb.Recall.query("recall run")
            .scopes(io.moaiflow.swarmdb.Scope.swarm())
            .memoryType("semantic")
            .agent("a")
            .eventType("run"));
    recall.recall(
        io.moaiflow.swarmdb.Recall.query("recall").vector(new float[] {1, 0, 0, 0, 0, 0, 0, 0}));

    sessions.memory(io.moaiflow.swarmdb.Scope.agent("a")).put("semantic", "gone", 1);
    sessions.erase("s");

    Maintenance maintenance = db.daos().maintenance();
    maintenance.deleteEventsOlderThan(Duration.ofDays(1));
    maintenance.purgeExpiredMemory();
    db.daos().migrator().status();
  }
}
