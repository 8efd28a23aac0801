"""When demo activity happens: a year of weeks in the workspace's timezone, busiest in working hours.

Times are placed on the workspace's local calendar (week, weekday, time of day), counted back from the Monday
of the current week, so work clusters at 08:00–18:30 on weekdays in Europe/Dublin whatever the season.

Invariants:
- every instant `place` returns lies in [now - window, now]: a time past now moves back a week, a time
  before the window's start moves forward a week (so the same draw always lands on the same weekday and hour);
- for a given `now` and random generator the times are the same; a run on another day of the same week gives
  the same times too, except those that would fall after the new now.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from activitylog.timeutil import DAY_US, MICROS, from_us, to_us

WEEK_US = 7 * DAY_US
HOUR = 3600

# Fewer people work on Fridays, hardly anyone at weekends (weekend work is drawn separately, as off hours).
_WEEKDAY_TOTALS = tuple(accumulate((1.0, 1.05, 1.05, 1.0, 0.8)))
OFF_HOURS_SHARE = 0.05  # of a teammate's actions: evenings, early mornings, weekends


@dataclass(frozen=True, slots=True)
class Moment:
    """A placed time: the instant (UTC µs) and the week it fell in (0 = this week, 51 = a year ago)."""

    us: int
    week: int


class Calendar:
    def __init__(self, now_us: int, timezone: str, window_days: int) -> None:
        self.zone = ZoneInfo(timezone)
        self.now_us = now_us
        self.start_us = now_us - window_days * DAY_US
        today = from_us(now_us).astimezone(self.zone).date()
        self.monday = today - timedelta(days=today.weekday())
        self.weeks = window_days // 7  # whole weeks that fit the window: 52 for a year
        # More recent weeks are a little busier: the team grew over the year.
        weights = [1.25 - 0.3 * week / max(self.weeks - 1, 1) for week in range(self.weeks)]
        self._week_totals = list(accumulate(weights))  # cumulative, so each draw does not add them up again

    # Placing ------------------------------------------------------------------------------------------

    def local(self, week: int, weekday: int, seconds: float) -> int:
        """The instant at `seconds` after local midnight, on `weekday` (0 = Monday) of `week` weeks ago."""
        day = self.monday + timedelta(days=weekday - 7 * week)
        whole = int(seconds)
        # Adding to an aware datetime is wall-clock arithmetic, so 09:00 stays 09:00 across DST changes.
        moment = datetime.combine(day, time(), tzinfo=self.zone) + timedelta(seconds=whole)
        return to_us(moment) + int((seconds - whole) * MICROS)

    def place(self, week: int, weekday: int, seconds: float) -> Moment:
        us = self.local(week, weekday, seconds)
        while us > self.now_us:
            us, week = us - WEEK_US, week + 1
        while us < self.start_us:
            us, week = us + WEEK_US, week - 1
        return Moment(us, week)

    def at(self, week: int, weekday: int, clock: str, rng: random.Random | None = None) -> Moment:
        """A story moment, e.g. `at(26, 3, "02:13:05")`; `rng` adds the seconds a clock without them leaves out
        (or the fraction of one), so the times look recorded rather than scheduled."""
        hours, minutes, *rest = (int(part) for part in clock.split(":"))
        seconds: float = hours * HOUR + minutes * 60 + (rest[0] if rest else 0)
        if rng is not None:
            seconds += rng.random() if rest else rng.uniform(0, 59)
        return self.place(week, weekday, seconds)

    def on(self, day: date, seconds: float) -> int | None:
        """The instant at `seconds` after local midnight on `day`, or None when it is outside the window."""
        us = self.local(self.week_of(day), day.weekday(), seconds)
        return us if self.start_us <= us <= self.now_us else None

    def date_of(self, us: int) -> date:
        return from_us(us).astimezone(self.zone).date()

    def week_of(self, day: date) -> int:
        return (self.monday - (day - timedelta(days=day.weekday()))).days // 7

    # Drawing ------------------------------------------------------------------------------------------

    def draw_week(self, rng: random.Random, weeks: tuple[int, int] | None = None) -> int:
        low, high = weeks or (0, self.weeks - 1)
        high = min(high, self.weeks - 1)
        before = self._week_totals[low - 1] if low else 0.0
        totals = [total - before for total in self._week_totals[low : high + 1]] if low else self._week_totals
        chosen: int = rng.choices(range(low, high + 1), cum_weights=totals[: high - low + 1])[0]
        return chosen

    def draw_work_time(self, rng: random.Random) -> tuple[int, float]:
        """A weekday and a time of day for a teammate's action (logins are drawn by `sessions`)."""
        if rng.random() < OFF_HOURS_SHARE:
            return self._draw_off_hours(rng)
        weekday: int = rng.choices(range(5), cum_weights=_WEEKDAY_TOTALS)[0]
        while True:
            seconds = rng.uniform(8.75 * HOUR, 18.3 * HOUR)
            if not 12.5 * HOUR <= seconds < 13.5 * HOUR or rng.random() < 0.35:  # quieter over lunch
                return weekday, seconds

    def _draw_off_hours(self, rng: random.Random) -> tuple[int, float]:
        if rng.random() < 0.35:
            return rng.choice((5, 6)), rng.uniform(10 * HOUR, 17 * HOUR)
        evening = rng.random() < 0.75
        seconds = rng.uniform(19 * HOUR, 23 * HOUR) if evening else rng.uniform(7 * HOUR, 7.95 * HOUR)
        return rng.choices(range(5), cum_weights=_WEEKDAY_TOTALS)[0], seconds

    def is_holiday(self, us: int) -> bool:
        """The office is closed between Christmas Eve and New Year's Day, and on St Patrick's Day."""
        day = self.date_of(us)
        return (day.month, day.day) >= (12, 24) or (day.month, day.day) <= (1, 1) or (day.month, day.day) == (3, 17)
