package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.Agent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SwarmDB;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb agents}: the agent registry by id, one keyset page at a time ({@link
 * io.moaiflow.swarmdb.AgentRegistry#page}), optionally one state and/or one session. Opens a SQLite
 * file read-only, as {@code info} does. Not thread safe (one invocation).
 */
@Command(
    name = "agents",
    description = "List agents by id (state, session, spawn time, duration), a page at a time.")
final class AgentsCommand extends BaseCommand {

  @Option(
      names = "--status",
      paramLabel = "STATUS",
      description = "Only agents in this state: spawned, running, complete, error, cancelled.")
  private @Nullable AgentStatus status;

  @Option(names = "--session", paramLabel = "SESSION", description = "Only this session's agents.")
  private @Nullable String session;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "Most agents listed, 1 to " + EventQuery.MAX_LIMIT + " (default 100).")
  private int limit = EventQuery.DEFAULT_LIMIT;

  @Option(
      names = "--after",
      paramLabel = "AGENT",
      description = "Start after this agent id (the cursor the previous page printed).")
  private @Nullable String after;

  @Option(names = "--json", description = "Print one JSON object per agent.")
  private boolean json;

  @Override
  int run() {
    Paging.checkLimit(limit);
    List<Agent> rows;
    try (SwarmDB db = openForChecks()) {
      rows = db.agents().page(status, session, after, Paging.fetch(limit));
    }
    List<Agent> shown = rows.subList(0, Math.min(limit, rows.size()));
    if (json) {
      shown.forEach(a -> out().println(Reports.json(toJson(a))));
    } else {
      List<List<String>> table = new ArrayList<>();
      for (Agent a : shown) {
        table.add(
            List.of(
                a.agentId(),
                a.agentType(),
                a.status().dbName(),
                Table.orDash(a.sessionId()),
                Table.time(a.spawnedAt()),
                a.duration().map(Durations::elapsed).orElse("-"),
                Table.time(a.updatedAt())));
      }
      Table.print(
          out(),
          new Table("AGENT", "TYPE", "STATUS", "SESSION", "SPAWNED", "DURATION", "UPDATED"),
          table);
    }
    if (Paging.more(limit, rows.size())) {
      printNextPage(json, "next page: --after " + shown.get(shown.size() - 1).agentId());
    }
    out().flush();
    return ExitCodes.OK;
  }

  static Map<String, @Nullable Object> toJson(Agent a) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("agentId", a.agentId());
    m.put("agentType", a.agentType());
    m.put("status", a.status().dbName());
    m.put("sessionId", a.sessionId());
    m.put("spawnedAt", a.spawnedAt().toEpochMilli());
    m.put("completedAt", a.completedAt() == null ? null : a.completedAt().toEpochMilli());
    m.put("durationMs", a.durationMs());
    m.put("updatedAt", a.updatedAt().toEpochMilli());
    m.put("metadata", a.metadata());
    return m;
  }
}
