"""Teammates' working days: when they log in, from where, and whether they log out.

Logins are the most common entry of a real log and the most regular: a teammate logs in when they start the
day, often again after lunch, from one place all day; some sign out in the evening, some sessions time out.
Drawing sessions per working day (not per entry) keeps that shape: nobody logs out four times in an hour.

Invariants: only teammates at Acme that week log in (two weeks of holiday each, little at weekends and over
Christmas); all of a teammate's entries of one day share one IP address (`Places`); nothing lies after now.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from activitylog.demo.calendar import HOUR, Calendar, Moment
from activitylog.demo.meta_people import SIGNED_OUT, TIMED_OUT, login
from activitylog.demo.people import CAST, Person
from activitylog.demo.scene import Draft, Scene
from activitylog.timeutil import MICROS

SIGN_OUT_SHARE = 0.3  # of working days that end with "logged out"
TIMEOUT_SHARE = 0.1  # of working days that end with the session timing out
IP_HABIT = (0.75, 0.18, 0.07)  # how often a teammate works from their first, second and third address


class Places:
    """Where each teammate works each day: one of their addresses, drawn once per day and then kept."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._ips: dict[tuple[str, int, int], str] = {}

    def ip(self, person: Person, week: int, weekday: int) -> str:
        key = (person.id, week, weekday)
        if key not in self._ips:
            self._ips[key] = self.rng.choices(person.ips, IP_HABIT[: len(person.ips)])[0]
        return self._ips[key]


@dataclass(frozen=True, slots=True)
class Workday:
    person: Person
    week: int
    weekday: int


class Sessions:
    def __init__(
        self, calendar: Calendar, rng: random.Random, places: Places, *, scale: float, authenticator_us: int
    ) -> None:
        self.calendar = calendar
        self.rng = rng
        self.places = places
        self.scale = scale
        self.authenticator_us = authenticator_us

    def drafts(self, logins: int) -> list[Draft]:
        """About `logins` logins (a few fewer when some would fall after now), and the logouts they lead to."""
        days, weights = self._workdays()
        per_weight = logins / sum(weights)
        drafts: list[Draft] = []
        for day, weight in zip(days, weights, strict=True):
            # Spread evenly, not at random: a busy day has a login or two more, never six.
            expected = weight * per_weight
            count = int(expected) + (self.rng.random() < expected - int(expected))
            if count >= 2:
                count += self.rng.choice((-1, 0, 0, 1))
            if count:
                drafts += self._day(day, count)
        return drafts

    def _workdays(self) -> tuple[list[Workday], list[float]]:
        calendar = self.calendar
        days: list[Workday] = []
        weights: list[float] = []
        for person in CAST:
            holiday = set(self.rng.sample(range(calendar.weeks), 2))
            for week in range(calendar.weeks):
                if week in holiday or not person.active_in(week):
                    continue
                for weekday in range(7):
                    noon = calendar.local(week, weekday, 12 * HOUR)
                    if not calendar.start_us <= noon - 12 * HOUR * MICROS <= calendar.now_us:
                        continue
                    weight = person.busy * (1.0 if weekday < 5 else 0.04)
                    days.append(Workday(person, week, weekday))
                    weights.append(weight * 0.1 if calendar.is_holiday(noon) else weight)
        return days, weights

    def _day(self, day: Workday, logins: int) -> list[Draft]:
        rng, person = self.rng, day.person
        ip = self.places.ip(person, day.week, day.weekday)
        times = sorted(self._login_time(day.weekday, n) for n in range(logins))
        drafts: list[Draft] = []
        for seconds in times:
            moment = Moment(self.calendar.local(day.week, day.weekday, seconds), day.week)
            if moment.us > self.calendar.now_us:
                break
            scene = Scene(rng, person, moment, self.calendar, self.scale, moment.us >= self.authenticator_us)
            drafts.append(Draft("admin_login_success", person, moment.us, login(scene), ip, person.user_agent))
        if not drafts:
            return drafts
        roll = rng.random()
        if roll < SIGN_OUT_SHARE:
            leaving = rng.uniform(16.75 * HOUR, 18.6 * HOUR)
            if leaving < times[-1] + 1200:
                leaving = times[-1] + rng.uniform(1200, 5400)
            reason = SIGNED_OUT
        elif roll < SIGN_OUT_SHARE + TIMEOUT_SHARE:
            # The console logs a timeout when the idle session is next used: hours after the day's last sign-in.
            leaving, reason = times[-1] + 8 * HOUR + rng.uniform(0, 60), TIMED_OUT
        else:
            return drafts
        us = self.calendar.local(day.week, day.weekday, leaving)
        if us <= self.calendar.now_us:
            drafts.append(Draft("admin_logout", person, us, {"reason": reason}, ip, person.user_agent))
        return drafts

    def _login_time(self, weekday: int, nth: int) -> float:
        rng = self.rng
        if weekday >= 5:
            return rng.uniform(10 * HOUR, 17 * HOUR)
        if nth == 0:
            if rng.random() < 0.04:  # checking in from home in the evening
                return rng.uniform(19 * HOUR, 22.9 * HOUR)
            while True:  # starting the day: most between half eight and half nine
                seconds = rng.gauss(8.9 * HOUR, 0.45 * HOUR)
                if 7.75 * HOUR <= seconds <= 10.5 * HOUR:
                    return seconds
        if nth == 1:  # back from lunch, or the morning's session expired
            return rng.uniform(13 * HOUR, 14.4 * HOUR)
        return rng.uniform(8.5 * HOUR, 18.3 * HOUR)
