#!/usr/bin/env bash
# The README's first command as a user with their own PostgreSQL runs it:
# `deploy/quickstart.sh --exit` with KNOB_DATABASE_URL set finishes the
# demo and prints the best trial; afterwards the role knob_analyst can read
# the demo study's completed trials from the documented views and can write
# nothing.
#
#   quickstart_test.sh BUILD_DIR     (KNOB_TEST_DATABASE_URL: a superuser URL)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: quickstart_test.sh BUILD_DIR}
server_url=${KNOB_TEST_DATABASE_URL:?KNOB_TEST_DATABASE_URL must point at a PostgreSQL superuser (tests/run.sh sets it)}

database=knob_quickstart_$$
database_url=${server_url%/*}/$database
analyst_url=$(echo "$database_url" | sed -E 's#//[^@/]*@#//knob_analyst@#')
output=$(mktemp)
cleanup() {
  psql "$server_url" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -f "$output"
}
trap cleanup EXIT

fail() {
  echo "quickstart_test: FAIL: $*" >&2
  exit 1
}

psql "$server_url" -qc "CREATE DATABASE $database" >/dev/null

if ! KNOB_DATABASE_URL=$database_url KNOB_BUILD_DIR=$build KNOB_PORT= \
  bash "$root/deploy/quickstart.sh" --exit >"$output" 2>&1; then
  cat "$output" >&2
  fail "deploy/quickstart.sh --exit did not succeed"
fi
grep -q "^Best trial of " "$output" || { cat "$output" >&2; fail "no best trial printed"; }
grep -q 'psql "' "$output" || fail "no psql command printed"

study=$(sed -n 's/^Best trial of \(.*\):$/\1/p' "$output")
completed=$(psql "$analyst_url" -Atc \
  "SELECT count(*) FROM knob.trial_summary WHERE study_name = '$study' AND state = 'COMPLETED'")
((completed > 0)) || fail "knob_analyst sees no completed trial of $study in knob.trial_summary"
summary=$(psql "$analyst_url" -Atc \
  "SELECT completed FROM knob.study_summary WHERE study_name = '$study'")
[[ $summary == "$completed" ]] ||
  fail "knob.study_summary says $summary completed trials, knob.trial_summary $completed"
psql "$analyst_url" -Atc "SELECT trial_number FROM knob.best_trials WHERE study_name = '$study'" |
  grep -q . || fail "knob_analyst sees no row for $study in knob.best_trials"

for statement in \
  "DELETE FROM knob.trial" \
  "UPDATE knob.study SET state = 'STOPPED'" \
  "INSERT INTO knob.study_metric SELECT * FROM knob.study_metric" \
  "CREATE TABLE knob.scratch (x int)"; do
  if psql "$analyst_url" -qc "$statement" >/dev/null 2>&1; then
    fail "knob_analyst was allowed to: $statement"
  fi
done
after=$(psql "$database_url" -Atc "SELECT count(*) FROM knob.trial")
((after > 0)) || fail "the trials are gone"

echo "quickstart_test: study=$study completed=$completed analyst_read=ok analyst_write=denied"
