package io.moaiflow.swarmdb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.Synchronous;
import io.moaiflow.swarmdb.health.CheckResult;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Item 1: kill -9 while writing. A child JVM appends through {@code append}, {@code appendAsync}
 * and {@code appendAll} and prints every acknowledged id; the parent SIGKILLs it after a random
 * number of acknowledgements, then reopens the file with the library (no manual step) and checks
 * that every acknowledged event is there, every batch is all-or-nothing and quick_check is ok. The
 * same file is reused across iterations, so each open also recovers the previous crash's hot WAL.
 */
@Tag("reliability")
class KillNineTest {
  static final int ITERATIONS_PER_MODE = 12;
  private static final Pattern BATCH_MEMBER = Pattern.compile("(.*-b\\d+)-(\\d+)of(\\d+)");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Synchronous.class)
  void everyAcknowledgedAppendSurvivesSigkill(Synchronous sync) throws Exception {
    Path db = dir.resolve("kill-" + sync + ".db");
    SplittableRandom rnd = new SplittableRandom(20261124L + sync.ordinal());
    Set<String> acked = new HashSet<>();
    Map<String, Integer> ackedBatches = new HashMap<>();
    long totalAckLines = 0;
    int found = 0;
    for (int i = 0; i < ITERATIONS_PER_MODE; i++) {
      int target = rnd.nextInt(1500);
      Path stderr = dir.resolve("child-" + sync + "-" + i + ".err");
      try (ChildJvm child =
          ChildJvm.start(
              ReliabilityChild.class, stderr, "writer", db.toString(), sync.name(), "i" + i, "0")) {
        assertThat(child.awaitLine("OPEN", 120))
            .as("child opened the database; stderr: %s", child.stderrText())
            .isNotNull();
        for (int n = 0; n < target; n++) {
          String line = child.awaitLine("", 120);
          assertThat(line).as("child still writing; stderr: %s", child.stderrText()).isNotNull();
          assertThat(line).doesNotStartWith("ERROR");
        }
        child.kill();
        for (String line : child.lines()) {
          String[] parts = line.split(" ");
          if (line.startsWith("ACK ")) {
            acked.add(parts[1]);
            totalAckLines++;
          } else if (line.startsWith("BATCH ")) {
            ackedBatches.put(parts[1], Integer.parseInt(parts[2]));
            totalAckLines++;
          }
        }
      }
      found = verify(db, sync, acked, ackedBatches);
    }
    long ackedEvents = acked.size() + ackedBatches.values().stream().mapToLong(x -> x).sum();
    System.out.printf(
        "FIGURES kill9 sync=%s iterations=%d ackLines=%d ackedEvents=%d rowsFound=%d%n",
        sync, ITERATIONS_PER_MODE, totalAckLines, ackedEvents, found);
    assertThat(found).isGreaterThanOrEqualTo((int) ackedEvents);
  }

  /** Reopens through the library and checks the invariants; returns the row count. */
  private static int verify(
      Path db, Synchronous sync, Set<String> acked, Map<String, Integer> ackedBatches) {
    try (SwarmDB swarm = SwarmDB.open(SwarmDbConfig.builder(db).synchronous(sync).build())) {
      CheckResult quick = swarm.maintenance().quickCheck();
      assertThat(quick.problems()).as("quick_check after SIGKILL").isEmpty();
      Set<String> stored = new HashSet<>();
      try (Stream<AgentEvent> s = swarm.events().stream(EventQuery.all())) {
        s.forEach(e -> stored.add(e.eventId()));
      }
      assertThat(DbFiles.missing(acked, stored)).as("acknowledged appends missing").isEmpty();
      Map<String, Integer> batchCounts = new HashMap<>();
      Map<String, Integer> batchSizes = new HashMap<>();
      for (String id : stored) {
        Matcher m = BATCH_MEMBER.matcher(id);
        if (m.matches()) {
          batchCounts.merge(m.group(1), 1, Integer::sum);
          batchSizes.put(m.group(1), Integer.parseInt(m.group(3)));
        }
      }
      for (Map.Entry<String, Integer> b : batchCounts.entrySet()) {
        assertThat(b.getValue())
            .as("appendAll batch %s is all-or-nothing", b.getKey())
            .isEqualTo(batchSizes.get(b.getKey()));
      }
      for (Map.Entry<String, Integer> b : ackedBatches.entrySet()) {
        assertThat(batchCounts.get(b.getKey()))
            .as("acknowledged batch %s", b.getKey())
            .isEqualTo(b.getValue());
      }
      assertThat(swarm.events().count()).isEqualTo(stored.size());
      List<AgentEvent> tail = swarm.events().since(swarm.events().lastSeq() - 1, 10);
      assertThat(tail).hasSizeLessThanOrEqualTo(1);
      return stored.size();
    }
  }
}
