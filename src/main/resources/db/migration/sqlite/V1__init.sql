-- SwarmDB schema v1. Times are INTEGER epoch milliseconds UTC; JSON columns hold validated
-- JSON text written by Jackson. Exactly 12 explicit indexes, each backing a DAO query.

-- Append-only agent lifecycle log. seq is the tailing cursor (AUTOINCREMENT: never reused, even
-- after retention empties the table); event_id makes retried appends idempotent.
CREATE TABLE agent_events (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id   TEXT    NOT NULL UNIQUE,
  event_type TEXT    NOT NULL,
  agent_id   TEXT    NOT NULL,
  agent_type TEXT,
  session_id TEXT,
  ts         INTEGER NOT NULL,
  metadata   TEXT    NOT NULL DEFAULT '{}'
) STRICT;

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
  agent_id     TEXT    NOT NULL PRIMARY KEY,
  agent_type   TEXT    NOT NULL,
  status       TEXT    NOT NULL
               CHECK (status IN ('spawned', 'running', 'complete', 'error', 'cancelled')),
  session_id   TEXT,
  spawned_at   INTEGER NOT NULL,
  completed_at INTEGER,
  duration_ms  INTEGER,
  updated_at   INTEGER NOT NULL,
  metadata     TEXT    NOT NULL DEFAULT '{}'
) STRICT;

-- 5: active agents (oldest update first) and the stale sweep; counts by status
CREATE INDEX idx_agents_status_updated ON agents (status, updated_at);
-- 6: agents of a type, optionally in a status
CREATE INDEX idx_agents_type_status ON agents (agent_type, status);
-- 7: a session's agents
CREATE INDEX idx_agents_session ON agents (session_id);

-- Session lifecycle.
CREATE TABLE sessions (
  session_id TEXT    NOT NULL PRIMARY KEY,
  status     TEXT    NOT NULL CHECK (status IN ('active', 'ended')),
  started_at INTEGER NOT NULL,
  ended_at   INTEGER,
  metadata   TEXT    NOT NULL DEFAULT '{}'
) STRICT;

-- 8: open sessions, most recent first
CREATE INDEX idx_sessions_status_started ON sessions (status, started_at);
-- 9: recent sessions in any state; retention
CREATE INDEX idx_sessions_started ON sessions (started_at);

-- Session-scoped key/value memory; values are JSON; optional TTL.
CREATE TABLE session_memory (
  session_id  TEXT    NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
  memory_type TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  value       TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  expires_at  INTEGER,
  PRIMARY KEY (session_id, memory_type, key)
) STRICT;

-- 10: the newest value of a key across sessions
CREATE INDEX idx_memory_type_key ON session_memory (memory_type, key, updated_at);
-- 11: TTL sweep
CREATE INDEX idx_memory_expires ON session_memory (expires_at) WHERE expires_at IS NOT NULL;
-- 12: a session's most recent memory
CREATE INDEX idx_memory_session_updated ON session_memory (session_id, updated_at);
