-- SwarmDB schema v3: the flight recorder (docs/history.md). Every change of memory (any scope),
-- of the agent registry and of sessions is kept as a row of a history table, numbered on the ONE
-- sequence agent_events.seq draws from: the writing trigger takes the next number exactly as
-- AUTOINCREMENT would (one more than the larger of sqlite_sequence's high-water mark and the largest
-- seq) and moves sqlite_sequence to it, so a later event continues after it. One writer makes the
-- order of numbers the order of commits. Event seqs therefore have gaps where other changes were.
-- No new explicit index: each history table's seq is its rowid, and a UNIQUE (entity, seq)
-- constraint gives the per-entity lookup (an automatic index, nothing explicit), so the schema
-- still has exactly the 12 explicit indexes of v1. A history row holds the state AFTER the change
-- (deleted = 1: the entity was removed; a memory tombstone keeps the last version number).
-- Inserts and updates are timed by the row's own time (updated_at, started_at, ended_at, the
-- writer's clock); a delete carries no time, so a tombstone is timed by SQLite's clock.

CREATE TABLE memory_history (
  seq         INTEGER PRIMARY KEY,
  scope       TEXT    NOT NULL,
  memory_type TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  ts          INTEGER NOT NULL,
  deleted     INTEGER NOT NULL CHECK (deleted IN (0, 1)),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER,
  value       TEXT,
  UNIQUE (scope, memory_type, key, seq)
) STRICT;

-- Heartbeats (updated_at alone) are not state changes and are not recorded.
CREATE TABLE agent_history (
  seq          INTEGER PRIMARY KEY,
  agent_id     TEXT    NOT NULL,
  ts           INTEGER NOT NULL,
  deleted      INTEGER NOT NULL CHECK (deleted IN (0, 1)),
  agent_type   TEXT    NOT NULL,
  status       TEXT    NOT NULL,
  session_id   TEXT,
  spawned_at   INTEGER NOT NULL,
  completed_at INTEGER,
  duration_ms  INTEGER,
  updated_at   INTEGER NOT NULL,
  metadata     TEXT    NOT NULL,
  UNIQUE (agent_id, seq)
) STRICT;

CREATE TABLE session_history (
  seq        INTEGER PRIMARY KEY,
  session_id TEXT    NOT NULL,
  ts         INTEGER NOT NULL,
  deleted    INTEGER NOT NULL CHECK (deleted IN (0, 1)),
  status     TEXT    NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at   INTEGER,
  metadata   TEXT    NOT NULL,
  UNIQUE (session_id, seq)
) STRICT;

-- Each history row moves the sequence's high-water mark to its own number (the row is created
-- when missing: a file whose log was never appended to).
CREATE TRIGGER memory_history_sequence AFTER INSERT ON memory_history BEGIN
  INSERT INTO sqlite_sequence (name, seq) SELECT 'agent_events', 0
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'agent_events');
  UPDATE sqlite_sequence SET seq = new.seq WHERE name = 'agent_events' AND seq < new.seq;
END;
CREATE TRIGGER agent_history_sequence AFTER INSERT ON agent_history BEGIN
  INSERT INTO sqlite_sequence (name, seq) SELECT 'agent_events', 0
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'agent_events');
  UPDATE sqlite_sequence SET seq = new.seq WHERE name = 'agent_events' AND seq < new.seq;
END;
CREATE TRIGGER session_history_sequence AFTER INSERT ON session_history BEGIN
  INSERT INTO sqlite_sequence (name, seq) SELECT 'agent_events', 0
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'agent_events');
  UPDATE sqlite_sequence SET seq = new.seq WHERE name = 'agent_events' AND seq < new.seq;
END;

CREATE TRIGGER session_memory_history_insert AFTER INSERT ON session_memory BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value) VALUES (
    max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    'session:' || new.session_id, new.memory_type, new.key, new.version, new.updated_at, 0, new.created_at,
    new.expires_at, new.value);
END;
CREATE TRIGGER session_memory_history_update AFTER UPDATE ON session_memory
  WHEN new.version IS NOT old.version OR new.value IS NOT old.value
    OR new.expires_at IS NOT old.expires_at BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value) VALUES (
    max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    'session:' || new.session_id, new.memory_type, new.key, new.version, new.updated_at, 0, new.created_at,
    new.expires_at, new.value);
END;
CREATE TRIGGER session_memory_history_delete AFTER DELETE ON session_memory BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value) VALUES (
    max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    'session:' || old.session_id, old.memory_type, old.key, old.version, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 1, old.created_at,
    old.expires_at, NULL);
END;
CREATE TRIGGER scoped_memory_history_insert AFTER INSERT ON scoped_memory BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value) VALUES (
    max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    new.scope, new.memory_type, new.key, new.version, new.updated_at, 0, new.created_at,
    new.expires_at, new.value);
