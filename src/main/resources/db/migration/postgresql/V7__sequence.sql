-- SwarmDB schema v7. On SQLite, v7 makes each history trigger move the sequence's high-water mark
-- itself instead of through a second trigger (see the SQLite script). PostgreSQL's history rows
-- take their numbers from the event sequence (nextval) and have no second trigger, so nothing
-- changes here but the version; the table's comment says where its numbers come from.
COMMENT ON TABLE memory_history IS 'SwarmDB flight recorder: one row per memory change, numbered on the event sequence';
