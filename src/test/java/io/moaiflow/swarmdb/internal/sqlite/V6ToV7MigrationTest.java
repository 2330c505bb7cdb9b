package io.moaiflow.swarmdb.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SchemaV1;
import io.moaiflow.swarmdb.SchemaV7;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.migrate.V1ToV2MigrationTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration that makes each history trigger move the sequence's high-water mark itself, V6 to
 * V7, on v6 files (the checked-in v1 file migrated by the v6 scripts): the second trigger of each
 * history table goes, the {@code agent_events} row of {@code sqlite_sequence} is there afterwards
 * (created from the largest stored seq when a file had none), and events and recorded changes keep
 * drawing distinct, increasing numbers from the one sequence. A file whose mark was deleted or set
 * back is reported by the check and refused as CORRUPT by the next recorded change, which leaves
 * the file as it was.
 */
class V6ToV7MigrationTest {
  @TempDir Path dir;

  private static long query(Path file, String sql) throws Exception {
    return V2ToV3MigrationTest.V1ToV3Queries.query(file, sql);
  }

  private static List<String> triggers(Path file) throws Exception {
    return V1ToV2MigrationTest.strings(
        file, "SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name");
  }

  /** Every seq the four tables hold, in the order they were numbered. */
  private static List<Long> allSeqs(Path file) throws Exception {
    return V1ToV2MigrationTest.strings(
            file,
            "SELECT seq FROM agent_events UNION ALL SELECT seq FROM memory_history UNION ALL"
                + " SELECT seq FROM agent_history UNION ALL SELECT seq FROM session_history"
                + " ORDER BY 1")
        .stream()
        .map(Long::valueOf)
        .toList();
  }

  /** One change of each kind and an event between each: every one takes the next number. */
  private static List<Long> writeOneOfEach(SwarmDB db) {
    List<Long> seqs = new ArrayList<>();
    seqs.add(db.events().append(AgentEvent.of("x", "agent-a", null, Map.of())).seq());
    db.memory(Scope.swarm()).put("semantic", "goal", "ship");
    seqs.add(db.memory(Scope.swarm()).history("semantic", "goal").get(0).seq());
    seqs.add(db.events().append(AgentEvent.of("x", "agent-a", null, Map.of())).seq());
    db.sessions().start("s-7");
    db.sessions().memory("s-7").put("context", "k", 1);
    seqs.add(db.sessions().memory("s-7").history("context", "k").get(0).seq());
    db.agents().register("agent-7", "coder");
    seqs.add(db.events().append(AgentEvent.of("x", "agent-a", null, Map.of())).seq());
    db.memory(Scope.swarm()).delete("semantic", "goal");
    List<io.moaiflow.swarmdb.MemoryVersion> goal =
        db.memory(Scope.swarm()).history("semantic", "goal");
    seqs.add(goal.get(goal.size() - 1).seq());
    seqs.add(db.events().append(AgentEvent.of("x", "agent-a", null, Map.of())).seq());
    return seqs;
  }

  private static void assertOneSequence(Path file, List<Long> inWriteOrder) throws Exception {
    assertThat(inWriteOrder).isSorted().doesNotHaveDuplicates();
    List<Long> all = allSeqs(file);
    assertThat(all).as("no seq is used twice across the four tables").doesNotHaveDuplicates();
    assertThat(query(file, "SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'"))
        .as("the mark is the largest number handed out")
        .isEqualTo(all.get(all.size() - 1));
  }

