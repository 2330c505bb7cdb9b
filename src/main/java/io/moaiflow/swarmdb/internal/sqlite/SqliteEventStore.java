package io.moaiflow.swarmdb.internal.sqlite;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.internal.EventIndex;
import io.moaiflow.swarmdb.internal.Handle;
import io.moaiflow.swarmdb.internal.SqlEventStore;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The event log on SQLite: appends go through the single writer, so concurrent single appends share
 * its group commit, and a batch is one JDBC batch in one transaction. Everything else is {@link
 * SqlEventStore}'s. Thread safe.
 */
final class SqliteEventStore extends SqlEventStore {
  private final SqliteDatabase sqlite;

  SqliteEventStore(SqliteDatabase db) {
    super(db);
    this.sqlite = db;
  }

  @Override
  protected Inserted appendOne(Row row) {
    return sqlite.write("events.append", h -> indexed(h, insertOne(h, row)));
  }

  @Override
  protected CompletableFuture<Inserted> appendOneAsync(Row row) {
    return sqlite.writeAsync("events.appendAsync", h -> indexed(h, insertOne(h, row)));
  }

  @Override
  protected InsertedBatch appendRows(List<Row> rows) {
    return sqlite.write("events.appendAll", h -> insertBatch(h, rows));
  }

  private InsertedBatch insertBatch(Handle h, List<Row> rows) throws SQLException {
    PreparedStatement ps = h.prepare(insertSql());
    ps.clearBatch(); // a batch that failed half-way must not leak into the next call
    for (Row row : rows) {
      bind(ps, row);
      ps.addBatch();
    }
    int[] counts = ps.executeBatch();
    int inserted = 0;
    for (int c : counts) {
      inserted += c > 0 ? 1 : 0;
    }
    // Rows inserted without a conflict in between take consecutive seqs; a conflicting
    // (idempotent) row may burn a seq, so then every row is read back by id instead.
    boolean consecutive = inserted == rows.size();
    long seq = consecutive ? h.queryLong("SELECT last_insert_rowid()") - inserted + 1 : 0;
    List<AgentEvent> stored = new ArrayList<>(rows.size());
    Map<String, Integer> fresh = new HashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      AgentEvent e = rows.get(i).event();
      if (counts[i] > 0) {
        fresh.merge(e.eventType(), 1, Integer::sum);
      }
      stored.add(consecutive ? rows.get(i).stored(seq++) : stored(h, e.eventId()));
    }
    if (inserted > 0) {
      // every seq from the first to the last inserted row is this batch's (one writer; a
      // conflicting row inserts nothing)
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      for (int i = 0; i < rows.size(); i++) {
        if (counts[i] > 0) {
          first = Math.min(first, stored.get(i).seq());
          last = Math.max(last, stored.get(i).seq());
        }
      }
      index(h, first, last);
    }
    return new InsertedBatch(Collections.unmodifiableList(stored), fresh);
  }

  @Override
  protected Inserted inserted(Handle h, Inserted inserted) throws SQLException {
    return indexed(h, inserted);
  }

  @Override
  protected String removalTokenInTransaction(Handle h) throws SQLException {
    return EventIndex.removalTokenInThisTransaction(h);
  }

  private static Inserted indexed(Handle h, Inserted inserted) throws SQLException {
    if (inserted.fresh()) {
      long seq = inserted.event().seq();
      index(h, seq, seq);
    }
    return inserted;
  }

  /**
   * Puts events {@code first..last} into the full-text index when indexing is on. The setting is
   * read in this transaction (another process may have switched it since the last one), once for
   * all the writes of a group commit, so that with indexing off the FTS5 table takes no part in the
   * transaction at all.
   */
  private static void index(Handle h, long first, long last) throws SQLException {
    if (EventIndex.isOnInThisTransaction(h)) {
      h.prepare(EventIndex.SQLITE_INDEX_RANGE, first, last).executeUpdate();
    }
  }
}
