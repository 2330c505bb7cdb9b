package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.JsonLimits;
import io.moaiflow.swarmdb.SwarmDB;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export and import end to end. */
class ExportImportTest {
  @TempDir Path dir;

  private static List<AgentEvent> all(Path db) {
    try (SwarmDB s = SwarmDB.open(db)) {
      return s.events().since(0, 10_000);
    }
  }

  @Test
  void roundTripIsExactAndImportIsIdempotent() throws Exception {
    Path a = dir.resolve("a.db");
    try (SwarmDB s = SwarmDB.open(a)) {
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("text", "ünïcödé \"quoted\"\n");
      meta.put("big", Long.MAX_VALUE);
      meta.put("pi", 3.141592653589793);
      meta.put("list", List.of(1, "two", false));
      meta.put("nothing", null);
      s.events()
          .append(
              new AgentEvent(
                  0,
                  "evt-1",
                  "spawn",
                  "agent-1",
                  "expert",
                  "s1",
                  Instant.ofEpochMilli(1234),
                  meta));
      s.events().append(AgentEvent.of("tool_call", "agent-2", null, Map.of()));
    }
    TestDatabases.populated(a, 2500);
    Path file = dir.resolve("events.jsonl");
    CliRun export = CliRun.ok(a, "export", "--out", file.toString());
    assertThat(export.out()).isEqualTo("exported 2502 events to " + file + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readAllLines(file).get(0))
        .startsWith("{\"type\":\"event\",\"eventId\":\"evt-1\"");

    Path b = dir.resolve("b.db");
    assertThat(CliRun.ok(b, "import", "--in", file.toString()).out())
        .contains("imported 2502 new events", "2502 lines; 0 already present");
    List<AgentEvent> left = all(a);
    List<AgentEvent> right = all(b);
    assertThat(right).hasSameSizeAs(left);
    for (int i = 0; i < left.size(); i++) {
      assertThat(right.get(i).sameContent(left.get(i))).as(left.get(i).toString()).isTrue();
    }

    CliRun reExport = CliRun.on(b, "export");
    assertThat(reExport.out()).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    assertThat(reExport.err()).isEqualTo("exported 2502 events\n");

    assertThat(CliRun.ok(b, "import", "--in", file.toString()).out())
        .contains("imported 0 new events", "2502 already present");
    assertThat(all(b)).hasSize(2502);
  }

  /** {@code depth} nested containers around a string, arrays or objects. */
  private static Object nested(int depth, boolean objects) {
    Object v = "leaf";
    for (int i = 0; i < depth; i++) {
      v = objects ? Map.of("k", v) : List.of(v);
    }
    return v;
  }

  /** Issue 12 item 3: every event the library accepted exports, and imports again, unchanged. */
  @Test
  void eventsAtEveryJsonLimitExportAndImportAgain() throws Exception {
    Path a = dir.resolve("limits-a.db");
    List<Map<String, Object>> metas =
        List.of(
            // metadata is level 1: these are 999 and 1,000 levels deep as stored
            Map.of("d", nested(JsonLimits.MAX_DEPTH - 2, false)),
            Map.of("d", nested(JsonLimits.MAX_DEPTH - 1, false)),
            Map.of("d", nested(JsonLimits.MAX_DEPTH - 1, true)),
            Map.of("k".repeat(JsonLimits.MAX_NAME_LENGTH), 1),
            Map.of("n", new BigInteger("9".repeat(JsonLimits.MAX_NUMBER_LENGTH))));
    try (SwarmDB s = SwarmDB.open(a)) {
      for (Map<String, Object> m : metas) {
        s.events().append(AgentEvent.of("run", "agent", null, m));
      }
    }
    Path file = dir.resolve("limits.jsonl");
    assertThat(CliRun.ok(a, "export", "--out", file.toString()).out())
        .contains("exported " + metas.size() + " events");
    Path b = dir.resolve("limits-b.db");
    assertThat(CliRun.ok(b, "import", "--in", file.toString()).out())
        .contains("imported " + metas.size() + " new events");
    List<AgentEvent> left = all(a);
    List<AgentEvent> right = all(b);
    assertThat(right).hasSameSizeAs(left);
    for (int i = 0; i < left.size(); i++) {
      assertThat(right.get(i).metadata()).isEqualTo(metas.get(i));
      assertThat(right.get(i).sameContent(left.get(i))).isTrue();
    }
  }

