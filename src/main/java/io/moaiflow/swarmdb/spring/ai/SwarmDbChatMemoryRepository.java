package io.moaiflow.swarmdb.spring.ai;

import com.fasterxml.jackson.databind.JsonNode;
import io.moaiflow.swarmdb.ErrorCode;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.Session;
import io.moaiflow.swarmdb.SessionMemory;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.messages.Message;

/**
 * Spring AI's {@link ChatMemoryRepository} over SwarmDB: each conversation is the SwarmDB session
 * of the same id (started by the first save, with metadata {@code {"source": "spring-ai"}}), and
 * its messages are entries of that session's memory, type {@value #MEMORY_TYPE}: one entry per
 * message (key: its position, ten digits) and one entry {@value #LENGTH_KEY} holding how many
 * messages the conversation has. Readers see only the positions below that length, so every save
 * becomes visible at once.
 *
 * <p>{@link #saveAll} replaces the conversation's messages with the given list, as Spring AI's
 * contract says, but writes only what changed: when the stored messages are a prefix of the new
 * list (a {@code MessageWindowChatMemory} adding a turn), only the new messages and the length are
 * written, in one transaction, and the earlier entries are not touched; otherwise (the window
 * dropped old messages, or the list was edited) the whole list and the length are written in one
 * transaction, after which the entries past the new length are deleted. A stored message counts as
 * unchanged when its type, text, metadata, media, tool calls and time are all equal.
 *
 * <p>Each message keeps its time: {@link #findByConversationId} returns it as an {@link Instant} in
 * the metadata under {@value #MESSAGE_TIMESTAMP}, and a message saved with that metadata keeps it;
 * one saved without it is stamped with the database clock ({@code SwarmDbConfig.clock()}).
 * Everything else round-trips: user messages with their media (bytes, text or URL data), assistant
 * messages with tool calls and media, system messages, tool response messages, and metadata whose
 * values are JSON (strings, numbers, booleans, lists, maps; a number reads back as Integer, Long or
 * Double, whichever fits). The metadata must be serialisable by SwarmDB's JSON mapper, and a
 * conversation holds at most {@value #MAX_MESSAGES} messages.
 *
 * <p>This class is thread safe. Saves and deletes of one conversation are serialised within this
 * JVM (every repository instance shares the locks), so concurrent saves leave exactly one of the
 * given lists; two processes saving the same conversation at the same moment are not serialised.
 */
public final class SwarmDbChatMemoryRepository implements ChatMemoryRepository {

  /** The memory type of the messages in each conversation's session memory. */
  public static final String MEMORY_TYPE = "spring-ai.chat";

  /** The key of the entry that holds a conversation's message count. */
  public static final String LENGTH_KEY = "length";

  /** The metadata key under which each returned message carries its time, as an Instant. */
  public static final String MESSAGE_TIMESTAMP = "swarmdb_message_timestamp";

  /** Most messages in one conversation (one transaction writes them and the length). */
  public static final int MAX_MESSAGES = 9_999;

  private static final int STRIPES = 64;
  private static final ReentrantLock[] LOCKS = new ReentrantLock[STRIPES];

  static {
    for (int i = 0; i < STRIPES; i++) {
      LOCKS[i] = new ReentrantLock();
    }
  }

  private final SwarmDB db;

  private SwarmDbChatMemoryRepository(SwarmDB db) {
    this.db = db;
  }

  /**
   * A repository over {@code db}; it holds no resources of its own.
   *
   * @param db the open database, closed by its owner
   * @return the repository
   */
  public static SwarmDbChatMemoryRepository create(SwarmDB db) {
    return new SwarmDbChatMemoryRepository(Objects.requireNonNull(db, "db"));
  }

  /**
   * The conversations that hold at least one message, most recently started first. Reads every
   * session's length entry: one read per session of the database.
   *
   * @return the conversation ids
   */
  @Override
  public List<String> findConversationIds() {
    List<String> out = new ArrayList<>();
    String after = null;
    List<Session> page;
    do {
      page = db.sessions().page(false, after, 1_000);
      for (Session s : page) {
        if (storedLength(db.sessions().memory(s.sessionId())) > 0) {
          out.add(s.sessionId());
        }
        after = s.sessionId();
      }
    } while (page.size() == 1_000);
    return out;
  }

