package io.moaiflow.swarmdb.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moaiflow.swarmdb.SwarmDbConfig;
import org.jspecify.annotations.Nullable;

/**
 * What both backends hold the same way: the configuration, the label for messages, the monotonic
 * clock, the listeners and the open/schema state; reads check the schema here once. Thread safe.
 */
public abstract class BackendBase implements Backend {
  protected final SwarmDbConfig config;
  protected final String label;
  protected final TimeSource time;
  protected final Listeners listeners;
  protected final OpenState state;
  private final ObjectMapper json;
  private @Nullable History history;
  private final KnownLinks known = new KnownLinks();
  private final VectorIndex vectors;

  protected BackendBase(
      SwarmDbConfig config,
      String label,
      TimeSource time,
      Listeners listeners,
      int shippedVersion,
      int schemaVersion) {
    this.config = config;
    this.label = label;
    this.time = time;
    this.listeners = listeners;
    this.state = new OpenState(label, shippedVersion, schemaVersion);
    this.json = Json.forDatabase(config.jsonMapper());
    this.vectors = new VectorIndex(config.vectorIndexBytes());
  }

  @Override
  public final ObjectMapper json() {
    return json;
  }

  @Override
  public final <T> T read(String op, SqlFunction<T> fn) {
    state.checkUsable(op);
    return readUnchecked(op, fn);
  }

  @Override
  public final SwarmDbConfig config() {
    return config;
  }

  @Override
  public final String label() {
    return label;
  }

  @Override
  public final Listeners listeners() {
    return listeners;
  }

  @Override
  public final boolean isClosed() {
    return state.isClosed();
  }

  @Override
  public final synchronized History history() {
    History h = history;
    if (h == null) {
      h = new History(this);
      history = h;
    }
    return h;
  }

  @Override
  public final KnownLinks known() {
    return known;
  }

  @Override
  public final VectorIndex vectors() {
    return vectors;
  }

  /** The monotonic clock every unit of work reads "now" from. */
  public final TimeSource time() {
    return time;
  }

  public final int schemaVersion() {
    return state.schemaVersion();
  }

  public final void schemaVersion(int v) {
    state.schemaVersion(v);
  }
}
