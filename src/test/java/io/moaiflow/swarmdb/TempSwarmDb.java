package io.moaiflow.swarmdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A SwarmDB on a file in a new temporary directory, opened with a session already started: as a
 * JUnit extension ({@code @RegisterExtension}) around each test, or by hand from a jqwik container
 * (which has no {@code @TempDir}). {@link #close()} closes the database and deletes the directory.
 * Not thread safe.
 */
public final class TempSwarmDb implements BeforeEachCallback, AfterEachCallback, AutoCloseable {
  private final String fileName;
  private final String session;
  private final UnaryOperator<SwarmDbConfig.Builder> settings;
  private Path dir;
  private SwarmDB db;

  private TempSwarmDb(
      String fileName, String session, UnaryOperator<SwarmDbConfig.Builder> settings) {
    this.fileName = fileName;
    this.session = session;
    this.settings = settings;
  }

  /** A fixture for {@code fileName} with the default configuration and session {@code session}. */
  public static TempSwarmDb withSession(String fileName, String session) {
    return withSession(fileName, session, b -> b);
  }

  /** A fixture for {@code fileName} with the configuration {@code settings} makes. */
  public static TempSwarmDb withSession(
      String fileName, String session, UnaryOperator<SwarmDbConfig.Builder> settings) {
    return new TempSwarmDb(fileName, session, settings);
  }

  /** Creates the directory, opens the database and starts the session. */
  public TempSwarmDb open() {
    try {
      dir = Files.createTempDirectory("swarmdb-" + fileName.replace('.', '-'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    db = SwarmDB.open(settings.apply(SwarmDbConfig.builder(dir.resolve(fileName))).build());
    db.sessions().start(session);
    return this;
  }

  /** The open database. */
  public SwarmDB db() {
    return db;
  }

  /** The started session's memory. */
  public SessionMemory memory() {
    return db.sessions().memory(session);
  }

  @Override
  public void close() throws IOException {
    db.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    open();
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    close();
  }
}
