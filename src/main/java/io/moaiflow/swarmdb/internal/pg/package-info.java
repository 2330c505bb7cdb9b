/**
 * The PostgreSQL backend: the same DAOs, migrator, inspector and maintenance as the SQLite file,
 * over a HikariCP pool (or the caller's DataSource). Internal: no compatibility promise; use the
 * public API and {@code SwarmDbConfig.postgres(String)}.
 */
@NullMarked
package io.moaiflow.swarmdb.internal.pg;

import org.jspecify.annotations.NullMarked;
