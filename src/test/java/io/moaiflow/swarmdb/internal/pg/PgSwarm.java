package io.moaiflow.swarmdb.internal.pg;

import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** SwarmDB on a test schema with a 60 s busy timeout, so appends outwait a lock a test holds. */
final class PgSwarm {
  private PgSwarm() {}

  static SwarmDB open(PgTestSupport.Schema schema) {
    return open(schema, b -> b);
  }

  static SwarmDB open(PgTestSupport.Schema schema, UnaryOperator<SwarmDbConfig.Builder> settings) {
    return SwarmDB.open(
        settings
            .apply(SwarmDbConfig.postgres(schema.url()).busyTimeout(Duration.ofSeconds(60)))
            .build());
  }
}
