"""How long student code may run: each call gets a budget derived from the reference's own time.

A flat timeout makes a hang cost the whole timeout on every test; a budget scaled to the work
makes it cost a fraction of a second. Before a call, the reference runs here on the same input
(trusted code, plain data), and the call may take `multiple` times as long plus `floor` seconds,
never more than `test_timeout`. Calls whose input cannot be rebuilt here (values kept in the
student process) get the largest budget seen for that function.

A function's first call in a test's process also gets `first_call` seconds more: every test is a
fresh fork, so one-off costs (a lazy import, a cache filled on first use) are paid there again,
and a correct answer must not be judged by the budget of the calls after it.

A timeout fails that call (and its test). A function judged alone also pays for it, out of its
*whole budget* for the submission: one first call's budget and one later call's. Once that is
spent its later calls fail at once, saying so; after its first timeout its first calls get no
allowance (what it was for did not help). So a hang costs about two budgets, 1-2 s, and a
function that is slow on one input loses that call only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

UNKNOWN = 2.0     # seconds of reference time assumed for a function never timed (capped by test_timeout)
FIRST_CALL = 0.5  # seconds more for the first call of a function in a process (lazy imports, caches)


@dataclass
class Budgets:
    reference: object | None          # the remembered reference (reference.py), or None: test_timeout
    multiple: float = 50.0
    floor: float = 0.5
    ceiling: float = 20.0             # test_timeout
    timed: dict[str, float] = field(default_factory=dict)   # function -> slowest reference time seen
    first_call: float = FIRST_CALL

    def for_call(self, name: str | None, args: tuple = (), kwargs: dict | None = None) -> float:
        """The budget of calling the submission's `name` with plain `args` (Fn already local)."""
        seconds = self.reference.time_of(name, args, kwargs or {}) if name and self.reference else None
        if seconds is not None:
            self.timed[name] = max(self.timed.get(name, 0.0), seconds)
        return self.scaled(self.timed.get(name, UNKNOWN) if name else UNKNOWN)

    def scaled(self, seconds: float) -> float:
        return min(self.ceiling, self.floor + self.multiple * seconds)

    def first(self, budget: float) -> float:
        """The budget of a function's first call in a process, whose later calls get `budget`."""
        return min(self.ceiling, budget + self.first_call)

    def whole(self, name: str | None) -> float:
        """What a function may lose to timeouts in one submission before its later calls are skipped."""
        budget = self.scaled(self.timed.get(name, UNKNOWN) if name else UNKNOWN)
        return self.first(budget) + budget


@dataclass
class Hangs:
    """What one submission's functions have lost to timeouts, and which ones have spent their
    whole budget (`name in hangs`: their later calls fail at once)."""
    lost: dict[str, float] = field(default_factory=dict)   # function -> seconds of timed-out calls
    hung: set[str] = field(default_factory=set)            # functions whose whole budget is spent
    alone: set[str] = field(default_factory=set)           # judged with stand-ins only (own helpers too slow)

    def __contains__(self, name: object) -> bool:
        return name in self.hung

    def charge(self, name: str, seconds: float, whole: float) -> None:
        """A call of `name`, judged alone, ran out of time after `seconds`."""
        self.lost[name] = self.lost.get(name, 0.0) + seconds
        if self.lost[name] >= whole:
            self.hung.add(name)
