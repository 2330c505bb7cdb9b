package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.EventQuery;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * {@code EventStore.stream} for every backend: reads page after page with keyset cursors ({@link
 * EventQuery#after}), holding one page and no transaction or connection between pages, so memory
 * stays bounded for any number of rows. The stream is single-threaded, like any iterator.
 */
final class KeysetPages {
  /** Rows fetched per page. */
  static final int PAGE_SIZE = 500;

  private KeysetPages() {}

  /**
   * A lazy stream over every row of {@code query} (up to its limit, when set).
   *
   * @param reader reads at most the given number of rows of a query, newest first
   */
  static Stream<AgentEvent> stream(
      EventQuery query, BiFunction<EventQuery, Integer, List<AgentEvent>> reader) {
    Iterator<AgentEvent> it = new PageIterator(query, reader);
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  private static final class PageIterator implements Iterator<AgentEvent> {
    private final BiFunction<EventQuery, Integer, List<AgentEvent>> reader;
    private EventQuery next;
    private long remaining;
    private List<AgentEvent> page = List.of();
    private int index;
    private boolean exhausted;

    PageIterator(EventQuery query, BiFunction<EventQuery, Integer, List<AgentEvent>> reader) {
      this.reader = reader;
      this.next = query;
      Integer limit = query.limit();
      this.remaining = limit == null ? Long.MAX_VALUE : limit;
    }

    @Override
    public boolean hasNext() {
      if (index < page.size()) {
        return true;
      }
      if (exhausted || remaining <= 0) {
        return false;
      }
      int size = (int) Math.min(PAGE_SIZE, remaining);
      EventQuery q = next;
      page = reader.apply(q, size);
      index = 0;
      if (page.size() < size) {
        exhausted = true;
      }
      if (!page.isEmpty()) {
        next = q.after(page.get(page.size() - 1));
      }
      return !page.isEmpty();
    }

    @Override
    public AgentEvent next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      remaining--;
      return page.get(index++);
    }
  }
}
