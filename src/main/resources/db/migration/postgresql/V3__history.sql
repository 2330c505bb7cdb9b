-- SwarmDB schema v3 for PostgreSQL: the flight recorder, the same tables as SQLite's v3
-- (docs/history.md). Every change of memory (any scope), of the agent registry and of sessions is
-- kept as a row of a history table, numbered by nextval() of agent_events.seq's own identity
-- sequence, so events and every other change share ONE sequence. Every write transaction takes
-- the append advisory lock first (PgDatabase), so the order of numbers is the order of commits, as
-- it is for appends (docs/postgresql.md). A history row holds the state AFTER the change (deleted:
-- the entity was removed; a memory tombstone keeps the last version number). Inserts and updates
-- are timed by the row's own time (the writer's clock); a delete carries no time, so a tombstone is
-- timed by the server's clock. Heartbeats (updated_at alone) are not recorded.

CREATE TABLE memory_history (
  seq         BIGINT  NOT NULL PRIMARY KEY,
  scope       TEXT    NOT NULL,
  memory_type TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  version     BIGINT  NOT NULL,
  ts          BIGINT  NOT NULL,
  deleted     BOOLEAN NOT NULL,
  created_at  BIGINT  NOT NULL,
  expires_at  BIGINT,
  value       JSONB,
  UNIQUE (scope, memory_type, key, seq)
);

CREATE TABLE agent_history (
  seq          BIGINT  NOT NULL PRIMARY KEY,
  agent_id     TEXT    NOT NULL,
  ts           BIGINT  NOT NULL,
  deleted      BOOLEAN NOT NULL,
  agent_type   TEXT    NOT NULL,
  status       TEXT    NOT NULL,
  session_id   TEXT,
  spawned_at   BIGINT  NOT NULL,
  completed_at BIGINT,
  duration_ms  BIGINT,
  updated_at   BIGINT  NOT NULL,
  metadata     JSONB   NOT NULL,
  UNIQUE (agent_id, seq)
);

CREATE TABLE session_history (
  seq        BIGINT  NOT NULL PRIMARY KEY,
  session_id TEXT    NOT NULL,
  ts         BIGINT  NOT NULL,
  deleted    BOOLEAN NOT NULL,
  status     TEXT    NOT NULL,
  started_at BIGINT  NOT NULL,
  ended_at   BIGINT,
  metadata   JSONB   NOT NULL,
  UNIQUE (session_id, seq)
);

CREATE FUNCTION swarmdb_next_seq() RETURNS BIGINT LANGUAGE sql VOLATILE AS $$
  SELECT nextval(pg_get_serial_sequence('agent_events', 'seq'))
$$;

CREATE FUNCTION swarmdb_now() RETURNS BIGINT LANGUAGE sql VOLATILE AS $$
  SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint
$$;

CREATE FUNCTION swarmdb_session_memory_history() RETURNS trigger LANGUAGE plpgsql AS $$
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
                                expires_at, value)
      VALUES (swarmdb_next_seq(), 'session:' || NEW.session_id, NEW.memory_type, NEW.key,
              NEW.version, NEW.updated_at, false, NEW.created_at, NEW.expires_at, NEW.value);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER session_memory_history AFTER INSERT OR UPDATE OR DELETE ON session_memory
  FOR EACH ROW EXECUTE FUNCTION swarmdb_session_memory_history();

CREATE FUNCTION swarmdb_scoped_memory_history() RETURNS trigger LANGUAGE plpgsql AS $$
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
                                expires_at, value)
      VALUES (swarmdb_next_seq(), NEW.scope, NEW.memory_type, NEW.key, NEW.version,
              NEW.updated_at, false, NEW.created_at, NEW.expires_at, NEW.value);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER scoped_memory_history AFTER INSERT OR UPDATE OR DELETE ON scoped_memory
  FOR EACH ROW EXECUTE FUNCTION swarmdb_scoped_memory_history();