  @Test
  void conflictingContentIsReportedAndTheStoredRowKept() throws Exception {
    Path db = dir.resolve("c.db");
    try (SwarmDB s = SwarmDB.open(db)) {
      s.events()
          .append(
              new AgentEvent(
                  0, "evt-x", "spawn", "agent-1", null, null, Instant.ofEpochMilli(5), Map.of()));
    }
    Path file = dir.resolve("in.jsonl");
    Files.writeString(
        file,
        "{\"type\":\"event\",\"eventId\":\"evt-x\",\"eventType\":\"complete\",\"agentId\":\"agent-1\",\"ts\":5}\n"
            + "\n"
            + "{\"type\":\"event\",\"eventId\":\"evt-y\",\"eventType\":\"spawn\",\"agentId\":\"agent-2\",\"ts\":6,\"metadata\":null}\n"
            + "{\"type\":\"event\",\"eventId\":\"evt-y\",\"eventType\":\"spawn\",\"agentId\":\"agent-2\",\"ts\":6}\n");
    assertThat(CliRun.fails(1, db, "import", "--in", file.toString()).out())
        .contains("imported 1 new events", "3 lines; 2 already present")
        .contains("1 event id(s) are already stored with different content", "[evt-x]");
    assertThat(all(db)).extracting(AgentEvent::eventType).containsExactly("spawn", "spawn");
  }

