"""The benchmark drivers' (importance.py, pruning.py, samplers.py) start-up.

add_client, before their other imports: the Python client (client/python)
and the client's test helpers that start a knob-server (tests/client/python)
go on sys.path, so that a driver finds them however it is started.
run_main: how a driver's main runs and ends."""

import signal
import sys
from pathlib import Path
from typing import Callable, List


def add_client() -> None:
    root = Path(__file__).resolve().parents[2]
    for path in (root / "client" / "python",
                 root / "tests" / "client" / "python"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def _interrupt(signum, frame):
    raise KeyboardInterrupt()


def run_main(main: Callable[[List[str]], int],
             say: Callable[[str], None]) -> None:
    """Runs `main` on the command line's arguments and exits with its code.
    SIGTERM stops the benchmark as Ctrl-C does: the studies under way end,
    the others are dropped, the server is stopped; the exit code is then
    130."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(130)
