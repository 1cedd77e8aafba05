"""The chaos scenarios. Each runs against a fresh database of the suite's
PostgreSQL cluster, injects its faults while workers run trials, and
returns the ledger-versus-database verdict plus its own checks. The worker
processes a scenario starts alternate between the Python and the C++
worker loop."""

import random
import re
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List

import ledger
from harness import (LANGUAGES, Api, KnobServer, PostgresCluster,
                     WorkerProcess, knob_client, wait_until)

# How often the servers look for expired leases.
REAPER_INTERVAL = 0.2
STALE = "'STALE'"
# A call attempt a worker was answered with an error: the Python client's
# retry lines, chaos_worker.py's refusals and knob-chaos-worker's attempts
# ("SuggestTrials: UNAVAILABLE (...); attempt failed").
FAILED_ATTEMPT_LINE = re.compile(
    r"^\w+: ([A-Z_]+) \((.*)\); (?:retrying in|refused|attempt failed)",
    re.MULTILINE)
# Codes that tell a client nothing it can act on: the server failed in a
# way it did not anticipate.
UNCLEAR_CODES = {"UNKNOWN", "INTERNAL", "DATA_LOSS", "UNIMPLEMENTED"}


class Context:
    """What one scenario run owns: its database, servers and workers, all
    torn down by `close`."""

    def __init__(self, cluster: PostgresCluster, server_binary: str,
                 cc_worker_binary: str, directory: Path, database: str,
                 seed: int):
        self.cluster = cluster
        self.server_binary = server_binary
        self.cc_worker_binary = cc_worker_binary
        self.directory = directory
        self.database = database
        self.rng = random.Random(seed)
        directory.mkdir(parents=True, exist_ok=True)
        self.database_url = cluster.create_database(database)
        self.servers: List[KnobServer] = []
        self.workers: List[WorkerProcess] = []
        self.api_clients: List[Api] = []
        # Which language the next worker process gets; the seed decides
        # which one goes first, so that repeated runs swap their roles.
        self._next_language = seed % len(LANGUAGES)

    def start_server(self, *flags: str) -> KnobServer:
        server = KnobServer(
            self.server_binary, self.database_url,
            self.directory / f"server{len(self.servers)}.log",
            [f"--reaper_interval={int(REAPER_INTERVAL * 1000)}ms",
             "--shutdown_grace=2s", *flags])
        server.start()
        self.servers.append(server)
        return server

    def api(self, server: KnobServer) -> Api:
        api = Api(server.address)
        self.api_clients.append(api)
        return api

    def ledger_dir(self, study_id: int) -> Path:
        path = self.directory / f"study{study_id}"
        path.mkdir(exist_ok=True)
        return path

    def start_workers(self, server: KnobServer, study_id: int, name: str,
                      language: str = "", **options) -> WorkerProcess:
        """A worker process of `language`, by default the Python and the
        C++ one in turn."""
        if not language:
            language = LANGUAGES[self._next_language]
            self._next_language = (self._next_language + 1) % len(LANGUAGES)
        worker = WorkerProcess(server.address, study_id,
                               self.ledger_dir(study_id), name, language,
                               self.cc_worker_binary, **options)
        self.workers.append(worker)
        return worker

    def wait_workers(self, timeout: float, verdict: ledger.Verdict) -> None:
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            if worker.killed:
                continue
            try:
                code = worker.wait(max(1.0, deadline - time.monotonic()))
            except RuntimeError as error:
                verdict.problem(str(error))
                continue
            if code != 0:
                verdict.problem(f"worker {worker.name} exited with {code}: "
                                f"{worker.log_path.read_text()[-2000:]}")

    def count(self, study_id: int, states: str = "'COMPLETED'") -> int:
        return int(self.cluster.sql(
            f"SELECT count(*) FROM knob.trial WHERE study_id = {study_id} "
            f"AND state IN ({states})", self.database)[0][0])

    def wait_progress(self, study_id: int, more: int, timeout: float) -> None:
        """Waits until `more` trials completed beyond those completed now:
        the workers carry on."""
        target = self.count(study_id) + more
        wait_until(lambda: self.count(study_id) >= target, timeout,
                   f"{more} more completed trials of study {study_id}")

    def refused_codes(self) -> Dict[str, Counter]:
        """By language, the status codes of the call attempts the workers
        were answered with an error, retried or not, from their logs."""
        codes = {language: Counter() for language in LANGUAGES}
        for worker in self.workers:
            codes[worker.language].update(
                code for code, _ in FAILED_ATTEMPT_LINE.findall(
                    worker.log_path.read_text(errors="replace")))
        return codes

    def refusal_examples(self) -> Dict[str, str]:
        """One message the workers were refused with, per status code."""
        examples = {}
        for worker in self.workers:
            for code, details in FAILED_ATTEMPT_LINE.findall(
                    worker.log_path.read_text(errors="replace")):
                examples.setdefault(code, details)
        return examples

    def check_refusals(self, verdict: ledger.Verdict) -> None:
        """Prints what the workers were refused with and fails on a code
        that says nothing clear."""
        codes = self.refused_codes()
        print("  refused: " + " ".join(
            f"{language}={dict(sorted(counts.items()))}"
            for language, counts in codes.items()), flush=True)
        for language, counts in codes.items():
            unclear = {code: n for code, n in counts.items()
                       if code in UNCLEAR_CODES}
            expect(verdict, not unclear,
                   f"{language} workers were answered {unclear}")

    def judge(self, study_id: int, lease: float) -> ledger.Verdict:
        # Leases of trials whose workers died run out, then the reaper
        # needs a round or two.
        time.sleep(lease + 3 * REAPER_INTERVAL)
        rows = ledger.StudyRows.read(self.cluster, self.database, study_id)
        return ledger.judge(
            ledger.Ledgers.read(self.ledger_dir(study_id), study_id), rows)

    def rows(self, study_id: int) -> ledger.StudyRows:
        return ledger.StudyRows.read(self.cluster, self.database, study_id)

    def check_servers(self, verdict: ledger.Verdict) -> None:
        """Every server the scenario did not kill itself still runs."""
        for server in self.servers:
            if server.process is not None and server.process.poll() is not None:
                verdict.problem(
                    f"knob-server on {server.address} exited with "
                    f"{server.process.returncode}; see {server.log_path}")

    def close(self) -> None:
        for worker in self.workers:
            worker.kill()
        for api in self.api_clients:
            api.close()
        for server in self.servers:
            server.stop()
        self.cluster.sql(f"DROP DATABASE IF EXISTS {self.database} "
                         "WITH (FORCE)")


