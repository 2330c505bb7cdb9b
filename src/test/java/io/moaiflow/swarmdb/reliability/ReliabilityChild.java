package io.moaiflow.swarmdb.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.Synchronous;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The child process of the reliability tests (test scope only). It talks to the parent through
 * stdout lines, one per fact, flushed at once, so the parent knows exactly what was acknowledged
 * before it kills the process:
 *
 * <ul>
 *   <li>{@code writer DB SYNC TAG ROWS GO}: appends events through {@code append}, {@code
 *       appendAsync} and {@code appendAll}; prints {@code ACK id} after each single append returned
 *       and {@code BATCH id n} after each {@code appendAll} returned (its events are {@code
 *       id-0of-n} ...). ROWS 0 means forever. With GO=go it waits for a line on stdin before it
 *       opens the database. Prints {@code DONE n} at the end.
 *   <li>{@code lock DB}: holds the write lock through plain JDBC ({@code BEGIN IMMEDIATE}), prints
 *       {@code LOCKED}, and releases it when a line arrives on stdin.
 *   <li>{@code files DIR}: opens {@code DIR/a/b/swarm.db}, appends, backs up to {@code
 *       DIR/backups/nested/copy.db}, prints {@code READY}, and closes when a line arrives.
 *   <li>{@code migrate DB}: prints {@code OPENING}, opens the database (migrating it), prints
 *       {@code OPENED} or {@code ERROR code message}.
 *   <li>{@code opener DIR}: prints {@code READY}; for each stdin line {@code N} opens the new file
 *       {@code DIR/N.db} (racing the other children, released by the same line), appends one event,
 *       closes, and prints {@code OPENED N} or {@code FAILED N code message}; stops at {@code end}.
 *   <li>{@code sidecar DB}: registers 5 agents (2 running, 1 complete: 4 active) and appends 224
 *       events, 100 {@code spawn} one at a time, 80 {@code run} in batches of 16 and 44 {@code
 *       complete} through {@code appendAsync}, closes, prints {@code DONE 224}.
 * </ul>
 *
 * Failures print {@code ERROR code message} and exit 3.
 */
public final class ReliabilityChild {
  private ReliabilityChild() {}

