-- Two more ways for a study with one objective to complete: reaching a
-- target value, and running out of patience (trials finished after the
-- best one without beating it). knob.study.config holds them for the
-- server to reload; these columns are their typed copy for analysts,
-- NULL for studies created before this migration or without the limit.

ALTER TABLE knob.study
  ADD COLUMN target_value double precision
      CHECK (target_value <> 'Infinity' AND target_value <> '-Infinity'
             AND target_value <> 'NaN'),
  ADD COLUMN patience bigint CHECK (patience >= 0);
COMMENT ON COLUMN knob.study.target_value IS
  'Complete once the best feasible value of the (single) objective reaches '
  'this: <= when minimizing, >= when maximizing. NULL for no target.';
COMMENT ON COLUMN knob.study.patience IS
  'Complete once this many trials numbered after the best feasible trial '
  'finished (COMPLETED or PRUNED) without beating it. NULL for no limit.';
