-- A study may run the parameters of a trial lost with its worker (STALE)
-- again: the server enqueues them as a new trial that records which trial
-- it retries. knob.study.config holds the policy for the server to reload;
-- max_stale_retries is its typed copy for analysts (0 for studies created
-- before this migration).

ALTER TABLE knob.study
  ADD COLUMN max_stale_retries integer NOT NULL DEFAULT 0
      CHECK (max_stale_retries >= 0);
COMMENT ON COLUMN knob.study.max_stale_retries IS
  'How many times the parameters of a STALE trial are enqueued again, '
  'counted along a chain of retries of one point. 0: never.';

-- A STALE trial is retried at most once (by one trial), whichever server
-- replica expires its lease.
ALTER TABLE knob.trial
  ADD COLUMN retry_of bigint CHECK (retry_of >= 0),
  ADD CONSTRAINT trial_retry_of_fkey FOREIGN KEY (study_id, retry_of)
      REFERENCES knob.trial (study_id, number) ON DELETE CASCADE,
  ADD CONSTRAINT trial_retry_of_key UNIQUE (study_id, retry_of);
COMMENT ON COLUMN knob.trial.retry_of IS
  'Number (in the same study) of the STALE trial whose parameters this '
  'trial runs again under the study''s max_stale_retries; NULL for trials '
  'that retry nothing.';
