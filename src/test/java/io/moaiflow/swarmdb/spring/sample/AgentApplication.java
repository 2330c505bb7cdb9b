package io.moaiflow.swarmdb.spring.sample;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Service;

/**
 * The sample application of docs/integrations.md ("Spring Boot"): SwarmDB comes from the
 * auto-configuration, the application only injects it. Not thread safe beyond what Spring promises.
 */
@SpringBootApplication
public class AgentApplication {
  /**
   * Starts the application.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    SpringApplication.run(AgentApplication.class, args);
  }

  /** Records what the swarm's agents do. Thread safe, as SwarmDB is. */
  @Service
  public static class Journal {
    private final SwarmDB db;

    /**
     * A journal on the application's database.
     *
     * @param db the auto-configured database
     */
    public Journal(SwarmDB db) {
      this.db = db;
    }

    /**
     * Starts a run and records an agent's spawn in it.
     *
     * @param run the session id
     * @param agent the agent id
     * @return the events recorded in the run so far
     */
    public long spawn(String run, String agent) {
      if (db.sessions().get(run).isEmpty()) {
        db.sessions().start(run);
      }
      db.events().append(AgentEvent.of("agent_spawned", agent, "worker", run, Map.of()));
      return db.events().count();
    }
  }
}
