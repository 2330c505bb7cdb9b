package io.moaiflow.swarmdb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** SQL on a plain JDBC connection to a database file, outside the library, to set up test files. */
public final class PlainSql {
  private PlainSql() {}

  /** Runs {@code statements} in order on the SQLite file {@code db}. */
  public static void sql(Path db, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }
}
