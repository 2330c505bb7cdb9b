package io.moaiflow.swarmdb;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock tests move by hand, forwards or backwards; it remembers the latest time it has shown.
 * Thread safe.
 */
public final class MutableClock extends Clock {
  private final AtomicLong millis;
  private final AtomicLong highest;

  public MutableClock(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
    this.highest = new AtomicLong(start.toEpochMilli());
  }

  public void advance(Duration d) {
    set(millis.get() + d.toMillis());
  }

  public void set(Instant t) {
    set(t.toEpochMilli());
  }

  /** Sets the time in epoch milliseconds. */
  public void set(long epochMillis) {
    millis.set(epochMillis);
    highest.accumulateAndGet(epochMillis, Math::max);
  }

  /** The latest time this clock has been set to, in epoch milliseconds. */
  public long highest() {
    return highest.get();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }
}
