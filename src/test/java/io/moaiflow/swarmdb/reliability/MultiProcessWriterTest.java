package io.moaiflow.swarmdb.reliability;

import static io.moaiflow.swarmdb.SwarmAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Item 5: several processes writing one file. The children are released together (a line on stdin),
 * so they also race to create and migrate the new file. Every child must finish without any error
 * reaching its caller, and the file must hold exactly the sum of their rows. A second test holds
 * the write lock from another process past the busy timeout and expects a clear BUSY.
 */
@Tag("reliability")
class MultiProcessWriterTest {
  static final int ROWS_PER_PROCESS = 1_500;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(ints = {2, 4})
  void concurrentProcessesLoseNothingAndSeeNoBusy(int processes) throws Exception {
    Path db = dir.resolve("shared.db");
    List<ChildJvm> children =
        ChildJvm.startReady(
            processes,
            dir,
            "child",
            p ->
                new String[] {
                  "writer",
                  db.toString(),
                  "NORMAL",
                  "p" + p,
                  Integer.toString(ROWS_PER_PROCESS),
                  "go"
                });
    try {
      ChildJvm.sendAll(children, "go");
      for (ChildJvm c : children) {
        int exit = c.waitFor(300);
        List<String> errors = c.lines().stream().filter(l -> l.startsWith("ERROR")).toList();
        assertThat(errors).as("errors reaching the caller").isEmpty();
        assertThat(exit).as("exit code; stderr: %s", c.stderrText()).isZero();
        assertThat(c.lines()).contains("DONE " + ROWS_PER_PROCESS);
      }
    } finally {
      children.forEach(ChildJvm::close);
    }
    long rows = DbFiles.queryLong(db, "SELECT count(*) FROM agent_events");
    long distinct = DbFiles.queryLong(db, "SELECT count(DISTINCT event_id) FROM agent_events");
    assertThat(rows).isEqualTo((long) processes * ROWS_PER_PROCESS).isEqualTo(distinct);
    assertThat(DbFiles.integrityCheck(db)).containsExactly("ok");
    assertThat(DbFiles.queryLong(db, "SELECT count(*) FROM schema_history"))
        .isEqualTo(io.moaiflow.swarmdb.SchemaV7.LATEST);
    System.out.printf(
        "FIGURES multiprocess processes=%d rowsEach=%d rowsFound=%d%n",
        processes, ROWS_PER_PROCESS, rows);
  }

  @Test
  void writeLockHeldPastTheBusyTimeoutGivesAClearBusy() throws Exception {
    Path db = dir.resolve("locked.db");
    Duration timeout = Duration.ofMillis(300);
    try (SwarmDB swarm = SwarmDB.open(SwarmDbConfig.builder(db).busyTimeout(timeout).build())) {
      swarm.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()));
      try (ChildJvm locker =
          ChildJvm.start(ReliabilityChild.class, dir.resolve("lock.err"), "lock", db.toString())) {
        assertThat(locker.awaitLine("LOCKED", 120)).as(locker.stderrText()).isNotNull();
        long start = System.nanoTime();
        assertThat(
                assertFails(
                        ErrorCode.BUSY,
                        () ->
                            swarm.events().append(AgentEvent.of("run", "agent-1", null, Map.of())))
                    .getMessage())
            .contains(db.toString())
            .contains("busy timeout")
            .contains("raise busyTimeout");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .as("the writer waited for the busy timeout before giving up")
            .isGreaterThanOrEqualTo(timeout);
        locker.send("release");
        assertThat(locker.awaitLine("RELEASED", 60)).isNotNull();
        assertThat(locker.waitFor(60)).isZero();
      }
      AgentEvent after = swarm.events().append(AgentEvent.of("run", "agent-1", null, Map.of()));
      assertThat(swarm.events().get(after.eventId())).isPresent();
      assertThat(swarm.events().count()).isEqualTo(2);
    }
  }
}
