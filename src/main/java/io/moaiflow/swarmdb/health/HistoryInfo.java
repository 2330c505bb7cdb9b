package io.moaiflow.swarmdb.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The size of the flight recorder's history (docs/history.md, "The history budget"): its rows, its
 * bytes by the budget's formula, the budget and the recorded horizon. This record is immutable and
 * thread safe.
 *
 * <p>A history row counts {@value #ROW_OVERHEAD_BYTES} bytes plus the UTF-8 bytes of its text
 * columns as the database holds them: of a memory version its scope, type, key and value; of an
 * agent version its id, type, status, session and metadata; of a session version its id, status and
 * metadata. The same formula on both backends; PostgreSQL holds JSON as {@code jsonb}, whose text
 * form has a space after each {@code :} and {@code ,}, so the same objects count a few bytes more
 * there.
 *
 * @param rows rows of {@code memory_history}, {@code agent_history} and {@code session_history}
 * @param bytes those rows' bytes by the formula above
 * @param horizon the recorded horizon: the earliest seq an as-of view can be built at (0 when
 *     history was never pruned)
 * @param budgetBytes the configured budget ({@code SwarmDbConfig.Builder.historyBudgetBytes}), or
 *     empty for none
 */
public record HistoryInfo(long rows, long bytes, long horizon, OptionalLong budgetBytes) {

  /**
   * The bytes a history row counts beside its text columns: its seq, times, version and flags (six
   * integers of up to 8 bytes) and its share of the row's two keys (the seq and the entity's).
   */
  public static final int ROW_OVERHEAD_BYTES = 64;

  /** {@return whether a budget is configured and the history is larger} */
  public boolean overBudget() {
    return budgetBytes.isPresent() && bytes > budgetBytes.getAsLong();
  }

  /**
   * The figures as the {@code history} object of {@code swarmdb info --json}.
   *
   * @return a new ordered map: {@code rows}, {@code bytes}, {@code budgetBytes} (null for none),
   *     {@code horizon} and {@code overBudget}
   */
  public Map<String, Object> toJsonMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rows", rows);
    m.put("bytes", bytes);
    m.put("budgetBytes", budgetBytes.isPresent() ? budgetBytes.getAsLong() : null);
    m.put("horizon", horizon);
    m.put("overBudget", overBudget());
    return m;
  }
}
