/**
 * Spring Boot integration: {@link io.moaiflow.swarmdb.spring.SwarmDbAutoConfiguration} makes a
 * {@code SwarmDB} bean from the {@code swarmdb.*} properties ({@link
 * io.moaiflow.swarmdb.spring.SwarmDbProperties}), with Actuator's {@code swarmdb} health component,
 * the SwarmDB meters on the application's registry and the {@code /actuator/swarmdb} endpoint.
 * Spring Boot 4.0 and its Actuator modules are optional dependencies of the library: this package
 * is used only by applications that have them; the core never loads it. Built only on the public
 * API of SwarmDB.
 */
@NullMarked
package io.moaiflow.swarmdb.spring;

import org.jspecify.annotations.NullMarked;