def study_config(*, lease: float, max_trials: int = 0, grid: bool = False,
                 retries: int = 0):
    api = knob_client.load_api()
    study = api.study_pb2
    config = study.StudyConfig(
        objectives=[study.Objective(metric="loss",
                                    direction=study.DIRECTION_MINIMIZE)],
        seed=7)
    config.lease_duration.FromMilliseconds(int(lease * 1000))
    if grid:
        config.sampler.name = "grid"
        config.parameters.add(name="x", int_domain=study.IntDomain(min=0,
                                                                   max=9))
        config.parameters.add(name="y", int_domain=study.IntDomain(min=0,
                                                                   max=11))
    else:
        config.sampler.name = "random"
        config.parameters.add(name="x",
                              float_domain=study.FloatDomain(min=0, max=1))
        config.parameters.add(name="y", int_domain=study.IntDomain(min=0,
                                                                   max=100))
    if max_trials:
        config.stopping.max_trials = max_trials
    config.max_stale_retries = retries
    return config


def expect(verdict: ledger.Verdict, condition: bool, text: str) -> None:
    if not condition:
        verdict.problem(text)


def expect_budget(ctx: Context, verdict: ledger.Verdict, study_id: int,
                  budget: int) -> None:
    rows = ctx.rows(study_id)
    # A lost trial's retry takes its place in the budget.
    started = (sum(1 for t in rows.trials.values() if t["state"] != "WAITING")
               - len(ledger.retried_numbers(rows)))
    expect(verdict, started == budget,
           f"study {study_id} handed out {started} trials, budget {budget}")
    expect(verdict, ledger.dense_numbers(rows),
           f"study {study_id}: trial numbers are not 0..n-1")


