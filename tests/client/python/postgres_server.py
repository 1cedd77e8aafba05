"""PostgreSQL for the Python client tests that need a knob-server whose
studies outlive its process.

The server comes from $KNOB_TEST_DATABASE_URL (tests/run.sh starts one and
exports a superuser URL); without it a private cluster is started with
deploy/local-postgres.sh, so that the suite also runs on its own.
"""

import atexit
import contextlib
import itertools
import os
import subprocess
import tempfile
import urllib.parse
from typing import Optional

from server_process import REPOSITORY, STOP_TIMEOUT, wait_until


class PostgresServer:
    """A PostgreSQL server to create one throwaway database per test in.

    Uses $KNOB_TEST_DATABASE_URL when set; otherwise starts a private
    cluster in a temporary directory, which `close` stops and removes.
    """

    _names = itertools.count()
    _shared: Optional["PostgresServer"] = None

    @classmethod
    def shared(cls) -> "PostgresServer":
        """One server for the whole test process, closed at exit: starting
        a private cluster costs seconds."""
        if cls._shared is None:
            cls._shared = cls()
            atexit.register(cls._shared.close)
        return cls._shared

    def __init__(self):
        self._cluster: Optional[tempfile.TemporaryDirectory] = None
        url = os.environ.get("KNOB_TEST_DATABASE_URL")
        if not url:
            self._cluster = tempfile.TemporaryDirectory(prefix="knob-pg-")
            url = self._run_script("start").strip()
        self.url = url

    def _run_script(self, command: str) -> str:
        result = subprocess.run(
            ["bash", str(REPOSITORY / "deploy" / "local-postgres.sh"),
             command, self._cluster.name],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise RuntimeError(
                f"local-postgres.sh {command} failed:\n{result.stdout}")
        return result.stdout

    def _sql(self, statement: str) -> str:
        """Runs `statement` on the maintenance database; returns what it
        printed (unaligned, tuples only)."""
        result = subprocess.run(
            ["psql", self.url, "-v", "ON_ERROR_STOP=1", "-Atqc", statement],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"psql {statement!r}:\n{result.stderr}")
        return result.stdout.strip()

    def create_database(self) -> tuple:
        """A new empty database: (name, URL). knob-server migrates it."""
        name = f"knob_python_{os.getpid()}_{next(self._names)}"
        self._sql(f"CREATE DATABASE {name}")
        return name, _with_database(self.url, name)

    def drop_database(self, name: str) -> None:
        self._sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    @contextlib.contextmanager
    def holding_lock(self, database_url: str, statement: str,
                     seconds: float):
        """Runs `statement` (e.g. a SELECT … FOR UPDATE) in a transaction
        of its own that then sleeps `seconds` before committing; the body
        runs once the locks are taken, and the exit waits for the commit.
        A knob-server that needs those rows waits meanwhile, in the middle
        of its call."""
        name = f"knob_test_lock_{os.getpid()}_{next(self._names)}"
        script = f"BEGIN; {statement}; SELECT pg_sleep({seconds}); COMMIT;"
        holder = subprocess.Popen(
            ["psql", database_url, "-v", "ON_ERROR_STOP=1", "-Atqc", script],
            env={**os.environ, "PGAPPNAME": name}, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        try:
            # Statements run in order: asleep means the locks are held.
            wait_until(lambda: holder.poll() is not None or self._sql(
                "SELECT count(*) FROM pg_stat_activity WHERE "
                f"application_name = '{name}' AND wait_event = 'PgSleep'")
                == "1", what="psql to take its locks")
            if holder.poll() is not None:
                raise RuntimeError(f"psql {script!r}:\n{holder.stderr.read()}")
            yield
            _, errors = holder.communicate(timeout=seconds + STOP_TIMEOUT)
            if holder.returncode != 0:
                raise RuntimeError(f"psql {script!r}:\n{errors}")
        finally:
            if holder.poll() is None:
                holder.kill()
                holder.wait()

    def close(self) -> None:
        if self._cluster is not None:
            self._run_script("stop")
            self._cluster.cleanup()
            self._cluster = None


def _with_database(url: str, database: str) -> str:
    """`url` pointing at `database` instead, in either libpq syntax."""
    if "://" not in url:
        # Keyword/value form: a later keyword wins.
        return f"{url} dbname={database}"
    return urllib.parse.urlunsplit(
        urllib.parse.urlsplit(url)._replace(path=f"/{database}"))
