package io.moaiflow.swarmdb;

import java.nio.file.Path;

/**
 * What a read-only check of a backup file found ({@link SwarmDB#verifyBackup}). This record is
 * immutable and thread safe.
 *
 * @param path the backup file, absolute
 * @param schemaVersion its schema version ({@code PRAGMA user_version}); below {@code
 *     latestSchemaVersion}, a database restored from it needs migrating
 * @param latestSchemaVersion the newest schema version this library knows
 * @param events rows in its event log
 */
public record BackupCheck(Path path, int schemaVersion, int latestSchemaVersion, long events) {}
