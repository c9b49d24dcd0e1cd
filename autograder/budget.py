"""How long student code may run: each call gets a budget derived from the reference's own time.

A flat timeout makes a hang cost the whole timeout on every test; a budget scaled to the work
makes it cost a fraction of a second. Before a call, the reference runs here on the same input
(trusted code, plain data), and the call may take `multiple` times as long plus `floor` seconds,
never more than `test_timeout`. Calls whose input cannot be rebuilt here (values kept in the
student process) get the largest budget seen for that function.

A function that ran out of budget in a call where it was judged alone is *hung*: later calls of it
in the same submission fail at once, saying so.
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

UNKNOWN = 2.0   # seconds of reference time assumed for a function never timed (capped by test_timeout)


@dataclass
class Budgets:
    reference: object | None          # the solutions module, or None (no budgets: test_timeout)
    multiple: float = 50.0
    floor: float = 0.5
    ceiling: float = 20.0             # test_timeout
    timed: dict[str, float] = field(default_factory=dict)   # function -> slowest reference time seen

    def for_call(self, name: str | None, args: tuple = (), kwargs: dict | None = None) -> float:
        """The budget of calling the submission's `name` with plain `args` (Fn already local)."""
        function = getattr(self.reference, name, None) if name else None
        if callable(function) and args is not None:
            started = time.perf_counter()
            try:
                function(*copy.deepcopy(args), **copy.deepcopy(kwargs or {}))
            except Exception:
                pass   # an input the reference rejects: the time so far still counts
            spent = time.perf_counter() - started
            self.timed[name] = max(self.timed.get(name, 0.0), spent)
        return self.scaled(self.timed.get(name, UNKNOWN) if name else UNKNOWN)

    def scaled(self, seconds: float) -> float:
        return min(self.ceiling, self.floor + self.multiple * seconds)


@dataclass
class Hangs:
    """Functions of one submission that ran out of budget when judged alone."""
    hung: set[str] = field(default_factory=set)

    def __contains__(self, name: object) -> bool:
        return name in self.hung

    def add(self, name: str) -> None:
        self.hung.add(name)
