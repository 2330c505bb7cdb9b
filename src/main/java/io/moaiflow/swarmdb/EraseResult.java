package io.moaiflow.swarmdb;

/**
 * What {@link SessionStore#erase(String)} deleted, in one transaction. This record is immutable and
 * thread safe.
 *
 * @param sessionId the erased session
 * @param memoryEntries entries of the session's memory (expired ones included)
 * @param agents agents registered in the session
 * @param agentMemoryEntries entries of those agents' memory ({@link Scope#agent(String)})
 * @param events events of the session and events of its agents, each counted once
 */
public record EraseResult(
    String sessionId, long memoryEntries, long agents, long agentMemoryEntries, long events) {}
