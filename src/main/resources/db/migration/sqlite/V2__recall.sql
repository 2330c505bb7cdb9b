-- SwarmDB schema v2: memory scopes beyond a session, and the recall index. No new explicit index:
-- the new tables are keyed by their primary key (WITHOUT ROWID where rows are small; scoped_memory,
-- whose rows hold vectors, as session_memory is) and FTS5 keeps its own shadow tables, so the
-- schema still has exactly the 12 explicit indexes of v1. The full-text index is
-- kept by triggers, inside the transaction that changes the data, so the two cannot drift.

-- Per-database recall settings every process reads from the file: 'event_index' is 'on' or
-- 'off'; 'embedding_model' and 'embedding_dimension' are set by the first stored vector.
CREATE TABLE swarm_settings (
  name  TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO swarm_settings (name, value) VALUES ('event_index', 'on');

-- Memory of an agent ('agent:ID'), the whole swarm ('swarm') or a namespace ('ns:NAME'); a
-- session's memory stays in session_memory. A rowid table, as session_memory: rows of ~2 KB (a
-- vector) would overflow a WITHOUT ROWID table's pages (2.2 x the file in a probe). embedding is the entry's vector as little-endian
-- float32 (dimension = length / 4) from embedding_model; embedding_q8 the same vector quantised.
CREATE TABLE scoped_memory (
  scope           TEXT    NOT NULL,
  memory_type     TEXT    NOT NULL,
  key             TEXT    NOT NULL,
  value           TEXT    NOT NULL,
  version         INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  expires_at      INTEGER,
  embedding_model TEXT,
  embedding_q8    BLOB,
  embedding       BLOB,
  PRIMARY KEY (scope, memory_type, key)
) STRICT;

ALTER TABLE session_memory ADD COLUMN embedding_model TEXT;
ALTER TABLE session_memory ADD COLUMN embedding_q8 BLOB;
ALTER TABLE session_memory ADD COLUMN embedding BLOB;

-- The TTL sweep of scoped_memory, in expiry order (its primary key is its index).
CREATE TABLE scoped_memory_expiry (
  expires_at  INTEGER NOT NULL,
  scope       TEXT    NOT NULL,
  memory_type TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  PRIMARY KEY (expires_at, scope, memory_type, key)
) STRICT, WITHOUT ROWID;

-- Full-text index of memory: the key and every string inside the JSON value. doc_id is its rowid;
-- memory_docs finds it from the entry.
CREATE VIRTUAL TABLE memory_fts USING fts5 (
  body, scope UNINDEXED, memory_type UNINDEXED, key UNINDEXED,
  tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TABLE memory_docs (
  scope       TEXT    NOT NULL,
  memory_type TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  doc_id      INTEGER NOT NULL,
  PRIMARY KEY (scope, memory_type, key)
) STRICT, WITHOUT ROWID;

-- Full-text index of events: every string in the metadata (type and agent are filters, not words:
-- indexed, a word like 'agent' would match every event); the rowid is the event's seq. While
-- 'event_index' is 'on', the event store indexes each write's new events with one INSERT ...
-- SELECT in the writing transaction (a row trigger cost about 10 us an event: FTS5 flushes its
-- pending terms at every statement savepoint, and a trigger makes every insert take one);
-- event_fts_delete removes a deleted event's row.
CREATE VIRTUAL TABLE event_fts USING fts5 (
  body,
  tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER session_memory_fts_insert AFTER INSERT ON session_memory BEGIN
  INSERT INTO memory_fts (body, scope, memory_type, key) VALUES (
    new.key || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_tree(new.value)
                                WHERE type = 'text'), ''),
    'session:' || new.session_id, new.memory_type, new.key);
  INSERT INTO memory_docs (scope, memory_type, key, doc_id)
    VALUES ('session:' || new.session_id, new.memory_type, new.key, last_insert_rowid());
