package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.SwarmDbListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered {@link SwarmDbListener}s; a failing listener is logged, never propagated. Thread
 * safe: listeners may be added and removed while operations are reported.
 */
public final class Listeners implements SwarmDbListener {
  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
  private final List<SwarmDbListener> listeners = new CopyOnWriteArrayList<>();

  public void add(SwarmDbListener listener) {
    listeners.add(listener);
  }

  public void remove(SwarmDbListener listener) {
    listeners.remove(listener);
  }

  /** Whether any listener is registered (to skip timing work when none is). */
  public boolean active() {
    return !listeners.isEmpty();
  }

  @Override
  public void onEventsAppended(String eventType, int count) {
    each("onEventsAppended", l -> l.onEventsAppended(eventType, count));
  }

  /**
   * Runs an operation and reports its duration and outcome (the {@link SwarmDbException}'s code, or
   * none) to the listeners, when any is registered.
   */
  public <T> T observe(String operation, Supplier<T> body) {
    long start = System.nanoTime();
    ErrorCode error = null;
    try {
      return body.get();
    } catch (SwarmDbException e) {
      error = e.code();
      throw e;
    } finally {
      if (active()) {
        onOperation(operation, System.nanoTime() - start, error);
      }
    }
  }

  @Override
  public void onOperation(String operation, long nanos, @Nullable ErrorCode error) {
    each("onOperation", l -> l.onOperation(operation, nanos, error));
  }

  @Override
  public void onCommit(int writes, long nanos) {
    each("onCommit", l -> l.onCommit(writes, nanos));
  }

  @Override
  public void onBusyRetry() {
    each("onBusyRetry", l -> l.onBusyRetry());
  }

  /** Calls every listener; one that throws is logged and the others still run. */
  private void each(String callback, Consumer<SwarmDbListener> call) {
    for (SwarmDbListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("listener {} failed in {}", l, callback, e);
      }
    }
  }
}
