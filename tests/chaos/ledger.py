"""The chaos suite's verdict: what the workers' ledgers say the server
acknowledged, compared with what PostgreSQL holds.

  lost        an acknowledged write the database does not show: a suggested
              trial missing or never started, a report whose value is not
              stored at its step, a completion whose trial is not in the
              state and with the values it was completed with;
  duplicated  a trial number twice in a study, a trial handed to two
              suggest calls, a trial whose completion was acknowledged
              twice, a grid point suggested twice;
  stuck       a RUNNING trial whose lease deadline passed although the
              reaper had time to run.
"""

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple


@dataclasses.dataclass
class Ledgers:
    suggested: Dict[int, int]  # trial id -> number.
    suggest_count: Counter  # trial id -> how many suggest acks.
    reports: Dict[Tuple[int, int], float]  # (trial id, step) -> value.
    # trial id -> (state, objective values).
    completions: Dict[int, Tuple[str, List[float]]]
    completion_count: Counter
    refusals: List[dict]  # Each with the "language" of its worker.
    done: List[str]
    acknowledged: int
    # Acknowledged writes by the language of the worker loop that saw
    # them: "py" or "cc", from the ledger's name (NAME.PID.LANGUAGE.jsonl).
    by_language: Counter

    @classmethod
    def read(cls, directory: Path, study_id: int) -> "Ledgers":
        ledgers = cls({}, Counter(), {}, {}, Counter(), [], [], 0, Counter())
        for path in sorted(directory.glob("*.jsonl")):
            language = path.suffixes[-2].lstrip(".")
            acknowledged = ledgers.acknowledged
            for line in path.read_text().splitlines():
                # A worker killed mid-write leaves at most a torn last line,
                # which was never acknowledged to anyone.
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if entry["op"] == "refused":
                    entry["language"] = language
                ledgers._add(entry, study_id)
            ledgers.by_language[language] += \
                ledgers.acknowledged - acknowledged
        return ledgers

    def _add(self, entry: dict, study_id: int) -> None:
        op = entry["op"]
        if op == "suggest":
            if entry["study"] != study_id:
                return
            self.suggested[entry["trial"]] = entry["number"]
            self.suggest_count[entry["trial"]] += 1
            self.acknowledged += 1
        elif op == "report":
            self.reports[(entry["trial"], entry["step"])] = entry["value"]
            self.acknowledged += 1
        elif op == "complete":
            self.completions[entry["trial"]] = (entry["state"],
                                                entry["values"])
            self.completion_count[entry["trial"]] += 1
            self.acknowledged += 1
        elif op == "refused":
            self.refusals.append(entry)
        elif op == "done":
            self.done.append(entry["reason"])


@dataclasses.dataclass
class Verdict:
    acknowledged: int = 0
    found: int = 0
    lost: int = 0
    duplicated: int = 0
    stuck: int = 0
    problems: List[str] = dataclasses.field(default_factory=list)
    # Acknowledged writes by the language of the worker loop.
    by_language: Counter = dataclasses.field(default_factory=Counter)

    def add(self, other: "Verdict") -> None:
        self.acknowledged += other.acknowledged
        self.by_language.update(other.by_language)
        self.found += other.found
        self.lost += other.lost
        self.duplicated += other.duplicated
        self.stuck += other.stuck
        self.problems += other.problems

    def problem(self, text: str) -> None:
        self.problems.append(text)


