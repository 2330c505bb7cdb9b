package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SessionMemory;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * One session's memory on either backend: {@link SqlMemory} over {@code session_memory}, whose
 * writes to a missing session fail with {@code NOT_FOUND} and write nothing. Thread safe.
 */
final class SqlSessionMemory extends SqlMemory implements SessionMemory {
  private final String sessionId;

  SqlSessionMemory(Backend db, Statements sql, String sessionId, @Nullable String writer) {
    super(db, sql, Scope.session(sessionId), writer);
    this.sessionId = sessionId;
  }

  @Override
  public String sessionId() {
    return sessionId;
  }

  @Override
  public Scope scope() {
    return super.scope();
  }

  @Override
  void requireOwner(Handle h) throws SQLException {
    SqlSessionStore.requireSession(h, sql.sessionExists, sessionId);
  }

  @Override
  RuntimeException ownerMissing() {
    return SqlSessionStore.notFound(sessionId);
  }
}
