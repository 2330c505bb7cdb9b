package io.moaiflow.swarmdb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

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

  /**
   * Runs {@code statements} on {@code db} as damage on disk would change it: past the triggers that
   * keep the full-text index (which parse every value written and would refuse text that is not
   * JSON). The triggers are dropped, the statements run and the triggers created again, in one
   * transaction.
   */
  public static void damage(Path db, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      List<String[]> triggers = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'")) {
        while (rs.next()) {
          triggers.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
      for (String[] t : triggers) {
        st.execute("DROP TRIGGER " + t[0]);
      }
      for (String s : statements) {
        st.execute(s);
      }
      for (String[] t : triggers) {
        st.execute(t[1]);
      }
      c.commit();
    }
  }
}
