package io.moaiflow.swarmdb.internal;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * "Now" in epoch milliseconds that never goes backwards within a process, even when the wall clock
 * is stepped back: expired memory stays expired and durations stay non-negative. Thread safe.
 */
public final class TimeSource {
  private final Clock clock;
  private final AtomicLong highWater = new AtomicLong(Long.MIN_VALUE);

  public TimeSource(Clock clock) {
    this.clock = clock;
  }

  /** The later of the clock's time and the latest time returned before. */
  public long now() {
    long t = clock.millis();
    return highWater.accumulateAndGet(t, Math::max);
  }

  /** Milliseconds elapsed since a {@link System#nanoTime()} reading. */
  public static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
