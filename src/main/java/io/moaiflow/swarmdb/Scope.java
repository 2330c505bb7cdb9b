package io.moaiflow.swarmdb;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Whose memory: one session's (as {@link SessionStore#memory} gives), one agent's, the whole
 * swarm's, or a named namespace's such as {@code user:alice}. Every scope has the same operations
 * ({@link Memory}). Written and parsed as {@code session:ID}, {@code agent:ID}, {@code swarm} and
 * {@code ns:NAME}. Immutable, thread safe.
 *
 * @param kind whose memory it is
 * @param id the session id, agent id or namespace name; null for {@link Kind#SWARM}
 */
public record Scope(Kind kind, @Nullable String id) {

  /** Longest id or namespace name accepted, in characters. */
  public static final int MAX_ID_LENGTH = 512;

  /** The kinds of scope. */
  public enum Kind {
    /** One session's memory; it goes when the session is deleted. */
    SESSION("session"),
    /** One agent's memory; it outlives the agent's registry row. */
    AGENT("agent"),
    /** The memory shared by the whole swarm. */
    SWARM("swarm"),
    /** A named namespace, for example {@code user:alice} or {@code app:billing}. */
    NAMESPACE("ns");

    private final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }

    /** {@return the prefix of the written form: {@code session}, {@code agent}, ...} */
    public String prefix() {
      return prefix;
    }
  }

  private static final Scope SWARM = new Scope(Kind.SWARM, null);

  /**
   * Checks the parts.
   *
   * @param kind whose memory it is
   * @param id the session id, agent id or namespace name; null for {@link Kind#SWARM}
   * @throws SwarmDbException with {@link ErrorCode#INVALID_ARGUMENT} when the id is missing, blank,
   *     longer than {@value #MAX_ID_LENGTH} characters, has a NUL or an unpaired UTF-16 surrogate
   *     (which the database's UTF-8 cannot hold), has another control character in an agent or
   *     namespace id (a session id may have them, as {@link SessionStore#start} accepts), or is
   *     given for the swarm
   */
  public Scope {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.SWARM) {
      if (id != null) {
        throw invalid("the swarm scope has no id; got '" + id + "'. Use Scope.swarm()");
      }
    } else {
      if (id == null || id.isBlank()) {
        throw invalid("a " + kind.prefix + " scope needs a non-blank id");
      }
      if (id.length() > MAX_ID_LENGTH) {
        throw invalid(
            "a "
                + kind.prefix
                + " scope id has "
                + id.length()
                + " characters; the limit is "
                + MAX_ID_LENGTH);
      }
      for (int i = 0; i < id.length(); i++) {
        char c = id.charAt(i);
        if (c == 0 || (kind != Kind.SESSION && Character.isISOControl(c))) {
          throw invalid(
              "a "
                  + kind.prefix
                  + " scope id has a control character at index "
                  + i
                  + "; remove it");
        }
        if (Character.isHighSurrogate(c)
            && i + 1 < id.length()
            && Character.isLowSurrogate(id.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          throw invalid(
              "a "
                  + kind.prefix
                  + " scope id has an unpaired UTF-16 surrogate at index "
                  + i
                  + "; the database stores UTF-8, which cannot represent it");
        }
      }
    }
  }

  /**
   * {@return a session's scope}
   *
   * @param sessionId the session
   */
  public static Scope session(String sessionId) {
    return new Scope(Kind.SESSION, sessionId);
  }

  /**
   * {@return an agent's scope}
   *
   * @param agentId the agent
   */
  public static Scope agent(String agentId) {
    return new Scope(Kind.AGENT, agentId);
  }

  /** {@return the whole swarm's scope} */
  public static Scope swarm() {
    return SWARM;
  }

  /**
   * {@return a namespace's scope}
   *
   * @param name the namespace, for example {@code user:alice}
   */
  public static Scope namespace(String name) {
    return new Scope(Kind.NAMESPACE, name);
  }

  /**
   * Parses the written form.
   *
   * @param text {@code session:ID}, {@code agent:ID}, {@code swarm} or {@code ns:NAME}
   * @return the scope
   * @throws SwarmDbException with {@link ErrorCode#INVALID_ARGUMENT} for any other text
   */
  public static Scope parse(String text) {
    Objects.requireNonNull(text, "scope");
    if (text.equals("swarm")) {
      return SWARM;
    }
    int colon = text.indexOf(':');
    String prefix = colon < 0 ? text : text.substring(0, colon);
    for (Kind k : Kind.values()) {
      if (k != Kind.SWARM && k.prefix.equals(prefix) && colon > 0) {
        return new Scope(k, text.substring(colon + 1));
      }
    }
    throw invalid(
        "scope '"
            + text
            + "' is not one of session:ID, agent:ID, swarm or ns:NAME; write one of those");
  }

  /**
   * {@return the written form: {@code session:ID}, {@code agent:ID}, {@code swarm} or {@code
   * ns:NAME}}
   */
  @Override
  public String toString() {
    return kind == Kind.SWARM ? "swarm" : kind.prefix + ":" + id;
  }

  private static SwarmDbException invalid(String message) {
    return new SwarmDbException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
