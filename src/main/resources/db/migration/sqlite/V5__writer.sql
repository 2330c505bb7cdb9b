-- SwarmDB schema v5: the writer of every memory version (docs/history.md, "Writers"). A nullable
-- writer column (the writing agent's id) on both memory tables and on memory_history. A write
-- through an agent's handle (SwarmDB.actingAs) stores the agent in the row it writes; a plain write
-- stores NULL. The insert and update history triggers of v3 are replaced by the same triggers
-- copying new.writer: one more column in the one INSERT they already run, no new statement. The
-- delete triggers are unchanged: a delete carries no writer of its own, so a tombstone's writer is
-- NULL unless the handle's delete records its deleter on the tombstones it just wrote (SqlMemory).
-- Rows from before v5 keep writer NULL. No new index: the explicit indexes stay the 12 of v1.

ALTER TABLE session_memory ADD COLUMN writer TEXT;
ALTER TABLE scoped_memory ADD COLUMN writer TEXT;
ALTER TABLE memory_history ADD COLUMN writer TEXT;

DROP TRIGGER session_memory_history_insert;
DROP TRIGGER session_memory_history_update;
DROP TRIGGER scoped_memory_history_insert;
DROP TRIGGER scoped_memory_history_update;

CREATE TRIGGER session_memory_history_insert AFTER INSERT ON session_memory BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value, writer) VALUES (
    max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    'session:' || new.session_id, new.memory_type, new.key, new.version, new.updated_at, 0, new.created_at,
    new.expires_at, new.value, new.writer);
END;
CREATE TRIGGER session_memory_history_update AFTER UPDATE ON session_memory
  WHEN new.version IS NOT old.version OR new.value IS NOT old.value
    OR new.expires_at IS NOT old.expires_at BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value, writer) VALUES (
    max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    'session:' || new.session_id, new.memory_type, new.key, new.version, new.updated_at, 0, new.created_at,
    new.expires_at, new.value, new.writer);
END;
CREATE TRIGGER scoped_memory_history_insert AFTER INSERT ON scoped_memory BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value, writer) VALUES (
    max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    new.scope, new.memory_type, new.key, new.version, new.updated_at, 0, new.created_at,
    new.expires_at, new.value, new.writer);
END;
CREATE TRIGGER scoped_memory_history_update AFTER UPDATE ON scoped_memory
  WHEN new.version IS NOT old.version OR new.value IS NOT old.value
    OR new.expires_at IS NOT old.expires_at BEGIN
  INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at, expires_at, value, writer) VALUES (
    max((SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'agent_events'),
          (SELECT coalesce(max(seq), 0) FROM agent_events)) + 1,
    new.scope, new.memory_type, new.key, new.version, new.updated_at, 0, new.created_at,
    new.expires_at, new.value, new.writer);
END;
