-- SwarmDB schema v4: causality (docs/history.md). An event may name the earlier events that caused
-- it (event_causes) and the memory versions it read (event_reads), written in the append's own
-- transaction. Each link table is keyed both ways by constraints alone (a WITHOUT ROWID primary key
-- and a UNIQUE constraint, an automatic index), so the schema keeps exactly the 12 explicit indexes
-- of v1, and why (event -> causes, reads) and blast radius (version -> readers, cause -> effects)
-- each search a key. A cause is always an earlier event (CHECK), so the links form no cycle. The
-- foreign keys (foreign_keys is on for every connection) delete an event's links with the event:
-- retention, erasure and any other delete of events leave no link behind, in either direction.
-- Memory versions are recorded as key@version; they are not tied to memory_history, whose
-- retention may remove an old version that an event still names.

CREATE TABLE event_causes (
  event_seq INTEGER NOT NULL REFERENCES agent_events (seq) ON DELETE CASCADE,
  cause_seq INTEGER NOT NULL REFERENCES agent_events (seq) ON DELETE CASCADE,
  PRIMARY KEY (event_seq, cause_seq),
  UNIQUE (cause_seq, event_seq),
  CHECK (cause_seq < event_seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE event_reads (
  event_seq   INTEGER NOT NULL REFERENCES agent_events (seq) ON DELETE CASCADE,
  scope       TEXT    NOT NULL,
  memory_type TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  version     INTEGER NOT NULL CHECK (version > 0),
  PRIMARY KEY (event_seq, scope, memory_type, key, version),
  UNIQUE (scope, memory_type, key, version, event_seq)
) STRICT, WITHOUT ROWID;