END;
CREATE TRIGGER session_memory_fts_update AFTER UPDATE OF value ON session_memory BEGIN
  UPDATE memory_fts SET body =
    new.key || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_tree(new.value)
                                WHERE type = 'text'), '')
  WHERE rowid = (SELECT doc_id FROM memory_docs WHERE scope = 'session:' || new.session_id
                 AND memory_type = new.memory_type AND key = new.key);
END;
CREATE TRIGGER session_memory_fts_delete AFTER DELETE ON session_memory BEGIN
  DELETE FROM memory_fts WHERE rowid = (SELECT doc_id FROM memory_docs
    WHERE scope = 'session:' || old.session_id AND memory_type = old.memory_type AND key = old.key);
  DELETE FROM memory_docs WHERE scope = 'session:' || old.session_id
    AND memory_type = old.memory_type AND key = old.key;
END;

CREATE TRIGGER scoped_memory_insert AFTER INSERT ON scoped_memory BEGIN
  INSERT INTO memory_fts (body, scope, memory_type, key) VALUES (
    new.key || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_tree(new.value)
                                WHERE type = 'text'), ''),
    new.scope, new.memory_type, new.key);
  INSERT INTO memory_docs (scope, memory_type, key, doc_id)
    VALUES (new.scope, new.memory_type, new.key, last_insert_rowid());
  INSERT INTO scoped_memory_expiry (expires_at, scope, memory_type, key)
    SELECT new.expires_at, new.scope, new.memory_type, new.key WHERE new.expires_at IS NOT NULL;
END;
CREATE TRIGGER scoped_memory_update AFTER UPDATE ON scoped_memory BEGIN
  UPDATE memory_fts SET body =
    new.key || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_tree(new.value)
                                WHERE type = 'text'), '')
  WHERE new.value IS NOT old.value AND rowid = (SELECT doc_id FROM memory_docs
    WHERE scope = new.scope AND memory_type = new.memory_type AND key = new.key);
  DELETE FROM scoped_memory_expiry WHERE old.expires_at IS NOT NULL
    AND expires_at = old.expires_at AND scope = old.scope
    AND memory_type = old.memory_type AND key = old.key;
  INSERT INTO scoped_memory_expiry (expires_at, scope, memory_type, key)
    SELECT new.expires_at, new.scope, new.memory_type, new.key WHERE new.expires_at IS NOT NULL;
END;
CREATE TRIGGER scoped_memory_delete AFTER DELETE ON scoped_memory BEGIN
  DELETE FROM memory_fts WHERE rowid = (SELECT doc_id FROM memory_docs
    WHERE scope = old.scope AND memory_type = old.memory_type AND key = old.key);
  DELETE FROM memory_docs WHERE scope = old.scope
    AND memory_type = old.memory_type AND key = old.key;
  DELETE FROM scoped_memory_expiry WHERE old.expires_at IS NOT NULL
    AND expires_at = old.expires_at AND scope = old.scope
    AND memory_type = old.memory_type AND key = old.key;
END;

CREATE TRIGGER event_fts_delete AFTER DELETE ON agent_events BEGIN
  DELETE FROM event_fts WHERE rowid = old.seq;
END;

-- What v1 already holds goes into the index.
INSERT INTO memory_fts (body, scope, memory_type, key)
  SELECT m.key || ' ' || coalesce((SELECT group_concat(t.value, ' ') FROM json_tree(m.value) t
                                   WHERE t.type = 'text'), ''),
         'session:' || m.session_id, m.memory_type, m.key
  FROM session_memory m;
INSERT INTO memory_docs (scope, memory_type, key, doc_id)
  SELECT scope, memory_type, key, rowid FROM memory_fts;
INSERT INTO event_fts (rowid, body)
  SELECT e.seq, coalesce((SELECT group_concat(t.value, ' ') FROM json_tree(e.metadata) t
                           WHERE t.type = 'text'), '')
  FROM agent_events e;
