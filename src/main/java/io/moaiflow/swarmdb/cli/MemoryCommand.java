package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.Memory;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.MemoryVersion;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code swarmdb memory SCOPE [KEY]}: a scope's live memory entries, newest first, or those of one
 * type in key order, or one entry ({@link SwarmDB#memory}); with {@code --history}, every recorded
 * version of one entry ({@link Memory#history}). Opens a SQLite file read-only, as {@code info}
 * does. Not thread safe (one invocation).
 */
@Command(
    name = "memory",
    description =
        "List a scope's memory (session:ID, agent:ID, swarm, ns:NAME), newest first, or one entry.")
final class MemoryCommand extends BaseCommand {

  @Parameters(
      index = "0",
      paramLabel = "SCOPE",
      description = "session:ID, agent:ID, swarm or ns:NAME.")
  private String scope = "";

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "KEY",
      description = "Print only this entry (needs --type).")
  private @Nullable String key;

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      description = "Only entries of this memory type, in key order.")
  private @Nullable String type;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "Most entries listed, 1 to " + EventQuery.MAX_LIMIT + " (default 100).")
  private int limit = EventQuery.DEFAULT_LIMIT;

  @Option(
      names = "--history",
      description =
          "Every recorded version of KEY (needs --type), oldest first: writes with their value,"
              + " deletes, each with its seq.")
  private boolean history;

  @Option(
      names = "--after",
      paramLabel = "SEQ",
      description = "With --history: start after this seq (the cursor the previous page printed).")
  private long after;

  @Option(names = "--json", description = "Print one JSON object per entry.")
  private boolean json;

  @Override
  int run() {
    Paging.checkLimit(limit);
    Scope s = Scope.parse(scope);
    String t = type;
    String k = key;
    if (k != null && t == null) {
      throw CliException.usage(
          "memory " + scope + " KEY needs --type TYPE (the key's memory type)");
    }
    if (history || after != 0) {
      if (k == null || t == null) {
        throw CliException.usage(
            "memory "
                + scope
                + (history ? " --history" : " --after")
                + " needs KEY and --type TYPE: the versions of one entry");
      }
      if (!history) {
        throw CliException.usage("--after SEQ pages through --history; add --history");
      }
      return printHistory(s, t, k);
    }
    List<MemoryEntry> rows;
    try (SwarmDB db = openForChecks()) {
      Memory m = db.memory(s);
      if (k != null && t != null) {
        rows = m.entry(t, k).map(List::of).orElse(List.of());
      } else if (t != null) {
        rows = m.findByPrefix(t, "");
      } else {
        rows = m.recent(Paging.fetch(limit));
      }
    }
    if (key != null && rows.isEmpty()) {
      throw CliException.usage("no live entry of type " + t + " and key " + key + " in " + s);
    }
    List<MemoryEntry> shown = rows.subList(0, Math.min(limit, rows.size()));
    if (json) {
      shown.forEach(e -> out().println(Reports.json(toJson(e))));
    } else {
      List<List<String>> table = new ArrayList<>();
      for (MemoryEntry e : shown) {
        table.add(
            List.of(
                e.memoryType(),
                e.key(),
                Long.toString(e.version()),
                Table.time(e.updatedAt()),
                Table.time(e.expiresAt()),
                e.valueJson()));
      }
      Table.print(out(), new Table("TYPE", "KEY", "VERSION", "UPDATED", "EXPIRES", "VALUE"), table);
    }
    if (rows.size() > limit) {
      printNextPage(
          json,
          "more entries than --limit "
              + limit
              + (t == null ? "; narrow with --type TYPE or raise --limit" : "; raise --limit"));
    }
    out().flush();
    return ExitCodes.OK;
  }

  /** The versions of one entry, oldest first, a keyset page at a time. */
  private int printHistory(Scope s, String t, String k) {
    List<MemoryVersion> rows;
    try (SwarmDB db = openForChecks()) {
      rows = db.memory(s).history(t, k, after, Paging.fetch(limit));
    }
    List<MemoryVersion> shown = rows.subList(0, Math.min(limit, rows.size()));
    if (json) {
      shown.forEach(v -> out().println(Reports.json(toJson(v))));
    } else {
      List<List<String>> table = new ArrayList<>();
      for (MemoryVersion v : shown) {
        String value = v.valueJson();
        table.add(
            List.of(
                Long.toString(v.seq()),
                Long.toString(v.version()),
                Table.time(v.time()),
                v.deleted() ? "delete" : "write",
                v.writer().map(Scope::toString).orElse("-"),
                Table.time(v.expiresAt()),
                value == null ? "-" : value));
      }
      Table.print(
          out(),
          new Table("SEQ", "VERSION", "TIME", "CHANGE", "WRITER", "EXPIRES", "VALUE"),
          table);
    }
    if (Paging.more(limit, rows.size())) {
      printNextPage(json, "next page: --after " + shown.get(shown.size() - 1).seq());
    }
    out().flush();
    return ExitCodes.OK;
  }

  static Map<String, @Nullable Object> toJson(MemoryVersion v) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("scope", v.scope().toString());
    m.put("memoryType", v.memoryType());
    m.put("key", v.key());
    m.put("seq", v.seq());
    m.put("version", v.version());
    m.put("time", v.time().toEpochMilli());
    m.put("deleted", v.deleted());
    m.put("writer", v.writer().map(Scope::toString).orElse(null));
    m.put("expiresAt", v.expiresAt() == null ? null : v.expiresAt().toEpochMilli());
    String value = v.valueJson();
    m.put("value", value == null ? null : value(value));
    return m;
  }

  static Object value(String valueJson) {
    try {
      return EventLines.MAPPER.readTree(valueJson); // written as the JSON it is
    } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
      throw new IllegalStateException("stored value is not JSON: " + x.getOriginalMessage(), x);
    }
  }

  static Map<String, @Nullable Object> toJson(MemoryEntry e) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("scope", e.scope().toString());
    m.put("memoryType", e.memoryType());
    m.put("key", e.key());
    m.put("version", e.version());
    m.put("createdAt", e.createdAt().toEpochMilli());
    m.put("updatedAt", e.updatedAt().toEpochMilli());
    m.put("expiresAt", e.expiresAt() == null ? null : e.expiresAt().toEpochMilli());
    m.put("value", value(e.valueJson()));
    return m;
  }
}
