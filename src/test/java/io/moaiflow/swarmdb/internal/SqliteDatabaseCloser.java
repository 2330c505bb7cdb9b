package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.SwarmDbConfig;
import java.nio.file.Path;

/** Creates a database file with the current schema and closes it. */
final class SqliteDatabaseCloser {
  private final Path file;

  SqliteDatabaseCloser(Path file) {
    this.file = file;
  }

  void openAndClose() {
    SqliteDatabase.open(SwarmDbConfig.builder(file).build()).close();
  }
}
