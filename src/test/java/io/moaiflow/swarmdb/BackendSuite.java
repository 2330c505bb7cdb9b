package io.moaiflow.swarmdb;

import io.moaiflow.swarmdb.backend.TestBackend;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;

/** A DAO suite run on each backend: the invocation's database, opened on a clock the test moves. */
abstract class BackendSuite {
  final MutableClock clock;
  TestBackend backend;
  SwarmDB db;

  BackendSuite(Instant start) {
    clock = new MutableClock(start);
  }

  @BeforeEach
  final void openBackend(TestBackend backend) {
    this.backend = backend;
    db = backend.open(clock);
  }
}
