package io.moaiflow.swarmdb.cli;

import io.moaiflow.swarmdb.EventQuery;

/**
 * The {@code --limit} rule of the listing commands: 1 to {@value EventQuery#MAX_LIMIT} rows, one
 * more fetched than shown to know whether a next page exists. Stateless and thread safe.
 */
final class Paging {
  private Paging() {}

  static void checkLimit(long limit) {
    if (limit < 1 || limit > EventQuery.MAX_LIMIT) {
      throw CliException.usage(
          "--limit is " + limit + "; pass 1 to " + EventQuery.MAX_LIMIT + " rows");
    }
  }

  /** Rows to fetch for a page of {@code limit}: one more, within the library's maximum. */
  static int fetch(int limit) {
    return Math.min(limit + 1, EventQuery.MAX_LIMIT);
  }

  /**
   * Whether a next page may exist: a row beyond the page came back, or (at the maximum limit, where
   * no extra row is fetched) the page is full.
   */
  static boolean more(int limit, int fetched) {
    return fetched > limit || (fetched == limit && fetch(limit) == limit);
  }
}
