-- Servers reserve trial ids ahead from the identity sequence, so that a
-- transaction can name its new trials before it writes them all in one
-- statement. Ids stay unique but are no longer consecutive.

COMMENT ON COLUMN knob.trial.id IS
  'Trial id, unique across studies. Not consecutive (each server reserves '
  'ids ahead): order a study''s trials by number.';
