package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.EventQuery;
import io.moaiflow.swarmdb.SwarmDB;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmdb events}: the event log, newest first (by timestamp, then seq), or in seq order
 * after {@code --since SEQ}; with {@code --follow} it keeps printing events as they commit, written
 * by any process, until Ctrl-C (SIGINT) or SIGTERM (exit 0, no stack trace) or {@code --max N}
 * events. A listing opens a SQLite file read-only, as {@code info} does; {@code --follow} opens it
 * as the swarm does (without migrating), because only a reader that shares the {@code -shm} sees
 * commits made after it opened. Not thread safe (one invocation).
 */
@Command(
    name = "events",
    description =
        "List events (newest first, or in seq order after --since), or follow new ones live.")
final class EventsCommand extends BaseCommand {
  /** Rows read per call while scanning in seq order. */
  static final int PAGE = 1_000;

  /** Default time between polls of {@code --follow}. */
  static final long POLL_MILLIS = 200;

  /** Events shown before following when neither --since nor --limit says otherwise. */
  static final int FOLLOW_BACKLOG = 10;

  @Option(names = "--agent", paramLabel = "AGENT", description = "Only this agent's events.")
  private @Nullable String agent;

  @Option(names = "--session", paramLabel = "SESSION", description = "Only this session's events.")
  private @Nullable String session;

  @Option(names = "--type", paramLabel = "TYPE", description = "Only events of this type.")
  private @Nullable String type;

