package io.moaiflow.swarmdb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.SwarmDB;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 12 (runtime part): the SQLite actually loaded is at least 3.51.3, the first release without
 * the WAL-reset corruption bug under concurrent writers and checkpointers.
 */
class SqliteVersionTest {
  @TempDir Path dir;

  @Test
  void loadedSqliteIsAtLeast3513() throws Exception {
    String version;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select sqlite_version()")) {
      assertThat(rs.next()).isTrue();
      version = rs.getString(1);
    }
    assertThat(compare(version, "3.51.3")).as("SQLite %s", version).isGreaterThanOrEqualTo(0);
    try (SwarmDB swarm = SwarmDB.open(dir.resolve("v.db"))) {
      assertThat(swarm.inspect().info().sqliteVersion()).isEqualTo(version);
    }
    System.out.println("FIGURES sqlite version=" + version);
  }

  @Test
  void versionComparisonIsNumeric() {
    assertThat(compare("3.51.3", "3.51.3")).isZero();
    assertThat(compare("3.51.2", "3.51.3")).isNegative();
    assertThat(compare("3.9.0", "3.51.3")).isNegative();
    assertThat(compare("3.100.0", "3.51.3")).isPositive();
  }

  private static int compare(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int xi = i < x.length ? Integer.parseInt(x[i]) : 0;
      int yi = i < y.length ? Integer.parseInt(y[i]) : 0;
      if (xi != yi) {
        return Integer.compare(xi, yi);
      }
    }
    return 0;
  }
}
