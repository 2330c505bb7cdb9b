/** Size, health and introspection of a SwarmDB database: {@link Inspector} and its reports. */
@NullMarked
package io.moaiflow.swarmdb.health;

import org.jspecify.annotations.NullMarked;
