package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.CausalGraph;
import io.moaiflow.swarmdb.MemoryRef;
import io.moaiflow.swarmdb.SwarmDB;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code swarmdb why EVENT_ID}: the causal chain of an event back to its roots ({@link
 * SwarmDB#why(String, int)}): the events it named as causes, theirs, and the memory versions any of
 * them read, each with its depth. Opens a SQLite file read-only, as {@code info} does. Not thread
 * safe (one invocation). The printing is shared with {@code blast}.
 */
@Command(
    name = "why",
    description =
        "Show why an event happened: its causes back to the roots and the memory they read.")
final class WhyCommand extends BaseCommand {
  /** Nodes listed by default. */
  static final int DEFAULT_LIMIT = 1_000;

  @Parameters(index = "0", paramLabel = "EVENT_ID", description = "The event's id.")
  private String eventId = "";

  @Option(
      names = "--limit",
      paramLabel = "N",
      description =
          "Most nodes (events plus memory versions) listed, 1 to "
              + CausalGraph.MAX_LIMIT
              + " (default "
              + DEFAULT_LIMIT
              + ").")
  private int limit = DEFAULT_LIMIT;

  @Option(names = "--json", description = "Print one JSON object with every node.")
  private boolean json;

  @Override
  int run() {
    try (SwarmDB db = openForChecks()) {
      CausalGraph g = db.why(eventId, limit);
      show(this, json, "why " + eventId, g, limit);
    }
    return ExitCodes.OK;
  }

  /** Prints a graph as a table (or one JSON object), then says when the limit stopped it. */
  static void show(BaseCommand c, boolean json, String title, CausalGraph g, int limit) {
    if (json) {
      Map<String, @Nullable Object> doc = new LinkedHashMap<>();
      List<Map<String, @Nullable Object>> events = new ArrayList<>();
      for (CausalGraph.EventNode n : g.events()) {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("depth", n.depth());
        m.putAll(EventLines.toJson(n.event(), true));
        m.remove("type");
        events.add(m);
      }
      List<Map<String, @Nullable Object>> memory = new ArrayList<>();
      for (CausalGraph.MemoryNode n : g.memory()) {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        MemoryRef r = n.ref();
        m.put("depth", n.depth());
        m.put("scope", r.scope().toString());
        m.put("memoryType", r.memoryType());
        m.put("key", r.key());
        m.put("version", r.version());
        memory.add(m);
      }
      doc.put("events", events);
      doc.put("memory", memory);
      doc.put("agents", g.agents());
      doc.put("truncated", g.truncated());
      c.out().println(Reports.json(doc));
    } else {
      c.out()
          .println(
              title
                  + ": "
                  + g.events().size()
                  + " events, "
                  + g.memory().size()
                  + " memory versions; agents: "
                  + (g.agents().isEmpty() ? "-" : String.join(", ", g.agents())));
      List<List<String>> rows = new ArrayList<>();
      List<Object> nodes = new ArrayList<>();
      nodes.addAll(g.events());
      nodes.addAll(g.memory());
      nodes.sort(Comparator.comparingInt(WhyCommand::depth));
      for (Object o : nodes) {
        if (o instanceof CausalGraph.EventNode n) {
          AgentEvent e = n.event();
          rows.add(
              List.of(
                  Integer.toString(n.depth()),
                  "event",
                  Long.toString(e.seq()),
                  e.eventId(),
                  e.eventType(),
                  e.agentId(),
                  Table.time(e.timestamp())));
        } else {
          CausalGraph.MemoryNode n = (CausalGraph.MemoryNode) o;
          rows.add(
              List.of(
                  Integer.toString(n.depth()), "memory", "-", n.ref().toString(), "-", "-", "-"));
        }
      }
      Table.print(
          c.out(),
          new Table("DEPTH", "KIND", "SEQ", "EVENT/VERSION", "TYPE", "AGENT", "TIME"),
          rows);
    }
    if (g.truncated()) {
      c.printNextPage(
          json,
          "stopped at --limit "
              + limit
              + " nodes; raise --limit (at most "
              + CausalGraph.MAX_LIMIT
              + ")");
    }
    c.out().flush();
  }

  private static int depth(Object node) {
    return node instanceof CausalGraph.EventNode n
        ? n.depth()
        : ((CausalGraph.MemoryNode) node).depth();
  }
}
