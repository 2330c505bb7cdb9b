package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.SwarmDbException;
import io.moaiflow.swarmdb.SwarmDbListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

  /** Creates an empty list of listeners. */
  public Listeners() {}

  /** Adds a listener. */
  public void add(SwarmDbListener listener) {
    listeners.add(listener);
  }

  /** Removes a listener. */
  public void remove(SwarmDbListener listener) {
    listeners.remove(listener);
  }

  /** Whether any listener is registered (to skip timing work when none is). */
  public boolean active() {
    return !listeners.isEmpty();
  }

  @Override
  public void onEventsAppended(String eventType, int count) {
    for (SwarmDbListener l : listeners) {
      try {
        l.onEventsAppended(eventType, count);
      } catch (RuntimeException e) {
        LOG.warn("listener {} failed in onEventsAppended", l, e);
      }
    }
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
    for (SwarmDbListener l : listeners) {
      try {
        l.onOperation(operation, nanos, error);
      } catch (RuntimeException e) {
        LOG.warn("listener {} failed in onOperation", l, e);
      }
    }
  }

  @Override
  public void onCommit(int writes, long nanos) {
    for (SwarmDbListener l : listeners) {
      try {
        l.onCommit(writes, nanos);
      } catch (RuntimeException e) {
        LOG.warn("listener {} failed in onCommit", l, e);
      }
    }
  }

  @Override
  public void onBusyRetry() {
    for (SwarmDbListener l : listeners) {
      try {
        l.onBusyRetry();
      } catch (RuntimeException e) {
        LOG.warn("listener {} failed in onBusyRetry", l, e);
      }
    }
  }
}
