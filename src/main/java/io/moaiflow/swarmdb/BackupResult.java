package io.moaiflow.swarmdb;

import java.nio.file.Path;

/**
 * A verified backup. This record is immutable and thread safe.
 *
 * @param path the backup file
 * @param bytes its size
 * @param lastSeq the newest event position it holds
 * @param millis how long writing and verifying took
 */
public record BackupResult(Path path, long bytes, long lastSeq, long millis) {}
