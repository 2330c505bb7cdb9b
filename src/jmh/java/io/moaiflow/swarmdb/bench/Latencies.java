package io.moaiflow.swarmdb.bench;

import java.util.Arrays;

/** A growable array of latencies in nanoseconds with percentiles. Not thread safe. */
final class Latencies {
  private long[] values = new long[1 << 12];
  private int size;

  void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  void addAll(Latencies other) {
    for (int i = 0; i < other.size; i++) {
      add(other.values[i]);
    }
  }

  int size() {
    return size;
  }

  /** The p-th percentile (0-100) in milliseconds, or NaN when empty. */
  double percentileMs(double p) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    int i = (int) Math.min(size - 1, Math.max(0, Math.ceil(p / 100.0 * size) - 1));
    return sorted[i] / 1e6;
  }

  double maxMs() {
    return percentileMs(100);
  }
}
