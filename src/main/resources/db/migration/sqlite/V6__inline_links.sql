-- SwarmDB schema v6: causal links in the event's own row (docs/history.md). v4 kept them in two
-- link tables keyed both ways, so a linked append wrote four more B-trees (about 2.2 x the time of
-- the same append without links); now the append's insert writes them in the row it writes anyway:
-- agent_events.links is NULL for an event without links, else the JSON text
-- {"c": [cause seq, ...], "r": [[scope, memory_type, key, version], ...]}.
-- why reads an event's links by its primary key; blast radius reads the log forward from the
-- version it starts at (every dependent comes after what it depends on). No index, no trigger.
-- Deleting an event deletes its links with its row; a later event that named it keeps the seq,
-- and the walks skip an event that is gone (it was a root of its chain already in v4, where the
-- foreign keys deleted the link).

ALTER TABLE agent_events ADD COLUMN links TEXT;

UPDATE agent_events SET links = json_object(
    'c', (SELECT json_group_array(cause_seq) FROM
            (SELECT cause_seq FROM event_causes WHERE event_seq = agent_events.seq ORDER BY cause_seq)),
    'r', (SELECT json_group_array(json_array(scope, memory_type, key, version)) FROM
            (SELECT scope, memory_type, key, version FROM event_reads
              WHERE event_seq = agent_events.seq ORDER BY scope, memory_type, key, version)))
  WHERE seq IN (SELECT event_seq FROM event_causes UNION SELECT event_seq FROM event_reads);

DROP TABLE event_causes;
DROP TABLE event_reads;
