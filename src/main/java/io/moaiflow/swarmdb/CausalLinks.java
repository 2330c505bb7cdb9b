package io.moaiflow.swarmdb;

import io.moaiflow.swarmdb.internal.Checks;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What an appended event depended on: the earlier events that caused it, by event id, and the
 * memory versions it read. Passed to {@link EventStore#append(AgentEvent, CausalLinks)} and
 * recorded in the append's transaction; {@link SwarmDB#why} and {@link SwarmDB#blastRadius} follow
 * them (docs/history.md). This record is immutable and thread safe.
 *
 * <p>Limits, checked here before any work: at most {@value #MAX_CAUSES} causes and {@value
 * #MAX_READS} reads, no id or version twice. A cause must be an event already stored (<a
 * href="SwarmDB.html#references">the reference rule</a>), so it is always an earlier one and the
 * links form no cycle.
 *
 * @param causes the ids of the events that caused this one, as stored
 * @param reads the memory versions this event read
 */
public record CausalLinks(List<String> causes, List<MemoryRef> reads) {
  /** Most causes of one event. */
  public static final int MAX_CAUSES = 64;

  /** Most memory versions one event read. */
  public static final int MAX_READS = 256;

  private static final CausalLinks NONE = new CausalLinks(List.of(), List.of());

  /**
   * Checks the limits and copies the lists.
   *
   * @param causes the ids of the causing events
   * @param reads the memory versions read
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for more than {@value #MAX_CAUSES}
   *     causes or {@value #MAX_READS} reads, a null, an invalid id, or a repeated id or version
   */
  public CausalLinks {
    Objects.requireNonNull(causes, "causes");
    Objects.requireNonNull(reads, "reads");
    if (causes.size() > MAX_CAUSES) {
      throw Checks.invalid(
          "an event names "
              + causes.size()
              + " causes; the limit is "
              + MAX_CAUSES
              + ": name the direct causes only (their own causes are followed by why)");
    }
    if (reads.size() > MAX_READS) {
      throw Checks.invalid(
          "an event names "
              + reads.size()
              + " memory reads; the limit is "
              + MAX_READS
              + ": append an event per step of work so each names what that step read");
    }
    Set<Object> seen = new HashSet<>();
    for (int i = 0; i < causes.size(); i++) {
      String id = Checks.id("causes[" + i + "]", causes.get(i));
      if (!seen.add(id)) {
        throw Checks.invalid("causes names event " + id + " twice; name each cause once");
      }
    }
    for (int i = 0; i < reads.size(); i++) {
      MemoryRef r = reads.get(i);
      if (r == null) {
        throw Checks.invalid("reads[" + i + "] is null; remove it");
      }
      if (!seen.add(r)) {
        throw Checks.invalid("reads names " + r + " twice; name each version once");
      }
    }
    causes = List.copyOf(causes);
    reads = List.copyOf(reads);
  }

  /** {@return no links: an append with them is a plain append} */
  public static CausalLinks none() {
    return NONE;
  }

  /**
   * Links to causing events only.
   *
   * @param eventIds the ids of the events that caused the new one
   * @return the links
   */
  public static CausalLinks causedBy(String... eventIds) {
    return new CausalLinks(List.of(eventIds), List.of());
  }

  /**
   * Links to memory versions read only.
   *
   * @param versions the versions read
   * @return the links
   */
  public static CausalLinks reading(MemoryRef... versions) {
    return new CausalLinks(List.of(), List.of(versions));
  }

  /** {@return whether there is no cause and no read} */
  public boolean isEmpty() {
    return causes.isEmpty() && reads.isEmpty();
  }
}
