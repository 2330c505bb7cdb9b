/**
 * JDBC, connection handling, SQL and the writer. Internal: no compatibility promise; use the public
 * API in {@code io.moaiflow.swarmdb}.
 */
@NullMarked
package io.moaiflow.swarmdb.internal;

import org.jspecify.annotations.NullMarked;
