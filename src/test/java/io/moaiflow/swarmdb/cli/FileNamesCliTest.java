package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 12 item 7 through the CLI: {@code --db} with a name that a JDBC URL or SQLite URI would
 * read as options ({@code ?journal_mode=delete}, {@code #}, {@code %}, spaces, non-ASCII) is that
 * file for init, info, verify, size, backup and restore.
 */
class FileNamesCliTest {
  static List<String> names() {
    return List.of(
        "w?journal_mode=delete",
        "l?vfs=unix-none&cache=shared",
        "a#b.db",
        "50%.db",
        "p%20q.db",
        "with space;x=1.db",
        "é日本.db");
  }

  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();

  @ParameterizedTest
  @MethodSource("names")
  void everyCommandFindsTheSameFile(String name) throws Exception {
    // verify checks that the database's directory is private, as init would have made it
    Path sub =
        Files.createDirectory(
            dir.resolve("d"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path db = sub.resolve(name);
    assertThat(CliRun.ok(db, "init").out())
        .isEqualTo(
            "initialised "
                + db
                + " at schema version "
                + io.moaiflow.swarmdb.SchemaV7.LATEST
                + "\n");
    assertThat(namesIn(sub)).contains(name).isSubsetOf(name, name + "-wal", name + "-shm");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db)))
        .isEqualTo("rw-------");

    CliRun info = CliRun.ok(db, "info", "--json");
    JsonNode n = json.readTree(info.out());
    assertThat(n.get("path").asText()).isEqualTo(db.toString());
    assertThat(n.get("schemaVersion").asInt()).isEqualTo(io.moaiflow.swarmdb.SchemaV7.LATEST);
    assertThat(n.get("pragmas").get("journal_mode").asText()).isEqualTo("wal");

    CliRun verify = CliRun.ok(db, "verify");
    CliRun size = CliRun.ok(db, "size");
    assertThat(Long.parseLong(size.out().trim())).isGreaterThanOrEqualTo(Files.size(db));

    Path backup = dir.resolve("backup.db");
    CliRun.ok(db, "backup", "--out", backup.toString());
    assertThat(CliRun.ok(db, "restore", "--from", backup.toString(), "--force").out())
        .contains("restored " + db);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db)))
        .isEqualTo("rw-------");
    CliRun.ok(db, "verify");
    // the only files beside the database are its own and the copy restore kept
    assertThat(namesIn(sub))
        .allMatch(
            f -> f.equals(name) || f.startsWith(name + "-") || f.startsWith(name + ".replaced-"));
  }

  private static Set<String> namesIn(Path d) throws IOException {
    try (Stream<Path> files = Files.list(d)) {
      return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }
}
