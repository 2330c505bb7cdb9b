package io.moaiflow.swarmdb;

import java.util.Objects;

/**
 * What a create-if-absent call ({@link SessionStore#startIfAbsent}, {@link
 * AgentRegistry#registerIfAbsent}) found: the row as stored, and whether this call created it. Of
 * any number of callers racing on one id, in one process or many, exactly one sees {@code created}
 * true; the others get the row that caller stored. This record is immutable and thread safe.
 *
 * @param <T> the row type
 * @param value the stored row: the new one, or the existing one unchanged
 * @param created whether this call created it (false: it existed and nothing was written)
 */
public record CreateResult<T>(T value, boolean created) {

  /**
   * Checks that the row is given.
   *
   * @param value the stored row
   * @param created whether this call created it
   * @throws NullPointerException when {@code value} is null
   */
  public CreateResult {
    Objects.requireNonNull(value, "value");
  }
}
