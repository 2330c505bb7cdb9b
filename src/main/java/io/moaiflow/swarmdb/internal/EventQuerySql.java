package io.moaiflow.swarmdb.internal;

import io.moaiflow.swarmdb.EventQuery;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The SQL of an {@link EventQuery}, shared by both backends: every filter has an index, the time
 * window bounds are always set (so even an unfiltered query is an index search), and the keyset
 * cursor is a row-value comparison on {@code (ts, seq)}. Stateless and thread safe.
 */
final class EventQuerySql {
  private EventQuerySql() {}

  /**
   * The statement text.
   *
   * @param columns the select list (backends differ in how they read metadata)
   * @param count true for {@code SELECT count(*)} (no cursor, order or limit)
   * @return the SQL; a page query ends with {@code LIMIT ?}
   */
  public static String sql(String columns, EventQuery q, boolean count) {
    StringBuilder sb = new StringBuilder(200);
    sb.append(count ? "SELECT count(*)" : "SELECT " + columns).append(" FROM agent_events WHERE ");
    if (q.agentId() != null) {
      sb.append("agent_id = ? AND ");
    }
    if (q.sessionId() != null) {
      sb.append("session_id = ? AND ");
    }
    if (q.eventType() != null) {
      sb.append("event_type = ? AND ");
    }
    sb.append("ts >= ? AND ts < ?");
    if (!count && q.beforeTimestamp() != null) {
      sb.append(" AND (ts, seq) < (?, ?)");
    }
    if (!count) {
      sb.append(" ORDER BY ts DESC, seq DESC LIMIT ?");
    }
    return sb.toString();
  }

  /**
   * Binds the query's values in the order {@link #sql} placed them.
   *
   * @return the index of the next parameter (the limit of a page query)
   */
  public static int bind(PreparedStatement ps, EventQuery q, boolean count) throws SQLException {
    int i = 1;
    if (q.agentId() != null) {
      ps.setString(i++, q.agentId());
    }
    if (q.sessionId() != null) {
      ps.setString(i++, q.sessionId());
    }
    if (q.eventType() != null) {
      ps.setString(i++, q.eventType());
    }
    Instant from = q.from();
    Instant to = q.to();
    ps.setLong(i++, from == null ? Long.MIN_VALUE : from.toEpochMilli());
    ps.setLong(i++, to == null ? Long.MAX_VALUE : to.toEpochMilli());
    Instant before = q.beforeTimestamp();
    if (!count && before != null) {
      ps.setLong(i++, before.toEpochMilli());
      ps.setLong(i++, q.beforeSeq());
    }
    return i;
  }
}
