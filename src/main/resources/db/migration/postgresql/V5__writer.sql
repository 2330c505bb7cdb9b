-- SwarmDB schema v5 for PostgreSQL: the writer of every memory version, as SQLite's v5
-- (docs/history.md, "Writers"). A nullable writer column (the writing agent's id) on both memory
-- tables and on memory_history; a write through an agent's handle stores the agent, a plain write
-- NULL. The history trigger functions of v3 are replaced by the same functions copying NEW.writer
-- into the one INSERT they already run. A delete's tombstone gets NULL (a delete carries no
-- writer); the handle's delete records its deleter on the tombstones it wrote (SqlMemory). Rows
-- from before v5 keep writer NULL. No new index.

ALTER TABLE session_memory ADD COLUMN writer TEXT;
ALTER TABLE scoped_memory ADD COLUMN writer TEXT;
ALTER TABLE memory_history ADD COLUMN writer TEXT;

CREATE OR REPLACE FUNCTION swarmdb_session_memory_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at,
                                expires_at, value)
      VALUES (swarmdb_next_seq(), 'session:' || OLD.session_id, OLD.memory_type, OLD.key,
              OLD.version, swarmdb_now(), true, OLD.created_at, OLD.expires_at, NULL);
  ELSIF TG_OP = 'INSERT' OR NEW.version IS DISTINCT FROM OLD.version
        OR NEW.value IS DISTINCT FROM OLD.value OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
  THEN
    INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at,
                                expires_at, value, writer)
      VALUES (swarmdb_next_seq(), 'session:' || NEW.session_id, NEW.memory_type, NEW.key,
              NEW.version, NEW.updated_at, false, NEW.created_at, NEW.expires_at, NEW.value,
              NEW.writer);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION swarmdb_scoped_memory_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at,
                                expires_at, value)
      VALUES (swarmdb_next_seq(), OLD.scope, OLD.memory_type, OLD.key, OLD.version,
              swarmdb_now(), true, OLD.created_at, OLD.expires_at, NULL);
  ELSIF TG_OP = 'INSERT' OR NEW.version IS DISTINCT FROM OLD.version
        OR NEW.value IS DISTINCT FROM OLD.value OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
  THEN
    INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at,
                                expires_at, value, writer)
      VALUES (swarmdb_next_seq(), NEW.scope, NEW.memory_type, NEW.key, NEW.version,
              NEW.updated_at, false, NEW.created_at, NEW.expires_at, NEW.value, NEW.writer);
  END IF;
  RETURN NULL;
END
$$;
