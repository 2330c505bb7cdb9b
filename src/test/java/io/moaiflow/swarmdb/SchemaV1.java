package io.moaiflow.swarmdb;

import java.util.List;

/**
 * What schema version 1 must contain, written down once for the tests (DESIGN section 3),
 * independently of the main code that creates and checks it.
 */
public final class SchemaV1 {
  /** The 12 indexes, in name order; each backs a DAO query. */
  public static final List<String> INDEXES =
      List.of(
          "idx_agents_session",
          "idx_agents_status_updated",
          "idx_agents_type_status",
          "idx_events_agent_ts",
          "idx_events_session_ts",
          "idx_events_ts",
          "idx_events_type_ts",
          "idx_memory_expires",
          "idx_memory_session_updated",
          "idx_memory_type_key",
          "idx_sessions_started",
          "idx_sessions_status_started");

  private SchemaV1() {}
}
