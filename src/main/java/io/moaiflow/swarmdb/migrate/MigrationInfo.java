package io.moaiflow.swarmdb.migrate;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One migration and its state. This record is immutable and thread safe.
 *
 * @param version the schema version it produces
 * @param description what it does
 * @param state applied, pending, changed or from the future
 * @param resolvedChecksum CRC32 of the script this library ships, or null when it ships none
 * @param appliedChecksum CRC32 recorded when it was applied, or null when pending
 * @param appliedAt when it was applied, or null when pending
 * @param durationMs how long applying took, or null when pending
 */
public record MigrationInfo(
    int version,
    String description,
    MigrationState state,
    @Nullable Long resolvedChecksum,
    @Nullable Long appliedChecksum,
    @Nullable Instant appliedAt,
    @Nullable Long durationMs) {}
