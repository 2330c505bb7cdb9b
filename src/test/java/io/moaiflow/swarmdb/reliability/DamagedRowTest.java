package io.moaiflow.swarmdb.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SalvagedEvents;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.health.CheckResult;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 4: one row whose stored JSON is damaged (written over with plain JDBC, or bytes
 * flipped inside the row in the file, which integrity_check cannot see) is CORRUPT naming the table
 * and the row on every reader, never INVALID_ARGUMENT; the other rows stay readable; the JSON check
 * lists exactly the damaged rows; salvage skips and reports them; nothing is changed.
 */
class DamagedRowTest {
  static final int EVENTS = 25;
  static final int BAD_SEQ = 13;

  @TempDir Path dir;
  Path file;

  @BeforeEach
  void create() {
    file = dir.resolve("damaged.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      List<AgentEvent> batch = new ArrayList<>();
      for (int i = 1; i <= EVENTS; i++) {
        // a marker of the same length in every row, unique per row, to find it in the file
        String marker = String.format("MARK%04dX", i);
        batch.add(
            new AgentEvent(
                0,
                "e" + i,
                "run",
                "agent",
                null,
                "s",
                Instant.ofEpochMilli(1_000L * i),
                Map.of("m", marker, "i", i)));
      }
      db.events().appendAll(batch);
      db.sessions().start("s", Map.of("who", "ok"));
      db.sessions().start("bad-session", Map.of("who", "x"));
      db.agents().register("ok-agent", "w");
      db.agents().register("bad-agent", "w", null, Map.of("k", 1));
      SessionMemory m = db.sessions().memory("s");
      m.put("semantic", "good", Map.of("v", 1));
      m.put("semantic", "bad", Map.of("v", 2));
      m.put("semantic", "text", "just a string");
    }
  }

  /**
   * Damages rows as damage on disk would: past the triggers that keep the full-text index (they
   * parse every memory value written and would refuse text that is not JSON).
   */
  private void sql(String... statements) throws Exception {
    io.moaiflow.swarmdb.PlainSql.damage(file, statements);
  }