  public static void main(String[] args) throws Exception {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, UTF_8), false);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, UTF_8));
    try {
      switch (args[0]) {
        case "writer" -> writer(args, out, in);
        case "lock" -> lock(args, out, in);
        case "files" -> files(args, out, in);
        case "migrate" -> migrate(args, out);
        case "opener" -> opener(args, out, in);
        case "sidecar" -> sidecar(args, out);
        default -> throw new IllegalArgumentException("unknown mode " + args[0]);
      }
    } catch (SwarmDbException e) {
      say(out, "ERROR " + e.code() + " " + oneLine(e.getMessage()));
      System.exit(3);
    }
    out.flush();
    System.exit(0);
  }

  private static void say(PrintWriter out, String line) {
    out.println(line);
    out.flush();
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\n', ' ');
  }

  private static void writer(String[] args, PrintWriter out, BufferedReader in) throws Exception {
    Path db = Path.of(args[1]);
    Synchronous sync = Synchronous.valueOf(args[2]);
    String tag = args[3];
    long rows = Long.parseLong(args[4]);
    if (args.length > 5 && "go".equals(args[5])) {
      say(out, "READY");
      in.readLine();
    }
    SplittableRandom rnd = new SplittableRandom(tag.hashCode());
    long written = 0;
    long k = 0;
    try (SwarmDB swarm = SwarmDB.open(SwarmDbConfig.builder(db).synchronous(sync).build())) {
      say(out, "OPEN");
      while (rows == 0 || written < rows) {
        int pick = rnd.nextInt(10);
        long left = rows == 0 ? Long.MAX_VALUE : rows - written;
        if (pick < 5) {
          String id = tag + "-s" + k++;
          swarm.events().append(event(id, rnd));
          say(out, "ACK " + id);
          written++;
        } else if (pick < 8) {
          int n = (int) Math.min(left, 1 + rnd.nextInt(16));
          List<String> ids = new ArrayList<>();
          List<CompletableFuture<AgentEvent>> futures = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            String id = tag + "-a" + k++;
            ids.add(id);
            futures.add(swarm.events().appendAsync(event(id, rnd)));
          }
          for (int i = 0; i < n; i++) {
            try {
              futures.get(i).join();
            } catch (CompletionException e) {
              throw e.getCause() instanceof SwarmDbException s ? s : e;
            }
            say(out, "ACK " + ids.get(i));
          }
          written += n;
        } else {
          int n = (int) Math.min(left, 2 + rnd.nextInt(49));
          String batch = tag + "-b" + k++;
          List<AgentEvent> events = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            events.add(event(batch + "-" + i + "of" + n, rnd));
          }
          swarm.events().appendAll(events);
          say(out, "BATCH " + batch + " " + n);
          written += n;
        }
      }
    }
    say(out, "DONE " + written);
  }

  private static AgentEvent event(String id, SplittableRandom rnd) {
    String pad = "x".repeat(rnd.nextInt(400));
    return AgentEvent.of("run", "agent-" + rnd.nextInt(8), "worker", Map.of("id", id, "pad", pad))
        .withEventId(id);
  }

  private static void lock(String[] args, PrintWriter out, BufferedReader in) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + args[1]);
        Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = 10000");
      st.execute("BEGIN IMMEDIATE");
      st.executeUpdate("UPDATE agent_events SET agent_id = agent_id WHERE seq = 1");
      say(out, "LOCKED");
      in.readLine();
      st.execute("ROLLBACK");
    }
    say(out, "RELEASED");
  }

  private static void files(String[] args, PrintWriter out, BufferedReader in) throws Exception {
    Path dir = Path.of(args[1]);
    try (SwarmDB swarm = SwarmDB.open(dir.resolve("a/b/swarm.db"))) {
      swarm.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()));
      swarm.maintenance().backupTo(dir.resolve("backups/nested/copy.db"));
      say(out, "READY");
      in.readLine();
    }
    say(out, "CLOSED");
  }

  private static void sidecar(String[] args, PrintWriter out) {
    try (SwarmDB swarm = SwarmDB.open(Path.of(args[1]))) {
      for (int i = 0; i < 5; i++) {
        swarm.agents().register("agent-" + i, "worker");
      }
      swarm.agents().transition("agent-0", io.moaiflow.swarmdb.AgentStatus.RUNNING);
      swarm.agents().transition("agent-1", io.moaiflow.swarmdb.AgentStatus.RUNNING);
      swarm.agents().transition("agent-1", io.moaiflow.swarmdb.AgentStatus.COMPLETE);
      swarm.agents().transition("agent-2", io.moaiflow.swarmdb.AgentStatus.RUNNING);
      for (int i = 0; i < 100; i++) {
        swarm.events().append(AgentEvent.of("spawn", "agent-" + i % 5, "worker", Map.of()));
      }
      for (int b = 0; b < 5; b++) {
        List<AgentEvent> batch = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          batch.add(AgentEvent.of("run", "agent-" + i % 5, "worker", Map.of("i", i)));
        }
        swarm.events().appendAll(batch);
      }
      List<CompletableFuture<AgentEvent>> futures = new ArrayList<>();
      for (int i = 0; i < 44; i++) {
        futures.add(
            swarm.events().appendAsync(AgentEvent.of("complete", "agent-1", null, Map.of())));
      }
      futures.forEach(CompletableFuture::join);
      say(out, "DONE " + swarm.events().count());
    }
  }

  private static void migrate(String[] args, PrintWriter out) {
    say(out, "OPENING");
    try (SwarmDB swarm = SwarmDB.open(Path.of(args[1]))) {
      say(out, "OPENED v" + swarm.migrator().currentVersion());
    }
  }

  private static void opener(String[] args, PrintWriter out, BufferedReader in) throws Exception {
    Path dir = Path.of(args[1]);
    say(out, "READY");
    String line;
    while ((line = in.readLine()) != null && !"end".equals(line)) {
      try (SwarmDB swarm = SwarmDB.open(dir.resolve(line + ".db"))) {
        swarm
            .events()
            .append(
                AgentEvent.of("spawn", "agent-" + ProcessHandle.current().pid(), null, Map.of()));
        say(out, "OPENED " + line);
      } catch (SwarmDbException e) {
        say(out, "FAILED " + line + " " + e.code() + " " + oneLine(e.getMessage()));
      }
    }
    say(out, "DONE");
  }
}
