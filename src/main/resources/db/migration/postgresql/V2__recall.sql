-- SwarmDB schema v2 for PostgreSQL: memory scopes beyond a session, and the recall index. Full
-- text is a tsvector column per table with a GIN index (PostgreSQL's way; SQLite uses FTS5), kept
-- in the row itself, so it cannot drift from the data. Vectors are BYTEA in the row, as on SQLite.

CREATE TABLE swarm_settings (
  name  TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO swarm_settings (name, value) VALUES ('event_index', 'on');

CREATE TABLE scoped_memory (
  scope           TEXT   NOT NULL,
  memory_type     TEXT   NOT NULL,
  key             TEXT   NOT NULL,
  value           JSONB  NOT NULL,
  version         BIGINT NOT NULL CHECK (version >= 1),
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  expires_at      BIGINT,
  embedding_model TEXT,
  embedding_q8    BYTEA,
  embedding       BYTEA,
  search          TSVECTOR GENERATED ALWAYS AS (
                    to_tsvector('english', key)
                    || jsonb_to_tsvector('english', value, '["string"]')) STORED,
  PRIMARY KEY (scope, memory_type, key)
);
CREATE INDEX idx_scoped_memory_expires ON scoped_memory (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX idx_scoped_memory_search ON scoped_memory USING gin (search);

ALTER TABLE session_memory
  ADD COLUMN embedding_model TEXT,
  ADD COLUMN embedding_q8 BYTEA,
  ADD COLUMN embedding BYTEA,
  ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    to_tsvector('english', key) || jsonb_to_tsvector('english', value, '["string"]')) STORED;
CREATE INDEX idx_memory_search ON session_memory USING gin (search);

-- Events: every string in the metadata, set on insert while 'event_index' is 'on' (the trigger
-- agent_events_search exists).
ALTER TABLE agent_events ADD COLUMN search TSVECTOR;
CREATE INDEX idx_events_search ON agent_events USING gin (search);

CREATE FUNCTION swarmdb_event_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search := jsonb_to_tsvector('english', NEW.metadata, '["string"]');
  RETURN NEW;
END
$$;
CREATE TRIGGER agent_events_search BEFORE INSERT ON agent_events
  FOR EACH ROW EXECUTE FUNCTION swarmdb_event_search();

UPDATE agent_events SET search = jsonb_to_tsvector('english', metadata, '["string"]');
