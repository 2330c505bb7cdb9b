package io.moaiflow.swarmdb.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.moaiflow.swarmdb.Agent;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.EventCounts;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.SwarmDbListener;
import io.moaiflow.swarmdb.health.HistoryInfo;
import io.moaiflow.swarmdb.health.Inspector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds SwarmDB's meters to a Micrometer {@link MeterRegistry}:
 *
 * <pre>{@code
 * SwarmDbMetrics metrics = new SwarmDbMetrics(db);
 * metrics.bindTo(registry); // registers itself as a listener of db
 * }</pre>
 *
 * <table>
 *   <caption>Meters (Prometheus names)</caption>
 *   <tr><th>meter</th><th>type</th><th>tags</th></tr>
 *   <tr><td>{@code moai_flow_events_total}</td><td>counter</td><td>{@code type}</td></tr>
 *   <tr><td>{@code moai_flow_agents_active}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code moai_flow_agents_stale}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code moai_flow_query_duration_seconds}</td><td>timer (histogram)</td>
 *       <td>{@code operation}</td></tr>
 *   <tr><td>{@code moai_flow_db_size_bytes}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code moai_flow_wal_size_bytes}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code moai_flow_writer_queue_depth}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code moai_flow_writer_queue_capacity}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code moai_flow_writer_transactions_total}</td><td>counter</td><td></td></tr>
 *   <tr><td>{@code moai_flow_writer_commit_duration_seconds}</td><td>timer</td><td></td></tr>
 *   <tr><td>{@code moai_flow_writer_batch_size}</td><td>summary</td><td></td></tr>
 *   <tr><td>{@code moai_flow_writer_busy_retries_total}</td><td>counter</td><td></td></tr>
 *   <tr><td>{@code moai_flow_errors_total}</td><td>counter</td>
 *       <td>{@code code}, {@code category}, {@code operation}</td></tr>
 *   <tr><td>{@code moai_flow_history_rows}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code moai_flow_history_size_bytes}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code moai_flow_history_horizon}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code moai_flow_history_budget_bytes}</td><td>gauge (with a budget only)</td>
 *       <td></td></tr>
 * </table>
 *
 * <p><b>Database-wide or per process.</b> {@code moai_flow_events_total}, {@code
 * moai_flow_agents_active}, {@code moai_flow_agents_stale}, {@code moai_flow_db_size_bytes} and
 * {@code moai_flow_wal_size_bytes} describe the database whoever wrote it, so a sidecar that shares
 * the file reports the same figures as the orchestrator. The other meters (operation durations,
 * errors, the writer's figures) describe the process this binder runs in. The history gauges
 * ({@link io.moaiflow.swarmdb.health.Inspector#history()}) are database-wide too, except the
 * budget, which is this process's configuration ({@code SwarmDbConfig.Builder.historyBudgetBytes}).
 *
 * <p>The event counters come from the log: at {@link #bindTo} one grouped count on the event-type
 * index, then only the events with a {@code seq} above the last one seen ({@link
 * io.moaiflow.swarmdb.EventStore#countByTypeAfter}), so each event is counted once whichever
 * process appended it, and a counter never goes down (events deleted by retention stay counted).
 * Reading a counter refreshes them at most once per {@code snapshotTtl}, and at once after this
 * process appended; {@link #refresh()} refreshes now. A type's series exists from its first event.
 *
 * <p>A scrape never runs an integrity check or a full count: the active agent count is a snapshot
 * refreshed at most once per {@code snapshotTtl} (default one second); the size gauges read file
 * sizes and the writer gauges read in-memory counters. Event types become tag values; past {@code
 * maxEventTypes} distinct types, new types are counted under {@code type="other"} so a caller's
 * free-form types cannot explode the number of series. Counting the history reads every history
 * row, so the history gauges share one count made at most once per {@link #HISTORY_SNAPSHOT_TTL}.
 *
 * <p>This class is thread safe. {@link #close()} unregisters the listener and removes the meters.
 */
public final class SwarmDbMetrics implements MeterBinder, SwarmDbListener, AutoCloseable {
  /** How long the active-agent snapshot is reused by default. */
  public static final Duration DEFAULT_SNAPSHOT_TTL = Duration.ofSeconds(1);

  /**
   * How long an active agent may go without a transition or heartbeat before it counts as stale.
   */
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofMinutes(15);

  /** How long the history gauges reuse one count of the history (it reads every history row). */
  public static final Duration HISTORY_SNAPSHOT_TTL = Duration.ofMinutes(1);

  /** How many distinct event types get their own series by default. */
  public static final int DEFAULT_MAX_EVENT_TYPES = 100;

  /** The {@code type} tag of events whose type arrived after the limit was reached. */
  public static final String OTHER_EVENT_TYPE = "other";

  /** Histogram buckets of {@code moai.flow.query.duration}, from 100 µs to 10 s. */
  static final Duration[] QUERY_BUCKETS = {
    Duration.ofNanos(100_000),
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private static final Logger LOG = LoggerFactory.getLogger(SwarmDbMetrics.class);

  private final SwarmDB db;
  private final long snapshotTtlNanos;
  private final Duration staleAfter;
  private final int maxEventTypes;
  private final LongSupplier nanoClock;
  private final List<Binding> bindings = new CopyOnWriteArrayList<>();
  private final Set<String> eventTypes = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean listening = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object snapshotLock = new Object();
  private long snapshotAt; // guarded by snapshotLock, as are the three below
  private boolean hasSnapshot;
  private double activeAgents = Double.NaN;
  private double staleAgents = Double.NaN;
  private final Map<String, AtomicLong> eventTotals = new ConcurrentHashMap<>();
  private final Object eventsLock = new Object();
  private volatile boolean eventsDirty = true;
  private long eventsAt; // guarded by eventsLock
  private boolean hasEvents; // guarded by eventsLock
  private long lastSeq; // guarded by eventsLock
  private final Object historyLock = new Object();
  private long historyAt; // guarded by historyLock, as is the one below
  private @Nullable HistoryInfo history;

  /**
   * Meters for a database with the default snapshot TTL and event type limit.
   *
   * @param db the database; it stays owned by the caller
   */
  public SwarmDbMetrics(SwarmDB db) {
    this(db, DEFAULT_SNAPSHOT_TTL, DEFAULT_MAX_EVENT_TYPES, DEFAULT_STALE_AFTER);
  }

  /**
   * Meters for a database.
   *
   * @param db the database; it stays owned by the caller
   * @param snapshotTtl how long a database-backed gauge value is reused (0 to 1 minute)
   * @param maxEventTypes how many distinct event types get their own series (1 to 10,000)
   * @param staleAfter how long an active agent may stay silent before {@code
   *     moai_flow_agents_stale} counts it (positive)
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for values out of range
   */
  public SwarmDbMetrics(SwarmDB db, Duration snapshotTtl, int maxEventTypes, Duration staleAfter) {
    this(db, snapshotTtl, maxEventTypes, staleAfter, System::nanoTime);
  }

  SwarmDbMetrics(
      SwarmDB db,
      Duration snapshotTtl,
      int maxEventTypes,
      Duration staleAfter,
      LongSupplier nanoClock) {
    this.db = Objects.requireNonNull(db, "db");
    Objects.requireNonNull(snapshotTtl, "snapshotTtl");
    this.staleAfter = Objects.requireNonNull(staleAfter, "staleAfter");
    if (staleAfter.isZero() || staleAfter.isNegative()) {
      throw invalid("staleAfter is " + staleAfter + "; use a positive duration (default PT15M)");
    }
    if (snapshotTtl.isNegative() || snapshotTtl.compareTo(Duration.ofMinutes(1)) > 0) {
      throw invalid(
          "snapshotTtl is " + snapshotTtl + "; use a value from PT0S to PT1M (default PT1S)");
    }
    if (maxEventTypes < 1 || maxEventTypes > 10_000) {
      throw invalid(
          "maxEventTypes is "
              + maxEventTypes
              + "; use a value from 1 to 10000 (default "
              + DEFAULT_MAX_EVENT_TYPES
              + ")");
    }
    this.snapshotTtlNanos = snapshotTtl.toNanos();
    this.maxEventTypes = maxEventTypes;
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  private static SwarmDbException invalid(String message) {
    return new SwarmDbException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /**
   * Registers the meters with {@code registry} and, on the first call, this object as a listener of
   * the database. May be called for several registries.
   *
   * @param registry the registry
   * @throws IllegalStateException after {@link #close()}
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (closed.get()) {
      throw new IllegalStateException("SwarmDbMetrics for " + db + " is closed; create a new one");
    }
    Binding binding = new Binding(registry);
    bindings.add(binding);
    if (listening.compareAndSet(false, true)) {
      db.addListener(this);
    }
    // present from the first scrape: a series for every type already in the database
    refresh();
    for (String type : eventTotals.keySet()) {
      binding.events(type);
    }
  }

  /**
   * Brings the event counters up to date now, whatever the snapshot TTL (see the class
   * description), with a new {@code moai_flow_events_total} series for each type seen for the first
   * time: an exporter calls it before rendering a scrape so that such a series appears in that
   * scrape. The agent gauges keep their snapshot.
   */
  public void refresh() {
    synchronized (eventsLock) {
      refreshEvents();
    }
  }

  @Override
  public void onEventsAppended(String eventType, int count) {
    // The counters come from the database (an append of this process and one of any other count
    // the same way); this only makes the next read query it, and gives a new type its series now.
    eventsDirty = true;
    series(typeTag(eventType));
  }

  /** The total of a type tag, with its series in every registry. */
  private AtomicLong series(String type) {
    AtomicLong total = eventTotals.computeIfAbsent(type, t -> new AtomicLong());
    for (Binding b : bindings) {
      b.events(type);
    }
    return total;
  }

  /**
   * The database-wide count of events of a type tag, refreshed when this process appended since the
   * last read or the snapshot TTL passed.
   */
  private double eventTotal(String type) {
    synchronized (eventsLock) {
      long now = nanoClock.getAsLong();
      if (eventsDirty || !hasEvents || now - eventsAt >= snapshotTtlNanos) {
        refreshEvents();
      }
    }
    AtomicLong n = eventTotals.get(type);
    return n == null ? 0 : n.get();
  }

  /** Adds the events past {@link #lastSeq}; keeps the counts when the database cannot be read. */
  private void refreshEvents() {
    eventsAt = nanoClock.getAsLong();
    hasEvents = true;
    if (db.isClosed()) {
      return;
    }
    eventsDirty = false; // before the read: an append committed during it marks it again
    EventCounts counts;
    try {
      counts = db.events().countByTypeAfter(lastSeq);
    } catch (SwarmDbException e) {
      eventsDirty = true;
      LOG.debug("moai.flow.events: could not count the events of {}", db, e);
      return;
    }
    for (Map.Entry<String, Long> e : counts.byType().entrySet()) {
      series(typeTag(e.getKey())).addAndGet(e.getValue());
    }
    lastSeq = counts.lastSeq();
  }

  @Override
  public void onOperation(String operation, long nanos, @Nullable ErrorCode error) {
    for (Binding b : bindings) {
      b.timer(operation).record(nanos, TimeUnit.NANOSECONDS);
      if (error != null) {
        b.errors(operation, error).increment();
      }
    }
  }

  @Override
  public void onCommit(int writes, long nanos) {
    for (Binding b : bindings) {
      b.commits.record(nanos, TimeUnit.NANOSECONDS);
      b.batchSize.record(writes);
    }
  }

  @Override
  public void onBusyRetry() {
    for (Binding b : bindings) {
      b.busyRetries.increment();
    }
  }

  /**
   * Spawned plus running agents, or those of them silent for longer than {@code staleAfter}, from
   * one snapshot at most {@code snapshotTtl} old; NaN when the database cannot be read (it is
   * closed, or the read failed).
   */
  private double agents(boolean stale) {
    synchronized (snapshotLock) {
      long now = nanoClock.getAsLong();
      if (!hasSnapshot || now - snapshotAt >= snapshotTtlNanos) {
        readAgents();
        snapshotAt = now;
        hasSnapshot = true;
      }
      return stale ? staleAgents : activeAgents;
    }
  }

  private void readAgents() {
    activeAgents = Double.NaN;
    staleAgents = Double.NaN;
    if (db.isClosed()) {
      return;
    }
    try {
      List<Agent> active = db.agents().active();
      Instant cutoff = db.config().clock().instant().minus(staleAfter);
      activeAgents = active.size();
      staleAgents = active.stream().filter(a -> a.updatedAt().isBefore(cutoff)).count();
    } catch (SwarmDbException e) {
      LOG.debug("moai.flow.agents.active: could not list the agents of {}", db, e);
    }
  }

  private String typeTag(String eventType) {
    if (eventTypes.contains(eventType)) {
      return eventType;
    }
    synchronized (eventTypes) {
      if (eventTypes.size() < maxEventTypes) {
        eventTypes.add(eventType);
        return eventType;
      }
    }
    return OTHER_EVENT_TYPE;
  }

  /**
   * A figure of the history from one count at most {@link #HISTORY_SNAPSHOT_TTL} old; NaN when the
   * database cannot be read.
   */
  private double history(ToDoubleFunction<HistoryInfo> figure) {
    HistoryInfo h;
    synchronized (historyLock) {
      long now = nanoClock.getAsLong();
      if (history == null || now - historyAt >= HISTORY_SNAPSHOT_TTL.toNanos()) {
        historyAt = now;
        history = null;
        if (!db.isClosed()) {
          try {
            history = db.inspect().history();
          } catch (SwarmDbException e) {
            LOG.debug("moai.flow.history: could not count the history of {}", db, e);
          }
        }
      }
      h = history;
    }
    return h == null ? Double.NaN : figure.applyAsDouble(h);
  }

  /** A figure of the inspector, NaN when it cannot be read. */
  private double inspected(ToDoubleFunction<Inspector> figure) {
    try {
      return figure.applyAsDouble(db.inspect());
    } catch (SwarmDbException e) {
      return Double.NaN;
    }
  }

  /**
   * Unregisters the listener and removes this object's meters from every registry it was bound to.
   * Idempotent. The database stays open.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (listening.get()) {
      db.removeListener(this);
    }
    for (Binding b : bindings) {
      b.remove();
    }
    bindings.clear();
  }

  @Override
  public String toString() {
    return "SwarmDbMetrics[" + db + ", registries=" + bindings.size() + "]";
  }

  /** The meters of one registry; lazily created tagged meters are cached. */
  private final class Binding {
    private final MeterRegistry registry;
    private final List<Meter> fixed = new ArrayList<>();
    private final Map<String, FunctionCounter> events = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Timer commits;
    private final DistributionSummary batchSize;
    private final Counter busyRetries;

    Binding(MeterRegistry registry) {
      this.registry = registry;
      gauge(
          "moai.flow.agents.active",
          "Agents spawned or running (snapshot, at most one query per TTL)",
          null,
          m -> m.agents(false));
      gauge(
          "moai.flow.agents.stale",
          "Active agents silent for longer than the stale threshold",
          null,
          m -> m.agents(true));
      gauge(
          "moai.flow.db.size",
          "Bytes on disk: main file + WAL + SHM",
          BaseUnits.BYTES,
          m -> m.inspected(Inspector::sizeBytes));
      gauge(
          "moai.flow.wal.size",
          "Bytes of the write-ahead log file",
          BaseUnits.BYTES,
          m -> m.inspected(Inspector::walSizeBytes));
      gauge(
          "moai.flow.writer.queue.depth",
          "Writes waiting for the single writer",
          null,
          m -> m.inspected(i -> i.writerStats().queueDepth()));
      gauge(
          "moai.flow.writer.queue.capacity",
          "Most writes that may wait for the writer",
          null,
          m -> m.inspected(i -> i.writerStats().queueCapacity()));
      gauge(
          "moai.flow.history.rows",
          "Rows of the flight recorder's history tables (one count per history TTL)",
          null,
          m -> m.history(HistoryInfo::rows));
      gauge(
          "moai.flow.history.size",
          "Bytes of the history by the budget's formula (one count per history TTL)",
          BaseUnits.BYTES,
          m -> m.history(HistoryInfo::bytes));
      gauge(
          "moai.flow.history.horizon",
          "The history horizon: the earliest seq an as-of view can be built at",
          null,
          m -> m.history(HistoryInfo::horizon));
      OptionalLong budget = db.config().historyBudgetBytes();
      if (budget.isPresent()) {
        gauge(
            "moai.flow.history.budget",
            "The history budget this process prunes to (historyBudgetBytes)",
            BaseUnits.BYTES,
            m -> budget.getAsLong());
      }
      fixed.add(
          FunctionCounter.builder(
                  "moai.flow.writer.transactions",
                  SwarmDbMetrics.this,
                  m -> m.inspected(i -> i.writerStats().transactions()))
              .description("Transactions committed by the writer since open")
              .register(registry));
      commits =
          Timer.builder("moai.flow.writer.commit.duration")
              .description("Duration of the writer's transactions, commit included")
              .register(registry);
      batchSize =
          DistributionSummary.builder("moai.flow.writer.batch.size")
              .description("Writes per committed transaction (group commit)")
              .register(registry);
      busyRetries =
          Counter.builder("moai.flow.writer.busy.retries")
              .description("Whole-transaction retries after a busy database")
              .register(registry);
      fixed.addAll(List.of(commits, batchSize, busyRetries));
    }

    private void gauge(
        String name,
        String description,
        @Nullable String unit,
        ToDoubleFunction<SwarmDbMetrics> value) {
      fixed.add(
          Gauge.builder(name, SwarmDbMetrics.this, value)
              .description(description)
              .baseUnit(unit)
              .strongReference(true)
              .register(registry));
    }

    FunctionCounter events(String type) {
      return events.computeIfAbsent(
          type,
          t ->
              FunctionCounter.builder("moai.flow.events", SwarmDbMetrics.this, m -> m.eventTotal(t))
                  .description(
                      "Agent events in the database by event type, whoever appended them: those"
                          + " present at the first scrape plus those appended since")
                  .tag("type", t)
                  .register(registry));
    }

    Timer timer(String operation) {
      return timers.computeIfAbsent(
          operation,
          op ->
              Timer.builder("moai.flow.query.duration")
                  .description("Duration of SwarmDB operations, by operation")
                  .tag("operation", op)
                  .serviceLevelObjectives(QUERY_BUCKETS)
                  .register(registry));
    }

    Counter errors(String operation, ErrorCode code) {
      return errors.computeIfAbsent(
          operation + '\u0000' + code.name(),
          k ->
              Counter.builder("moai.flow.errors")
                  .description("Failed SwarmDB operations, by error code")
                  .tag("code", code.name())
                  .tag("category", code.isDatabaseError() ? "database" : "caller")
                  .tag("operation", operation)
                  .register(registry));
    }

    void remove() {
      Stream.of(fixed, events.values(), timers.values(), errors.values())
          .flatMap(Collection::stream)
          .forEach(registry::remove);
    }
  }
}
