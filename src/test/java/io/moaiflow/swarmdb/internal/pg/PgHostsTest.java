package io.moaiflow.swarmdb.internal.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Several hosts (separate pools, separate JVMs) writing one PostgreSQL schema. */
class PgHostsTest {

  /**
   * Two hosts retry the same 300 events concurrently, one by one and in batches, in different
   * orders: each event is stored once, and every call returns the same row for an id.
   */
  @Test
  void appendsAreIdempotentByEventIdAcrossHosts() throws Exception {
    List<AgentEvent> events = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      events.add(AgentEvent.of("spawn", "a" + (i % 7), "t", Map.of("i", i)));
    }
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema();
        SwarmDB hostA = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build());
        SwarmDB hostB = SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build())) {
      int threads = 4;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CyclicBarrier start = new CyclicBarrier(threads);
      Map<String, Long> seqById = new ConcurrentHashMap<>();
      List<String> conflicts = Collections.synchronizedList(new ArrayList<>());
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          SwarmDB host = t % 2 == 0 ? hostA : hostB;
          List<AgentEvent> mine = new ArrayList<>(events);
          Collections.shuffle(mine, new Random(t));
          boolean batches = t >= 2;
          futures.add(
              pool.submit(
                  () -> {
                    start.await();
                    List<AgentEvent> stored = new ArrayList<>();
                    if (batches) {
                      for (int i = 0; i < mine.size(); i += 25) {
                        stored.addAll(host.events().appendAll(mine.subList(i, i + 25)));
                      }
                    } else {
                      for (AgentEvent e : mine) {
                        stored.add(host.events().append(e));
                      }
                    }
                    for (int i = 0; i < stored.size(); i++) {
                      AgentEvent s = stored.get(i);
                      if (!s.sameContent(mine.get(i))) {
                        conflicts.add("content differs for " + s.eventId());
                      }
                      Long prior = seqById.putIfAbsent(s.eventId(), s.seq());
                      if (prior != null && prior != s.seq()) {
                        conflicts.add(s.eventId() + " stored as " + prior + " and " + s.seq());
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : futures) {
          f.get(300, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(conflicts).isEmpty();
      assertThat(seqById).hasSize(300);
      assertThat(hostA.events().count()).isEqualTo(300);
      assertThat(hostB.events().since(0, 1000)).hasSize(300);
    }
  }

  /**
   * Two JVMs append at once; every event either acknowledged is in the table, exactly once, and the
   * log positions they were given are the stored ones.
   */
  @Test
  void concurrentAppendsFromTwoJvmsKeepEveryAcknowledgedEvent() throws Exception {
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema()) {
      SwarmDB.open(SwarmDbConfig.postgres(schema.url()).build()).close(); // migrate once
      try (Jvm a = new Jvm("append", schema.url(), "150", "jvmA");
          Jvm b = new Jvm("append", schema.url(), "150", "jvmB")) {
        a.readUntil("ready");
        b.readUntil("ready");
        a.go();
        b.go();
        List<String> acks = new ArrayList<>(a.readUntil("done"));
        acks.addAll(b.readUntil("done"));
        assertThat(a.exit()).isZero();
        assertThat(b.exit()).isZero();
        Map<String, Long> acknowledged = new HashMap<>();
        for (String line : acks) {
          String[] p = line.split(" ");
          if (p.length == 3 && p[0].equals("ack")) { // other lines are the worker's logging
            acknowledged.put(p[1], Long.parseLong(p[2]));
          }
        }
        assertThat(acknowledged).hasSize(300);
        Map<String, Long> stored = new HashMap<>();
        try (Connection c = schema.connect();
            Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT event_id, seq FROM agent_events")) {
          while (rs.next()) {
            stored.put(rs.getString(1), rs.getLong(2));
          }
        }
        assertThat(stored).isEqualTo(acknowledged);
      }
    }
  }
}
