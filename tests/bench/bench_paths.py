"""The benchmark drivers' (importance.py, pruning.py, samplers.py) path
set-up, before their other imports: the Python client (client/python) and
the client's test helpers that start a knob-server (tests/client/python)
go on sys.path, so that a driver finds them however it is started."""

import sys
from pathlib import Path


def add_client() -> None:
    root = Path(__file__).resolve().parents[2]
    for path in (root / "client" / "python",
                 root / "tests" / "client" / "python"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