def check_retries(ctx: Context, verdict: ledger.Verdict, study_id: int,
                  retries: int) -> int:
    """Every STALE trial was retried once with its parameters, or its
    point was lost `retries` + 1 times; no retry is left waiting. Returns
    the number of retries."""
    rows = ctx.rows(study_id)
    by_number = {t["number"]: t for t in rows.trials.values()}
    retry_of = ledger.retried_numbers(rows)
    for trial in by_number.values():
        expect(verdict, trial["state"] != "WAITING",
               f"trial {trial['number']} is still WAITING at the end")
        if trial["state"] != "STALE":
            continue
        retry = retry_of.get(trial["number"])
        if retry is None:
            depth, link = 0, trial
            while link["retry_of"] is not None:
                depth, link = depth + 1, by_number[link["retry_of"]]
            expect(verdict, depth == retries,
                   f"lost trial {trial['number']} was not retried after "
                   f"{depth} retries of its point (policy: {retries})")
        else:
            expect(verdict, retry["params"] == trial["params"],
                   f"trial {retry['number']} retries trial "
                   f"{trial['number']} with other parameters")
    return len(retry_of)


def kill_workers(ctx: Context, full: bool) -> ledger.Verdict:
    """Workers die with SIGKILL mid-trial, again and again, while a study
    with a max_trials budget and a retry policy runs; their leases expire,
    the trials go STALE, their parameters run again, and the study ends
    with exactly its budget. Python and C++ workers are killed in turn,
    each replaced by one of its language."""
    lease, budget, retries = 2.0, 60, 3
    running = knob_client.load_api().study_pb2.STUDY_STATE_RUNNING
    server = ctx.start_server()
    api = ctx.api(server)
    study_id = api.create_study(
        "kill_workers",
        study_config(lease=lease, max_trials=budget, retries=retries))
    names = iter(range(1000))
    live = [ctx.start_workers(server, study_id, f"w{next(names)}", steps=6,
                              step_seconds=0.1) for _ in range(6)]
    kills = Counter()
    deadline = time.monotonic() + 120
    while any(w.running() for w in live) and time.monotonic() < deadline:
        time.sleep(ctx.rng.uniform(0.4, 1.0))
        if api.study(study_id).state != running:
            break
        victims = [w for w in live if w.running()]
        if not victims:
            break
        least_killed = min(LANGUAGES, key=lambda language: kills[language])
        victim = ctx.rng.choice(
            [w for w in victims if w.language == least_killed] or victims)
        victim.kill()
        kills[victim.language] += 1
        live.remove(victim)
        live.append(ctx.start_workers(server, study_id, f"w{next(names)}",
                                      victim.language, steps=6,
                                      step_seconds=0.1))
    verdict = ledger.Verdict()
    ctx.wait_workers(120, verdict)
    verdict.add(ctx.judge(study_id, lease))
    expect_budget(ctx, verdict, study_id, budget)
    stale = ctx.count(study_id, STALE)
    expect(verdict, stale > 0, "no worker was killed while holding a trial")
    retried = check_retries(ctx, verdict, study_id, retries)
    expect(verdict, retried > 0, "no lost trial was retried")
    expect(verdict, set(kills) == set(LANGUAGES),
           f"workers killed by language: {dict(kills)}")
    print(f"  kills={dict(kills)} stale={stale} retried={retried} "
          f"completed={ctx.count(study_id)} budget={budget}")
    return verdict


