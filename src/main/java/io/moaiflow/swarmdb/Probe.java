package io.moaiflow.swarmdb;

/** Probe. This class is immutable and thread safe. */
public final class Probe {
  private Probe() {}

  /**
   * Returns one.
   *
   * @return one
   */
  public static int one() {
    return 1;
  }
}
