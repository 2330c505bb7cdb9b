package io.moaiflow.swarmdb;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/** Tails a store page by page, as a consumer does with {@code since(cursor, limit)}. */
public final class EventTail {
  private EventTail() {}

  /**
   * Every event after seq 0: {@code since} is asked for the page after each cursor (the seq of the
   * last event of the page before) until it answers an empty page.
   */
  public static List<AgentEvent> readAll(LongFunction<List<AgentEvent>> since) {
    List<AgentEvent> all = new ArrayList<>();
    long cursor = 0;
    while (true) {
      List<AgentEvent> page = since.apply(cursor);
      if (page.isEmpty()) {
        return all;
      }
      all.addAll(page);
      cursor = page.get(page.size() - 1).seq();
    }
  }
}
