package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.Session;
import io.moaiflow.swarmdb.SwarmDB;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb sessions}: sessions, most recently started first, one keyset page at a time
 * ({@link io.moaiflow.swarmdb.SessionStore#page}). Opens a SQLite file read-only, as {@code info}
 * does. Not thread safe (one invocation).
 */
@Command(
    name = "sessions",
    description = "List sessions, most recently started first, a page at a time.")
final class SessionsCommand extends BaseCommand {

  @Option(names = "--open", description = "Only sessions that have not ended.")
  private boolean open;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "Most sessions listed, 1 to " + EventQuery.MAX_LIMIT + " (default 100).")
  private int limit = EventQuery.DEFAULT_LIMIT;

  @Option(
      names = "--after",
      paramLabel = "SESSION",
      description = "Start after this session (the cursor the previous page printed).")
  private @Nullable String after;

  @Option(names = "--json", description = "Print one JSON object per session.")
  private boolean json;

  @Override
  int run() {
    Paging.checkLimit(limit);
    List<Session> rows;
    try (SwarmDB db = openForChecks()) {
      rows = db.sessions().page(open, after, Paging.fetch(limit));
    }
    List<Session> shown = rows.subList(0, Math.min(limit, rows.size()));
    if (json) {
      shown.forEach(s -> out().println(Reports.json(toJson(s))));
    } else {
      List<List<String>> table = new ArrayList<>();
      for (Session s : shown) {
        table.add(
            List.of(
                s.sessionId(),
                s.status().dbName(),
                Table.time(s.startedAt()),
                Table.time(s.endedAt()),
                Reports.json(s.metadata())));
      }
      Table.print(out(), new Table("SESSION", "STATUS", "STARTED", "ENDED", "METADATA"), table);
    }
    if (Paging.more(limit, rows.size())) {
      printNextPage(json, "next page: --after " + shown.get(shown.size() - 1).sessionId());
    }
    out().flush();
    return ExitCodes.OK;
  }

  static Map<String, @Nullable Object> toJson(Session s) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("sessionId", s.sessionId());
    m.put("status", s.status().dbName());
    m.put("startedAt", s.startedAt().toEpochMilli());
    m.put("endedAt", s.endedAt() == null ? null : s.endedAt().toEpochMilli());
    m.put("metadata", s.metadata());
    return m;
  }
}
