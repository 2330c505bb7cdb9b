/**
 * SwarmDB: the persistent memory of a multi-agent swarm in an embedded SQLite file. Start with
 * {@link io.moaiflow.swarmdb.SwarmDB#open(SwarmDbConfig)}.
 */
@NullMarked
package io.moaiflow.swarmdb;

import org.jspecify.annotations.NullMarked;
