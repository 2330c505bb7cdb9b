package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.MemoryRef;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * What this open database has seen exist, so that a linked append need not look it up again
 * (docs/history.md, "What a link costs"): the seq of each event it appended, and the memory
 * versions it wrote or read through an acting-as handle. Both maps are bounded, least recently used
 * out.
 *
 * <p>Events and memory versions leave the database only by retention, {@code pruneHistory} and
 * erasing a session, and each of their deleting transactions writes a new {@link History#REMOVALS}
 * token. What is remembered holds under the one token it was learnt under: a linked append reads
 * the token in its own transaction and, when it differs, looks its links up in the database as if
 * nothing were remembered, then forgets everything learnt under the old token. {@link
 * #generation()}, taken before a write or read, makes what that write or read saw count for nothing
 * when the token changed meanwhile. Thread safe: one lock.
 */
public final class KnownLinks {
  /** How many events and how many memory versions are remembered. */
  public static final int CAPACITY = 10_000;

  private final Map<String, Long> events = lru();

  /** Each version with its JSON as a read link stores it, "" until a linked append needs it. */
  private final Map<MemoryRef, String> versions = lru();

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

  /**
   * Events and versions remembered under a token: the token, the versions' read links as JSON
   * ({@code [[scope, type, key, version], ...]}, as {@link Causality#readsJson}) and the events'
   * seqs in the order they were named. Immutable once built; confined to one append.
   */
  static final class Under {
    final String token;
    final String readsJson;
    final long[] causeSeqs;

    Under(String token, String readsJson, long[] causeSeqs) {
      this.token = token;
      this.readsJson = readsJson;
      this.causeSeqs = causeSeqs;
    }
  }

  /** Takes the token the database holds as it opens: what is learnt from now on holds under it. */
  public void start(String current) {
    synchronized (this) {
      if (token == null) {
        token = current;
      }
    }
  }

  /** {@return the current generation: pass it with what a write or read that starts now saw} */
  public long generation() {
    synchronized (this) {
      return generation;
    }
  }

  /** Remembers committed events by id (the last {@link #CAPACITY} of a longer list). */
  public void appended(List<AgentEvent> stored, long generation) {
    synchronized (this) {
      if (generation != this.generation || token == null) {
        return;
      }
      for (int i = Math.max(0, stored.size() - CAPACITY); i < stored.size(); i++) {
        AgentEvent e = stored.get(i);
        events.put(e.eventId(), e.seq());
      }
    }
  }

  /** Remembers committed memory versions. */
  public void seen(Collection<MemoryRef> refs, long generation) {
    synchronized (this) {
      if (generation != this.generation || token == null) {
        return;
      }
      for (MemoryRef r : refs) {
        versions.putIfAbsent(r, "");
      }
    }
  }

  /**
   * {@return the token, the reads' JSON and the causes' seqs, or null when one of them was not seen
   * under the current token}
   */
  @Nullable Under knownUnder(List<String> causes, List<MemoryRef> reads) {
    synchronized (this) {
      if (token == null) {
        return null;
      }
      long[] seqs = new long[causes.size()];
      for (int i = 0; i < seqs.length; i++) {
        Long seq = events.get(causes.get(i));
        if (seq == null) {
          return null;
        }
        seqs[i] = seq;
      }
      StringJoiner json = new StringJoiner(",", "[", "]"); // as Causality.readsJson
      for (MemoryRef r : reads) {
        String one = versions.get(r);
        if (one == null) {
          return null;
        }
        if (one.isEmpty()) {
          one = Causality.readJson(r);
          versions.put(r, one);
        }
        json.add(one);
      }
      trusted++;
      return new Under(token, json.toString(), seqs);
    }
  }

  /**
   * Takes what a committed linked append checked in the database under the token its transaction
   * read: a new token forgets everything learnt under the old one first.
   *
   * @param causes the causes it named, with {@code causeSeqs} their seqs (null: not looked up)
   * @param reads the reads it found in the history
   * @param appended the event it appended
   */
  void checked(
      String current,
      List<String> causes,
      long @Nullable [] causeSeqs,
      Collection<MemoryRef> reads,
      AgentEvent appended) {
    synchronized (this) {
      adopt(current);
      if (causeSeqs != null) {
        for (int i = 0; i < causeSeqs.length; i++) {
          events.put(causes.get(i), causeSeqs[i]);
        }
      }
      for (MemoryRef r : reads) {
        versions.putIfAbsent(r, "");
      }
      events.put(appended.eventId(), appended.seq());
    }
  }

  /**
   * Forgets everything learnt under an older token, on finding {@code current} in a transaction:
   * what a write or read in flight saw counts for nothing ({@link #generation()}).
   */
  void reset(String current) {
    synchronized (this) {
      adopt(current);
    }
  }

  /** Takes a token other than the one held by forgetting all learnt under it; hold the lock. */
  private void adopt(String current) {
    if (!Objects.equals(token, current)) {
      token = current;
      generation++;
      events.clear();
      versions.clear();
    }
  }

  /** {@return how many linked appends found all their links remembered, for tests} */
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
