package io.moaiflow.swarmdb;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tests on a new database per test, in a new temporary directory, with session "s" started. */
abstract class OneSessionTest {
  @RegisterExtension final TempSwarmDb swarm;
  SwarmDB db;
  SessionMemory memory;

  OneSessionTest(String fileName) {
    swarm = TempSwarmDb.withSession(fileName, "s");
  }

  @BeforeEach
  final void openSession() {
    db = swarm.db();
    memory = swarm.memory();
  }
}
