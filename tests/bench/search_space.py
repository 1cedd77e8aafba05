"""Search spaces of the sampler benchmarks, written once and translated
for both sides: into a Knob StudyConfig (knob_side.py) and into Optuna's
define-by-run suggestions (optuna_side.py)."""

from __future__ import annotations

import dataclasses
from typing import Optional, Sequence, Tuple

ParamValue = object  # float, int or str


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter: "float" or "int" in [low, high] (log scale when
    `log`), or "categorical" among `choices`. With `parent` set it is
    active only while the parent is active and takes one of
    `parent_values`; a parent always comes before its children. An int
    with `step` takes only low, low + step, … up to high."""

    name: str
    kind: str
    low: float = 0.0
    high: float = 1.0
    log: bool = False
    choices: Tuple[ParamValue, ...] = ()
    parent: Optional[str] = None
    parent_values: Tuple[ParamValue, ...] = ()
    step: Optional[int] = None


def floats(name: str, low: float, high: float, log: bool = False) -> Param:
    return Param(name, "float", low, high, log)


def ints(name: str, low: int, high: int, log: bool = False) -> Param:
    return Param(name, "int", low, high, log)


def choice(name: str, choices: Sequence[ParamValue]) -> Param:
    return Param(name, "categorical", choices=tuple(choices))


def when(param: Param, parent: str, *values: ParamValue) -> Param:
    """`param`, active only while `parent` takes one of `values`."""
    return dataclasses.replace(param, parent=parent, parent_values=values)


def vector(prefix: str, dimension: int, low: float,
           high: float) -> Tuple[Param, ...]:
    """`dimension` floats named prefix0, prefix1, … in [low, high]."""
    return tuple(floats(f"{prefix}{i}", low, high) for i in range(dimension))


def is_active(param: Param, params: dict) -> bool:
    """Whether `param` is active given the values of the parameters before
    it (inactive parents are absent from `params`)."""
    if param.parent is None:
        return True
    return (param.parent in params and
            params[param.parent] in param.parent_values)


def check_space(space: Sequence[Param]) -> None:
    """Raises ValueError when a name repeats or a parent does not come
    before its child: both sides rely on that order."""
    seen = set()
    for param in space:
        if param.name in seen:
            raise ValueError(f"parameter {param.name} appears twice")
        if param.parent is not None and param.parent not in seen:
            raise ValueError(f"parameter {param.name}: parent {param.parent} "
                             "must come first")
        seen.add(param.name)
