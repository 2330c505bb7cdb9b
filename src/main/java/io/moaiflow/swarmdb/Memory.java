package io.moaiflow.swarmdb;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Key/value memory of one {@link Scope}: a session's, an agent's, the whole swarm's or a
 * namespace's, addressed by {@code (memoryType, key)}. Values are any Jackson-serialisable object
 * stored as JSON ({@code java.time} types and durations as ISO-8601 text, {@code Optional} as its
 * value or null; see {@link SwarmDbConfig.Builder#jsonMapper}); entries may carry a TTL after which
 * they are never returned (and {@link Maintenance#purgeExpiredMemory()} deletes them). Every scope
 * has the same operations and contracts; scopes never see each other's entries. Obtain one from
 * {@link SwarmDB#memory(Scope)} (a session's also from {@link SessionStore#memory(String)}). Agent,
 * swarm and namespace memory needs no registry row; a session's needs its session (writes to a
 * missing one are {@link ErrorCode#NOT_FOUND}; <a href="SwarmDB.html#references">the reference
 * rule</a>).
 *
 * <p>Every write also updates the full-text index of the entry in the same transaction. With an
 * {@link Embedder} configured ({@link SwarmDbConfig.Builder#embedder}), {@code put}, {@code putAll}
 * and {@code importJson} first embed each entry's text (the key, a space, then every string inside
 * the JSON value in document order, joined by spaces) outside the write transaction, and store the
 * normalised vector with the entry; without one, a write stores no vector (and clears an older
 * one). A database holds vectors of one model and dimension, recorded by its first vector.
 *
 * <p>Limits: keys at most {@value #MAX_KEY_LENGTH} characters; a value's JSON within {@link
 * JsonLimits} (at most 16 MiB, nested at most {@value JsonLimits#MAX_DEPTH} levels, finite
 * numbers), checked by every write; anything stored reads back. A stored value that cannot be read
 * is damage: every reader of it fails with {@link ErrorCode#CORRUPT} naming the entry.
 *
 * <p>Values are read back as JSON text ({@link MemoryEntry#valueJson()}) or, by the overloads
 * taking a {@code Class} or {@code TypeReference}, as a caller's type ({@link MemoryValue}): every
 * typed read maps the value the same way, with the database's Jackson mapper ({@link
 * SwarmDbConfig.Builder#jsonMapper}); a value that is readable JSON but does not fit the type fails
 * with {@link ErrorCode#INVALID_ARGUMENT}, one that is not readable JSON with {@link
 * ErrorCode#CORRUPT}. Memory types are letters, digits and {@code _ . : -}, at most 64 characters.
 * Implementations are thread safe.
 */
public interface Memory {

  /** Facts the swarm has learned. */
  String SEMANTIC = "semantic";

  /** What happened, in order. */
  String EPISODIC = "episodic";

  /** Hints for the next prompt. */
  String CONTEXT_HINT = "context_hint";

  /** Longest key accepted. */
  int MAX_KEY_LENGTH = 512;

  /** {@return whose memory this is} */
  Scope scope();

  /**
   * Stores a value without TTL (insert or update; the version increments on each update).
   *
   * @param memoryType the memory type
   * @param key the key
   * @param value a Jackson-serialisable value (null stores JSON null)
   * @return the stored entry
   * @throws SwarmDbException {@link ErrorCode#NOT_FOUND} for a session scope whose session does not
   *     exist, {@link ErrorCode#INVALID_ARGUMENT} for bad input or an embedder of another model or
   *     dimension than the database's vectors; nothing is written then
   */
  default MemoryEntry put(String memoryType, String key, @Nullable Object value) {
    return put(memoryType, key, value, null);
  }

  /**
   * Stores a value with an optional TTL.
   *
   * @param memoryType the memory type
   * @param key the key
   * @param value a Jackson-serialisable value
   * @param ttl positive time to live, or null for none
   * @return the stored entry
   * @throws SwarmDbException as {@link #put(String, String, Object)} does; an exception of the
   *     configured embedder, or a vector it returns of the wrong length, not finite or all zero,
   *     fails the call with {@link ErrorCode#INVALID_ARGUMENT} (the exception as its cause) and
   *     nothing written
   */
  MemoryEntry put(String memoryType, String key, @Nullable Object value, @Nullable Duration ttl);

  /**
   * Stores a value only if the entry is still at the version the caller read (optimistic
   * concurrency): of writers racing with one expected version, exactly one succeeds and the others
   * fail with {@link ErrorCode#CONFLICT}. An expired entry counts as absent (version 0).
   *
   * @param memoryType the memory type
   * @param key the key
   * @param value a Jackson-serialisable value
   * @param ttl positive time to live, or null for none
   * @param expectedVersion the version of {@link MemoryEntry#version()} the caller read, or 0 for
   *     an entry that must not exist yet
   * @return the stored entry, at {@code expectedVersion + 1}
   * @throws SwarmDbException {@link ErrorCode#CONFLICT} naming the expected and the actual version
   *     when the entry is at another version (nothing is written: read it again and retry), {@link
   *     ErrorCode#INVALID_ARGUMENT} for a negative version or as {@link #put(String, String,
   *     Object, Duration)}, {@link ErrorCode#NOT_FOUND} for a session scope whose session does not
   *     exist
   */
  MemoryEntry putIfVersion(
      String memoryType,
      String key,
      @Nullable Object value,
      @Nullable Duration ttl,
      long expectedVersion);

  /**
   * Stores several values of one type in one transaction.
   *
   * @param memoryType the memory type
   * @param values key to value
   * @param ttl positive time to live, or null for none
   * @return the stored entries, in the map's iteration order
   */
  List<MemoryEntry> putAll(
      String memoryType, Map<String, ? extends @Nullable Object> values, @Nullable Duration ttl);

  /**
   * Stores a value with a vector the caller computed (for example a vector store adapter whose
   * framework embeds the text itself) instead of one from the configured {@link Embedder}. The
   * vector is stored scaled to unit length; recall compares it with query vectors by cosine.
   *
   * @param memoryType the memory type
   * @param key the key
   * @param value a Jackson-serialisable value
   * @param ttl positive time to live, or null for none
   * @param vectorModel the id of the model that computed the vector, like {@link
   *     Embedder#modelId()}: not blank, at most 256 characters
   * @param vector 1 to 4,096 finite numbers, not all 0; copied
   * @return the stored entry
   * @throws SwarmDbException as {@link #put(String, String, Object)} does; {@link
   *     ErrorCode#INVALID_ARGUMENT}, before anything is written, for a bad model id or vector, for
   *     a model id or length other than the configured embedder's (when there is one), or for a
   *     model id or dimension other than those of the vectors the database already holds (one model
   *     per database)
   */
  MemoryEntry put(
      String memoryType,
      String key,
      @Nullable Object value,
      @Nullable Duration ttl,
      String vectorModel,
      float[] vector);

  /**
   * Stores several values of one type with the caller's vectors, in one transaction; the rules of
   * {@link #put(String, String, Object, Duration, String, float[])} apply to each.
   *
   * @param memoryType the memory type
   * @param values key to value
   * @param ttl positive time to live, or null for none
   * @param vectorModel the id of the model that computed the vectors
   * @param vectors key to vector, with exactly the keys of {@code values}, every vector of the same
   *     length
   * @return the stored entries, in the iteration order of {@code values}
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT}, before anything is written, when
   *     {@code vectors} lacks a key of {@code values} or holds another, or a vector is bad
   */
  List<MemoryEntry> putAll(
      String memoryType,
      Map<String, ? extends @Nullable Object> values,
      @Nullable Duration ttl,
      String vectorModel,
      Map<String, float[]> vectors);

  /**
   * Reads a value as {@code valueType}.
   *
   * @param <T> the value type
   * @param memoryType the memory type
   * @param key the key
   * @param valueType the class Jackson reads the JSON into
   * @return the value, or empty when missing, expired, or JSON null
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when the JSON does not fit the type
   */
  <T> Optional<T> get(String memoryType, String key, Class<T> valueType);

  /**
   * Reads a value as a generic type, such as {@code new TypeReference<List<Message>>() {}}, the way
   * {@link #get(String, String, Class)} reads it.
   *
   * @param <T> the value type
   * @param memoryType the memory type
   * @param key the key
   * @param valueType the type Jackson reads the JSON into
   * @return the value, or empty when missing, expired, or JSON null
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when the JSON does not fit the
   *     type, {@link ErrorCode#CORRUPT} naming the entry when the stored text is not readable JSON
   */
  <T> Optional<T> get(String memoryType, String key, TypeReference<T> valueType);

  /**
   * Reads the stored entry with its value as {@code valueType}.
   *
   * @param <T> the value type
   * @param memoryType the memory type
   * @param key the key
   * @param valueType the class Jackson reads the JSON into
   * @return the entry, or empty when missing or expired
   * @throws SwarmDbException as {@link #get(String, String, TypeReference)} does
   */
  <T> Optional<MemoryValue<T>> entry(String memoryType, String key, Class<T> valueType);

  /**
   * Reads the stored entry.
   *
   * @param memoryType the memory type
   * @param key the key
   * @return the entry, or empty when missing or expired
   */
  Optional<MemoryEntry> entry(String memoryType, String key);

  /**
   * Reads several entries of one type.
   *
   * @param memoryType the memory type
   * @param keys the keys
   * @return key to entry for the keys that exist and have not expired
   */
  Map<String, MemoryEntry> getAll(String memoryType, Collection<String> keys);

  /**
   * Reads several entries of one type with their values as {@code valueType}.
   *
   * @param <T> the value type
   * @param memoryType the memory type
   * @param keys the keys, at most 10,000
   * @param valueType the class Jackson reads each JSON value into
   * @return key to entry for the keys that exist and have not expired, in the order of {@code keys}
   * @throws SwarmDbException as {@link #get(String, String, TypeReference)} does, for the first
   *     value that does not fit
   */
  <T> Map<String, MemoryValue<T>> getAll(
      String memoryType, Collection<String> keys, Class<T> valueType);

  /**
   * Deletes one entry.
   *
   * @param memoryType the memory type
   * @param key the key
   * @return whether an entry was deleted
   */
  boolean delete(String memoryType, String key);

  /**
   * Deletes several entries of one type in one transaction: every one of them, or none when the
   * call fails. Keys without an entry are skipped, a key given twice is deleted once, and an
   * expired entry not purged yet is deleted and counted, as {@link #delete} does. Like {@link
   * #delete}, a session scope whose session does not exist has nothing to delete (0, no error).
   *
   * @param memoryType the memory type
   * @param keys the keys, at most 10,000, each a valid key
   * @return entries deleted
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT}, before anything is deleted, for a
   *     bad memory type, more than 10,000 keys, or a key that is null, blank or longer than {@value
   *     #MAX_KEY_LENGTH} characters (the message names its index, {@code keys[i]})
   */
  int deleteAll(String memoryType, Collection<String> keys);

  /**
   * The unexpired keys of one type, sorted.
   *
   * @param memoryType the memory type
   * @return the keys
   */
  List<String> keys(String memoryType);

  /**
   * Unexpired entries whose key starts with {@code prefix}, matched literally ({@code *}, {@code
   * ?}, {@code [} and {@code %} in the prefix are plain characters).
   *
   * @param memoryType the memory type
   * @param prefix the literal prefix
   * @return matching entries, by key
   */
  List<MemoryEntry> findByPrefix(String memoryType, String prefix);

  /**
   * {@link #findByPrefix(String, String)} with each value read as {@code valueType}.
   *
   * @param <T> the value type
   * @param memoryType the memory type
   * @param prefix the literal prefix
   * @param valueType the class Jackson reads each JSON value into
   * @return matching entries, by key
   * @throws SwarmDbException as {@link #get(String, String, TypeReference)} does, for the first
   *     value that does not fit
   */
  <T> List<MemoryValue<T>> findByPrefix(String memoryType, String prefix, Class<T> valueType);

  /**
   * Unexpired entries whose key matches a glob ({@code *} any run, {@code ?} one character, {@code
   * [abc]} a class; case-sensitive).
   *
   * @param memoryType the memory type
   * @param glob the pattern
   * @return matching entries, by key
   */
  List<MemoryEntry> findByGlob(String memoryType, String glob);

  /**
   * {@link #findByGlob(String, String)} with each value read as {@code valueType}.
   *
   * @param <T> the value type
   * @param memoryType the memory type
   * @param glob the pattern
   * @param valueType the class Jackson reads each JSON value into
   * @return matching entries, by key
   * @throws SwarmDbException as {@link #get(String, String, TypeReference)} does, for the first
   *     value that does not fit
   */
  <T> List<MemoryValue<T>> findByGlob(String memoryType, String glob, Class<T> valueType);

  /**
   * The most recently updated unexpired entries of this scope, in any type.
   *
   * @param limit most rows, between 1 and 10,000
   * @return entries, newest first
   */
  List<MemoryEntry> recent(int limit);

  /**
   * {@link #recent(int)} with each value read as {@code valueType} (every entry's value must fit
   * it: use this on a scope whose entries share a type).
   *
   * @param <T> the value type
   * @param limit most rows, between 1 and 10,000
   * @param valueType the class Jackson reads each JSON value into
   * @return entries, newest first
   * @throws SwarmDbException as {@link #get(String, String, TypeReference)} does, for the first
   *     value that does not fit
   */
  <T> List<MemoryValue<T>> recent(int limit, Class<T> valueType);

  /**
   * Counts the unexpired entries of this scope, in every type.
   *
   * @return the number of entries
   */
  long count();

  /**
   * Counts the unexpired entries of one type in this scope.
   *
   * @param memoryType the memory type
   * @return the number of entries
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a bad memory type
   */
  long count(String memoryType);

  /**
   * Deletes every entry of this scope.
   *
   * @return entries deleted
   */
  int clear();

  /**
   * Deletes every entry of one type in this scope.
   *
   * @param memoryType the memory type
   * @return entries deleted
   */
  int clear(String memoryType);

  /**
   * The recorded versions of one entry, oldest first, one page at a time: every write (with the
   * value it stored) and every delete (a tombstone) since the history horizon, each with its
   * position on the database's one sequence. Retention keeps, of the versions before its horizon,
   * only the one in force at the horizon (docs/history.md). Expiry by TTL is no change of its own:
   * a version carries its {@code expiresAt}; the purge that deletes an expired entry records a
   * delete.
   *
   * @param memoryType the memory type
   * @param key the key
   * @param afterSeq the {@link MemoryVersion#seq()} of the last version of the previous page, or 0
   *     for the first page
   * @param limit most versions, between 1 and 10,000
   * @return the versions with a seq after {@code afterSeq}, oldest first; empty when there are no
   *     more
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} for a bad type, key or limit or a
   *     negative {@code afterSeq}, {@link ErrorCode#CORRUPT} naming the history row whose stored
   *     value cannot be read
   */
  List<MemoryVersion> history(String memoryType, String key, long afterSeq, int limit);

  /**
   * Every recorded version of one entry, oldest first: {@link #history(String, String, long, int)}
   * read page by page to the end.
   *
   * @param memoryType the memory type
   * @param key the key
   * @return the versions, oldest first; empty for a key never written since the horizon
   * @throws SwarmDbException as the paged form does
   */
  default List<MemoryVersion> history(String memoryType, String key) {
    int page = 10_000;
    java.util.ArrayList<MemoryVersion> all = new java.util.ArrayList<>();
    long after = 0;
    while (true) {
      List<MemoryVersion> next = history(memoryType, key, after, page);
      all.addAll(next);
      if (next.size() < page) {
        return List.copyOf(all);
      }
      after = next.get(next.size() - 1).seq();
    }
  }

  /**
   * This scope's unexpired memory as a JSON document, for {@link #importJson}.
   *
   * @return for a session {@code {"sessionId":..., "entries":[{"memoryType":..., "key":...,
   *     "value":..., "expiresAt":...}, ...]}}, for any other scope {@code {"scope":"agent:ID",
   *     "entries":[...]}} with the scope's written form
   * @throws SwarmDbException {@link ErrorCode#CORRUPT} naming the first entry whose stored value
   *     cannot be read
   */
  String exportJson();

  /**
   * Writes the entries of an {@link #exportJson()} document into this scope in one transaction
   * (existing keys are updated; entries already expired are skipped). A document names the scope it
   * was exported from: one naming another scope ({@code "scope"}) is refused, and so is a session's
   * document ({@code "sessionId"}) for a scope that is not a session's; a session's document may be
   * imported into another session, which copies that memory. A document naming no scope is accepted
   * by any.
   *
   * @param json the document
   * @return entries written
   * @throws SwarmDbException {@link ErrorCode#INVALID_ARGUMENT} when the document is malformed or
   *     names another scope, {@link ErrorCode#NOT_FOUND} for a session scope whose session does not
   *     exist; nothing is written then
   */
  int importJson(String json);
}
