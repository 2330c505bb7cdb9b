package io.moaiflow.swarmdb.langchain4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageDeserializer;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Scope;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A LangChain4j {@link ChatMemoryStore} whose conversations live in SwarmDB, so that a {@code
 * ChatMemory} survives a restart and sits beside the swarm's events and memory:
 *
 * <pre>{@code
 * ChatMemoryStore store = SwarmDbChatMemoryStore.create(db);
 * Assistant assistant = AiServices.builder(Assistant.class)
 *     .chatModel(model)
 *     .chatMemoryProvider(id -> MessageWindowChatMemory.builder()
 *         .id(id).maxMessages(20).chatMemoryStore(store).build())
 *     .build();
 * }</pre>
 *
 * <h2>Mapping</h2>
 *
 * A memory id is a SwarmDB session: {@code memoryId.toString()} is the session id, and the
 * conversation is one entry of that session's memory, type {@value #MEMORY_TYPE}, key {@value
 * #KEY}, whose JSON value is LangChain4j's own serialisation of the message list ({@link
 * ChatMessageSerializer#messagesToJson}), so every {@link ChatMessage} type LangChain4j can
 * serialise reads back equal. A conversation is what a session is: it can be listed, ended and
 * erased with the session, its events and agents, and recall finds its words in that session's
 * scope. {@link #updateMessages} starts the session (with metadata {@code {"source":
 * "langchain4j"}}) when it does not exist; {@link #deleteMessages} deletes the conversation's entry
 * only, never the session, its other memory or its events.
 *
 * <h2>Writes</h2>
 *
 * {@link #updateMessages} replaces the list with one memory write (one transaction), so the stored
 * list is always exactly one of the lists given, whatever other threads or processes write at the
 * same time: never an interleaving, never a mix. Each update rewrites the whole list: appending
 * message by message would need per-message entries and a write conditional on the stored version,
 * and a windowed memory ({@code MessageWindowChatMemory}) drops its oldest message on most updates
 * anyway. With an {@link io.moaiflow.swarmdb.Embedder} configured, each update also embeds the
 * conversation's text (SwarmDB embeds every memory write).
 *
 * <h2>Limits and errors</h2>
 *
 * A memory id's {@code toString()} must be a valid session id: not blank, at most 256 characters,
 * no NUL, no unpaired UTF-16 surrogate; anything else fails with {@link ErrorCode#INVALID_ARGUMENT}
 * naming the id, before any read or write. The serialised list is a memory value: at most 16 MiB
 * ({@link io.moaiflow.swarmdb.JsonLimits}), else {@code INVALID_ARGUMENT} and nothing written. A
 * stored value that LangChain4j cannot read back is {@link ErrorCode#CORRUPT}, naming the session.
 *
 * <p>This class is immutable and thread safe; it holds only the database.
 */
public final class SwarmDbChatMemoryStore implements ChatMemoryStore {
  /** The memory type of the conversation entry. */
  public static final String MEMORY_TYPE = "langchain4j";

  /** The key of the conversation entry. */
  public static final String KEY = "messages";

  private static final Map<String, String> SESSION_METADATA = Map.of("source", "langchain4j");

  // only parses LangChain4j's own JSON into a tree; never configured after this line
  private static final ObjectMapper TREES = new ObjectMapper();

  private final SwarmDB db;

  private SwarmDbChatMemoryStore(SwarmDB db) {
    this.db = db;
  }

  /**
   * A store over this database.
   *
   * @param db the open database; the store uses it until it is closed
   * @return the store
   */
  public static SwarmDbChatMemoryStore create(SwarmDB db) {
    return new SwarmDbChatMemoryStore(Objects.requireNonNull(db, "db"));
  }

  /**
   * The conversation of a memory id.
   *
   * @param memoryId the memory id; its {@code toString()} is the session id
   * @return the messages in order, or an empty list when none are stored
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for an id that is no session id;
   *     {@link ErrorCode#CORRUPT} when the stored value is not a message list LangChain4j can read
   */
  @Override
  public List<ChatMessage> getMessages(Object memoryId) {
    String sessionId = sessionId(memoryId);
    Optional<MemoryEntry> entry = memory(sessionId).entry(MEMORY_TYPE, KEY);
    if (entry.isEmpty()) {
      return List.of();
    }
    try {
      return List.copyOf(ChatMessageDeserializer.messagesFromJson(entry.get().valueJson()));
    } catch (RuntimeException e) {
      throw new SwarmDbException(
          ErrorCode.CORRUPT,
          "the LangChain4j conversation in "
              + StoredRows.row(Scope.session(sessionId), MEMORY_TYPE, KEY)
              + " is not a message list LangChain4j can read ("
              + e.getMessage()
              + "); delete it with deleteMessages, or restore the database from a backup",
          e);
    }
  }

  /**
   * Replaces the conversation of a memory id, in one write; starts its session when it does not
   * exist.
   *
   * @param memoryId the memory id; its {@code toString()} is the session id
   * @param messages the whole conversation, in order; none null
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for an id that is no session id, a
   *     null message, or a list whose JSON exceeds SwarmDB's limits; nothing is written then
   */
  @Override
  public void updateMessages(Object memoryId, List<ChatMessage> messages) {
    String sessionId = sessionId(memoryId);
    Objects.requireNonNull(messages, "messages");
    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i) == null) {
        throw new SwarmDbException(
            ErrorCode.INVALID_ARGUMENT,
            "message "
                + i
                + " of the "
                + messages.size()
                + " given for memory id '"
                + StoredRows.printable(sessionId)
                + "' is null; pass only messages. Nothing was written");
      }
    }
    JsonNode value = tree(ChatMessageSerializer.messagesToJson(messages));
    SessionMemory memory = memory(sessionId);
    try {
      memory.put(MEMORY_TYPE, KEY, value);
    } catch (SwarmDbException e) {
      if (e.code() != ErrorCode.NOT_FOUND) {
        throw e;
      }
      db.sessions().startIfAbsent(sessionId, SESSION_METADATA);
      memory.put(MEMORY_TYPE, KEY, value);
    }
  }

  /**
   * Deletes the conversation of a memory id; its session, the session's other memory and its events
   * stay. Deleting a conversation that is not stored does nothing.
   *
   * @param memoryId the memory id; its {@code toString()} is the session id
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for an id that is no session id
   */
  @Override
  public void deleteMessages(Object memoryId) {
    memory(sessionId(memoryId)).delete(MEMORY_TYPE, KEY);
  }

  private static String sessionId(Object memoryId) {
    Objects.requireNonNull(memoryId, "memoryId");
    // a toString() may break its contract and return null
    return Optional.ofNullable(memoryId.toString())
        .orElseThrow(
            () ->
                new SwarmDbException(
                    ErrorCode.INVALID_ARGUMENT,
                    "memory id of "
                        + memoryId.getClass().getName()
                        + " has a null toString(); use an id whose toString() names the"
                        + " conversation"));
  }

  private SessionMemory memory(String sessionId) {
    try {
      return db.sessions().memory(sessionId);
    } catch (SwarmDbException e) {
      if (e.code() != ErrorCode.INVALID_ARGUMENT) {
        throw e;
      }
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "LangChain4j memory id '"
              + StoredRows.printable(sessionId)
              + "' is not a SwarmDB session id: "
              + e.getMessage(),
          e);
    }
  }

  private static JsonNode tree(String json) {
    try {
      return TREES.readTree(json);
    } catch (JsonProcessingException e) {
      // LangChain4j wrote it a moment ago: not the caller's input, not stored data
      throw new IllegalStateException("LangChain4j wrote JSON it cannot read back: " + e, e);
    }
  }
}
