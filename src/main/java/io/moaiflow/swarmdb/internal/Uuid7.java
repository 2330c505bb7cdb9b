package io.moaiflow.swarmdb.internal;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Time-ordered UUIDv7 strings (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids sort
 * by creation millisecond, which keeps the {@code event_id} index append-mostly. This class is
 * thread safe; each thread has its own random generator.
 */
public final class Uuid7 {
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(Uuid7::newRandom);

  private Uuid7() {}

  /**
   * A new UUIDv7 for the current time.
   *
   * @return the id, lower-case canonical form
   */
  public static String next() {
    return at(System.currentTimeMillis()).toString();
  }

  /**
   * A new UUIDv7 for the given time.
   *
   * @param epochMillis Unix milliseconds
   * @return the id
   */
  public static UUID at(long epochMillis) {
    SecureRandom random = RANDOM.get();
    long randA = random.nextInt(1 << 12);
    long msb = (epochMillis << 16) | 0x7000L | randA;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  private static SecureRandom newRandom() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }
}
