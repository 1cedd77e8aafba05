-- A STALE trial has at most one retry. The unique constraint that says so
-- indexed every trial, retry or not, and an index entry is written for
-- each new trial and again for each finished one (a finish changes indexed
-- columns, so PostgreSQL writes a new entry in every index). A partial
-- unique index over retries only says the same at a fraction of the cost:
-- NULLs never conflicted anyway.

ALTER TABLE knob.trial DROP CONSTRAINT trial_retry_of_key;
CREATE UNIQUE INDEX trial_retry_of_key ON knob.trial (study_id, retry_of)
  WHERE retry_of IS NOT NULL;
