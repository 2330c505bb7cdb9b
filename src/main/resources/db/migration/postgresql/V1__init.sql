-- SwarmDB schema v1 for PostgreSQL: the same tables, columns and 12 index names as the SQLite
-- schema. Times are BIGINT epoch milliseconds UTC; metadata and memory values are JSONB.
-- Applied into the connection's current schema (choose it with ?currentSchema=NAME).

-- Append-only agent lifecycle log. seq is the tailing cursor: appends take it under an advisory
-- lock, so seq order is commit order (see docs/postgresql.md). event_id makes retried appends
-- idempotent across hosts.
CREATE TABLE agent_events (
  seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id   TEXT   NOT NULL UNIQUE,
  event_type TEXT   NOT NULL,
  agent_id   TEXT   NOT NULL,
  agent_type TEXT,
  session_id TEXT,
  ts         BIGINT NOT NULL,
  metadata   JSONB  NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object')
);

-- 1: an agent's history, newest first
CREATE INDEX idx_events_agent_ts ON agent_events (agent_id, ts);
-- 2: events of a type in a time window; counts by type
CREATE INDEX idx_events_type_ts ON agent_events (event_type, ts);
-- 3: a session's timeline
CREATE INDEX idx_events_session_ts ON agent_events (session_id, ts);
-- 4: time windows and retention cleanup
CREATE INDEX idx_events_ts ON agent_events (ts);

-- Current state of each agent.
CREATE TABLE agents (
  agent_id     TEXT   NOT NULL PRIMARY KEY,
  agent_type   TEXT   NOT NULL,
  status       TEXT   NOT NULL
               CHECK (status IN ('spawned', 'running', 'complete', 'error', 'cancelled')),
  session_id   TEXT,
  spawned_at   BIGINT NOT NULL,
  completed_at BIGINT,
  duration_ms  BIGINT,
  updated_at   BIGINT NOT NULL,
  metadata     JSONB  NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object')
);

-- 5: active agents (oldest update first) and the stale sweep; counts by status
CREATE INDEX idx_agents_status_updated ON agents (status, updated_at);
-- 6: agents of a type, optionally in a status
CREATE INDEX idx_agents_type_status ON agents (agent_type, status);
-- 7: a session's agents
CREATE INDEX idx_agents_session ON agents (session_id);

-- Session lifecycle.
CREATE TABLE sessions (
  session_id TEXT   NOT NULL PRIMARY KEY,
  status     TEXT   NOT NULL CHECK (status IN ('active', 'ended')),
  started_at BIGINT NOT NULL,
  ended_at   BIGINT,
  metadata   JSONB  NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object')
);

-- 8: open sessions, most recent first
CREATE INDEX idx_sessions_status_started ON sessions (status, started_at);
-- 9: recent sessions in any state; retention
CREATE INDEX idx_sessions_started ON sessions (started_at);

-- Session-scoped key/value memory; values are JSON; optional TTL.
CREATE TABLE session_memory (
  session_id  TEXT   NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
  memory_type TEXT   NOT NULL,
  key         TEXT   NOT NULL,
  value       JSONB  NOT NULL,
  version     BIGINT NOT NULL CHECK (version >= 1),
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  expires_at  BIGINT,
  PRIMARY KEY (session_id, memory_type, key)
);

-- 10: the newest value of a key across sessions
CREATE INDEX idx_memory_type_key ON session_memory (memory_type, key, updated_at);
-- 11: TTL sweep
CREATE INDEX idx_memory_expires ON session_memory (expires_at) WHERE expires_at IS NOT NULL;
-- 12: a session's most recent memory
CREATE INDEX idx_memory_session_updated ON session_memory (session_id, updated_at);
