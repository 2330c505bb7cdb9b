package io.moaiflow.swarmdb;

import java.util.List;

/**
 * What {@link SwarmDB#why} or {@link SwarmDB#blastRadius} found, breadth first from where it
 * started: the events and memory versions with their distance in links ({@code depth}, 0 for the
 * start), and the agents of those events. Each node appears once, at its smallest depth. This
 * record is immutable and thread safe.
 *
 * @param events the events, by depth, then seq
 * @param memory the memory versions, by depth
 * @param agents the distinct agent ids of {@code events}, sorted
 * @param truncated whether the limit stopped the walk before every reachable node was returned
 */
public record CausalGraph(
    List<CausalGraph.EventNode> events,
    List<CausalGraph.MemoryNode> memory,
    List<String> agents,
    boolean truncated) {
  /** Most nodes (events plus memory versions) one call returns. */
  public static final int MAX_LIMIT = 10_000;

  /**
   * Copies the lists.
   *
   * @param events the events
   * @param memory the memory versions
   * @param agents the agents
   * @param truncated whether the limit stopped the walk
   */
  public CausalGraph {
    events = List.copyOf(events);
    memory = List.copyOf(memory);
    agents = List.copyOf(agents);
  }

  /**
   * An event of the graph. Immutable and thread safe.
   *
   * @param event the stored event
   * @param depth links from the start
   */
  public record EventNode(AgentEvent event, int depth) {}

  /**
   * A memory version of the graph. Immutable and thread safe.
   *
   * @param ref the version
   * @param depth links from the start
   */
  public record MemoryNode(MemoryRef ref, int depth) {}
}
