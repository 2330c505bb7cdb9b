package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.MemoryRef;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What this open database has seen exist, so a linked append need not look it up again
 * (docs/history.md, "What a link costs"): the seq of each event it appended, and the memory
 * versions it wrote or read through an acting-as handle. Both are bounded, least recently used
 * first out.
 *
 * <p>An event's seq is checked again by the append itself, by primary key: a seq that is gone (the
 * event was deleted, perhaps by another process) sends the append back to looking the id up, so a
 * cause is never linked to the wrong event. A memory version can only disappear from the history by
 * {@code pruneHistory} or by erasing a session, and both change the {@link History#REMOVALS} token
 * (pruning before its first delete and after its last); the versions are trusted only under the
 * token they were checked under, so an append that finds another token checks its reads in the
 * database, and the versions seen before are forgotten. {@link #generation()} makes a version seen
 * by a read or write that began before such a change count for nothing. Thread safe: one lock.
 */
public final class KnownLinks {
  /** How many events and how many memory versions are remembered. */
  public static final int CAPACITY = 10_000;

  private final Map<String, Long> events = lru();
  private final Map<MemoryRef, Boolean> versions = lru();
  private @Nullable String token;
  private long generation;
  private long trusted;

  private static <K, V> Map<K, V> lru() {
    return new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > CAPACITY;
      }
    };
  }

  /** Remembers committed events by id (the last {@link #CAPACITY} of a longer list). */
  public void appended(List<io.moaiflow.swarmdb.AgentEvent> stored) {
    synchronized (this) {
      for (int i = Math.max(0, stored.size() - CAPACITY); i < stored.size(); i++) {
        io.moaiflow.swarmdb.AgentEvent e = stored.get(i);
        events.put(e.eventId(), e.seq());
      }
    }
  }

  /** Remembers committed events' seqs by id, in the same order. */
  void remember(List<String> eventIds, long[] seqs) {
    synchronized (this) {
      for (int i = 0; i < seqs.length; i++) {
        events.put(eventIds.get(i), seqs[i]);
      }
    }
  }

  /** Forgets an event id whose remembered seq is no longer in the log. */
  void forget(String eventId) {
    synchronized (this) {
      events.remove(eventId);
    }
  }

  /**
   * {@return the seqs of the named events, in their order, or null when one of them was not seen}
   */
  long @Nullable [] seqs(List<String> eventIds) {
    long[] out = new long[eventIds.size()];
    synchronized (this) {
      for (int i = 0; i < out.length; i++) {
        Long seq = events.get(eventIds.get(i));
        if (seq == null) {
          return null;
        }
        out[i] = seq;
      }
    }
    return out;
  }

  /** {@return the current generation: pass it to {@link #seen} for versions read or written now} */
  public long generation() {
    synchronized (this) {
      return generation;
    }
  }

  /**
   * Remembers committed memory versions, unless the token changed since {@code generation} was
   * taken (they may have been pruned since) or no token was ever read.
   */
  public void seen(Collection<MemoryRef> refs, long generation) {
    synchronized (this) {
      if (generation != this.generation || token == null) {
        return;
      }
      for (MemoryRef r : refs) {
        versions.put(r, Boolean.TRUE);
      }
    }
  }

  /**
   * {@return the token every one of the versions was checked under, or null when one of them was
   * not seen or no token is known}
   */
  @Nullable String knownUnder(List<MemoryRef> refs) {
    synchronized (this) {
      if (token == null) {
        return null;
      }
      for (MemoryRef r : refs) {
        if (versions.get(r) == null) {
          return null;
        }
      }
      return token;
    }
  }

  /**
   * Takes the token an append's transaction read, with the versions that transaction found in the
   * history: a new token forgets every version remembered under the old one.
   */
  void checked(String current, Collection<MemoryRef> found) {
    synchronized (this) {
      if (!Objects.equals(token, current)) {
        token = current;
        generation++;
        versions.clear();
      }
      for (MemoryRef r : found) {
        versions.put(r, Boolean.TRUE);
      }
    }
  }

  /** Counts a linked append that took its links as remembered. */
  void trusted() {
    synchronized (this) {
      trusted++;
    }
  }

  /** {@return how many linked appends took their links as remembered, for tests} */
  long trustedAppends() {
    synchronized (this) {
      return trusted;
    }
  }

  /** {@return how many events and versions are remembered, for tests} */
  int[] sizes() {
    synchronized (this) {
      return new int[] {events.size(), versions.size()};
    }
  }
}