CREATE FUNCTION swarmdb_agent_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO agent_history (seq, agent_id, ts, deleted, agent_type, status, session_id,
                               spawned_at, completed_at, duration_ms, updated_at, metadata)
      VALUES (swarmdb_next_seq(), OLD.agent_id, swarmdb_now(), true, OLD.agent_type, OLD.status,
              OLD.session_id, OLD.spawned_at, OLD.completed_at, OLD.duration_ms, OLD.updated_at,
              OLD.metadata);
  ELSIF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
        OR NEW.metadata IS DISTINCT FROM OLD.metadata OR NEW.agent_type IS DISTINCT FROM OLD.agent_type
        OR NEW.session_id IS DISTINCT FROM OLD.session_id
        OR NEW.completed_at IS DISTINCT FROM OLD.completed_at
        OR NEW.duration_ms IS DISTINCT FROM OLD.duration_ms
        OR NEW.spawned_at IS DISTINCT FROM OLD.spawned_at
  THEN
    INSERT INTO agent_history (seq, agent_id, ts, deleted, agent_type, status, session_id,
                               spawned_at, completed_at, duration_ms, updated_at, metadata)
      VALUES (swarmdb_next_seq(), NEW.agent_id, NEW.updated_at, false, NEW.agent_type, NEW.status,
              NEW.session_id, NEW.spawned_at, NEW.completed_at, NEW.duration_ms, NEW.updated_at,
              NEW.metadata);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER agents_history AFTER INSERT OR UPDATE OR DELETE ON agents
  FOR EACH ROW EXECUTE FUNCTION swarmdb_agent_history();

CREATE FUNCTION swarmdb_session_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO session_history (seq, session_id, ts, deleted, status, started_at, ended_at,
                                 metadata)
      VALUES (swarmdb_next_seq(), OLD.session_id, swarmdb_now(), true, OLD.status, OLD.started_at,
              OLD.ended_at, OLD.metadata);
  ELSE
    INSERT INTO session_history (seq, session_id, ts, deleted, status, started_at, ended_at,
                                 metadata)
      VALUES (swarmdb_next_seq(), NEW.session_id, coalesce(NEW.ended_at, NEW.started_at), false,
              NEW.status, NEW.started_at, NEW.ended_at, NEW.metadata);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER sessions_history AFTER INSERT OR UPDATE OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION swarmdb_session_history();

-- What v2 holds is the first snapshot, numbered after the log's last seq; the horizon is set past
-- it (as of an earlier seq there is no history to read). A new schema has no horizon: its history
-- starts at seq 0.
INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at,
                            expires_at, value)
  SELECT swarmdb_next_seq(), 'session:' || session_id, memory_type, key, version, updated_at,
         false, created_at, expires_at, value
  FROM (SELECT * FROM session_memory ORDER BY session_id, memory_type, key) m;
INSERT INTO memory_history (seq, scope, memory_type, key, version, ts, deleted, created_at,
                            expires_at, value)
  SELECT swarmdb_next_seq(), scope, memory_type, key, version, updated_at, false, created_at,
         expires_at, value
  FROM (SELECT * FROM scoped_memory ORDER BY scope, memory_type, key) m;
INSERT INTO agent_history (seq, agent_id, ts, deleted, agent_type, status, session_id, spawned_at,
                           completed_at, duration_ms, updated_at, metadata)
  SELECT swarmdb_next_seq(), agent_id, updated_at, false, agent_type, status, session_id,
         spawned_at, completed_at, duration_ms, updated_at, metadata
  FROM (SELECT * FROM agents ORDER BY agent_id) a;
INSERT INTO session_history (seq, session_id, ts, deleted, status, started_at, ended_at, metadata)
  SELECT swarmdb_next_seq(), session_id, coalesce(ended_at, started_at), false, status, started_at,
         ended_at, metadata
  FROM (SELECT * FROM sessions ORDER BY session_id) s;
INSERT INTO swarm_settings (name, value)
  SELECT 'history_horizon', last::text
  FROM (SELECT pg_sequence_last_value(pg_get_serial_sequence('agent_events', 'seq')) AS last) s
  WHERE last > 0;
