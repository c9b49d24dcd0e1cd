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

from dataclasses import dataclass, field

UNKNOWN = 2.0   # seconds of reference time assumed for a function never timed (capped by test_timeout)


@dataclass
class Budgets:
    reference: object | None          # the remembered reference (reference.py), or None: test_timeout
    multiple: float = 50.0
    floor: float = 0.5
    ceiling: float = 20.0             # test_timeout
    timed: dict[str, float] = field(default_factory=dict)   # function -> slowest reference time seen

    def for_call(self, name: str | None, args: tuple = (), kwargs: dict | None = None) -> float:
        """The budget of calling the submission's `name` with plain `args` (Fn already local)."""
        seconds = self.reference.time_of(name, args, kwargs or {}) if name and self.reference else None
        if seconds is not None:
            self.timed[name] = max(self.timed.get(name, 0.0), seconds)
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
