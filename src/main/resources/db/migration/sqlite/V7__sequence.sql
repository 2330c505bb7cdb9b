-- SwarmDB schema v7: the history triggers number their rows without a second trigger
-- (docs/history.md, "Costs"). Since v3 every recording trigger inserted its history row and an
-- AFTER INSERT trigger on the history table (memory_history_sequence, agent_history_sequence,
-- session_history_sequence) then moved sqlite_sequence's high-water mark to the row's seq, first
-- inserting the agent_events row of sqlite_sequence when it was missing: a nested trigger program
-- and two more statements per recorded change. Now the agent_events row of sqlite_sequence is
-- created here, once, when missing (SQLite creates it at the first event; a file whose log was
-- never appended to has none), and each recording trigger moves the mark itself, in one UPDATE
-- after its insert (last_insert_rowid() inside a trigger is the row that trigger inserted).
-- The number is computed as before: one more than the larger of the mark and the log's largest
-- seq. A file whose agent_events row of sqlite_sequence was deleted by hand has no mark to move:
-- the recording trigger fails (RAISE) rather than numbering history after a mark it cannot keep,
-- and SwarmDB reports that as CORRUPT. No table, index or stored row changes.

INSERT INTO sqlite_sequence (name, seq)
  SELECT 'agent_events', max((SELECT coalesce(max(seq), 0) FROM agent_events),
                             (SELECT coalesce(max(seq), 0) FROM memory_history),
                             (SELECT coalesce(max(seq), 0) FROM agent_history),
                             (SELECT coalesce(max(seq), 0) FROM session_history))
  WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'agent_events');

DROP TRIGGER agent_history_sequence;
DROP TRIGGER agents_history_delete;
DROP TRIGGER agents_history_insert;
DROP TRIGGER agents_history_update;
DROP TRIGGER memory_history_sequence;
DROP TRIGGER scoped_memory_history_delete;
DROP TRIGGER scoped_memory_history_insert;
DROP TRIGGER scoped_memory_history_update;
DROP TRIGGER session_history_sequence;
DROP TRIGGER session_memory_history_delete;
DROP TRIGGER session_memory_history_insert;
DROP TRIGGER session_memory_history_update;
DROP TRIGGER sessions_history_delete;
DROP TRIGGER sessions_history_insert;
DROP TRIGGER sessions_history_update;

CREATE TRIGGER session_memory_history_insert AFTER INSERT ON session_memory BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value, writer) VALUES (
    max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'),
                  RAISE(ABORT, 'swarmdb: sqlite_sequence holds no agent_events row')),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    'session:' || new.session_id, new.memory_type, new.key, new.version, new.updated_at, 0, new.created_at,
    new.expires_at, new.value, new.writer);
  UPDATE sqlite_sequence SET seq = last_insert_rowid() WHERE name = 'agent_events';
END;
CREATE TRIGGER session_memory_history_update AFTER UPDATE ON session_memory
  WHEN new.version IS NOT old.version OR new.value IS NOT old.value
    OR new.expires_at IS NOT old.expires_at BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value, writer) VALUES (
    max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'),
                  RAISE(ABORT, 'swarmdb: sqlite_sequence holds no agent_events row')),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    'session:' || new.session_id, new.memory_type, new.key, new.version, new.updated_at, 0, new.created_at,
    new.expires_at, new.value, new.writer);
  UPDATE sqlite_sequence SET seq = last_insert_rowid() WHERE name = 'agent_events';
END;
CREATE TRIGGER session_memory_history_delete AFTER DELETE ON session_memory BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value) VALUES (
    max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'),
                  RAISE(ABORT, 'swarmdb: sqlite_sequence holds no agent_events row')),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    'session:' || old.session_id, old.memory_type, old.key, old.version, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 1, old.created_at,
    old.expires_at, NULL);
  UPDATE sqlite_sequence SET seq = last_insert_rowid() WHERE name = 'agent_events';
END;
CREATE TRIGGER scoped_memory_history_insert AFTER INSERT ON scoped_memory BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value, writer) VALUES (
    max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'),
                  RAISE(ABORT, 'swarmdb: sqlite_sequence holds no agent_events row')),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    new.scope, new.memory_type, new.key, new.version, new.updated_at, 0, new.created_at,
    new.expires_at, new.value, new.writer);
  UPDATE sqlite_sequence SET seq = last_insert_rowid() WHERE name = 'agent_events';
END;
CREATE TRIGGER scoped_memory_history_update AFTER UPDATE ON scoped_memory
  WHEN new.version IS NOT old.version OR new.value IS NOT old.value
    OR new.expires_at IS NOT old.expires_at BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value, writer) VALUES (
    max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'),
                  RAISE(ABORT, 'swarmdb: sqlite_sequence holds no agent_events row')),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    new.scope, new.memory_type, new.key, new.version, new.updated_at, 0, new.created_at,
    new.expires_at, new.value, new.writer);
  UPDATE sqlite_sequence SET seq = last_insert_rowid() WHERE name = 'agent_events';
