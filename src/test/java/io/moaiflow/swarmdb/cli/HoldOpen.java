package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.SwarmDB;
import java.io.IOException;
import java.nio.file.Path;

/** A second process for tests: opens a database, prints "open", and holds it until stdin closes. */
public final class HoldOpen {
  private HoldOpen() {}

  public static void main(String[] args) throws IOException {
    try (SwarmDB db = SwarmDB.open(Path.of(args[0]))) {
      db.inspect().health();
      System.out.println("open");
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to close our stdin
      }
    }
  }
}
