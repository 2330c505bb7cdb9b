package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.backend.PgTestSupport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI on PostgreSQL ({@code --url}, {@code $MOAI_DB_URL}) and its file-only refusals. */
class PostgresCliTest {
  @TempDir Path dir;

  @Test
  void fileOnlyCommandsRefuseAUrlWithoutTouchingAnything() {
    String url = "jdbc:postgresql://127.0.0.1:1/none?user=x&password=secret";
    for (String[] args :
        new String[][] {
          {"size"}, {"backup", "--out", dir.resolve("b.db").toString()},
          {"restore", "--from", dir.resolve("b.db").toString()}, {"verify"}
        }) {
      String[] all = new String[args.length + 2];
      all[0] = "--url";
      all[1] = url;
      System.arraycopy(args, 0, all, 2, args.length);
      CliRun r = CliRun.run(CliRun.quietEnv(), all).exits(ExitCodes.USAGE);
      assertThat(r.err()).contains("SQLite database file only", "pg_dump").doesNotContain("secret");
    }
  }

  @Test
  void aUrlThatIsNotPostgresIsAUsageError() {
    CliRun r =
        CliRun.run(CliRun.quietEnv(), "--url", "jdbc:mysql://h/db", "health")
            .exits(ExitCodes.USAGE);
    assertThat(r.err()).contains("not a PostgreSQL JDBC URL");
  }

  @Test
  void initHealthInfoAndDemoRunOnPostgres() throws Exception {
    PgTestSupport.requireUrl();
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema()) {
      CliRun.run(CliRun.quietEnv(), "--url", schema.url(), "init").exits(ExitCodes.OK);
      Map<String, String> env = new java.util.HashMap<>(CliRun.quietEnv());
      env.put("MOAI_DB_URL", schema.url());
      CliRun.run(env, "demo", "--agents", "6", "--sessions", "2").exits(ExitCodes.OK);
      CliRun health = CliRun.run(env, "health", "--json").exits(ExitCodes.OK);
      assertThat(health.out()).contains("\"status\":\"healthy\"");
      CliRun info = CliRun.run(env, "info").exits(ExitCodes.OK);
      assertThat(info.out()).contains("idx_events_agent_ts", "budget none, horizon seq 0");
      // the history budget on PostgreSQL: info against it, cleanup prunes to it
      var json = new com.fasterxml.jackson.databind.ObjectMapper();
      long bytes =
          json.readTree(CliRun.run(env, "info", "--json").exits(ExitCodes.OK).out())
              .get("history")
              .get("bytes")
              .asLong();
      assertThat(bytes).isPositive();
      String budget = Long.toString(bytes - 1);
      assertThat(CliRun.run(env, "info", "--history-budget", budget).exits(ExitCodes.OK).out())
          .contains("budget " + budget + " bytes (over)");
      assertThat(
              CliRun.run(env, "cleanup", "--history-budget", budget, "--quiet")
                  .exits(ExitCodes.OK)
                  .out())
          .startsWith("history budget " + budget + " bytes: " + bytes + " bytes before, ")
          .contains("horizon seq 0 -> ");
      assertThat(
              json.readTree(CliRun.run(env, "info", "--json").exits(ExitCodes.OK).out())
                  .get("history")
                  .get("bytes")
                  .asLong())
          .isLessThan(bytes);
    }
  }

  @Test
  void eventsAgentsAndSessionsReadPostgres() throws Exception {
    PgTestSupport.requireUrl();
    try (PgTestSupport.Schema schema = PgTestSupport.newSchema()) {
      Map<String, String> env = new java.util.HashMap<>(CliRun.quietEnv());
      env.put("MOAI_DB_URL", schema.url());
      CliRun.run(env, "demo", "--agents", "3", "--sessions", "1").exits(ExitCodes.OK);
      CliRun agents = CliRun.run(env, "agents", "--limit", "2").exits(ExitCodes.OK);
      assertThat(agents.out().lines().toList())
          .hasSize(4)
          .last()
          .asString()
          .startsWith("next page: --after ");
      String after = agents.out().lines().toList().get(3).substring("next page: --after ".length());
      assertThat(CliRun.run(env, "agents", "--after", after).exits(ExitCodes.OK).out().lines())
          .hasSize(2);
      assertThat(CliRun.run(env, "sessions", "--json").exits(ExitCodes.OK).out().lines())
          .hasSize(1)
          .allMatch(l -> l.contains("\"status\":\"ended\""));
      CliRun since = CliRun.run(env, "events", "--since", "0", "--limit", "3").exits(ExitCodes.OK);
      // the third event's seq (the demo's registry and memory writes take numbers of the same
      // sequence, so event seqs have gaps)
      List<String> rows = since.out().lines().toList();
      String third = rows.get(3).split(" ")[0];
      assertThat(rows).last().isEqualTo("next page: --since " + third);
      CliRun next = CliRun.run(env, "events", "--since", third, "--limit", "1").exits(ExitCodes.OK);
      String fourth = next.out().lines().toList().get(1).split(" ")[0];
      CliRun follow =
          CliRun.run(env, "events", "--follow", "--since", "0", "--max", "4", "--json")
              .exits(ExitCodes.OK);
      assertThat(follow.out().lines())
          .hasSize(4)
          .last()
          .asString()
          .contains("\"seq\":" + fourth + ",");
    }
  }
}
