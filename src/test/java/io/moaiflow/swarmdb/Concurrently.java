package io.moaiflow.swarmdb;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs one task per thread, all released together by a barrier, and waits for every one. */
public final class Concurrently {
  private Concurrently() {}

  /** What thread {@code thread} (0 to threads - 1) does once released. */
  @FunctionalInterface
  public interface Task<T> {
    /** Runs on thread {@code thread}; what it returns is that thread's result. */
    T run(int thread) throws Exception;
  }

  /** Call {@code i} (0 to calls - 1) of thread {@code thread}. */
  @FunctionalInterface
  public interface Call<T> {
    /** Makes the call; what it returns is that call's result. */
    T call(int thread, int i) throws Exception;
  }

  /**
   * {@link #run(int, Task)} where each thread makes {@code calls} calls, one after the other;
   * returns each thread's results in call order, in thread order.
   */
  public static <T> List<List<T>> calls(int threads, int calls, Call<T> call) throws Exception {
    return run(
        threads,
        thread -> {
          List<T> results = new ArrayList<>(calls);
          for (int i = 0; i < calls; i++) {
            results.add(call.call(thread, i));
          }
          return results;
        });
  }

  /**
   * Runs {@code task} on {@code threads} new threads released together, and returns their results
   * in thread order. A task's failure is thrown as the {@code ExecutionException} of {@link
   * Future#get}; one that runs longer than five minutes fails with a {@code TimeoutException}.
   */
  public static <T> List<T> run(int threads, Task<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      return run(pool, threads, task);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * {@link #run(int, Task)} on {@code pool}, which must be able to run {@code threads} tasks at
   * once (else they wait for each other at the barrier until the timeout).
   */
  public static <T> List<T> run(ExecutorService pool, int threads, Task<T> task) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Future<T>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                start.await();
                return task.run(thread);
              }));
    }
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      results.add(f.get(300, TimeUnit.SECONDS));
    }
    return results;
  }
}
