-- SwarmDB schema v6 for PostgreSQL: causal links in the event's own row, as on SQLite
-- (docs/history.md). agent_events.links is NULL for an event without links, else the JSON text
-- {"c": [cause seq, ...], "r": [[scope, memory_type, key, version], ...]}; the link tables of v4
-- and their foreign keys go. No index, no trigger.

ALTER TABLE agent_events ADD COLUMN links TEXT;

UPDATE agent_events e SET links = json_build_object(
    'c', coalesce((SELECT json_agg(cause_seq ORDER BY cause_seq) FROM event_causes
                    WHERE event_seq = e.seq), '[]'::json),
    'r', coalesce((SELECT json_agg(json_build_array(scope, memory_type, key, version)
                                   ORDER BY scope, memory_type, key, version)
                    FROM event_reads WHERE event_seq = e.seq), '[]'::json))::text
  WHERE seq IN (SELECT event_seq FROM event_causes UNION SELECT event_seq FROM event_reads);

DROP TABLE event_causes;
DROP TABLE event_reads;
