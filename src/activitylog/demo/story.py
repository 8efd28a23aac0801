"""Acme's year, told once and in order: the one-off changes, the people who came and went, and two incidents.

- About a year ago Beth-Ann moves the workspace to Europe/Dublin, renames it, and creates API tokens; a few
  weeks later she shortens how long the activity log keeps entries from two years to one.
- Ravi Menon (a contractor) is deprovisioned by Okta SCIM; Jonah Okafor is removed by Beth-Ann in week 20;
  both stay in the directory as deleted teammates, and their old entries keep their names.
- Week 30: Beth-Ann tightens exports after a review, changing eight teammates' permissions within minutes.
- Week 26: someone tries Beth-Ann's password from 198.51.100.77 in the night, eighteen times in five minutes;
  the next morning she resets it, turns on two-factor authentication, shortens the idle timeout and has
  everyone turn two-factor on; a week later the workspace stops accepting recovery codes (from then on
  teammates sign in with their password and the authenticator app, the ways in the console offers).
- Tomás Ferreira joins through Okta in week 16; Mei Chen is invited last week and has not joined yet.
- Three weeks ago Ciaran shortens the idle timeout again, from home.

The story's last security settings change, authentication method change and retention change are the state
the console shows: `loader` writes them into the workspace (issue 17, bug 5).

Invariant: weeks are counted back from the current one and stay within 1..50, so no story moment is moved by
the calendar's window (see `Calendar.place`), and every story moment is in the past.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from activitylog.catalog.security import security_settings
from activitylog.demo import things
from activitylog.demo.calendar import HOUR, Calendar, Moment
from activitylog.demo.people import (
    AOIFE,
    ATTACKER_AGENT,
    ATTACKER_IP,
    BETH,
    CAST,
    CIARAN,
    DMITRI,
    GRACE,
    JONAH,
    LENA,
    MARCO,
    PRIYA,
    RAVI,
    SAMUEL,
    SCIM_TOKEN,
    SIEM_TOKEN,
    TOMAS,
    WAREHOUSE_TOKEN,
    ZAPIER_TOKEN,
    Machine,
    Person,
)
from activitylog.demo.scene import Draft
from activitylog.domain.accounts import AUTHENTICATOR_SIGN_IN, PASSWORD_SIGN_IN, RECOVERY_CODE_SIGN_IN, Security
from activitylog.storage.base import DEFAULT_RETENTION_DAYS
from activitylog.timeutil import MICROS

RECOVERY_CODES_OFF = (25, 1, "10:30:00")  # week, weekday, local time
SIEM_CREATED = (50, 1, "10:05:00")
WAREHOUSE_CREATED = (47, 0, "10:00:00")
BULK_CHANGE_SUBJECTS = (PRIYA, JONAH, SAMUEL, LENA, AOIFE, MARCO, GRACE, DMITRI)
FAILED_ATTEMPTS = 18
LOCKOUT_AFTER = 10


class Teller:
    def __init__(self, calendar: Calendar, rng: random.Random, scale: float) -> None:
        self.calendar = calendar
        self.rng = rng
        self.scale = scale
        self.drafts: list[Draft] = []
        self.authenticator_us = calendar.at(*RECOVERY_CODES_OFF).us

    def add(
        self,
        when: Moment | tuple[int, int, str],
        actor: Person | Machine,
        code: str,
        metadata: dict[str, Any],
        *,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> Moment:
        moment = when if isinstance(when, Moment) else self.calendar.at(*when, rng=self.rng)
        default_ip = actor.ips[0] if isinstance(actor, Person) else actor.ip
        self.drafts.append(Draft(code, actor, moment.us, metadata, ip or default_ip, user_agent or actor.user_agent))
        return moment

    def login(
        self, when: tuple[int, int, str], person: Person, *, ip: str | None = None, method: str | None = None
    ) -> Moment:
        """A sign-in as the console logs it: the password, and the authenticator app once it is the only way."""
        moment = self.calendar.at(*when, rng=self.rng)
        if method is None:
            method = AUTHENTICATOR_SIGN_IN if moment.us >= self.authenticator_us else PASSWORD_SIGN_IN
        return self.add(moment, person, "admin_login_success", {"sign_in_method": method}, ip=ip)

    def on_date(self, day: date, clock: str, actor: Person, code: str, metadata: dict[str, Any]) -> None:
        """A moment tied to the calendar (a holiday notice): told only when it falls within the window."""
        hours, minutes = (int(part) for part in clock.split(":"))
        seconds = hours * HOUR + minutes * 60 + self.rng.uniform(0, 59)
        us = self.calendar.on(day, seconds)
        if us is not None:
            self.add(Moment(us, self.calendar.week_of(day)), actor, code, metadata)

    def later(self, moment: Moment, seconds: float) -> Moment:
        return Moment(moment.us + int(seconds * MICROS), moment.week)


def tell(calendar: Calendar, rng: random.Random, scale: float) -> list[Draft]:
    teller = Teller(calendar, rng, scale)
    _settling_in(teller)
    _comings_and_goings(teller)
    _bulk_permission_change(teller)
    _failed_login_streak(teller)
    _recovery_codes_off(teller)
    _holiday_notices(teller)
    _housekeeping(teller)
    return teller.drafts


def _settling_in(t: Teller) -> None:
    t.login((50, 0, "09:05"), BETH)
    t.add((50, 0, "09:12"), BETH, "app_timezone_change", {"before": "Europe/London", "after": "Europe/Dublin"})
    t.add((50, 0, "09:14"), BETH, "app_name_change", {"before": "Acme Ltd", "after": "Acme"})
    t.add((50, 0, "09:16"), BETH, "customer_facing_name_change", {"before": "Acme Ltd", "after": "Acme Support"})
    # The catalog's Google SSO type, shown once; nobody signs in with it (this server offers no single sign-on).
    t.add((50, 0, "09:21"), BETH, "app_google_sso_domain_change", {"before": "acme-ltd.test", "after": "acme.test"})
    t.add(SIEM_CREATED, BETH, "api_token_creation", {"token": SIEM_TOKEN.ref(), "scopes": list(SIEM_TOKEN.scopes)})
    # The log had kept two years; a year is what the workspace keeps since (`loader`).
    retention = {"before": {"retention_days": 730}, "after": {"retention_days": DEFAULT_RETENTION_DAYS}}
    t.add((45, 2, "10:10"), BETH, "app_data_retention_change", retention)
    role = things.ROLES["Support lead"]
    permissions = [things.LOG_PERMISSION, "Can export data", "Can manage teammates, seats and permissions"]
    t.add((49, 2, "11:00"), BETH, "role_creation", {"role": role, "permissions": permissions})
    promotion = {"admin": PRIYA.ref(), "before": {"role": "Support"}, "after": {"role": "Support lead"}}
    t.add((49, 2, "11:04"), BETH, "admin_permission_change", promotion)
    billing = {**things.TEAMS["Billing"], "member_count": 2}
    t.add((48, 3, "15:30"), CIARAN, "app_team_creation", {"team": billing})
    members = {"team": billing, "added": [GRACE.ref(), CIARAN.ref()], "removed": []}
    t.add((48, 3, "15:33"), CIARAN, "app_team_membership_modification", members)
    warehouse = {"token": WAREHOUSE_TOKEN.ref(), "scopes": list(WAREHOUSE_TOKEN.scopes)}
    t.add(WAREHOUSE_CREATED, BETH, "api_token_creation", warehouse)
    t.add((46, 1, "09:45"), BETH, "api_token_creation", {"token": SCIM_TOKEN.ref(), "scopes": list(SCIM_TOKEN.scopes)})
    contact = {
        "before": {"name": "Ciaran Lee", "email": "ciaran@acme.test"},
        "after": {"name": "Grace O'Neill", "email": "billing@acme.test"},
    }
    t.add((42, 1, "14:00"), GRACE, "billing_contact_change", contact)
    t.add(
        (40, 0, "10:30"),
        CIARAN,
        "app_outbound_address_change",
        {"before": "support@acme.test", "after": "hello@acme.test"},
    )
    t.add((38, 4, "16:45"), DMITRI, "api_token_revocation", {"token": ZAPIER_TOKEN.ref()})


def _comings_and_goings(t: Teller) -> None:
    # Ravi's contract ends: Okta removes him, Grace frees his seat, and the contractors' role goes.
    scim = {"admin": RAVI.ref(), "source": "Okta SCIM", "external_id": "00u9z8y7x6W5v4U3t2s1"}
    t.add((44, 2, "16:02"), SCIM_TOKEN, "admin_deprovisioned", scim)
    t.add((44, 2, "16:20"), GRACE, "seat_revoke", {"admin": RAVI.ref(), "seat": "Full"})
    t.add((43, 3, "11:10"), BETH, "role_deletion", {"role": things.ROLES["Contractors"]})
    # Jonah leaves Acme.
    t.add((20, 1, "10:14"), BETH, "admin_deletion", {"admin": JONAH.ref()})
    support = {**things.TEAMS["Support"], "member_count": 4}
    t.add(
        (20, 1, "10:16"),
        PRIYA,
        "app_team_membership_modification",
        {"team": support, "added": [], "removed": [JONAH.ref()]},
    )
    # Tomás joins through Okta and logs in for the first time.
    scim = {"admin": TOMAS.ref(), "source": "Okta SCIM", "external_id": "00u1a2b3c4D5e6F7g8h9"}
    t.add((16, 0, "09:02"), SCIM_TOKEN, "admin_provisioned", scim)
    t.login((16, 0, "09:23"), TOMAS, method=PASSWORD_SIGN_IN)  # two-factor is not required: he turns it on next
    t.add((16, 0, "09:24"), TOMAS, "app_admin_join", {"role": things.ROLES["Developer"]})
    t.add((16, 0, "09:27"), TOMAS, "admin_two_factor_auth_change", {"enabled": True, "method": "authenticator app"})
    product = {**things.TEAMS["Product"], "member_count": 3}
    t.add(
        (16, 0, "09:40"),
        BETH,
        "app_team_membership_modification",
        {"team": product, "added": [TOMAS.ref()], "removed": []},
    )
    # A night shift is tried for a while, then given up.
    night = {**things.TEAMS["Night shift"], "member_count": 3}
    t.add((14, 2, "17:10"), PRIYA, "app_team_creation", {"team": night})
    t.add((4, 4, "16:30"), PRIYA, "app_team_deletion", {"team": night})
    # Mei is invited, with a typo first; she has not joined yet.
    support_role = things.ROLES["Support"]
    typo = {"invitee": {"email": "mei.chen@acme.tset"}, "role": support_role, "teams": [things.TEAMS["Support"]]}
    t.add((1, 3, "10:02"), PRIYA, "admin_invite_creation", typo)
    t.add((1, 3, "10:04"), PRIYA, "admin_invite_deletion", {"invitee": {"email": "mei.chen@acme.tset"}})
    invite = {"invitee": {"email": "mei.chen@acme.test", "name": "Mei Chen"}, "role": support_role}
    t.add((1, 3, "10:05"), PRIYA, "admin_invite_creation", {**invite, "teams": [things.TEAMS["Support"]]})
    change = {
        "invitee": invite["invitee"],
        "before": {"teams": ["Support"]},
        "after": {"teams": ["Support", "Billing"]},
    }
    t.add((1, 4, "09:30"), PRIYA, "admin_invite_change", change)


def _bulk_permission_change(t: Teller) -> None:
    """After a security review Beth-Ann takes export rights from everyone but the admins, one by one."""
    t.login((30, 2, "13:52"), BETH)
    role = {"role": things.ROLES["Support"], "before": {"can_export_data": True}, "after": {"can_export_data": False}}
    moment = t.add((30, 2, "14:01:10"), BETH, "role_change", role)
    for person in BULK_CHANGE_SUBJECTS:
        moment = t.later(moment, t.rng.uniform(20, 55))
        change = {
            "admin": person.ref(),
            "before": {"role": person.role, "can_export_data": True},
            "after": {"role": person.role, "can_export_data": False},
        }
        t.add(moment, BETH, "admin_permission_change", change)


def _failed_login_streak(t: Teller) -> None:
    """Someone tries Beth-Ann's password from an address nobody at Acme uses, in the middle of the night."""
    moment = t.calendar.at(26, 3, "02:13:05", rng=t.rng)
    for attempt in range(FAILED_ATTEMPTS):
        reason = "wrong password" if attempt < LOCKOUT_AFTER else "account locked after too many attempts"
        metadata = {"sign_in_method": "email and password", "reason": reason}
        t.add(moment, BETH, "admin_login_failure", metadata, ip=ATTACKER_IP, user_agent=ATTACKER_AGENT)
        moment = t.later(moment, t.rng.uniform(8, 22))
    # The next morning, from home: a new password, two-factor authentication, and a look at the log.
    home = BETH.ips[1]
    t.add((26, 3, "08:41"), BETH, "admin_password_reset_request", {"email": BETH.email}, ip=home)
    t.add((26, 3, "08:44"), BETH, "admin_password_reset_success", {}, ip=home)
    t.login((26, 3, "08:45"), BETH, ip=home)
    t.add(
        (26, 3, "08:52"),
        BETH,
        "admin_two_factor_auth_change",
        {"enabled": True, "method": "authenticator app"},
        ip=home,
    )
    settings = {
        "before": security_settings(session_timeout_minutes=24 * 60, require_two_factor=False),
        "after": security_settings(session_timeout_minutes=8 * 60, require_two_factor=False),
    }
    t.add((26, 3, "09:05"), BETH, "security_settings_change", settings, ip=home)
    # She asks everyone else to turn on two-factor authentication; they do the next time they log in. It stays
    # not required, so a newcomer trying the demo is not made to enrol an authenticator app first.
    for person in CAST:
        if person is BETH or not person.active_in(26):
            continue
        week, weekday, hour = t.rng.choice(((26, 3, 10), (26, 3, 14), (26, 4, 9), (25, 0, 9)))
        minute = t.rng.randrange(0, 50)
        t.login((week, weekday, f"{hour}:{minute:02d}"), person)
        method = "SMS" if person is MARCO else "authenticator app"
        t.add(
            (week, weekday, f"{hour}:{minute + 2:02d}"),
            person,
            "admin_two_factor_auth_change",
            {"enabled": True, "method": method},
        )
    day = t.calendar.date_of(moment.us)
    rows = max(FAILED_ATTEMPTS + 1, round(20000 * t.scale * 0.6 * 7 / 364))
    filters = {
        "category": "Security",
        "created_after": (day - timedelta(days=7)).isoformat(),
        "created_before": day.isoformat(),
    }
    t.add((26, 3, "09:20"), BETH, "data_export_run", {"format": "csv", "rows": rows, "filters": filters}, ip=home)


