package io.moaiflow.swarmdb.internal.pg;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A second "host" for the multi-JVM tests: opens the PostgreSQL URL it is given, prints {@code
 * ready}, waits for a line on stdin, then either migrates ({@code migrate URL}) or appends ({@code
 * append URL COUNT PREFIX}), printing what was acknowledged.
 */
public final class PgWorker {
  private PgWorker() {}

  /**
   * Runs the worker.
   *
   * @param args mode, URL, and for append the count and id prefix
   * @throws Exception on any failure (the exit code is then non-zero)
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String mode = args[0];
    boolean migrateOnOpen = !"migrate".equals(mode);
    try (SwarmDB db =
        SwarmDB.open(SwarmDbConfig.postgres(args[1]).migrate(migrateOnOpen).build())) {
      out.println("ready");
      if (in.readLine() == null) {
        throw new IllegalStateException("no go signal");
      }
      if ("migrate".equals(mode)) {
        out.println("applied " + db.migrator().migrate().applied().size());
      } else {
        int n = Integer.parseInt(args[2]);
        String prefix = args[3];
        for (int i = 0; i < n; i++) {
          AgentEvent e =
              AgentEvent.of("run", prefix, "worker", Map.of("i", i)).withEventId(prefix + "-" + i);
          AgentEvent stored = db.events().append(e);
          out.println("ack " + stored.eventId() + " " + stored.seq());
        }
      }
      out.println("done");
    }
  }
}