  /**
   * The conversation's messages, in order (empty for an unknown conversation).
   *
   * @param conversationId the conversation (session) id
   * @return the messages, each with its time under {@value #MESSAGE_TIMESTAMP}
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for an id a session cannot have,
   *     {@link ErrorCode#CORRUPT} naming the entry when a stored message cannot be read
   */
  @Override
  public List<Message> findByConversationId(String conversationId) {
    Stored stored = read(memory(conversationId));
    List<Message> out = new ArrayList<>(stored.messages.size());
    for (int i = 0; i < stored.messages.size(); i++) {
      out.add(ChatMessageJson.decode(stored.entries.get(i), stored.messages.get(i)));
    }
    return out;
  }

  /**
   * Replaces the conversation's messages with {@code messages}, writing only what changed (see the
   * class description), and starts the conversation's session when it does not exist.
   *
   * @param conversationId the conversation (session) id
   * @param messages the whole conversation, at most {@value #MAX_MESSAGES} messages
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a bad id, a null message, too
   *     many messages, a {@value #MESSAGE_TIMESTAMP} that is not an Instant, media data of another
   *     kind or metadata the JSON mapper cannot write; nothing is written then
   */
  @Override
  public void saveAll(String conversationId, List<Message> messages) {
    SessionMemory memory = memory(conversationId);
    Objects.requireNonNull(messages, "messages");
    if (messages.size() > MAX_MESSAGES) {
      throw new SwarmDbException(
          ErrorCode.INVALID_ARGUMENT,
          "conversation '"
              + conversationId
              + "' got "
              + messages.size()
              + " messages; the limit is "
              + MAX_MESSAGES
              + ". Keep a window of the conversation (MessageWindowChatMemory)");
    }
    Instant now = db.config().clock().instant();
    List<Map<String, @Nullable Object>> encoded = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      if (m == null) {
        throw new SwarmDbException(
            ErrorCode.INVALID_ARGUMENT,
            "message " + i + " of conversation '" + conversationId + "' is null; remove it");
      }
      encoded.add(ChatMessageJson.encode(m, i, now));
    }
    ReentrantLock lock = lock(conversationId);
    lock.lock();
    try {
      write(conversationId, memory, encoded);
    } finally {
      lock.unlock();
    }
  }

  private void write(
      String conversationId, SessionMemory memory, List<Map<String, @Nullable Object>> encoded) {
    Stored stored = read(memory);
    int kept = stored.messages.size();
    boolean prefix = kept <= encoded.size();
    for (int i = 0; prefix && i < kept; i++) {
      prefix = stored.messages.get(i).equals(ChatMessageJson.tree(encoded.get(i)));
    }
    List<String> stale = new ArrayList<>();
    for (MemoryEntry e : stored.entries) {
      if (position(e.key()) >= encoded.size()) {
        stale.add(e.key());
      }
    }
    for (String key : stored.leftovers) {
      if (position(key) >= encoded.size()) {
        stale.add(key);
      }
    }
    boolean unchanged = prefix && kept == encoded.size() && (stored.length != null || kept == 0);
    if (unchanged && stale.isEmpty()) {
      return;
    }
    Map<String, @Nullable Object> values = new LinkedHashMap<>();
    for (int i = prefix ? kept : 0; i < encoded.size(); i++) {
      values.put(key(i), encoded.get(i));
    }
    values.put(LENGTH_KEY, encoded.size());
    try {
      memory.putAll(MEMORY_TYPE, values, null);
    } catch (SwarmDbException e) {
      if (e.code() != ErrorCode.NOT_FOUND) {
        throw e; // checked before the write: nothing written, no session started
      }
      // the first save: values already passed the checks
      db.sessions().startIfAbsent(conversationId, Map.of("source", "spring-ai"));
      memory.putAll(MEMORY_TYPE, values, null);
    }
    // Past the new length: invisible to readers once the length is written; deleted so that no
    // message the caller dropped stays stored.
    for (String key : stale) {
      memory.delete(MEMORY_TYPE, key);
    }
  }

  /**
   * Deletes the conversation: erases its session, with the session's memory, agents and events, in
   * one transaction ({@link io.moaiflow.swarmdb.SessionStore#erase}); an unknown conversation is
   * nothing to do.
   *
   * @param conversationId the conversation (session) id
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for an id a session cannot have
   */
  @Override
  public void deleteByConversationId(String conversationId) {
    Objects.requireNonNull(conversationId, "conversationId");
    ReentrantLock lock = lock(conversationId);
    lock.lock();
    try {
      erase(conversationId);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Erases the conversation's session with everything in it (the conversation is the session: see
   * the class description); an unknown conversation is nothing to do.
   */
  private void erase(String conversationId) {
    try {
      db.sessions().erase(conversationId);
    } catch (SwarmDbException e) {
      if (e.code() != ErrorCode.NOT_FOUND) {
        throw e;
      }
    }
  }

  private SessionMemory memory(String conversationId) {
    Objects.requireNonNull(conversationId, "conversationId");
    return db.sessions().memory(conversationId);
  }

  /** The stored conversation: the entries below its length, and any message entries past it. */
  private record Stored(
      @Nullable Integer length,
      List<MemoryEntry> entries,
      List<JsonNode> messages,
      List<String> leftovers) {}

  private static Stored read(SessionMemory memory) {
    List<MemoryEntry> all = memory.findByPrefix(MEMORY_TYPE, "");
    Integer length = null;
    for (MemoryEntry e : all) {
      if (e.key().equals(LENGTH_KEY)) {
        length = length(e);
      }
    }
    int n = length == null ? 0 : length;
    List<MemoryEntry> entries = new ArrayList<>(n);
    List<JsonNode> messages = new ArrayList<>(n);
    List<String> leftovers = new ArrayList<>();
    for (MemoryEntry e : all) {
      if (e.key().equals(LENGTH_KEY)) {
        continue;
      }
      int position = position(e.key());
      if (position < 0) {
        throw StoredJson.corrupt(
            e, "has a key that is not a message position", ChatMessageJson.FIX);
      }
      if (position >= n) {
        leftovers.add(e.key());
      } else if (position != entries.size()) {
        throw StoredJson.corrupt(
            e,
            "follows position "
                + (entries.size() - 1)
                + "; message "
                + entries.size()
                + " is missing",
            ChatMessageJson.FIX);
      } else {
        entries.add(e);
        messages.add(StoredJson.tree(e, ChatMessageJson.FIX));
      }
    }
    if (entries.size() < n) {
      throw new SwarmDbException(
          ErrorCode.CORRUPT,
          "session_memory of session '"
              + memory.sessionId()
              + "', memory_type '"
              + MEMORY_TYPE
              + "' has "
              + entries.size()
              + " messages but its length entry says "
              + n
              + "; restore the database from a backup, or delete the conversation");
    }
    return new Stored(length, entries, messages, leftovers);
  }

  private static int storedLength(SessionMemory memory) {
    return memory.entry(MEMORY_TYPE, LENGTH_KEY).map(SwarmDbChatMemoryRepository::length).orElse(0);
  }

  private static int length(MemoryEntry e) {
    JsonNode n = StoredJson.tree(e, ChatMessageJson.FIX);
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
      throw StoredJson.corrupt(e, "is not a message count", ChatMessageJson.FIX);
    }
    return n.intValue();
  }

  private static String key(int position) {
    return String.format(Locale.ROOT, "%010d", position);
  }

  /** {@return the position a message key names, or -1 for any other key} */
  private static int position(String key) {
    if (key.length() != 10 || !key.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    long p = Long.parseLong(key);
    return p < MAX_MESSAGES ? (int) p : -1;
  }

  private static ReentrantLock lock(String conversationId) {
    return LOCKS[Math.floorMod(conversationId.hashCode(), STRIPES)];
  }
}