  @Test
  void aV6FileLosesTheSecondTriggersAndKeepsOneSequence() throws Exception {
    Path file = OldFiles.atVersion(dir, 6, "inline links");
    assertThat(triggers(file)).containsAll(SchemaV7.DROPPED_SQLITE_TRIGGERS);
    long markBefore = query(file, "SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'");
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(db.migrator().currentVersion()).isEqualTo(SchemaV7.LATEST);
      assertThat(db.maintenance().integrityCheck().problems()).isEmpty();
      assertThat(db.inspect().info().indexes()).containsExactlyElementsOf(SchemaV1.INDEXES);
      assertThat(query(file, "SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'"))
          .as("a file with events keeps its mark")
          .isEqualTo(markBefore);
      List<Long> seqs = writeOneOfEach(db);
      assertThat(seqs.get(0)).isEqualTo(markBefore + 1);
      assertOneSequence(file, seqs);
    }
    assertThat(triggers(file)).isEqualTo(SchemaV7.SQLITE_TRIGGERS);
    assertThat(OldFiles.explicitIndexes(file)).isEqualTo(12);
    Path backup = OldFiles.backupOf(dir.resolve("swarm-v6.db"));
    assertThat(query(backup, "PRAGMA user_version")).isEqualTo(6);
  }

  @Test
  void aV6FileWithoutAMarkGetsOneFromItsLargestSeq() throws Exception {
    // a v6 file whose log was never appended to has no sqlite_sequence row, yet its history
    // triggers numbered rows; here the v1 file's mark is deleted to leave it that way
    Path file =
        OldFiles.atVersion(
            dir,
            6,
            "inline links",
            "INSERT INTO scoped_memory (scope, memory_type, key, value, version, created_at,"
                + " updated_at) VALUES ('swarm', 'semantic', 'old', '\"v6\"', 1, 1, 1)",
            "DELETE FROM sqlite_sequence");
    long largest =
        query(
            file,
            "SELECT max((SELECT max(seq) FROM agent_events), (SELECT max(seq) FROM"
                + " memory_history), (SELECT max(seq) FROM agent_history), (SELECT max(seq) FROM"
                + " session_history))");
    assertThat(largest).isGreaterThan(query(file, "SELECT max(seq) FROM agent_events"));
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(query(file, "SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'"))
          .isEqualTo(largest);
      List<Long> seqs = writeOneOfEach(db);
      assertThat(seqs.get(0)).isEqualTo(largest + 1);
      assertOneSequence(file, seqs);
    }
  }

  @Test
  void aNewFileHasItsMarkBeforeItsFirstEvent() throws Exception {
    Path file = dir.resolve("new.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(query(file, "SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'"))
          .isZero();
      db.memory(Scope.swarm()).put("semantic", "first", 1);
      assertThat(db.memory(Scope.swarm()).history("semantic", "first").get(0).seq()).isEqualTo(1);
      List<Long> seqs = writeOneOfEach(db);
      assertThat(seqs.get(0)).isEqualTo(2);
      assertOneSequence(file, seqs);
    }
  }

  @Test
  void aDeletedMarkIsReportedAndRefusedAsCorruptLeavingTheFileAsItWas() throws Exception {
    Path file = dir.resolve("damaged.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      db.events().append(AgentEvent.of("x", "agent-a", null, Map.of()));
      db.memory(Scope.swarm()).put("semantic", "kept", 1);
    }
    V1ToV2MigrationTest.sql(file, "DELETE FROM sqlite_sequence WHERE name = 'agent_events'");
    long historyRows = query(file, "SELECT count(*) FROM memory_history");
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(db.maintenance().quickCheck().problems())
          .singleElement()
          .asString()
          .contains("sqlite_sequence has no agent_events row")
          .contains("the largest stored seq is 2");
      assertThatThrownBy(() -> db.memory(Scope.swarm()).put("semantic", "new", 2))
          .isInstanceOfSatisfying(
              SwarmDbException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT);
                assertThat(e.getMessage())
                    .contains("sqlite_sequence")
                    .contains("swarmdb restore --from FILE");
              });
      assertThatThrownBy(() -> db.agents().register("agent-b", "coder"))
          .isInstanceOfSatisfying(
              SwarmDbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT));
      assertThat(db.memory(Scope.swarm()).get("semantic", "new", Integer.class)).isEmpty();
      assertThat(db.agents().get("agent-b")).isEmpty();
    }
    assertThat(query(file, "SELECT count(*) FROM memory_history")).isEqualTo(historyRows);
    assertThat(query(file, "SELECT count(*) FROM sqlite_sequence")).isZero();
  }

  @Test
  void aMarkBelowAStoredSeqIsReportedAtTheLimit() throws Exception {
    Path file = dir.resolve("behind.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      db.events().append(AgentEvent.of("x", "agent-a", null, Map.of()));
      db.memory(Scope.swarm()).put("semantic", "kept", 1);
    }
    long largest = query(file, "SELECT max(seq) FROM memory_history");
    for (long mark : new long[] {largest + 1, largest, largest - 1}) {
      V1ToV2MigrationTest.sql(
          file, "UPDATE sqlite_sequence SET seq = " + mark + " WHERE name = 'agent_events'");
      try (SwarmDB db = SwarmDB.open(file)) {
        List<String> problems = db.maintenance().quickCheck().problems();
        if (mark >= largest) {
          assertThat(problems).as("mark %d", mark).isEmpty();
        } else {
          assertThat(problems)
              .singleElement()
              .asString()
              .contains("mark is " + mark + ", below the largest stored seq " + largest);
        }
      }
    }
  }

  @Test
  void aMarkThatIsNoIntegerIsReportedAndRefusedAsCorrupt() throws Exception {
    Path file = dir.resolve("null-mark.db");
    try (SwarmDB db = SwarmDB.open(file)) {
      db.memory(Scope.swarm()).put("semantic", "kept", 1);
    }
    V1ToV2MigrationTest.sql(
        file, "UPDATE sqlite_sequence SET seq = NULL WHERE name = 'agent_events'");
    try (SwarmDB db = SwarmDB.open(file)) {
      assertThat(db.maintenance().quickCheck().problems())
          .singleElement()
          .asString()
          .contains("sqlite_sequence's agent_events mark is not an integer")
          .contains("the largest stored seq is 1");
      assertThatThrownBy(() -> db.memory(Scope.swarm()).put("semantic", "new", 2))
          .isInstanceOfSatisfying(
              SwarmDbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT));
      assertThat(db.memory(Scope.swarm()).get("semantic", "new", Integer.class)).isEmpty();
    }
  }
}
