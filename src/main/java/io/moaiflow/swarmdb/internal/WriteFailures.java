package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The writer's recent failed commits, by {@link ErrorCode}, over a sliding window of {@link
 * #WINDOW_SECONDS} seconds, for health.
 *
 * <p>What counts: a write transaction that the database failed (the code is a {@linkplain
 * ErrorCode#isDatabaseError() database error}: disk full, I/O, read-only, busy past the timeout,
 * corrupt ...), once per failed transaction. A caller's own fault (bad input, a constraint, an
 * illegal transition) is not a failure of the writer and is not counted, nor is work run outside a
 * transaction (VACUUM, checkpoints, the health probe itself).
 *
 * <p>The rule: the writer is failing while its latest failure lies inside the window and no
 * transaction has committed since. A successful commit after the last failure clears it at once;
 * without one, the failure expires {@link #WINDOW_SECONDS} seconds after it happened.
 *
 * <p>Memory is bounded: one count per code for each second of the window. Thread safe; {@link
 * #succeeded()} (called after every commit) is one volatile write.
 */
public final class WriteFailures {
  public static final int WINDOW_SECONDS = 60;

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final LongSupplier nanoClock;
  private final long[] bucketSecond = new long[WINDOW_SECONDS];
  private final List<Map<ErrorCode, Long>> counts = new ArrayList<>(WINDOW_SECONDS);
  private volatile long lastSuccess;
  private long lastFailure; // guarded by this
  private @Nullable ErrorCode lastCode; // guarded by this
  private String lastMessage = ""; // guarded by this

  /** Failures timed by {@link System#nanoTime()}. */
  public WriteFailures() {
    this(System::nanoTime);
  }

  /**
   * Failures timed by a clock of nanoseconds.
   *
   * @param nanoClock a monotonic clock such as {@link System#nanoTime()}
   */
  public WriteFailures(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.lastSuccess = nanoClock.getAsLong();
    java.util.Arrays.fill(bucketSecond, Long.MIN_VALUE);
    for (int i = 0; i < WINDOW_SECONDS; i++) {
      counts.add(new EnumMap<>(ErrorCode.class));
    }
  }

  public void succeeded() {
    lastSuccess = nanoClock.getAsLong();
  }

  /** A write transaction failed; ignored unless the code is a database error. */
  public synchronized void failed(ErrorCode code, @Nullable String message) {
    if (!code.isDatabaseError()) {
      return;
    }
    long now = nanoClock.getAsLong();
    long second = Math.floorDiv(now, SECOND);
    int slot = (int) Math.floorMod(second, (long) WINDOW_SECONDS);
    if (bucketSecond[slot] != second) {
      bucketSecond[slot] = second;
      counts.get(slot).clear();
    }
    counts.get(slot).merge(code, 1L, Long::sum);
    lastFailure = now;
    lastCode = code;
    lastMessage = message == null ? code.name() : message;
  }

  /**
   * Failed transactions of the last {@link #WINDOW_SECONDS} seconds, by code.
   *
   * @return code to count; codes without failures are absent
   */
  public synchronized Map<ErrorCode, Long> recent() {
    long second = Math.floorDiv(nanoClock.getAsLong(), SECOND);
    Map<ErrorCode, Long> out = new EnumMap<>(ErrorCode.class);
    for (int slot = 0; slot < WINDOW_SECONDS; slot++) {
      if (second - bucketSecond[slot] < WINDOW_SECONDS && bucketSecond[slot] <= second) {
        counts.get(slot).forEach((c, n) -> out.merge(c, n, Long::sum));
      }
    }
    return out;
  }

  /**
   * Why the writer is failing now, or null when it is not (see the class comment for the rule).
   *
   * @return the problem, with the counts, the age of the last failure and its message
   */
  public synchronized @Nullable String problem() {
    long now = nanoClock.getAsLong();
    if (lastCode == null
        || lastSuccess - lastFailure > 0
        || now - lastFailure >= WINDOW_SECONDS * SECOND) {
      return null;
    }
    Map<ErrorCode, Long> recent = recent();
    long total = recent.values().stream().mapToLong(Long::longValue).sum();
    return String.format(
        Locale.ROOT,
        "writes are failing: %d failed write transaction(s) in the last %d s %s, none committed"
            + " since the last %d ms ago (%s: %s); health recovers at the next successful commit"
            + " or %d s after the last failure",
        total,
        WINDOW_SECONDS,
        recent,
        TimeUnit.NANOSECONDS.toMillis(now - lastFailure),
        lastCode,
        lastMessage,
        WINDOW_SECONDS);
  }
}
