package io.moaiflow.swarmdb.health;

import java.util.List;

/**
 * The result of {@code PRAGMA quick_check} or {@code integrity_check}. This record is immutable and
 * thread safe.
 *
 * @param check which check ran ({@code quick_check} or {@code integrity_check})
 * @param problems what SQLite reported; empty when the database is intact
 * @param millis how long it took
 */
public record CheckResult(String check, List<String> problems, long millis) {

  /**
   * Copies the problems.
   *
   * @param check which check ran ({@code quick_check} or {@code integrity_check})
   * @param problems what SQLite reported; empty when the database is intact
   * @param millis how long it took
   */
  public CheckResult {
    problems = List.copyOf(problems);
  }

  /** {@return whether the check found nothing wrong (there are no problems)} */
  public boolean ok() {
    return problems.isEmpty();
  }
}
