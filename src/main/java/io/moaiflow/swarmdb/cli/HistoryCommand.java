package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.Agent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.Session;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmState;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb history --as-of SEQ|TIME}: the swarm as it was at a point of its one sequence
 * ({@link SwarmDB#asOf(long)}, {@link SwarmDB#asOf(Instant)}): the agents by state, the sessions,
 * and the memory of the swarm, of every session and agent of that moment (or of the scopes named
 * with {@code --scope}). Opens a SQLite file read-only, as {@code info} does. Not thread safe (one
 * invocation).
 */
@Command(
    name = "history",
    description =
        "Show the swarm as of a seq or an ISO-8601 time: agents by state, sessions, memory.")
final class HistoryCommand extends BaseCommand {

  @Option(
      names = "--as-of",
      required = true,
      paramLabel = "SEQ|TIME",
      description =
          "A seq of the log (an event's seq: the state right after it) or an ISO-8601 time such"
              + " as 2026-12-01T16:08:13Z (the latest change at or before it).")
  private String asOf = "";

  @Option(
      names = "--scope",
      paramLabel = "SCOPE",
      description =
          "Show only this scope's memory (session:ID, agent:ID, swarm, ns:NAME); repeatable."
              + " Default: the swarm's and every listed session's and agent's.")
  private List<String> scopes = new ArrayList<>();

  @Option(
      names = "--limit",
      paramLabel = "N",
      description =
          "Most agents, sessions, and entries per scope listed, 1 to "
              + EventQuery.MAX_LIMIT
              + " (default 100).")
  private int limit = EventQuery.DEFAULT_LIMIT;

  @Option(names = "--json", description = "Print one JSON object with everything.")
  private boolean json;

  @Override
  int run() {
    Paging.checkLimit(limit);
    List<Scope> named = scopes.stream().map(Scope::parse).toList();
    Map<String, @Nullable Object> doc = new LinkedHashMap<>();
    List<String> more = new ArrayList<>();
    try (SwarmDB db = openForChecks()) {
      Instant time = parse(asOf);
      SwarmState v = time != null ? db.asOf(time) : db.asOf(seq(asOf));
      List<Agent> agents = new ArrayList<>(v.agents().page(null, null, null, Paging.fetch(limit)));
      if (Paging.more(limit, agents.size())) {
        more.add("more agents than --limit " + limit);
        agents = new ArrayList<>(agents.subList(0, limit));
      }
      agents.sort(Comparator.comparing(Agent::status).thenComparing(Agent::agentId));
      List<Session> sessions = v.sessions().page(false, null, Paging.fetch(limit));
      if (Paging.more(limit, sessions.size())) {
        more.add("more sessions than --limit " + limit);
        sessions = sessions.subList(0, limit);
      }
      Set<Scope> shown = new LinkedHashSet<>(named);
      if (named.isEmpty()) {
        shown.add(Scope.swarm());
        sessions.forEach(s -> shown.add(Scope.session(s.sessionId())));
        agents.forEach(a -> shown.add(Scope.agent(a.agentId())));
      }
      List<MemoryEntry> memory = new ArrayList<>();
      for (Scope s : shown) {
        List<MemoryEntry> recent = v.memory(s).recent(Paging.fetch(limit));
        if (Paging.more(limit, recent.size())) {
          more.add("more entries in " + s + " than --limit " + limit);
          recent = recent.subList(0, limit);
        }
        memory.addAll(recent);
      }
      doc.put("seq", v.seq());
      doc.put("time", v.time().toEpochMilli());
      doc.put("agents", agents.stream().map(AgentsCommand::toJson).toList());
      doc.put("sessions", sessions.stream().map(SessionsCommand::toJson).toList());
      doc.put("memory", memory.stream().map(MemoryCommand::toJson).toList());
      if (json) {
        out().println(Reports.json(doc));
      } else {
        print(v, agents, sessions, memory);
      }
    }
    for (String line : more) {
      printNextPage(json, line + "; raise --limit or name one --scope");
    }
    out().flush();
    return ExitCodes.OK;
  }

  private void print(
      SwarmState v, List<Agent> agents, List<Session> sessions, List<MemoryEntry> memory) {
    out().println("as of seq " + v.seq() + " (" + Table.time(v.time()) + ")");
    out().println();
    Map<AgentStatus, Long> counts = new LinkedHashMap<>();
    agents.forEach(a -> counts.merge(a.status(), 1L, Long::sum));
    StringBuilder byState = new StringBuilder("agents: " + agents.size());
    counts.forEach((s, n) -> byState.append(", ").append(n).append(' ').append(s.dbName()));
    out().println(byState);
    List<List<String>> rows = new ArrayList<>();
    for (Agent a : agents) {
      rows.add(
          List.of(
              a.status().dbName(),
              a.agentId(),
              a.agentType(),
              Table.orDash(a.sessionId()),
              Table.time(a.updatedAt())));
    }
    Table.print(out(), new Table("STATE", "AGENT", "TYPE", "SESSION", "CHANGED"), rows);
    out().println();
    out().println("sessions: " + sessions.size());
    rows = new ArrayList<>();
    for (Session s : sessions) {
      rows.add(
          List.of(
              s.sessionId(),
              s.status().dbName(),
              Table.time(s.startedAt()),
              Table.time(s.endedAt())));
    }
    Table.print(out(), new Table("SESSION", "STATUS", "STARTED", "ENDED"), rows);
    out().println();
    out().println("memory: " + memory.size() + " entries");
    rows = new ArrayList<>();
    for (MemoryEntry e : memory) {
      rows.add(
          List.of(
              e.scope().toString(),
              e.memoryType(),
              e.key(),
              Long.toString(e.version()),
              Table.time(e.updatedAt()),
              e.valueJson()));
    }
    Table.print(out(), new Table("SCOPE", "TYPE", "KEY", "VERSION", "UPDATED", "VALUE"), rows);
  }

  /** {@return an ISO-8601 time, or null for text that must be a seq} */
  private static @Nullable Instant parse(String text) {
    if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw CliException.usage(
          "--as-of '"
              + text
              + "' is neither a seq nor an ISO-8601 time; pass a seq such as 1234 or a time such"
              + " as 2026-12-01T16:08:13Z");
    }
  }

  private static long seq(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw CliException.usage("--as-of " + text + " is too large for a seq");
    }
  }
}
