-- Sampler state: the algorithm state a stateful sampler (e.g. CMA-ES)
-- keeps beyond the trial history, stored with the study so that a restarted
-- server or another replica resumes the run instead of starting over.
--
-- A nullable column without a default: adding it rewrites nothing, and
-- existing studies read as "no state". The knob_analyst role reads it through
-- its table-wide SELECT grant; the views leave it out.

ALTER TABLE knob.study ADD COLUMN sampler_state bytea;
COMMENT ON COLUMN knob.study.sampler_state IS
  'Opaque, versioned algorithm state that lets the study''s sampler (such as '
  'CMA-ES) resume after a server restart or on another replica; written by '
  'knob-server in the same transaction as the trials sampled from it. NULL '
  'when the sampler keeps no state. Its format belongs to the sampler and '
  'changes between versions: not for analysts to decode.';
