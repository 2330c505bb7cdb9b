package io.moaiflow.swarmdb.health;

/**
 * Counters of the single writer since open. This record is immutable and thread safe.
 *
 * @param queueDepth writes waiting now
 * @param queueCapacity most writes that may wait
 * @param transactions transactions committed
 * @param writes writes committed (a transaction holds one or more)
 * @param busyRetries whole-transaction retries after a busy database
 * @param failures transactions or writes that failed
 */
public record WriterStats(
    int queueDepth,
    int queueCapacity,
    long transactions,
    long writes,
    long busyRetries,
    long failures) {}