@dataclasses.dataclass
class StudyRows:
    """The study's trials as PostgreSQL has them."""

    # id -> {number, state, lease_expired, retry_of (a number or None),
    # params (a "name=label,..." text)}
    trials: Dict[int, dict]
    values: Dict[int, List[float]]  # trial id -> objective values.
    intermediate: Dict[Tuple[int, int], float]
    # Parameter tuple -> trials holding it, retries of lost trials left out:
    # they run a point again on purpose.
    grid_points: Counter

    @classmethod
    def read(cls, cluster, database: str, study_id: int) -> "StudyRows":
        trials = {}
        for row in cluster.sql(
                "SELECT id, number, state, "
                "COALESCE(lease_deadline < now(), false), retry_of, "
                "(SELECT string_agg(p.name || '=' || p.label, ',' "
                "                   ORDER BY p.name) "
                "   FROM knob.trial_param p WHERE p.trial_id = t.id) "
                f"FROM knob.trial t WHERE study_id = {study_id}", database):
            trials[int(row[0])] = {
                "number": int(row[1]), "state": row[2],
                "lease_expired": row[3] == "t",
                "retry_of": int(row[4]) if row[4] else None,
                "params": row[5]}
        values: Dict[int, List[float]] = {}
        for row in cluster.sql(
                "SELECT v.trial_id, v.value FROM knob.trial_value v "
                "JOIN knob.trial t ON t.id = v.trial_id "
                f"WHERE t.study_id = {study_id} ORDER BY v.position", database):
            values.setdefault(int(row[0]), []).append(float(row[1]))
        intermediate = {}
        for row in cluster.sql(
                "SELECT i.trial_id, i.step, i.value "
                "FROM knob.intermediate_value i JOIN knob.trial t "
                f"ON t.id = i.trial_id WHERE t.study_id = {study_id}",
                database):
            intermediate[(int(row[0]), int(row[1]))] = float(row[2])
        grid_points = Counter(trial["params"] for trial in trials.values()
                              if trial["retry_of"] is None)
        return cls(trials, values, intermediate, grid_points)


def retried_numbers(rows: StudyRows) -> Dict[int, dict]:
    """Number of each lost trial that was retried -> its retry."""
    return {trial["retry_of"]: trial for trial in rows.trials.values()
            if trial["retry_of"] is not None}


def judge(ledgers: Ledgers, rows: StudyRows) -> Verdict:
    """Compares one study's ledgers with its rows."""
    verdict = Verdict(acknowledged=ledgers.acknowledged,
                      by_language=Counter(ledgers.by_language))
    for trial_id, number in ledgers.suggested.items():
        trial = rows.trials.get(trial_id)
        if trial is None or trial["number"] != number or \
                trial["state"] == "WAITING":
            verdict.lost += 1
            verdict.problem(f"suggested trial {trial_id} (number {number}) "
                            f"is {trial}")
        else:
            verdict.found += ledgers.suggest_count[trial_id]
    for (trial_id, step), value in ledgers.reports.items():
        if rows.intermediate.get((trial_id, step)) != value:
            verdict.lost += 1
            verdict.problem(f"report of trial {trial_id} step {step} = "
                            f"{value} is stored as "
                            f"{rows.intermediate.get((trial_id, step))}")
        else:
            verdict.found += 1
    for trial_id, (state, values) in ledgers.completions.items():
        trial = rows.trials.get(trial_id, {})
        stored = (trial.get("state"), rows.values.get(trial_id, []))
        if stored != (state, values):
            verdict.lost += 1
            verdict.problem(f"completion of trial {trial_id} as {state} "
                            f"{values} is stored as {stored}")
        else:
            verdict.found += ledgers.completion_count[trial_id]

    numbers = Counter(trial["number"] for trial in rows.trials.values())
    for number, count in numbers.items():
        if count > 1:
            verdict.duplicated += count - 1
            verdict.problem(f"trial number {number} appears {count} times")
    for trial_id, count in ledgers.suggest_count.items():
        if count > 1:
            verdict.duplicated += count - 1
            verdict.problem(f"trial {trial_id} was handed out {count} times")
    for trial_id, count in ledgers.completion_count.items():
        if count > 1:
            verdict.duplicated += count - 1
            verdict.problem(f"completion of trial {trial_id} was "
                            f"acknowledged {count} times")

    for trial_id, trial in rows.trials.items():
        if trial["state"] == "RUNNING" and trial["lease_expired"]:
            verdict.stuck += 1
            verdict.problem(f"trial {trial_id} is RUNNING past its lease")
    return verdict


def dense_numbers(rows: StudyRows) -> bool:
    numbers = sorted(trial["number"] for trial in rows.trials.values())
    return numbers == list(range(len(numbers)))


def grid_duplicates(rows: StudyRows) -> int:
    return sum(count - 1 for count in rows.grid_points.values() if count > 1)
