package io.moaiflow.swarmdb.internal;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Time-ordered UUIDv7 strings (RFC 9562): 48 bits of Unix milliseconds, a 30-bit counter (the 12
 * bits of {@code rand_a} and the top 18 of {@code rand_b}, RFC 9562 §6.2 method 1), then 44 random
 * bits. Within one process every id sorts after the one made before it, also within one millisecond
 * and when the wall clock steps back (the counter keeps counting on the newest millisecond seen).
 * Each millisecond's counter starts at a random value below 2²⁹, so ids of different processes in
 * the same millisecond differ in about 73 random bits.
 *
 * <p>The random bits come from a {@link SplittableRandom} per thread, seeded once from {@link
 * SecureRandom}: ids need to be unique, not unpredictable, and a cryptographic generator per call
 * cost about 30 % of an appending thread's time. Seeding from {@code SecureRandom} (not the clock)
 * keeps two JVMs started in the same instant on different sequences. This class is thread safe.
 */
public final class Uuid7 {
  private static final SecureRandom SEEDS = new SecureRandom();
  private static final ThreadLocal<SplittableRandom> RANDOM =
      ThreadLocal.withInitial(() -> new SplittableRandom(SEEDS.nextLong()));
  private static final long COUNTER_LIMIT = 1L << 30;
  private static final int COUNTER_START = 1 << 29;
  private static final Object LOCK = new Object();

  // guarded by LOCK
  private static long lastMillis = Long.MIN_VALUE;
  private static long counter;

  private Uuid7() {}

  /** A new UUIDv7 for the current time, after every id this process made before. */
  public static String next() {
    SplittableRandom random = RANDOM.get();
    long tail = random.nextLong();
    long start = random.nextInt(COUNTER_START);
    long now = System.currentTimeMillis();
    long millis;
    long count;
    synchronized (LOCK) {
      if (now > lastMillis) {
        lastMillis = now;
        counter = start;
      } else if (++counter >= COUNTER_LIMIT) {
        // 2^29 or more ids in one millisecond: borrow the next one rather than repeat or go back
        lastMillis++;
        counter = start;
      }
      millis = lastMillis;
      count = counter;
    }
    return compose(millis, count, tail).toString();
  }

  /**
   * A UUIDv7 for the given time with a random counter (no ordering among ids of one millisecond).
   */
  public static UUID at(long epochMillis) {
    SplittableRandom random = RANDOM.get();
    return compose(epochMillis, random.nextInt(COUNTER_START), random.nextLong());
  }

  private static UUID compose(long epochMillis, long count, long tail) {
    long msb = (epochMillis << 16) | 0x7000L | (count >>> 18);
    long lsb = 0x8000_0000_0000_0000L | ((count & 0x3FFFFL) << 44) | (tail & 0xFFF_FFFF_FFFFL);
    return new UUID(msb, lsb);
  }
}
