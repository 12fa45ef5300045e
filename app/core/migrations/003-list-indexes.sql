-- 003-list-indexes.sql: indexes the case lists sort by, so the first page of 100,000
-- cases does not sort the whole table.
CREATE INDEX cases_last_activity ON cases (last_activity_at);
CREATE INDEX cases_next_due ON cases (next_due_on);
