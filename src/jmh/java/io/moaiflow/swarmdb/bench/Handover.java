package io.moaiflow.swarmdb.bench;

import org.jspecify.annotations.Nullable;

/**
 * The stores one benchmark class runs on, handed by the suite to the benchmarks it runs in its own
 * JVM ({@code forks(0)}). Thread safe (a volatile field).
 */
final class Handover<T> {
  /** Work done while the stores are handed over. */
  @FunctionalInterface
  interface Body<R> {
    R run() throws Exception;
  }

  private final String benchmarks;
  private volatile @Nullable T value;

  Handover(String benchmarks) {
    this.benchmarks = benchmarks;
  }

  /** Runs {@code body} with {@code stores} handed over, and takes them back even when it fails. */
  <R> R during(T stores, Body<R> body) throws Exception {
    value = stores;
    try {
      return body.run();
    } finally {
      value = null;
    }
  }

  /** The stores handed over; for a benchmark's trial setup. */
  T take() {
    T v = value;
    if (v == null) {
      throw new IllegalStateException(
          benchmarks + " run only inside BenchmarkSuite (forks(0)), which opens the stores");
    }
    return v;
  }
}