END;
CREATE TRIGGER scoped_memory_history_delete AFTER DELETE ON scoped_memory BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value) VALUES (
    max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'),
                  RAISE(ABORT, 'swarmdb: sqlite_sequence holds no agent_events row')),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    old.scope, old.memory_type, old.key, old.version, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 1, old.created_at,
    old.expires_at, NULL);
  UPDATE sqlite_sequence SET seq = last_insert_rowid() WHERE name = 'agent_events';
END;
CREATE TRIGGER agents_history_insert AFTER INSERT ON agents BEGIN
  INSERT INTO agent_history (seq, agent_id, ts, deleted, agent_type, status, session_id, spawned_at, completed_at, duration_ms, updated_at, metadata)
    VALUES (max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'),
                  RAISE(ABORT, 'swarmdb: sqlite_sequence holds no agent_events row')),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
      new.agent_id, new.updated_at, 0, new.agent_type, new.status, new.session_id, new.spawned_at,
      new.completed_at, new.duration_ms, new.updated_at, new.metadata);
  UPDATE sqlite_sequence SET seq = last_insert_rowid() WHERE name = 'agent_events';
END;
CREATE TRIGGER agents_history_update AFTER UPDATE ON agents
  WHEN new.status IS NOT old.status OR new.metadata IS NOT old.metadata
    OR new.agent_type IS NOT old.agent_type OR new.session_id IS NOT old.session_id
    OR new.completed_at IS NOT old.completed_at OR new.duration_ms IS NOT old.duration_ms
    OR new.spawned_at IS NOT old.spawned_at BEGIN
  INSERT INTO agent_history (seq, agent_id, ts, deleted, agent_type, status, session_id, spawned_at, completed_at, duration_ms, updated_at, metadata)
    VALUES (max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'),
                  RAISE(ABORT, 'swarmdb: sqlite_sequence holds no agent_events row')),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
      new.agent_id, new.updated_at, 0, new.agent_type, new.status, new.session_id, new.spawned_at,
      new.completed_at, new.duration_ms, new.updated_at, new.metadata);
  UPDATE sqlite_sequence SET seq = last_insert_rowid() WHERE name = 'agent_events';
END;
CREATE TRIGGER agents_history_delete AFTER DELETE ON agents BEGIN
  INSERT INTO agent_history (seq, agent_id, ts, deleted, agent_type, status, session_id, spawned_at, completed_at, duration_ms, updated_at, metadata)
    VALUES (max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'),
                  RAISE(ABORT, 'swarmdb: sqlite_sequence holds no agent_events row')),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
      old.agent_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 1, old.agent_type, old.status, old.session_id, old.spawned_at,
      old.completed_at, old.duration_ms, old.updated_at, old.metadata);
  UPDATE sqlite_sequence SET seq = last_insert_rowid() WHERE name = 'agent_events';
END;
CREATE TRIGGER sessions_history_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO session_history (seq, session_id, ts, deleted, status, started_at, ended_at, metadata)
    VALUES (max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'),
                  RAISE(ABORT, 'swarmdb: sqlite_sequence holds no agent_events row')),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
      new.session_id, new.started_at, 0, new.status, new.started_at, new.ended_at, new.metadata);
  UPDATE sqlite_sequence SET seq = last_insert_rowid() WHERE name = 'agent_events';
END;
CREATE TRIGGER sessions_history_update AFTER UPDATE ON sessions BEGIN
  INSERT INTO session_history (seq, session_id, ts, deleted, status, started_at, ended_at, metadata)
    VALUES (max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'),
                  RAISE(ABORT, 'swarmdb: sqlite_sequence holds no agent_events row')),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
      new.session_id, coalesce(new.ended_at, new.started_at), 0, new.status, new.started_at, new.ended_at, new.metadata);
  UPDATE sqlite_sequence SET seq = last_insert_rowid() WHERE name = 'agent_events';
END;
CREATE TRIGGER sessions_history_delete AFTER DELETE ON sessions BEGIN
  INSERT INTO session_history (seq, session_id, ts, deleted, status, started_at, ended_at, metadata)
    VALUES (max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'agent_events'),
                  RAISE(ABORT, 'swarmdb: sqlite_sequence holds no agent_events row')),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
      old.session_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 1, old.status, old.started_at, old.ended_at, old.metadata);
  UPDATE sqlite_sequence SET seq = last_insert_rowid() WHERE name = 'agent_events';
END;