def kill_server(ctx: Context, full: bool) -> ledger.Verdict:
    """The server dies with SIGKILL under 32 workers and comes back on the
    same port; the workers carry on."""
    lease = 15.0
    server = ctx.start_server()
    api = ctx.api(server)
    study_id = api.create_study("kill_server", study_config(lease=lease))
    for i in range(4):
        ctx.start_workers(server, study_id, f"w{i}", threads=8)
    ctx.wait_progress(study_id, 40, 60)
    for _ in range(2):
        server.kill()
        time.sleep(ctx.rng.uniform(0.2, 1.5))
        server.start()
        ctx.wait_progress(study_id, 40, 60)
    api.stop_study(study_id)
    verdict = ledger.Verdict()
    ctx.wait_workers(90, verdict)
    verdict.add(ctx.judge(study_id, 0))
    expect(verdict, ledger.dense_numbers(ctx.rows(study_id)),
           "trial numbers are not 0..n-1")
    print(f"  restarts=2 completed={ctx.count(study_id)} "
          f"stale={ctx.count(study_id, STALE)}")
    return verdict


def restart_postgres(ctx: Context, full: bool) -> ledger.Verdict:
    """PostgreSQL restarts under load, in fast and in immediate mode; the
    server reconnects by itself."""
    lease = 20.0
    server = ctx.start_server()
    api = ctx.api(server)
    study_id = api.create_study("restart_postgres", study_config(lease=lease))
    for i in range(2):
        ctx.start_workers(server, study_id, f"w{i}", threads=8)
    ctx.wait_progress(study_id, 30, 60)
    for mode in ("fast", "immediate"):
        ctx.cluster.stop(mode)
        time.sleep(ctx.rng.uniform(0.5, 1.5))
        ctx.cluster.start()
        ctx.wait_progress(study_id, 30, 60)
    api.stop_study(study_id)
    verdict = ledger.Verdict()
    ctx.wait_workers(90, verdict)
    expect(verdict, server.process is not None and
           server.process.poll() is None, "knob-server died")
    verdict.add(ctx.judge(study_id, 0))
    print(f"  restarts=fast,immediate completed={ctx.count(study_id)}")
    return verdict


def silent_worker(ctx: Context, full: bool) -> ledger.Verdict:
    """A Python and a C++ worker stop heart-beating past their leases and
    then report and complete: they are told FAILED_PRECONDITION, their
    trials stay STALE with nothing recorded after the leases ran out, the
    others go on."""
    lease, budget = 2.0, 20
    server = ctx.start_server()
    api = ctx.api(server)
    study_id = api.create_study("silent_worker",
                                study_config(lease=lease, max_trials=budget))
    for language in LANGUAGES:
        ctx.start_workers(server, study_id, f"silent_{language}", language,
                          silent=True)
    for i in range(2):
        ctx.start_workers(server, study_id, f"w{i}", steps=4,
                          step_seconds=0.1)
    verdict = ledger.Verdict()
    ctx.wait_workers(90, verdict)
    verdict.add(ctx.judge(study_id, lease))
    expect_budget(ctx, verdict, study_id, budget)
    ledgers = ledger.Ledgers.read(ctx.ledger_dir(study_id), study_id)
    refusals = ledgers.refusals
    calls = sorted((r["language"], r["call"]) for r in refusals)
    expect(verdict, calls == sorted((language, call) for language in LANGUAGES
                                    for call in ("complete", "report")),
           f"the silent workers' late calls were refused as {refusals}")
    for refusal in refusals:
        expect(verdict, refusal["code"] == "FAILED_PRECONDITION" and
               "STALE" in refusal["details"],
               f"unclear refusal of a late call: {refusal}")
        rows = ctx.rows(study_id)
        trial = rows.trials.get(refusal["trial"], {})
        expect(verdict, trial.get("state") == "STALE",
               f"the silent {refusal['language']} worker's trial is {trial}")
        late = sorted(step for trial_id, step in rows.intermediate
                      if trial_id == refusal["trial"] and step > 0)
        expect(verdict, not late and refusal["trial"] not in rows.values,
               f"values of the silent {refusal['language']} worker's trial "
               f"were recorded after its lease expired: steps {late}")
    for refusal in refusals:
        print(f"  late {refusal['language']} {refusal['call']}: "
              f"{refusal['code']}: {refusal['details']}")
    return verdict