  @Test
  void aBadLineImportsNothing() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("d.db"), 1);
    String good =
        "{\"type\":\"event\",\"eventId\":\"ok-1\",\"eventType\":\"spawn\",\"agentId\":\"a\",\"ts\":1}";
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("{not json", "not JSON");
    bad.put("[1,2]", "not a JSON object");
    bad.put("{\"type\":\"agent\"}", "\"type\" is \"agent\"; expected \"event\"");
    bad.put(good.replace("\"ts\":1", "\"ts\":\"yesterday\""), "\"ts\" must be epoch milliseconds");
    bad.put(good.replace(",\"ts\":1", ""), "\"ts\" must be epoch milliseconds");
    bad.put(good.replace("\"agentId\":\"a\",", ""), "\"agentId\" is missing");
    bad.put(good.replace("\"agentId\":\"a\"", "\"agentId\":7"), "\"agentId\" must be a string");
    bad.put(
        good.replace("\"ts\":1", "\"ts\":1,\"metadata\":[1]"),
        "\"metadata\" must be a JSON object");
    bad.put(good.replace("\"eventType\":\"spawn\"", "\"eventType\":\"bad type!\""), "eventType");
    // beyond the library's limits: refused while checking, before the first batch is written
    bad.put(
        good.replace(
            "\"ts\":1",
            "\"ts\":1,\"metadata\":{\"d\":"
                + "[".repeat(JsonLimits.MAX_DEPTH)
                + "]".repeat(JsonLimits.MAX_DEPTH)
                + "}"),
        "metadata may be nested at most 1000 levels");
    bad.put(
        good.replace(
            "\"ts\":1",
            "\"ts\":1,\"metadata\":{\"" + "k".repeat(JsonLimits.MAX_NAME_LENGTH + 1) + "\":1}"),
        "Name length (50001)");
    // what the library refuses on append is refused while checking too
    bad.put(good.replace("\"ts\":1", "\"ts\":1,\"metadata\":{\"x\":NaN}"), "not JSON");
    bad.put(
        good.replace("\"ts\":1", "\"ts\":1,\"metadata\":{\"x\":1e400}"),
        "the number Infinity has no JSON form");
    String half = "x".repeat(JsonLimits.MAX_BYTES / 2);
    bad.put(
        good.replace(
            "\"ts\":1", "\"ts\":1,\"metadata\":{\"a\":\"" + half + "\",\"b\":\"" + half + "\"}"),
        "metadata is " + (JsonLimits.MAX_BYTES + 15) + " bytes as JSON; the limit is 16777216");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      Path file = dir.resolve("bad.jsonl");
      Files.writeString(file, good + "\n" + e.getKey() + "\n");
      CliRun r = CliRun.on(db, "import", "--in", file.toString());
      assertThat(r.code()).as(e.getKey() + ": " + r).isEqualTo(2);
      assertThat(r.err())
          .as(e.getKey())
          .contains("line 2 of " + file)
          .contains(e.getValue())
          .contains("nothing was imported");
    }
    assertThat(all(db)).hasSize(1);

    Path binary = dir.resolve("binary.jsonl");
    byte[] bytes = new byte[64];
    Arrays.fill(bytes, (byte) 0xff);
    Files.write(binary, bytes);
    assertThat(CliRun.fails(2, db, "import", "--in", binary.toString()).err())
        .contains("not UTF-8");
    assertThat(CliRun.fails(2, db, "import", "--in", dir.resolve("none").toString()).err())
        .contains("does not exist");
    assertThat(CliRun.on(db, "import").code()).isEqualTo(2);
  }

  /**
   * Metadata of {@link JsonLimits#MAX_BYTES} - 1 and exactly that many bytes imports and reads back
   * whole; one byte more is refused while checking, before anything is written.
   */
  @Test
  void importHoldsTheMetadataSizeLimitAtTheLimit() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("size.db"), 0);
    String envelope = "{\"a\":\"\"}"; // the metadata object around its one string
    int limit = JsonLimits.MAX_BYTES;
    for (int size : new int[] {limit - 1, limit, limit + 1}) {
      String value = "x".repeat(size - envelope.length());
      String line =
          "{\"type\":\"event\",\"eventId\":\"size-"
              + size
              + "\",\"eventType\":\"spawn\",\"agentId\":\"a\",\"ts\":1,\"metadata\":{\"a\":\""
              + value
              + "\"}}";
      Path file = dir.resolve("size-" + size + ".jsonl");
      Files.writeString(file, line + "\n");
      CliRun r = CliRun.on(db, "import", "--in", file.toString());
      if (size <= limit) {
        assertThat(r.code()).as(size + ": " + r.err()).isZero();
      } else {
        assertThat(r.code()).as(size + ": " + r.err()).isEqualTo(2);
        assertThat(r.err())
            .contains("metadata is " + size + " bytes as JSON; the limit is " + limit)
            .contains("nothing was imported");
      }
    }
    List<AgentEvent> stored = all(db);
    assertThat(stored)
        .extracting(AgentEvent::eventId)
        .containsExactly("size-16777215", "size-16777216");
    for (AgentEvent e : stored) {
      assertThat((String) e.metadata().get("a"))
          .hasSize(Integer.parseInt(e.eventId().substring(5)) - 8);
    }
  }

  @Test
  void importReadsLinesUpToTheLimitAndRefusesLongerOnes() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("limit.db"), 0);
    int limit = ImportLines.MAX_LINE_BYTES;
    assertThat(limit).isEqualTo(16 * 1024 * 1024 + 64 * 1024);
    for (int length : new int[] {limit - 1, limit}) {
      Path file = dir.resolve("ok-" + length + ".jsonl");
      Files.writeString(file, "\n" + padded("ok-" + length, length) + "\n");
      CliRun r = CliRun.on(db, "import", "--in", file.toString());
      assertThat(r.code()).as("%d bytes: %s", length, r).isZero();
      assertThat(r.out()).contains("imported 1 new events");
    }
    assertThat(all(db)).hasSize(2);
    Path tooLong = dir.resolve("long.jsonl");
    Files.writeString(tooLong, padded("small", 100) + "\n" + padded("big", limit + 1) + "\n");
    assertThat(CliRun.fails(2, db, "import", "--in", tooLong.toString()).err())
        .contains("line 2 of " + tooLong + " is longer than " + limit + " bytes")
        .contains("nothing was imported");
    assertThat(all(db)).hasSize(2);
    // no line break at all: refused after the limit, not read whole
    Path endless = dir.resolve("endless.jsonl");
    try (var out = Files.newOutputStream(endless)) {
      byte[] chunk = new byte[1 << 20];
      Arrays.fill(chunk, (byte) ' ');
      for (int i = 0; i < 64; i++) {
        out.write(chunk);
      }
    }
    assertThat(CliRun.fails(2, db, "import", "--in", endless.toString()).err())
        .contains("line 1 of " + endless + " is longer than " + limit + " bytes");
  }

  /** An event line padded with trailing spaces to exactly {@code length} bytes. */
  private static String padded(String id, int length) {
    String line =
        "{\"type\":\"event\",\"eventId\":\""
            + id
            + "\",\"eventType\":\"spawn\",\"agentId\":\"agent-1\",\"ts\":1,\"metadata\":{}}";
    return line + " ".repeat(length - line.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void exportRefusesToOverwrite() throws Exception {
    Path db = TestDatabases.populated(dir.resolve("e.db"), 1);
    Path file = Files.writeString(dir.resolve("exists.jsonl"), "keep");
    assertThat(CliRun.fails(2, db, "export", "--out", file.toString()).err())
        .contains("already exists");
    assertThat(Files.readString(file)).isEqualTo("keep");
  }

  @Test
  void exportIntoAMissingDirectoryIsAnIoError() {
    Path db = TestDatabases.populated(dir.resolve("f.db"), 1);
    CliRun run =
        CliRun.fails(3, db, "export", "--out", dir.resolve("no/such/dir/x.jsonl").toString());
    assertThat(run.err()).contains("NoSuchFileException", "readable and writable");
  }
}
