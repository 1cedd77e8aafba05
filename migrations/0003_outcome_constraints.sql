-- Outcome constraints: bounds on extra metrics (latency_ms <= 50,
-- recall >= 0.9) that a COMPLETED trial must meet to be feasible.
--
-- knob.study.config holds a study's constraints for the server to reload;
-- knob.study_constraint is their typed copy for analysts, written when the
-- study is created. Studies created before this migration have no
-- constraints, hence no rows, and all their completed trials are feasible.
--
-- trial_summary gains a feasible column (appended, so that CREATE OR
-- REPLACE keeps every existing column, its comment and its grants), and
-- best_trials ranks feasible trials only, which study_summary's best value
-- inherits.

CREATE TABLE knob.study_constraint (
  study_id   bigint NOT NULL REFERENCES knob.study (id) ON DELETE CASCADE,
  position   integer NOT NULL CHECK (position >= 0),
  metric     text NOT NULL,
  comparison text NOT NULL CHECK (comparison IN ('<=', '>=')),
  bound      double precision NOT NULL
             CHECK (bound <> 'Infinity' AND bound <> '-Infinity'
                    AND bound <> 'NaN'),
  PRIMARY KEY (study_id, position),
  UNIQUE (study_id, metric, comparison)
);
COMMENT ON TABLE knob.study_constraint IS
  'Outcome constraints of each study, in declaration order: a COMPLETED '
  'trial is feasible when, for every row, its extra metric (knob.trial_metric) '
  'compares to the bound as stated. Best trials count feasible trials only. '
  'A study without constraints has no rows.';
COMMENT ON COLUMN knob.study_constraint.study_id IS
  'The study (knob.study.id).';
COMMENT ON COLUMN knob.study_constraint.position IS
  'Declaration order within the study, from 0.';
COMMENT ON COLUMN knob.study_constraint.metric IS
  'The bounded extra metric (knob.study_metric.name, knob.trial_metric.name).';
COMMENT ON COLUMN knob.study_constraint.comparison IS
  '<= (the metric may not exceed the bound) or >= (it may not fall below '
  'it); both inclusive. A metric has at most one of each.';
COMMENT ON COLUMN knob.study_constraint.bound IS 'The bound, a finite number.';

-- The default privileges of 0001 cover tables created by the role that ran
-- it; the grant is explicit in case another role runs this migration.
GRANT SELECT ON knob.study_constraint TO knob_analyst;

CREATE OR REPLACE VIEW knob.trial_summary AS
SELECT
  s.id AS study_id,
  s.name AS study_name,
  t.id AS trial_id,
  t.number AS trial_number,
  t.state,
  COALESCE(p.params, '{}') AS params,
  v.objective_values[1] AS value,
  v.objective_values,
  COALESCE(v.objectives, '{}') AS objectives,
  COALESCE(m.metrics, '{}') AS metrics,
  t.worker_id,
  t.environment,
  t.fail_reason,
  t.create_time,
  t.start_time,
  t.end_time,
  t.end_time - t.start_time AS duration,
  t.lease_deadline,
  CASE WHEN t.state = 'COMPLETED' THEN NOT EXISTS (
    SELECT
    FROM knob.study_constraint c
    LEFT JOIN knob.trial_metric tm
      ON tm.trial_id = t.id AND tm.name = c.metric
    WHERE c.study_id = t.study_id
      AND (tm.value IS NULL
           OR (c.comparison = '<=' AND tm.value > c.bound)
           OR (c.comparison = '>=' AND tm.value < c.bound))
  ) END AS feasible
FROM knob.trial t
JOIN knob.study s ON s.id = t.study_id
LEFT JOIN LATERAL (
  SELECT jsonb_object_agg(tp.name, CASE tp.kind
           WHEN 'double' THEN to_jsonb(tp.float_value)
           WHEN 'int' THEN to_jsonb(tp.int_value)
           WHEN 'bool' THEN to_jsonb(tp.bool_value)
           ELSE to_jsonb(tp.label)
         END) AS params
  FROM knob.trial_param tp
  WHERE tp.trial_id = t.id
) p ON true
LEFT JOIN LATERAL (
  SELECT array_agg(tv.value ORDER BY tv.position) AS objective_values,
         jsonb_object_agg(tv.metric, tv.value)
           FILTER (WHERE tv.metric IS NOT NULL) AS objectives
  FROM knob.trial_value tv
  WHERE tv.trial_id = t.id
) v ON true
LEFT JOIN LATERAL (
  SELECT jsonb_object_agg(tm.name, tm.value) AS metrics
  FROM knob.trial_metric tm
  WHERE tm.trial_id = t.id
) m ON true;
COMMENT ON VIEW knob.trial_summary IS
  'One wide row per trial: its study, state, parameters, objective values, '
  'extra metrics, feasibility, worker and timing. The starting point for '
  'most analyses, e.g. SELECT params->>''lr'', value FROM knob.trial_summary '
  'WHERE study_name = ''...'' AND state = ''COMPLETED'' AND feasible.';
COMMENT ON COLUMN knob.trial_summary.feasible IS
  'Whether a COMPLETED trial meets every constraint of its study '
  '(knob.study_constraint; a missing metric fails its constraint); true for '
  'every COMPLETED trial of a study without constraints, NULL unless '
  'COMPLETED.';

CREATE OR REPLACE VIEW knob.best_trials AS
SELECT DISTINCT ON (t.study_id)
  t.study_id,
  s.name AS study_name,
  o.metric,
  o.direction,
  t.id AS trial_id,
  t.number AS trial_number,
  tv.value,
  ts.params,
  ts.objective_values,
  ts.metrics,
  t.worker_id,
  t.end_time
FROM knob.trial t
JOIN knob.study s ON s.id = t.study_id
JOIN knob.study_objective o ON o.study_id = t.study_id AND o.position = 0
JOIN knob.trial_value tv ON tv.trial_id = t.id AND tv.position = 0
JOIN knob.trial_summary ts ON ts.trial_id = t.id
WHERE t.state = 'COMPLETED' AND ts.feasible
ORDER BY t.study_id,
         CASE o.direction WHEN 'maximize' THEN -tv.value ELSE tv.value END,
         t.number;
COMMENT ON VIEW knob.best_trials IS
  'The best feasible COMPLETED trial of each study by its first objective, '
  'honoring the direction (the earliest trial wins a tie; NaN never beats a '
  'number). Studies without a feasible completed trial have no row; the '
  'API''s GetBestTrials then answers with the least infeasible trial '
  'instead.';

COMMENT ON COLUMN knob.study_summary.best_value IS
  'Best value of the first objective among feasible COMPLETED trials (see '
  'knob.best_trials), honoring its direction; NULL if none.';
