/**
 * The embedded SQLite backend: the single group-committing {@code Writer}, the read-only {@code
 * ReadPool}, the SQLite spellings, migrator hooks, inspector and maintenance. Internal: no
 * compatibility promise; only {@code SqliteDatabase} (the {@code Backend}) and what the shared DAOs
 * need are public.
 */
@NullMarked
package io.moaiflow.swarmdb.internal.sqlite;

import org.jspecify.annotations.NullMarked;
