"""What a metadata builder knows about the moment it describes (a `Scene`), and what comes out (a `Draft`).

Invariant: every choice goes through `rng`, so a scene built from the same seed says the same thing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from activitylog.demo.calendar import Calendar, Moment
from activitylog.demo.people import CAST, Machine, Person
from activitylog.timeutil import from_us

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Scene:
    rng: random.Random
    actor: Person | None  # None: an API token or the system
    moment: Moment
    calendar: Calendar
    scale: float  # the demo's size relative to the default 20,000 entries, to size counts such as rows exported
    # After the workspace stopped accepting recovery codes, everyone signs in with the authenticator app.
    authenticator_only: bool

    def pick(self, options: tuple[T, ...] | list[T]) -> T:
        return self.rng.choice(options)

    def flag(self, true_share: float = 0.65) -> bool:
        return self.rng.random() < true_share

    def colleague(self, *roles: str, admins: bool = True) -> Person:
        """Someone else in the workspace that week (of one of `roles` when given; an admin only if `admins`)."""
        week = self.moment.week
        around = [p for p in CAST if p is not self.actor and p.active_in(week) and (admins or p.role != "Admin")]
        preferred = [p for p in around if p.role in roles] if roles else around
        return self.rng.choice(preferred or around)

    def colleague_ref(self, *roles: str, admins: bool = True) -> dict[str, Any]:
        return self.colleague(*roles, admins=admins).ref()

    def local_seconds(self) -> float:
        """Seconds since local midnight at the scene's moment."""
        moment = from_us(self.moment.us).astimezone(self.calendar.zone)
        return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6

    def day(self, days_before: int = 0) -> date:
        return self.calendar.date_of(self.moment.us) - timedelta(days=days_before)

    def count(self, low: int, high: int) -> int:
        """A count of records (contacts exported, rows imported): log-uniform, so most are modest."""
        return int(low * (high / low) ** self.rng.random() + 0.5)

    def changed(self, low: int, high: int, step: int = 1) -> tuple[int, int]:
        """A number before and after a change, never the same."""
        before = self.rng.randrange(low, high + 1, step)
        after = before
        while after == before:
            after = self.rng.randrange(low, high + 1, step)
        return before, after


@dataclass(frozen=True, slots=True)
class Draft:
    """One entry to record: an event as a recorder would send it, before validation."""

    code: str
    actor: Person | Machine
    us: int
    metadata: dict[str, Any]
    ip: str | None
    user_agent: str | None

    def event(self) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": self.code,
            "actor": self.actor.actor(),
            "occurred_at": from_us(self.us),
            "metadata": self.metadata,
        }
        if self.ip is not None:
            event["ip"] = self.ip
        if self.user_agent is not None:
            event["user_agent"] = self.user_agent
        return event
