package io.moaiflow.swarmdb.internal.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.SqlFunction;
import io.moaiflow.swarmdb.internal.StatementCache;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;

/**
 * A small HikariCP pool of read-only ({@code query_only}) connections, with a statement cache per
 * physical connection. Thread safe.
 */
final class ReadPool implements AutoCloseable {
  private final HikariDataSource pool;
  private final Map<Connection, StatementCache> caches = new ConcurrentHashMap<>();

  ReadPool(String url, SQLiteConfig config, int size, long connectionTimeoutMs) {
    SQLiteDataSource source = new SQLiteDataSource(config);
    source.setUrl(url);
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("swarmdb-read");
    hc.setDataSource(source);
    hc.setMaximumPoolSize(size);
    hc.setMinimumIdle(size);
    hc.setMaxLifetime(0);
    hc.setIdleTimeout(0);
    hc.setConnectionTimeout(Math.max(250, connectionTimeoutMs));
    hc.setConnectionInitSql("PRAGMA query_only = 1");
    hc.setAutoCommit(true);
    hc.setInitializationFailTimeout(1);
    this.pool = new HikariDataSource(hc);
  }

  <T> T read(SqlFunction<T> fn, long now) throws SQLException {
    try (Connection lent = pool.getConnection()) {
      Connection physical = lent.unwrap(SQLiteConnection.class);
      StatementCache cache = caches.computeIfAbsent(physical, StatementCache::new);
      return fn.apply(new Handle(physical, cache, now));
    }
  }

  /** The SQL texts in the pooled connections' statement caches; call while no read runs. */
  java.util.Set<String> preparedSql() {
    java.util.Set<String> all = new java.util.HashSet<>();
    caches.values().forEach(c -> all.addAll(c.sqlTexts()));
    return all;
  }

  String state() {
    var mx = pool.getHikariPoolMXBean();
    return mx == null
        ? "pool not started"
        : "total="
            + mx.getTotalConnections()
            + ", active="
            + mx.getActiveConnections()
            + ", idle="
            + mx.getIdleConnections()
            + ", waiting="
            + mx.getThreadsAwaitingConnection();
  }

  @Override
  public void close() {
    caches.values().forEach(StatementCache::close);
    caches.clear();
    pool.close();
  }
}
