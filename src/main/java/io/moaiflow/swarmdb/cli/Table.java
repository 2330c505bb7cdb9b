package io.moaiflow.swarmdb.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A plain-text table for people: each column as wide as its widest cell, two spaces between
 * columns, the last column unpadded. Widths only grow, so a table printed in batches ({@code events
 * --follow}) stays aligned as wider cells arrive. Control characters in cells are shown as {@code
 * ?}, so a cell never breaks the line. Not thread safe.
 */
final class Table {
  /** Longest cell shown; longer ones end in {@code ...}. */
  static final int MAX_CELL = 80;

  private final List<String> headers;
  private final int[] widths;

  Table(String... headers) {
    this.headers = List.of(headers);
    this.widths = new int[headers.length];
    fit(this.headers);
  }

  /** Prints the header and the rows, the columns fitted to them. */
  static void print(PrintWriter out, Table table, List<List<String>> rows) {
    rows.forEach(table::fit);
    table.printHeader(out);
    rows.forEach(r -> table.printRow(out, r));
  }

  /** Widens the columns to fit {@code row}. */
  void fit(List<String> row) {
    for (int i = 0; i < widths.length; i++) {
      widths[i] = Math.max(widths[i], cell(row.get(i)).length());
    }
  }

  /** Makes column {@code i} at least {@code width} characters wide. */
  void widen(int i, int width) {
    widths[i] = Math.max(widths[i], width);
  }

  void printHeader(PrintWriter out) {
    printRow(out, headers);
  }

  void printRow(PrintWriter out, List<String> row) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < widths.length; i++) {
      String c = cell(row.get(i));
      sb.append(c);
      if (i < widths.length - 1) {
        sb.append(" ".repeat(widths[i] - c.length() + 2));
      }
    }
    out.println(sb.toString().stripTrailing());
  }

  static String cell(String value) {
    StringBuilder sb = new StringBuilder(Math.min(value.length(), MAX_CELL));
    for (int i = 0; i < value.length() && sb.length() < MAX_CELL; i++) {
      char c = value.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    if (value.length() > MAX_CELL) {
      sb.setLength(MAX_CELL - 3);
      sb.append("...");
    }
    return sb.toString();
  }

  /** A nullable value as a cell: {@code -} for null. */
  static String orDash(@Nullable Object value) {
    return value == null ? "-" : value.toString();
  }

  /** An instant as a cell: ISO-8601 UTC to the millisecond, {@code -} for null. */
  static String time(@Nullable Instant t) {
    return t == null ? "-" : t.toString();
  }
}