def _recovery_codes_off(t: Teller) -> None:
    """Everyone has the authenticator app now, so Beth-Ann refuses recovery codes as a second factor, in the
    console's own shape of the change (`Security.methods_dict`)."""
    t.login((25, 1, "10:21"), BETH)
    methods = {
        "before": Security().methods_dict(),
        "after": Security(sign_in_methods=frozenset({"email_and_password"})).methods_dict(),
    }
    t.add(RECOVERY_CODES_OFF, BETH, "app_authentication_method_change", methods)
    # Habits die hard: the first mornings, some still reach for a recovery code.
    unauthorized = {"sign_in_method": RECOVERY_CODE_SIGN_IN}
    t.add((25, 1, "13:40"), MARCO, "admin_unauthorized_sign_in_method", unauthorized)
    t.add((24, 0, "08:58"), SAMUEL, "admin_unauthorized_sign_in_method", unauthorized)


def _holiday_notices(t: Teller) -> None:
    """The Messenger's special notice goes up before Christmas and comes down when the office reopens."""
    today = t.calendar.date_of(t.calendar.now_us)
    christmas = date(today.year if today >= date(today.year, 12, 20) else today.year - 1, 12, 20)
    notice = things.HOLIDAY_NOTICES[1]
    t.on_date(
        _weekday_on_or_before(christmas),
        "16:40",
        PRIYA,
        "temporary_expectation_change",
        {"before": None, "after": notice},
    )
    reopening = _weekday_on_or_after(date(christmas.year + 1, 1, 2))
    t.on_date(reopening, "08:50", PRIYA, "temporary_expectation_change", {"before": notice, "after": None})


