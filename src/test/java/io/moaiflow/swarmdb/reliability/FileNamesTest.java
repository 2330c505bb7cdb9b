package io.moaiflow.swarmdb.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.internal.Schema;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12 item 7: a {@link Path} is exactly that file, never a URI with options. sqlite-jdbc reads
 * {@code ?key=value} after {@code jdbc:sqlite:} as pragmas and SQLite reads {@code ?}, {@code #}
 * and {@code %} in URIs; a database named with any of them (or spaces, {@code ;}, non-ASCII) must
 * be created as that one file, 0600, in WAL mode, with nothing else beside it.
 */
class FileNamesTest {
  /** Names that a URL or URI would read as something else. */
  static final List<String> NAMES =
      List.of(
          "w?journal_mode=delete",
          "f?mode=memory",
          "l?vfs=unix-none&cache=shared",
          "a#b.db",
          "50%.db",
          "p%20q.db",
          "with space.db",
          "semi;colon=1&x.db",
          "é.db",
          "日本.db",
          ":memory:",
          "file:x.db");

  @TempDir Path dir;

  static List<String> names() {
    return NAMES;
  }

  @ParameterizedTest
  @MethodSource("names")
  void eachNameOpensExactlyThatFile(String name) throws Exception {
    Path sub = Files.createDirectory(dir.resolve("d"));
    Path db = sub.resolve(name);
    try (SwarmDB swarm = SwarmDB.open(db)) {
      swarm.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()));
      // through the read pool, which opens its own connections from the same URL
      assertThat(swarm.events().count()).isEqualTo(1);
      assertThat(swarm.inspect().info().pragmas()).containsEntry("journal_mode", "wal");
      assertThat(swarm.inspect().info().path()).isEqualTo(db.toString());
      assertThat(namesIn(sub)).containsExactlyInAnyOrder(name, name + "-wal", name + "-shm");
      for (String f : namesIn(sub)) {
        assertThat(DbFiles.mode(sub.resolve(f))).as("mode of %s", f).isEqualTo("600");
      }
      // backup opens the source through its own connection
      Path copy = dir.resolve("copies/copy.db");
      assertThat(swarm.maintenance().backupTo(copy).lastSeq()).isEqualTo(1);
    }
    assertThat(namesIn(sub)).contains(name).isSubsetOf(name, name + "-wal", name + "-shm");
    assertIsWalDatabase(db);
    try (SwarmDB again = SwarmDB.open(db)) {
      assertThat(again.events().count()).isEqualTo(1);
    }
    // an independent connection built by the public helper sees the same rows
    try (Connection c = DbFiles.readOnly(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM agent_events")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(1);
    }
  }

  @Test
  void theUrlPercentEncodesEverythingButUnreservedCharacters() {
    Path p = Path.of("/d/w?journal_mode=delete#x%20 é");
    assertThat(Schema.jdbcUrl(p))
        .isEqualTo("jdbc:sqlite:file:///d/w%3Fjournal_mode%3Ddelete%23x%2520%20%C3%A9");
    assertThat(Schema.jdbcUrl(Path.of("/a-b_c.d~/e.db")))
        .isEqualTo("jdbc:sqlite:file:///a-b_c.d~/e.db");
    // relative paths are made absolute first, so the working directory is resolved once here
    assertThat(Schema.jdbcUrl(Path.of("rel.db")))
        .startsWith("jdbc:sqlite:file:///")
        .endsWith("/rel.db");
  }

  @Test
  void inMemoryStaysInMemory() throws Exception {
    try (SwarmDB swarm = SwarmDB.openInMemory()) {
      swarm.events().append(AgentEvent.of("spawn", "agent-1", null, Map.of()));
      assertThat(swarm.events().count()).isEqualTo(1);
      assertThat(swarm.inspect().info().path()).isEqualTo(":memory:");
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  private static Set<String> namesIn(Path d) throws IOException {
    try (Stream<Path> files = Files.list(d)) {
      return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  /** The header says SQLite, format version 2 (WAL) for both read and write. */
  private static void assertIsWalDatabase(Path db) throws IOException {
    byte[] header = new byte[20];
    try (InputStream in = Files.newInputStream(db)) {
      assertThat(in.readNBytes(header, 0, 20)).isEqualTo(20);
    }
    assertThat(new String(header, 0, 16, StandardCharsets.US_ASCII)).isEqualTo("SQLite format 3\0");
    assertThat(header[18]).as("write version of %s", db).isEqualTo((byte) 2);
    assertThat(header[19]).as("read version of %s", db).isEqualTo((byte) 2);
  }
}
