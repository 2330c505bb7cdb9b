package io.moaiflow.swarmdb;

/**
 * The memory of one session: {@link Memory} of {@link Scope#session(String)}, as it was before
 * scopes. Obtain it from {@link SessionStore#memory(String)} or {@link SwarmDB#memory(Scope)}.
 * Writes to a session that does not exist fail with {@link ErrorCode#NOT_FOUND} and write nothing;
 * the memory goes when its session is deleted. Implementations are thread safe.
 */
public interface SessionMemory extends Memory {

  /** {@return the id of the session this memory belongs to} */
  String sessionId();

  /** {@return the session's scope, {@code session:ID}} */
  @Override
  default Scope scope() {
    return Scope.session(sessionId());
  }
}