def _housekeeping(t: Teller) -> None:
    schedule = {"id": "41", "retention_days": 730}
    t.add((36, 1, "11:20"), BETH, "conversation_deletion_schedule_creation", {"schedule": schedule})
    t.add(
        (36, 1, "11:21"), BETH, "conversation_deletion_schedule_state_change", {"schedule": schedule, "enabled": True}
    )
    shorter = {
        "schedule": {"id": "41", "retention_days": 365},
        "before": {"retention_days": 730},
        "after": {"retention_days": 365},
    }
    t.add((33, 3, "15:05"), BETH, "conversation_deletion_schedule_update", shorter)
    schedule = {"id": "41", "retention_days": 365}
    t.add(
        (11, 2, "10:40"),
        CIARAN,
        "conversation_deletion_schedule_state_change",
        {"schedule": schedule, "enabled": False},
    )
    t.add((11, 2, "10:41"), CIARAN, "conversation_deletion_schedule_deletion", {"schedule": schedule})
    sandbox = {
        "workspace": {"id": "ws_acme_sandbox", "name": "Acme Sandbox"},
        "reason": "Testing moved to the staging workspace",
    }
    t.add((6, 3, "11:45"), BETH, "workspace_deletion_request", sandbox)
    # Three weeks ago, working from home, Ciaran halves the idle timeout: "who changed the security settings
    # last month, and from which IP?" has an answer in the last 30 days. This is what Security shows today.
    timeout = {
        "before": security_settings(session_timeout_minutes=8 * 60, require_two_factor=False),
        "after": security_settings(session_timeout_minutes=4 * 60, require_two_factor=False),
    }
    t.add((3, 2, "16:12"), CIARAN, "security_settings_change", timeout, ip=CIARAN.ips[1])


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
