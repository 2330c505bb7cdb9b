package io.moaiflow.swarmdb.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithFilteringIT;
import dev.langchain4j.store.embedding.EmbeddingStoreWithRemovalIT;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import io.moaiflow.swarmdb.backend.PgTestSupport;
import java.nio.file.Path;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * LangChain4j's own contract suites for embedding stores, from {@code langchain4j-core}'s test jar
 * (adding, ids, segments with metadata of every type, scores, minScore, every metadata filter,
 * removal by id, ids, filter and all), run against {@link SwarmDbEmbeddingStore} on a fresh SQLite
 * file and on a fresh PostgreSQL schema (skipped without {@code SWARMDB_TEST_PG_URL}).
 */
class SwarmDbEmbeddingStoreContractTest {
  static final EmbeddingModel MODEL = new WordHashEmbeddingModel(64);

  /** A fresh database for one test, on SQLite or PostgreSQL. Not thread safe. */
  static final class Fresh implements AutoCloseable {
    private final SwarmDB db;
    private final PgTestSupport.@Nullable Schema schema;
    final SwarmDbEmbeddingStore store;

    Fresh(@Nullable Path sqliteDir) throws SQLException {
      schema = sqliteDir == null ? PgTestSupport.newSchema() : null;
      db =
          SwarmDB.open(
              (schema == null
                      ? SwarmDbConfig.builder(sqliteDir.resolve("swarm.db"))
                      : SwarmDbConfig.postgres(schema.url()))
                  .build());
      store = SwarmDbEmbeddingStore.builder(db).vectorModel("word-hash-64").build();
    }

    @Override
    public void close() throws SQLException {
      db.close();
      if (schema != null) {
        schema.close();
      }
    }
  }

  @Nested
  class OnSqlite extends EmbeddingStoreWithFilteringIT {
    @TempDir Path dir;
    Fresh fresh;

    @Override
    protected void ensureStoreIsReady() {
      try {
        fresh = new Fresh(dir);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }

    @AfterEach
    void close() throws SQLException {
      fresh.close();
    }

    @Override
    protected boolean supportsContains() {
      return true; // filters are LangChain4j's own Filter#test: every one is supported
    }

    @Override
    protected EmbeddingStore<TextSegment> embeddingStore() {
      return fresh.store;
    }

    @Override
    protected EmbeddingModel embeddingModel() {
      return MODEL;
    }
  }

  @Nested
  class RemovalOnSqlite extends EmbeddingStoreWithRemovalIT {
    @TempDir Path dir;
    Fresh fresh;

    @BeforeEach
    void open() throws SQLException {
      fresh = new Fresh(dir);
    }

    @AfterEach
    void close() throws SQLException {
      fresh.close();
    }

    @Override
    protected EmbeddingStore<TextSegment> embeddingStore() {
      return fresh.store;
    }

    @Override
    protected EmbeddingModel embeddingModel() {
      return MODEL;
    }
  }

  /**
   * One schema for the whole suite (a schema and its migration cost a second on PostgreSQL), the
   * store emptied before each test through the suite's own {@code clearStore} hook.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OnPostgres extends EmbeddingStoreWithFilteringIT {
    Fresh fresh;

    @Override
    protected void ensureStoreIsReady() {
      if (fresh == null) {
        try {
          fresh = new Fresh(null);
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }
    }

    @Override
    protected void clearStore() {
      fresh.store.removeAll();
    }

    @AfterAll
    void close() throws SQLException {
      if (fresh != null) {
        fresh.close();
      }
    }

    @Override
    protected boolean supportsContains() {
      return true; // filters are LangChain4j's own Filter#test: every one is supported
    }

    @Override
    protected EmbeddingStore<TextSegment> embeddingStore() {
      return fresh.store;
    }

    @Override
    protected EmbeddingModel embeddingModel() {
      return MODEL;
    }
  }

  @Nested
  class RemovalOnPostgres extends EmbeddingStoreWithRemovalIT {
    Fresh fresh;

    @BeforeEach
    void open() throws SQLException {
      fresh = new Fresh(null);
    }

    @AfterEach
    void close() throws SQLException {
      if (fresh != null) {
        fresh.close();
      }
    }

    @Override
    protected EmbeddingStore<TextSegment> embeddingStore() {
      return fresh.store;
    }

    @Override
    protected EmbeddingModel embeddingModel() {
      return MODEL;
    }
  }
}