  private String stored(String query) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  private static SwarmDbException corrupt(Runnable call, String... message) {
    SwarmDbException e = catchThrowableOfType(SwarmDbException.class, call::run);
    assertThat(e).as("expected CORRUPT").isNotNull();
    assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.CORRUPT);
    assertThat(e.getMessage()).contains(message).contains("verify --full");
    return e;
  }

  /** Flips bytes of one row's marker inside the file: {"m":"MARK0013X"} -> {"m":MARK0013X!!}. */
  private void flipBytesOfRow(int i) throws Exception {
    byte[] marker = ("\"" + String.format("MARK%04dX", i) + "\"").getBytes(StandardCharsets.UTF_8);
    byte[] all = Files.readAllBytes(file);
    int at = indexOf(all, marker);
    assertThat(at).as("marker of row %d in the file", i).isNotNegative();
    assertThat(indexOf(all, marker, at + 1)).as("marker once").isNegative();
    byte[] damaged = new byte[marker.length];
    System.arraycopy(marker, 1, damaged, 0, marker.length - 1);
    damaged[marker.length - 2] = '!';
    damaged[marker.length - 1] = '!';
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      f.write(damaged);
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    return indexOf(hay, needle, 0);
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void bytesFlippedInsideOneEventAreCorruptNamingTheSeqAndIntegrityCheckCannotSeeThem()
      throws Exception {
    flipBytesOfRow(BAD_SEQ);
    String before = stored("SELECT metadata FROM agent_events WHERE seq = " + BAD_SEQ);
    assertThat(before).contains("MARK0013X!!");
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(db.maintenance().integrityCheck().ok()).isTrue();
      assertEventReadersReport(db);
      CheckResult json = db.maintenance().jsonCheck();
      assertThat(json.ok()).isFalse();
      assertThat(json.problems())
          .containsExactly("agent_events row seq " + BAD_SEQ + ": metadata is not valid JSON");
    }
    assertThat(stored("SELECT metadata FROM agent_events WHERE seq = " + BAD_SEQ))
        .isEqualTo(before);
  }

  private static void assertEventReadersReport(SwarmDB db) {
    String row = "agent_events row seq " + BAD_SEQ;
    corrupt(() -> db.events().get("e" + BAD_SEQ), row);
    corrupt(() -> db.events().since(0, 100), row);
    corrupt(() -> db.events().since(BAD_SEQ - 1, 1), row);
    corrupt(() -> db.events().query(EventQuery.agent("agent")), row);
    corrupt(
        () -> {
          try (Stream<AgentEvent> s = db.events().stream(EventQuery.all())) {
            s.forEach(e -> {});
          }
        },
        row);
    // every other row reads
    assertThat(db.events().get("e" + (BAD_SEQ - 1)).orElseThrow().seq()).isEqualTo(BAD_SEQ - 1);
    assertThat(db.events().since(BAD_SEQ, 100)).hasSize(EVENTS - BAD_SEQ);
    assertThat(db.events().since(0, BAD_SEQ - 1)).hasSize(BAD_SEQ - 1);
    assertThat(db.events().count()).isEqualTo(EVENTS);

    // salvage: every readable row, the damaged one reported by seq, across page boundaries
    List<Long> seqs = new ArrayList<>();
    List<Long> damaged = new ArrayList<>();
    long cursor = 0;
    while (true) {
      SalvagedEvents page = db.events().salvageSince(cursor, 4);
      if (page.events().isEmpty() && page.damaged().isEmpty()) {
        assertThat(page.lastSeq()).isEqualTo(cursor);
        break;
      }
      page.events().forEach(e -> seqs.add(e.seq()));
      page.damaged()
          .forEach(
              (seq, why) -> {
                damaged.add(seq);
                assertThat(why).contains(row).contains("metadata");
              });
      assertThat(page.events().size() + page.damaged().size()).isLessThanOrEqualTo(4);
      assertThat(page.lastSeq()).isGreaterThan(cursor);
      cursor = page.lastSeq();
    }
    assertThat(damaged).containsExactly((long) BAD_SEQ);
    assertThat(seqs).hasSize(EVENTS - 1).doesNotContain((long) BAD_SEQ).isSorted();
  }

  @Test
  void invalidJsonWrittenIntoEveryJsonColumnIsCorruptNamingEachRow() throws Exception {
    sql(
        "UPDATE agent_events SET metadata = '{\"a\":' WHERE seq = " + BAD_SEQ,
        "UPDATE agents SET metadata = '[1,2]' WHERE agent_id = 'bad-agent'",
        "UPDATE sessions SET metadata = '' WHERE session_id = 'bad-session'",
        "UPDATE session_memory SET value = '{\"v\":2' WHERE key = 'bad'");
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(db.maintenance().integrityCheck().ok()).isTrue();
      assertEventReadersReport(db);
      corrupt(() -> db.agents().get("bad-agent"), "agents row agent_id 'bad-agent'", "metadata");
      corrupt(() -> db.agents().active(), "agents row agent_id 'bad-agent'");
      assertThat(db.agents().get("ok-agent")).isPresent();
      corrupt(() -> db.sessions().get("bad-session"), "sessions row session_id 'bad-session'");
      assertThat(db.sessions().get("s").orElseThrow().metadata()).containsEntry("who", "ok");
      SessionMemory m = db.sessions().memory("s");
      String memRow = "session_memory row session 's' type 'semantic' key 'bad'";
      corrupt(() -> m.get("semantic", "bad", Object.class), memRow, "value");
      corrupt(() -> m.get("semantic", "bad", Map.class), memRow);
      corrupt(m::exportJson, memRow);
      // entries hand the stored text on as is: damaged text is refused, not passed on
      corrupt(() -> m.entry("semantic", "bad"), memRow);
      corrupt(() -> m.getAll("semantic", List.of("good", "bad")), memRow);
      corrupt(() -> m.findByPrefix("semantic", "b"), memRow);
      corrupt(() -> m.recent(10), memRow);
      corrupt(() -> db.sessions().newest("semantic", "bad"), memRow);
      assertThat(m.entry("semantic", "good").orElseThrow().valueJson()).isEqualTo("{\"v\":1}");
      // a value followed by more text is damage too, also for a typed get (which parses the text
      // itself instead of scanning it first)
      sql("UPDATE session_memory SET value = '\"x\" 7' WHERE key = 'text'");
      String textRow = "session_memory row session 's' type 'semantic' key 'text'";
      corrupt(() -> m.get("semantic", "text", String.class), textRow, "value");
      corrupt(() -> m.entry("semantic", "text"), textRow);
      sql("UPDATE session_memory SET value = '\"just a string\"' WHERE key = 'text'");
      assertThat(m.get("semantic", "good", Map.class)).contains(Map.of("v", 1));
      // a readable value read as the wrong type is still the caller's mistake
      SwarmDbException wrongType =
          catchThrowableOfType(
              SwarmDbException.class, () -> m.get("semantic", "text", Integer.class));
      assertThat(wrongType.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);

      CheckResult json = db.maintenance().jsonCheck();
      assertThat(json.check()).isEqualTo("json_valid");
      assertThat(json.problems())
          .containsExactly(
              "agent_events row seq " + BAD_SEQ + ": metadata is not valid JSON",
              "agents row agent_id 'bad-agent': metadata is valid JSON but not an object",
              "sessions row session_id 'bad-session': metadata is not valid JSON",
              memRow + ": value is not valid JSON");
    }
    // the checks and the failed reads changed nothing
    assertThat(stored("SELECT metadata FROM agent_events WHERE seq = " + BAD_SEQ))
        .isEqualTo("{\"a\":");
    assertThat(stored("SELECT value FROM session_memory WHERE key = 'bad'")).isEqualTo("{\"v\":2");
  }

  @Test
  void anIntactDatabasePassesTheJsonCheck() {
    try (SwarmDB db = SwarmDB.open(file)) {
      CheckResult json = db.maintenance().jsonCheck();
      assertThat(json.ok()).as(json.problems().toString()).isTrue();
      SalvagedEvents all = db.events().salvageSince(0, 100);
      assertThat(all.events()).hasSize(EVENTS);
      assertThat(all.damaged()).isEmpty();
      assertThat(all.lastSeq()).isEqualTo(EVENTS);
    }
  }

  @Test
  void damageOutsideJsonColumnsIsCorruptToo() throws Exception {
    // a type name no write accepts: damage, not a bad argument
    sql("UPDATE agent_events SET event_type = 'r u n' WHERE seq = " + BAD_SEQ);
    try (SwarmDB db = SwarmDB.open(file)) {
      corrupt(() -> db.events().get("e" + BAD_SEQ), "agent_events row seq " + BAD_SEQ, "eventType");
      assertThat(db.events().salvageSince(0, 100).damaged()).containsOnlyKeys((long) BAD_SEQ);
    }
  }
}
