package io.moaiflow.swarmdb.cli;

import static io.moaiflow.swarmdb.EventQuery.session;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.health.HealthReport;
import io.moaiflow.swarmdb.health.WriterStats;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb demo}: simulates a swarm on the database. Sessions start; agents spawn, run, call
 * tools and complete or fail on a thread pool, appending lifecycle events concurrently (so the
 * writer commits them in groups) and writing session memory; then a short report. Not thread safe
 * (one invocation); the agents it simulates run on its own pool.
 */
@Command(
    name = "demo",
    description = "Simulate a swarm (sessions, concurrent agents, events, memory) and report.")
final class DemoCommand extends BaseCommand {
  private static final List<String> EVENT_TYPES =
      List.of("spawn", "start", "tool_call", "complete", "error");
  private static final String[] AGENT_TYPES = {
    "expert-backend", "expert-frontend", "expert-testing", "manager-docs"
  };
  private static final String[] TOOLS = {"read_file", "search", "edit_file", "run_tests"};

  @Option(
      names = "--agents",
      paramLabel = "N",
      defaultValue = "32",
      description = "Agents to simulate, 1-10000 (default ${DEFAULT-VALUE}).")
  private int agents;

  @Option(
      names = "--sessions",
      paramLabel = "M",
      defaultValue = "4",
      description = "Sessions the agents are spread over, 1-1000 (default ${DEFAULT-VALUE}).")
  private int sessions;

  @Option(
      names = "--threads",
      paramLabel = "T",
      defaultValue = "8",
      description = "Threads the agents run on, 1-256 (default ${DEFAULT-VALUE}).")
  private int threads;

  @Override
  int run() throws InterruptedException {
    requireRange("--agents", agents, 10_000);
    requireRange("--sessions", sessions, 1_000);
    requireRange("--threads", threads, 256);
    String run = "demo-" + Long.toString(Instant.now().toEpochMilli(), 36);
    try (SwarmDB db = open(true)) {
      List<String> sessionIds = new ArrayList<>();
      for (int s = 0; s < sessions; s++) {
        String id = run + "-s" + s;
        db.sessions().start(id, Map.of("demo", true, "goal", "build feature " + s));
        sessionIds.add(id);
      }
      WriterStats before = db.inspect().writerStats();
      AtomicLong events = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, agents));
      List<Callable<Void>> lives = new ArrayList<>();
      for (int a = 0; a < agents; a++) {
        int n = a;
        lives.add(
            () -> {
              simulate(db, run, n, sessionIds.get(n % sessionIds.size()), events);
              return null;
            });
      }
      long start = System.nanoTime();
      try {
        for (Future<Void> f : pool.invokeAll(lives)) {
          f.get();
        }
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException("a simulated agent failed: " + cause, cause);
      } finally {
        pool.shutdownNow();
      }
      double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
      for (String id : sessionIds) {
        db.sessions().end(id);
      }
      WriterStats after = db.inspect().writerStats();
      report(db, run, sessionIds, events.get(), seconds, before, after);
      return ExitCodes.OK;
    }
  }

  private static void requireRange(String name, int value, int max) {
    if (value < 1 || value > max) {
      throw CliException.usage(name + " is " + value + "; pass a number from 1 to " + max);
    }
  }

  /** One agent's life: spawned, running, a few tool calls, then complete (or error for 1 in 5). */
  private static void simulate(SwarmDB db, String run, int n, String session, AtomicLong events) {
    String id = run + "-agent-" + n;
    String type = AGENT_TYPES[n % AGENT_TYPES.length];
    BiConsumer<String, Map<String, Object>> append =
        (eventType, meta) -> {
          db.events().append(AgentEvent.of(eventType, id, type, session, meta));
          events.incrementAndGet();
        };
    db.agents().register(id, type, session, Map.of("task", "task " + n));
    append.accept("spawn", Map.of("prompt", "task " + n));
    db.agents().transition(id, AgentStatus.RUNNING);
    append.accept("start", Map.of());
    for (int k = 0; k < TOOLS.length; k++) {
      append.accept("tool_call", Map.of("tool", TOOLS[k], "step", k));
    }
    SessionMemory memory = db.sessions().memory(session);
    boolean fails = n % 5 == 4;
    memory.put(
        SessionMemory.EPISODIC,
        id + "/result",
        Map.of("agent", id, "outcome", fails ? "error" : "complete"));
    memory.put(SessionMemory.CONTEXT_HINT, "last-agent-type", type);
    if (fails) {
      db.agents().transition(id, AgentStatus.ERROR, Map.of("error", "simulated tool failure"));
      append.accept("error", Map.of("error", "simulated tool failure"));
    } else {
      db.agents().transition(id, AgentStatus.COMPLETE);
      append.accept("complete", Map.of("tokens", 1000 + n));
    }
  }

  private void report(
      SwarmDB db,
      String run,
      List<String> sessionIds,
      long events,
      double seconds,
      WriterStats before,
      WriterStats after) {
    Map<AgentStatus, Long> byStatus = new EnumMap<>(AgentStatus.class);
    for (String s : sessionIds) {
      db.agents().bySession(s).forEach(a -> byStatus.merge(a.status(), 1L, Long::sum));
    }
    StringBuilder types = new StringBuilder();
    for (String t : EVENT_TYPES) {
      long n = sessionIds.stream().mapToLong(s -> db.events().count(session(s).withType(t))).sum();
      types.append(' ').append(t).append('=').append(n);
    }
    long tx = after.transactions() - before.transactions();
    long writes = after.writes() - before.writes();
    HealthReport health = db.inspect().health();
    PrintWriter out = out();
    printf(
        "SwarmDB demo %s on %s: %d sessions, %d agents on %d threads%n",
        run, location(), sessionIds.size(), agents, Math.min(threads, agents));
    StringBuilder status = new StringBuilder();
    byStatus.forEach((k, v) -> status.append(' ').append(k.dbName()).append('=').append(v));
    out.println("agents by status:" + status);
    out.println("events by type:  " + types);
    printf(
        "throughput:       %d events in %.3f s = %.0f events/s (%d writes in %d transactions,"
            + " %.1f per commit)%n",
        events, seconds, events / seconds, writes, tx, tx == 0 ? 0.0 : (double) writes / tx);
    out.println(
        "session memory:   "
            + sessionIds.stream()
                .mapToLong(s -> db.sessions().memory(s).recent(10_000).size())
                .sum()
            + " entries");
    out.println("database size:    " + db.inspect().sizeBytes() + " bytes (main + WAL + SHM)");
    out.println(
        "health:           "
            + health.status()
            + (health.problems().isEmpty() ? "" : " " + health.problems()));
  }
}
