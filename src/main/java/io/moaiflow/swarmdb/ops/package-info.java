/**
 * The ops HTTP endpoint: {@link io.moaiflow.swarmdb.ops.OpsServer} serves {@code /health}, {@code
 * /live}, {@code /ready} and Prometheus {@code /metrics} for an open database, runs scheduled
 * retention and backups, and on request serves a read-only dashboard at {@code /ui}. Built only on
 * the public API of SwarmDB plus Micrometer and its Prometheus registry (optional dependencies of
 * the library: add them to use this package).
 */
@NullMarked
package io.moaiflow.swarmdb.ops;

import org.jspecify.annotations.NullMarked;
