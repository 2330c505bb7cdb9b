package io.moaiflow.swarmdb.reliability;

import io.moaiflow.swarmdb.internal.Schema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/** Reads database files independently of the library: plain read-only JDBC and file modes. */
final class DbFiles {
  private DbFiles() {}

  static Connection readOnly(Path db) throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setReadOnly(true);
    cfg.setBusyTimeout(10_000);
    return cfg.createConnection(Schema.jdbcUrl(db));
  }

  /** Every event_id in the file. */
  static Set<String> eventIds(Path db) throws SQLException {
    return new HashSet<>(firstColumn(db, "SELECT event_id FROM agent_events"));
  }

  /** The lines of {@code PRAGMA integrity_check} (["ok"] when intact). */
  static List<String> integrityCheck(Path db) throws SQLException {
    return firstColumn(db, "PRAGMA integrity_check");
  }

  private static List<String> firstColumn(Path db, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection c = readOnly(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  static long queryLong(Path db, String sql) throws SQLException {
    try (Connection c = readOnly(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  /** The POSIX mode as octal text, for example {@code 600}. */
  static String mode(Path p) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    String rwx = PosixFilePermissions.toString(perms);
    int mode = 0;
    for (int i = 0; i < 9; i++) {
      if (rwx.charAt(i) != '-') {
        mode |= 1 << (8 - i);
      }
    }
    return Integer.toOctalString(mode);
  }

  /**
   * The members of {@code expected} missing from {@code actual}, in linear time (AssertJ's
   * containsAll compares element by element, which is quadratic for 10^5 ids).
   */
  static Set<String> missing(Set<String> expected, Set<String> actual) {
    Set<String> missing = new HashSet<>();
    for (String id : expected) {
      if (!actual.contains(id)) {
        missing.add(id);
      }
    }
    return missing;
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }
}
