package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A database written as a small swarm writes it: three sessions one second apart (the last still
 * open), seven agents ending in each state, and each agent's events (spawn, start, tool calls and
 * its outcome), plus optional bulk history for the long-command tests.
 */
final class SimulatedSwarm {
  static final Instant T0 = Instant.parse("2026-11-30T09:00:00Z");

  /** The agents: id, type, session, final state. */
  static final List<List<String>> AGENTS =
      List.of(
          List.of("planner-1", "manager-plan", "s-alpha", "complete"),
          List.of("coder-1", "expert-backend", "s-alpha", "complete"),
          List.of("coder-2", "expert-frontend", "s-alpha", "error"),
          List.of("tester-1", "expert-testing", "s-beta", "cancelled"),
          List.of("coder-3", "expert-backend", "s-beta", "complete"),
          List.of("docs-1", "manager-docs", "s-gamma", "running"),
          List.of("coder-4", "expert-backend", "s-gamma", "spawned"));

  /** Events: per agent spawn, then (unless only spawned) start, two tool calls, the outcome. */
  static final int EVENTS = 30;

  private SimulatedSwarm() {}

  static Path write(Path db) {
    return write(db, 0);
  }

  /**
   * Writes the swarm, then {@code bulk} more events dated a year earlier (so cleanup deletes them)
   * in transactions of 5,000.
   */
  static Path write(Path db, int bulk) {
    Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    try (SwarmDB s = SwarmDB.open(SwarmDbConfig.builder(db).clock(clock).build())) {
      // the events first, as one batch: they take seqs 1 to 30 of the one sequence every change
      // is numbered on (schema v3), so the tests can name them; the registry follows
      long t = T0.toEpochMilli();
      List<AgentEvent> events = new ArrayList<>();
      int n = 0;
      for (List<String> a : AGENTS) {
        String id = a.get(0);
        String type = a.get(1);
        String session = a.get(2);
        AgentStatus end = AgentStatus.parse(a.get(3));
        events.add(event(++n, "spawn", id, type, session, t + n * 1_000L, Map.of()));
        if (end == AgentStatus.SPAWNED) {
          continue;
        }
        events.add(event(++n, "start", id, type, session, t + n * 1_000L, Map.of()));
        for (int i = 0; i < 2; i++) {
          events.add(event(++n, "tool_call", id, type, session, t + n * 1_000L, Map.of("step", i)));
        }
        if (end != AgentStatus.RUNNING) {
          events.add(event(++n, end.dbName(), id, type, session, t + n * 1_000L, Map.of()));
        }
      }
      s.events().appendAll(events);
      s.sessions().start("s-alpha", Map.of("goal", "build the API"));
      s.sessions().start("s-beta", Map.of("goal", "test it"));
      s.sessions().start("s-gamma", Map.of("goal", "document it"));
      for (List<String> a : AGENTS) {
        String id = a.get(0);
        AgentStatus end = AgentStatus.parse(a.get(3));
        s.agents().register(id, a.get(1), a.get(2), Map.of("prompt", "task of " + id));
        if (end == AgentStatus.SPAWNED) {
          continue;
        }
        s.agents().transition(id, AgentStatus.RUNNING);
        if (end != AgentStatus.RUNNING) {
          s.agents().transition(id, end, Map.of("outcome", end.dbName()));
        }
      }
      s.sessions().end("s-alpha");
      s.sessions().end("s-beta");
      long old = T0.minus(Duration.ofDays(365)).toEpochMilli();
      List<AgentEvent> batch = new ArrayList<>();
      for (int i = 0; i < bulk; i++) {
        batch.add(
            event(
                i,
                "history",
                "old-agent-" + (i % 20),
                "expert-archive",
                "s-old",
                old + i,
                Map.of("i", i, "note", "an old event kept for the size tests")));
        if (batch.size() == 5_000) {
          s.events().appendAll(batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        s.events().appendAll(batch);
      }
    }
    return db;
  }

  private static AgentEvent event(
      int n,
      String type,
      String agent,
      String agentType,
      String session,
      long ts,
      Map<String, Object> metadata) {
    return new AgentEvent(
        0,
        (type.equals("history") ? "h-" : "e-") + n,
        type,
        agent,
        agentType,
        session,
        Instant.ofEpochMilli(ts),
        metadata);
  }
}