def replicas(ctx: Context, full: bool) -> ledger.Verdict:
    """Three replicas on one database, 64 workers spread over them, a grid
    study and a random study with a budget, at once."""
    lease, grid_points, budget = 10.0, 120, 150
    servers = [ctx.start_server() for _ in range(3)]
    api = ctx.api(servers[0])
    grid = api.create_study("replicas_grid", study_config(lease=lease,
                                                          grid=True))
    randomized = api.create_study(
        "replicas_random", study_config(lease=lease, max_trials=budget))
    # Each study gets workers of both languages, on every replica.
    for i in range(8):
        ctx.start_workers(servers[i % 3], grid if i % 2 == 0 else randomized,
                          f"w{i}", LANGUAGES[i // 2 % 2], threads=8, steps=2,
                          step_seconds=0.02)
    verdict = ledger.Verdict()
    ctx.wait_workers(120, verdict)
    for study_id in (grid, randomized):
        verdict.add(ctx.judge(study_id, 0))
    expect_budget(ctx, verdict, grid, grid_points)
    expect_budget(ctx, verdict, randomized, budget)
    duplicates = ledger.grid_duplicates(ctx.rows(grid))
    verdict.duplicated += duplicates
    expect(verdict, duplicates == 0, f"{duplicates} grid points repeated")
    expect(verdict, len(ctx.rows(grid).grid_points) == grid_points,
           f"grid points visited: {len(ctx.rows(grid).grid_points)}")
    print(f"  grid_trials={len(ctx.rows(grid).trials)}/{grid_points} "
          f"random_trials={len(ctx.rows(randomized).trials)}/{budget}")
    return verdict


def small_pool(ctx: Context, full: bool) -> ledger.Verdict:
    """More workers than pooled connections, and a PostgreSQL with fewer
    connection slots than the replicas' pools together: calls wait or get
    UNAVAILABLE (or RESOURCE_EXHAUSTED), which the clients retry, and
    everything completes. The suite prints how many call attempts were
    refused, by code and language (Context.check_refusals)."""
    lease, budget = 20.0, 150
    verdict = ledger.Verdict()
    ctx.cluster.stop("fast")
    ctx.cluster.start(max_connections=10)
    try:
        # Pools of 2 + 4 + 8 connections against 10 slots (the checker's
        # psql needs one too).
        servers = [ctx.start_server(f"--pool_size={size}")
                   for size in (2, 4, 8)]
        api = ctx.api(servers[0])
        study_id = api.create_study(
            "small_pool", study_config(lease=lease, max_trials=budget))
        for i in range(6):
            ctx.start_workers(servers[i % 3], study_id, f"w{i}", threads=8,
                              steps=2, step_seconds=0.01)
        ctx.wait_workers(150, verdict)
        ctx.check_servers(verdict)
    finally:
        # PostgreSQL gets its usual connection slots back for the checks
        # and the scenarios after this one.
        for server in ctx.servers:
            server.stop()
        ctx.cluster.stop("fast")
        ctx.cluster.start(max_connections=100)
    verdict.add(ctx.judge(study_id, 0))
    expect_budget(ctx, verdict, study_id, budget)
    refused = ctx.refused_codes()
    for language, codes in refused.items():
        expect(verdict, set(codes) <= {"UNAVAILABLE", "RESOURCE_EXHAUSTED"},
               f"{language} workers were answered {dict(codes)} while "
               "connections were short")
    print(f"  completed={ctx.count(study_id)}")
    for code, details in sorted(ctx.refusal_examples().items()):
        print(f"  e.g. {code}: {details[:200]}")
    return verdict


SCENARIOS: Dict[str, Callable[[Context, bool], ledger.Verdict]] = {
    "kill_workers": kill_workers,
    "kill_server": kill_server,
    "restart_postgres": restart_postgres,
    "silent_worker": silent_worker,
    "replicas": replicas,
    "small_pool": small_pool,
}
