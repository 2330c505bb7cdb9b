package io.moaiflow.swarmdb.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Progress of a long command on stderr, never stdout (scripts parse stdout): on a terminal one line
 * rewritten in place ({@code \r}) a few times a second; otherwise one log line every few seconds. A
 * step either counts its work ({@link #step(String, long, String)}: done/total, rate and ETA, or
 * without a total the count and rate) or, where the library reports nothing while it works (a
 * backup, VACUUM, an integrity check), only says how long it has been running ({@link
 * #step(String)}): no percentage is made up. Nothing is printed for work shorter than one interval.
 *
 * <p>{@link #add} may be called from the command's thread while a daemon thread prints; close it
 * when the work ends (on a terminal that clears the line).
 */
final class Progress implements AutoCloseable {
  /** Milliseconds between lines (both modes); hidden, for tests and impatient operators. */
  static final String INTERVAL_ENV = "SWARMDB_PROGRESS_INTERVAL_MS";

  static final long LOG_INTERVAL_MS = 5_000;
  static final long TTY_INTERVAL_MS = 250;

  private static final Progress OFF = new Progress(null, "", false, 0);

  private final @Nullable PrintWriter err;
  private final String name;
  private final boolean tty;
  private final long intervalMs;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicLong done = new AtomicLong();
  private final long started = System.nanoTime();
  private volatile String step = "";
  private volatile long total = -1;
  private volatile @Nullable String unit;
  private volatile long stepStarted = started;
  private @Nullable Thread ticker;
  private boolean drawn; // only the ticker thread and close() after joining it touch this

  private Progress(@Nullable PrintWriter err, String name, boolean tty, long intervalMs) {
    this.err = err;
    this.name = name;
    this.tty = tty;
    this.intervalMs = intervalMs;
  }

  /** A progress that prints nothing ({@code --quiet}). */
  static Progress off() {
    return OFF;
  }

  /**
   * Starts printing to {@code err} as {@code name} (for example {@code swarmdb export}).
   *
   * @param tty whether {@code err} is a terminal (a line rewritten in place)
   * @param intervalMs time between lines
   */
  static Progress start(PrintWriter err, String name, boolean tty, long intervalMs) {
    Progress p = new Progress(err, name, tty, intervalMs);
    Thread t = new Thread(p::tick, "swarmdb-progress");
    t.setDaemon(true);
    p.ticker = t;
    t.start();
    return p;
  }

  boolean enabled() {
    return err != null;
  }

  /** Begins a step whose work is counted; {@code total} is -1 when unknown. */
  void step(String what, long total, String unit) {
    this.done.set(0);
    this.total = total;
    this.unit = unit;
    this.stepStarted = System.nanoTime();
    this.step = what;
  }

  /** Begins a step the library reports nothing on while it works: only its elapsed time shows. */
  void step(String what) {
    this.unit = null;
    this.total = -1;
    this.stepStarted = System.nanoTime();
    this.step = what;
  }

  void add(long n) {
    done.addAndGet(n);
  }

  private void tick() {
    try {
      while (!closed.await(intervalMs, TimeUnit.MILLISECONDS)) {
        print(line());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void print(String line) {
    PrintWriter w = err;
    if (w == null) {
      return;
    }
    if (tty) {
      w.print("\r" + line + "\u001b[K");
      drawn = true;
    } else {
      w.println(line);
    }
    w.flush();
  }

  /** The current line, for example {@code swarmdb export: 1200/5000 events (24%), ...}. */
  String line() {
    long now = System.nanoTime();
    long stepMs = TimeUnit.NANOSECONDS.toMillis(now - stepStarted);
    String elapsed = Durations.elapsed(TimeUnit.NANOSECONDS.toMillis(now - started)) + " elapsed";
    String u = unit;
    StringBuilder sb = new StringBuilder(name).append(": ").append(step);
    if (u == null) {
      return sb.append(": running, ")
          .append(elapsed)
          .append(" (this step reports no progress figures)")
          .toString();
    }
    long n = done.get();
    long t = total;
    double rate = stepMs == 0 ? 0 : n * 1_000.0 / stepMs;
    sb.append(": ");
    if (t >= 0) {
      sb.append(n).append('/').append(t).append(' ').append(u);
      sb.append(String.format(Locale.ROOT, " (%d%%)", t == 0 ? 100 : Math.min(100, n * 100 / t)));
    } else {
      sb.append(n).append(' ').append(u);
    }
    sb.append(String.format(Locale.ROOT, ", %.0f %s/s", rate, u));
    if (t >= 0 && rate > 0 && n <= t) {
      sb.append(", ETA ").append(Durations.elapsed((long) ((t - n) * 1_000 / rate)));
    }
    return sb.append(", ").append(elapsed).toString();
  }

  @Override
  public void close() {
    Thread t = ticker;
    if (t == null) {
      return;
    }
    closed.countDown();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    PrintWriter w = err;
    if (drawn && w != null) {
      w.print("\r\u001b[K");
      w.flush();
    }
  }
}
