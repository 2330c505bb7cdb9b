/**
 * The {@code swarmdb} executable: picocli commands for operators and scripts ({@code size}, {@code
 * health}, {@code backup}, {@code restore}, ...). Built only on the public API (the base package,
 * {@code health} and {@code migrate}); the entry point is {@link Main}.
 */
@NullMarked
package io.moaiflow.swarmdb.cli;

import org.jspecify.annotations.NullMarked;
