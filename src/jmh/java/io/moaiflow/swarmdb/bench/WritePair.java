package io.moaiflow.swarmdb.bench;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The stores of a write comparison, open for all its rounds: SwarmDB on one store and a plain
 * connection on one store per raw side, all created by SwarmDB and prefilled with the same rows,
 * so each round starts every side on a table of the same size (each side writes the round's events
 * into its own store, so the same ids never collide). Holds the round's events (built before the
 * round, the same list for every side) and a pool of caller threads. Not thread safe: the suite
 * sets it up, and one JMH benchmark at a time reads it.
 */
final class WritePair implements AutoCloseable {
  static final int MAX_THREADS = 64;

  final BenchBackend store;
  final SwarmDB db;
  final ExecutorService pool = Executors.newFixedThreadPool(MAX_THREADS);
  private final List<RawStore> raws = new ArrayList<>();
  private List<AgentEvent> events = List.of();
  private int threads = 1;
  private int next;
  private int current;

  /** One raw side's store: its connection, insert, and per-thread connections when used. */
  private static final class RawStore {
    final String name;
    final Connection connection;
    final PreparedStatement insert;
    final List<Connection> own = new ArrayList<>();
    final List<PreparedStatement> ownInserts = new ArrayList<>();

    RawStore(BenchBackend store, String name) throws SQLException {
      this.name = name;
      this.connection = store.connect(name);
      this.insert = connection.prepareStatement(store.insertSql());
    }
  }

  private WritePair(BenchBackend store, String name, long prefill, int rawSides)
      throws SQLException {
    this.store = store;
    String swarmStore = name + "-swarm";
    store.openFresh(swarmStore).close();
    store.prefill(swarmStore, prefill);
    for (int i = 1; i <= rawSides; i++) {
      String rawStore = name + "-raw" + i;
      store.rawFresh(rawStore).close();
      store.prefill(rawStore, prefill);
      raws.add(new RawStore(store, rawStore));
    }
    this.db = store.open(swarmStore);
  }

  /** Opens SwarmDB's store and {@code rawSides} raw stores, each prefilled with {@code prefill}. */
  static WritePair open(BenchBackend store, String name, long prefill, int rawSides) {
    try {
      return new WritePair(store, name, prefill, rawSides);
    } catch (SQLException e) {
      throw new IllegalStateException("opening the stores of " + name + " failed", e);
    }
  }

  /** Builds the next round's events: {@code rows} new events with UUIDv7 ids, stamped now. */
  void newRound(int rows, int callers) throws SQLException {
    if (store instanceof BenchBackend.Postgres) {
      for (RawStore r : raws) {
        ownInserts(r, callers); // connections of baseline (b) open outside the measured round
      }
    }
    this.events = BenchRows.events(next, rows);
    this.threads = callers;
    next += rows;
  }

  /** Selects the raw store (1-based, in side order) the next raw benchmark writes to. */
  void useRaw(int side) {
    this.current = side - 1;
  }

  List<AgentEvent> events() {
    return events;
  }

  int threads() {
    return threads;
  }

  Connection raw() {
    return raws.get(current).connection;
  }

  PreparedStatement rawInsert() {
    return raws.get(current).insert;
  }

  /** One insert per caller thread, each on a connection of its own (PostgreSQL's (b)). */
  List<PreparedStatement> ownInserts(int count) throws SQLException {
    return ownInserts(raws.get(current), count);
  }

  private List<PreparedStatement> ownInserts(RawStore r, int count) throws SQLException {
    while (r.ownInserts.size() < count) {
      Connection c = store.connect(r.name);
      r.own.add(c);
      r.ownInserts.add(c.prepareStatement(store.insertSql()));
    }
    return r.ownInserts.subList(0, count);
  }

  /** A new plain connection to raw store {@code side} (1-based), closed by the caller. */
  Connection connectRaw(int side) {
    return store.connect(raws.get(side - 1).name);
  }

  /** Transactions SwarmDB's writer has committed since open. */
  long swarmTransactions() {
    return db.inspect().writerStats().transactions();
  }

  @Override
  public void close() throws SQLException {
    pool.shutdownNow();
    try {
      if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the benchmark's caller threads did not stop in 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the caller threads", e);
    }
    for (RawStore r : raws) {
      for (Connection c : r.own) {
        c.close(); // closes its statement too
      }
      r.insert.close();
      r.connection.close();
    }
    db.close();
  }
}
