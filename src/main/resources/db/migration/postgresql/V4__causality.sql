-- SwarmDB schema v4 for PostgreSQL: causality, the same tables as SQLite's v4 (docs/history.md).
-- An event may name the earlier events that caused it (event_causes) and the memory versions it
-- read (event_reads), written in the append's own transaction. Each link table is keyed both ways
-- by its primary key and a UNIQUE constraint, so why (event -> causes, reads) and blast radius
-- (version -> readers, cause -> effects) each search an index, and the foreign keys' cascades find
-- the rows of a deleted event by index. A cause is always an earlier event (CHECK): no cycle. The
-- foreign keys delete an event's links with the event (retention, erasure), in either direction.

CREATE TABLE event_causes (
  event_seq BIGINT NOT NULL REFERENCES agent_events (seq) ON DELETE CASCADE,
  cause_seq BIGINT NOT NULL REFERENCES agent_events (seq) ON DELETE CASCADE,
  PRIMARY KEY (event_seq, cause_seq),
  UNIQUE (cause_seq, event_seq),
  CHECK (cause_seq < event_seq)
);

CREATE TABLE event_reads (
  event_seq   BIGINT NOT NULL REFERENCES agent_events (seq) ON DELETE CASCADE,
  scope       TEXT   NOT NULL,
  memory_type TEXT   NOT NULL,
  key         TEXT   NOT NULL,
  version     BIGINT NOT NULL CHECK (version > 0),
  PRIMARY KEY (event_seq, scope, memory_type, key, version),
  UNIQUE (scope, memory_type, key, version, event_seq)
);