  @Option(
      names = "--since",
      paramLabel = "SEQ",
      description =
          "Events after log position SEQ, oldest first (0: from the start); the next page is"
              + " --since <last seq shown>.")
  private @Nullable Long since;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description =
          "Most events listed, 1 to "
              + EventQuery.MAX_LIMIT
              + " (default "
              + EventQuery.DEFAULT_LIMIT
              + "; with --follow, the newest "
              + FOLLOW_BACKLOG
              + " before following, unless --since is given).")
  private @Nullable Integer limit;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new events as they commit, until Ctrl-C or --max events.")
  private boolean follow;

  @Option(
      names = "--max",
      paramLabel = "N",
      description = "With --follow: exit 0 after printing N events in all.")
  private @Nullable Long max;

  @Option(names = "--json", description = "Print one JSON object per event (export's form + seq).")
  private boolean json;

  @Option(
      names = "--poll-ms",
      paramLabel = "MS",
      hidden = true,
      description = "Time between polls of --follow (default " + POLL_MILLIS + ").")
  private long pollMillis = POLL_MILLIS;

  private @Nullable Table table;

  /** Events printed so far; only the command thread counts (atomic: no torn 64-bit writes). */
  private final AtomicLong printed = new AtomicLong();

  @Override
  int run() throws InterruptedException {
    EventQuery filter = filter();
    if (since != null && since < 0) {
      throw CliException.usage("--since is " + since + "; pass a log position of 0 or more");
    }
    if (max != null && !follow) {
      throw CliException.usage("--max only applies with --follow; pass --limit N for a listing");
    }
    if (max != null && max < 1) {
      throw CliException.usage("--max is " + max + "; pass 1 or more events");
    }
    if (pollMillis < 1) {
      throw CliException.usage("--poll-ms is " + pollMillis + "; pass 1 or more");
    }
    if (!json) {
      table = new Table("SEQ", "TIME", "TYPE", "AGENT", "SESSION", "METADATA");
    }
    if (follow) {
      return follow(filter);
    }
    try (SwarmDB db = openForChecks()) {
      int n = limit == null ? EventQuery.DEFAULT_LIMIT : limit;
      // one more than shown tells whether there is a next page
      int fetch = Paging.fetch(n);
      List<AgentEvent> rows =
          since == null ? db.events().query(filter.limit(fetch)) : scan(db, filter, since, fetch);
      boolean more = Paging.more(n, rows.size());
      List<AgentEvent> shown = rows.subList(0, Math.min(n, rows.size()));
      print(shown, true);
      if (more && since != null) {
        printNextPage(json, "next page: --since " + shown.get(shown.size() - 1).seq());
      } else if (more) {
        printNextPage(
            json,
            "more events: the newest "
                + n
                + " are shown; list them all in seq order with --since 0");
      }
    }
    return ExitCodes.OK;
  }

  /** The filter, validated by the library (an invalid id or type is a usage error, exit 2). */
  private EventQuery filter() {
    if (limit != null) {
      Paging.checkLimit(limit);
    }
    EventQuery q = EventQuery.all();
    if (agent != null) {
      q = q.withAgent(agent);
    }
    if (session != null) {
      q = q.withSession(session);
    }
    if (type != null) {
      q = q.withType(type);
    }
    return q;
  }

  private static boolean matches(EventQuery q, AgentEvent e) {
    return (q.agentId() == null || q.agentId().equals(e.agentId()))
        && (q.sessionId() == null || q.sessionId().equals(e.sessionId()))
        && (q.eventType() == null || q.eventType().equals(e.eventType()));
  }

  /**
   * Up to {@code n} matching events after {@code from}, in seq order: the log is read by primary
   * key a page at a time and filtered here ({@code since} has no filters), so memory stays bounded.
   */
  private static List<AgentEvent> scan(SwarmDB db, EventQuery filter, long from, int n) {
    List<AgentEvent> out = new ArrayList<>();
    long cursor = from;
    while (out.size() < n) {
      List<AgentEvent> page = db.events().since(cursor, PAGE);
      for (AgentEvent e : page) {
        if (matches(filter, e) && out.size() < n) {
          out.add(e);
        }
      }
      if (page.size() < PAGE) {
        break;
      }
      cursor = page.get(page.size() - 1).seq();
    }
    return out;
  }

  private void print(List<AgentEvent> events, boolean header) {
    PrintWriter out = out();
    Table t = table;
    if (t == null) {
      events.forEach(e -> out.println(EventLines.write(e, true)));
    } else {
      List<List<String>> rows = new ArrayList<>(events.size());
      for (AgentEvent e : events) {
        List<String> row =
            List.of(
                Long.toString(e.seq()),
                Table.time(e.timestamp()),
                e.eventType(),
                e.agentId(),
                Table.orDash(e.sessionId()),
                Reports.json(e.metadata()));
        rows.add(row);
        t.fit(row);
      }
      if (header) {
        t.printHeader(out);
      }
      rows.forEach(r -> t.printRow(out, r));
    }
    printed.addAndGet(events.size());
    out.flush();
  }

  /**
   * Prints the backlog, then polls by seq (a short sleep between polls that find nothing new),
   * until a shutdown signal or {@code --max}. The shutdown hook only asks the loop to stop and
   * waits for it to close the database and flush, then ends the JVM with exit 0 (a signal would
   * otherwise end it with 128 + the signal number), as {@code serve} does.
   */
  private int follow(EventQuery filter) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    AtomicBoolean stopped = new AtomicBoolean();
    Thread hook =
        new Thread(
            () -> {
              stopped.set(true);
              stop.countDown();
              try {
                if (finished.await(10, TimeUnit.SECONDS)) {
                  Runtime.getRuntime().halt(ExitCodes.OK);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "swarmdb-events-shutdown");
    try (SwarmDB db = openExisting()) {
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        Table t = table;
        if (t != null) {
          // rows arrive after the header: start the columns as wide as typical values, so that
          // only unusually long ids shift a column
          t.widen(0, Long.toString(db.events().lastSeq()).length() + 2);
          t.widen(1, Table.time(java.time.Instant.EPOCH).length());
          t.widen(2, 12);
          t.widen(3, 16);
          t.widen(4, 12);
        }
        long cursor = backlog(db, filter);
        while (!stopped.get() && !done()) {
          List<AgentEvent> page = db.events().since(cursor, PAGE);
          List<AgentEvent> shown = new ArrayList<>();
          for (AgentEvent e : page) {
            if (done()) {
              break;
            }
            cursor = e.seq();
            if (matches(filter, e) && printed.get() + shown.size() < maxOrUnbounded()) {
              shown.add(e);
            }
            if (printed.get() + shown.size() >= maxOrUnbounded()) {
              break;
            }
          }
          if (!shown.isEmpty()) {
            print(shown, printed.get() == 0);
          }
          if (page.size() < PAGE && !done() && stop.await(pollMillis, TimeUnit.MILLISECONDS)) {
            break; // a shutdown signal
          }
        }
      } finally {
        removeHook(hook);
      }
    } finally {
      out().flush();
      finished.countDown();
    }
    return ExitCodes.OK;
  }

  /** Prints what precedes following and returns the seq to follow from. */
  private long backlog(SwarmDB db, EventQuery filter) {
    if (since != null) {
      return since;
    }
    long start = db.events().lastSeq();
    int n = limit == null ? FOLLOW_BACKLOG : limit;
    List<AgentEvent> newest = new ArrayList<>();
    for (AgentEvent e : db.events().query(filter.limit(n))) {
      if (e.seq() <= start) { // a newer one is printed by the first poll
        newest.add(e);
      }
    }
    Collections.reverse(newest);
    if (newest.size() > maxOrUnbounded()) {
      newest = newest.subList(0, (int) maxOrUnbounded());
    }
    if (!newest.isEmpty()) {
      print(newest, true);
    }
    return start;
  }

  private long maxOrUnbounded() {
    return max == null ? Long.MAX_VALUE : max;
  }

  private boolean done() {
    return printed.get() >= maxOrUnbounded();
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is already stopping: the hook has run or is running
    }
  }
}
