package io.moaiflow.swarmdb.backend;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Makes a delete fail part way, on either backend: triggers on both memory tables that refuse to
 * delete the rows of one key with the error {@value #MESSAGE}, so a test can show that the deletes
 * before it in the same transaction roll back.
 */
public final class RefusedDeletes {
  /** The error the triggers raise. */
  public static final String MESSAGE = "delete refused by the test";

  private RefusedDeletes() {}

  /**
   * Installs the triggers in the invocation's database, behind SwarmDB's back.
   *
   * @param backend the invocation
   * @param key the memory key whose rows (in any scope and type) cannot be deleted
   * @throws SQLException when the triggers cannot be created
   */
  public static void refuse(TestBackend backend, String key) throws SQLException {
    String literal = "'" + key.replace("'", "''") + "'";
    try (Connection c = backend.connect();
        Statement st = c.createStatement()) {
      for (String table : new String[] {"session_memory", "scoped_memory"}) {
        if (backend.isPostgres()) {
          st.execute(
              "CREATE FUNCTION refuse_"
                  + table
                  + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.key = "
                  + literal
                  + " THEN RAISE EXCEPTION '"
                  + MESSAGE
                  + "'; END IF; RETURN OLD; END $$");
          st.execute(
              "CREATE TRIGGER refuse BEFORE DELETE ON "
                  + table
                  + " FOR EACH ROW EXECUTE FUNCTION refuse_"
                  + table
                  + "()");
        } else {
          st.execute(
              "CREATE TRIGGER refuse_"
                  + table
                  + " BEFORE DELETE ON "
                  + table
                  + " WHEN OLD.key = "
                  + literal
                  + " BEGIN SELECT RAISE(ABORT, '"
                  + MESSAGE
                  + "'); END");
        }
      }
    }
  }
}
