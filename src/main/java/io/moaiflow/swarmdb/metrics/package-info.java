/**
 * Micrometer meters for SwarmDB: {@link io.moaiflow.swarmdb.metrics.SwarmDbMetrics}. Micrometer is
 * an optional dependency of the library; only this package (and the ops server) refers to it, so an
 * application without Micrometer never loads these classes and pays nothing.
 */
@NullMarked
package io.moaiflow.swarmdb.metrics;

import org.jspecify.annotations.NullMarked;
