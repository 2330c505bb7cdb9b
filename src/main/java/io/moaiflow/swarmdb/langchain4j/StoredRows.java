package io.moaiflow.swarmdb.langchain4j;

import io.moaiflow.swarmdb.Scope;

/** How this package's messages name a memory row and quote a caller's text. Stateless. */
final class StoredRows {
  private StoredRows() {}

  /** {@return the table and row of an entry, as SwarmDB's own CORRUPT messages name them} */
  static String row(Scope scope, String memoryType, String key) {
    String owner =
        scope.kind() == Scope.Kind.SESSION
            ? "session_memory row session '" + printable(String.valueOf(scope.id()))
            : "scoped_memory row scope '" + printable(scope.toString());
    return owner + "' type '" + memoryType + "' key '" + printable(key) + "'";
  }

  /** {@return the text with control characters as {@code ?}, cut to 80 characters} */
  static String printable(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