END;
CREATE TRIGGER scoped_memory_history_update AFTER UPDATE ON scoped_memory
  WHEN new.version IS NOT old.version OR new.value IS NOT old.value
    OR new.expires_at IS NOT old.expires_at BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value) VALUES (
    max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    new.scope, new.memory_type, new.key, new.version, new.updated_at, 0, new.created_at,
    new.expires_at, new.value);
END;
CREATE TRIGGER scoped_memory_history_delete AFTER DELETE ON scoped_memory BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value) VALUES (
    max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    old.scope, old.memory_type, old.key, old.version, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 1, old.created_at,
    old.expires_at, NULL);
END;

CREATE TRIGGER agents_history_insert AFTER INSERT ON agents BEGIN
  INSERT INTO agent_history (seq, agent_id, ts, deleted, agent_type, status, session_id, spawned_at, completed_at, duration_ms, updated_at, metadata)
    VALUES (max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
      new.agent_id, new.updated_at, 0, new.agent_type, new.status, new.session_id, new.spawned_at,
      new.completed_at, new.duration_ms, new.updated_at, new.metadata);
END;
CREATE TRIGGER agents_history_update AFTER UPDATE ON agents
  WHEN new.status IS NOT old.status OR new.metadata IS NOT old.metadata
    OR new.agent_type IS NOT old.agent_type OR new.session_id IS NOT old.session_id
    OR new.completed_at IS NOT old.completed_at OR new.duration_ms IS NOT old.duration_ms
    OR new.spawned_at IS NOT old.spawned_at BEGIN
  INSERT INTO agent_history (seq, agent_id, ts, deleted, agent_type, status, session_id, spawned_at, completed_at, duration_ms, updated_at, metadata)
    VALUES (max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
      new.agent_id, new.updated_at, 0, new.agent_type, new.status, new.session_id, new.spawned_at,
      new.completed_at, new.duration_ms, new.updated_at, new.metadata);
END;
CREATE TRIGGER agents_history_delete AFTER DELETE ON agents BEGIN
  INSERT INTO agent_history (seq, agent_id, ts, deleted, agent_type, status, session_id, spawned_at, completed_at, duration_ms, updated_at, metadata)
    VALUES (max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
      old.agent_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 1, old.agent_type, old.status, old.session_id, old.spawned_at,
      old.completed_at, old.duration_ms, old.updated_at, old.metadata);
END;

CREATE TRIGGER sessions_history_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO session_history (seq, session_id, ts, deleted, status, started_at, ended_at, metadata)
    VALUES (max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
      new.session_id, new.started_at, 0, new.status, new.started_at, new.ended_at, new.metadata);
END;
CREATE TRIGGER sessions_history_update AFTER UPDATE ON sessions BEGIN
  INSERT INTO session_history (seq, session_id, ts, deleted, status, started_at, ended_at, metadata)
    VALUES (max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
      new.session_id, coalesce(new.ended_at, new.started_at), 0, new.status, new.started_at, new.ended_at, new.metadata);
END;
CREATE TRIGGER sessions_history_delete AFTER DELETE ON sessions BEGIN
  INSERT INTO session_history (seq, session_id, ts, deleted, status, started_at, ended_at, metadata)
    VALUES (max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
      old.session_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 1, old.status, old.started_at, old.ended_at, old.metadata);
END;

-- What v2 holds is the first snapshot: one row per entity, numbered after the log's last seq, and
-- the horizon is set past them (as of an earlier seq there is no history to read). A new database
-- has no horizon: its history starts at seq 0.
INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value)
  SELECT max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'), (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1 - 1 + row_number() OVER (ORDER BY session_id, memory_type, key),
         'session:' || session_id, memory_type, key, version, updated_at, 0, created_at, expires_at,
         value
  FROM session_memory;
INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value)
  SELECT max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'), (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1 - 1 + row_number() OVER (ORDER BY scope, memory_type, key),
         scope, memory_type, key, version, updated_at, 0, created_at, expires_at, value
  FROM scoped_memory;
INSERT INTO agent_history (seq, agent_id, ts, deleted, agent_type, status, session_id, spawned_at, completed_at, duration_ms, updated_at, metadata)
  SELECT max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'), (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1 - 1 + row_number() OVER (ORDER BY agent_id),
         agent_id, updated_at, 0, agent_type, status, session_id, spawned_at, completed_at,
         duration_ms, updated_at, metadata
  FROM agents;
INSERT INTO session_history (seq, session_id, ts, deleted, status, started_at, ended_at, metadata)
  SELECT max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'), (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1 - 1 + row_number() OVER (ORDER BY session_id),
         session_id, coalesce(ended_at, started_at), 0, status, started_at, ended_at, metadata
  FROM sessions;
INSERT INTO swarm_settings (name, value)
  SELECT 'history_horizon', CAST(seq AS TEXT) FROM sqlite_sequence
  WHERE name = 'agent_events' AND seq > 0;
