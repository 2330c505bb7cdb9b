package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.CausalGraph;
import io.moaiflow.swarmdb.MemoryRef;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code swarmdb blast SCOPE KEY@VERSION --type TYPE}: everything that depended on a memory version
 * ({@link SwarmDB#blastRadius(MemoryRef, int)}): the events that read it, the events they caused,
 * the later versions of those agents' own memory, transitively, with the agents involved. Opens a
 * SQLite file read-only, as {@code info} does. Not thread safe (one invocation).
 */
@Command(
    name = "blast",
    description =
        "Show what depended on a memory version: readers, their effects, later versions, agents.")
final class BlastCommand extends BaseCommand {

  @Parameters(
      index = "0",
      paramLabel = "SCOPE",
      description = "The entry's scope: session:ID, agent:ID, swarm or ns:NAME.")
  private String scope = "";

  @Parameters(
      index = "1",
      paramLabel = "KEY@VERSION",
      description = "The entry's key and version, e.g. plan@3 (the key is all before the last @).")
  private String keyAtVersion = "";

  @Option(names = "--type", required = true, paramLabel = "TYPE", description = "The memory type.")
  private String type = "";

  @Option(
      names = "--limit",
      paramLabel = "N",
      description =
          "Most nodes (the version itself, events, later versions) listed, 1 to "
              + CausalGraph.MAX_LIMIT
              + " (default "
              + WhyCommand.DEFAULT_LIMIT
              + ").")
  private int limit = WhyCommand.DEFAULT_LIMIT;

  @Option(names = "--json", description = "Print one JSON object with every node.")
  private boolean json;

  @Override
  int run() {
    MemoryRef ref = MemoryRef.parse(Scope.parse(scope), type, keyAtVersion);
    try (SwarmDB db = openForChecks()) {
      CausalGraph g = db.blastRadius(ref, limit);
      WhyCommand.show(this, json, "blast " + ref, g, limit);
    }
    return ExitCodes.OK;
  }
}
