"""A year of Acme's activity as events, ready to record: the story, the machines' routine, and everyday work.

The mix: `story` (one-off changes and the two bursts), `routine` (API tokens and the system, about 2%),
`sessions` (logins and logouts, about 35%), then one entry of every catalog type not yet covered, then everyday
work drawn by weight until there are exactly `events` entries. Everyday work happens in working hours, by the
teammates whose role does that work, while they were at Acme. Last, `continuity` chains the values of the
same setting or campaign through the year.

Invariants: the same `seed`, `events` and `now_us` give the same drafts in the same order (one
`random.Random(seed)` drives every choice); every draft lies within [now - window, now]; every catalog type
appears at least once.
"""

from __future__ import annotations

import random
from itertools import accumulate

from activitylog.catalog import REGISTRY
from activitylog.demo import story
from activitylog.demo.calendar import Calendar, Moment
from activitylog.demo.continuity import make_continuous
from activitylog.demo.metadata import FOLLOW_UPS, build
from activitylog.demo.people import BETH, CAST, Person
from activitylog.demo.routine import routine
from activitylog.demo.scene import Draft, Scene
from activitylog.demo.sessions import Places, Sessions
from activitylog.timeutil import MICROS, from_us

DEFAULT_EVENTS = 20_000
MIN_EVENTS = 500  # the story and one entry per type need about 300
TIMEZONE = "Europe/Dublin"

# How often each kind of everyday work happens, relative to the others. Types not listed happen rarely
# (DEFAULT_WEIGHT); sessions and what the story tells (renaming the workspace...) never happen by chance.
WEIGHTS: dict[str, float] = {
    "inbox_bulk_action": 15,
    "admin_occupancy_state_change": 15,
    "admin_away_mode_change": 12,
    "article_content_updated": 8,
    "article_content_published": 5,
    "conversation_pdf_export": 5,
    "conversation_part_deletion": 4,
    "macro_update": 4,
    "admin_login_failure": 3,
    "data_export_run": 3,
    "article_content_created": 3,
    "series_update": 2,
    "app_data_export": 2,
    "message_state_change": 1,
    "csv_import_creation": 1,
    "macro_usage_export": 1,
    "conversation_topic_change": 1,
    "series_settings_update": 1,
    "campaign_state_change": 0.8,
    "ruleset_live_status_change": 0.8,
    "app_team_membership_modification": 0.6,
    "series_status_change": 0.6,
    "admin_permission_change": 0.5,
    "admin_password_reset_request": 0.5,
    "admin_unauthorized_sign_in_method": 0.5,
    "ruleset_activation_title_preview": 0.5,
    "seat_change": 0.5,
    "inbox_access_change": 0.5,
    "email_signature_change": 0.5,
    "admin_avatar_change": 0.5,
    "team_assignment_limit_change": 0.5,
    "admin_assignment_limit_change": 0.4,
    "admin_impersonation_start": 0.4,
    "recovery_code_sent": 0.4,
    "admin_conversation_assignment_limit_change": 0.3,
    "admin_ticket_assignment_limit_change": 0.3,
    "welcome_message_change": 0.3,
}
DEFAULT_WEIGHT = 0.05  # a setting changed two or three times a year
LOGIN_SHARE = 0.3  # of all entries: logins, drawn as working days by `sessions` (their logouts come on top)
NOT_BY_CHANCE = frozenset(
    {
        "admin_login_success",
        "admin_logout",
        "admin_two_factor_auth_change",  # everyone turned it on after the failed-login streak
        # Things are created and deleted once: a second "created the macro Invoice copy" would read wrong.
        "article_created",
        "article_deleted",
        "app_webhook_creation",
        "app_webhook_deletion",
        "campaign_deletion",
        "content_redaction_rule_creation",
        "content_redaction_rule_deletion",
        "conversation_topic_creation",
        "conversation_topic_deletion",
        "custom_authentication_token_creation",
        "data_export_created",
        "macro_creation",
        "macro_deletion",
        "message_deletion",
        "messenger_api_secret_creation",
        "messenger_api_secret_deletion",
        "ruleset_creation",
        "ruleset_deletion",
        "series_creation",
        "series_deletion",
        "app_name_change",
        "app_timezone_change",
        "customer_facing_name_change",
        "app_google_sso_domain_change",
        "app_authentication_method_change",
        "app_outbound_address_change",
        "workspace_deletion_request",
        "billing_contact_change",
        "api_token_creation",
        "api_token_revocation",
        "role_creation",
        "role_deletion",
        "app_team_creation",
        "app_team_deletion",
        "admin_deletion",
        "admin_provisioned",
        "admin_deprovisioned",
        "app_admin_join",
        "admin_invite_creation",
        "admin_invite_change",
        "admin_invite_deletion",
        "security_settings_change",
        "app_data_retention_change",
        "seat_revoke",
        "temporary_expectation_change",
        "conversation_deletion_schedule_creation",
        "conversation_deletion_schedule_deletion",
        "conversation_deletion_schedule_state_change",
        "conversation_deletion_schedule_update",
    }
)

# Who does what: the areas of work of `Person.areas`, by category, and where a type differs from its category.
AREAS_BY_CATEGORY: dict[str, frozenset[str]] = {
    "Apps and integrations": frozenset({"dev", "admin"}),
    "Articles": frozenset({"content"}),
    "Billing": frozenset({"finance", "admin"}),
    "Conversations": frozenset({"support", "lead"}),
    "Data": frozenset({"admin", "sales", "finance", "dev", "marketing"}),
    "Messenger": frozenset({"content", "lead", "admin"}),
    "Outbound": frozenset({"marketing", "sales"}),
    "Roles and permissions": frozenset({"admin"}),
    "Security": frozenset({"admin"}),
    "Teammates": frozenset({"admin", "lead"}),
    "Workspace": frozenset({"admin", "lead"}),
}
_SELF = frozenset({"self"})
AREAS_BY_TYPE: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        (
            "admin_login_success",
            "admin_login_failure",
            "admin_logout",
            "admin_two_factor_auth_change",
            "recovery_code_sent",
            "admin_password_reset_request",
            "admin_unauthorized_sign_in_method",
            "admin_away_mode_change",
            "email_signature_change",
            "admin_avatar_change",
        ),
        _SELF,
    ),
    "admin_occupancy_state_change": frozenset({"support", "lead"}),
    # Conversation settings are the support lead's (and admins'); the daily work is everyone's in support.
    **dict.fromkeys(
        (
            "attach_uploads_inline_setting_change",
            "hide_csat_from_agents_setting_change",
            "inbound_conversations_change",
            "teammate_gifs_setting_change",
            "unassign_unsnoozed_at_capacity_setting_change",
            "unassign_unsnoozed_when_away_setting_change",
            "conversation_topic_creation",
            "conversation_topic_change",
            "conversation_topic_deletion",
            "macro_deletion",
        ),
        frozenset({"lead", "admin"}),
    ),
    "admin_impersonation_consent_approved": frozenset({"admin"}),
    "admin_impersonation_consent_revoked": frozenset({"admin"}),
    "data_export_run": frozenset({"admin"}),  # downloading the log needs its permission
    "macro_usage_export": frozenset({"lead"}),
    "csv_import_creation": frozenset({"sales", "marketing"}),
    "app_data_export": frozenset({"sales", "marketing", "dev"}),
}
# Types that only make sense after the workspace stopped accepting recovery codes.
AFTER_CODES_OFF = frozenset({"admin_unauthorized_sign_in_method"})


class Generator:
    def __init__(self, *, events: int, seed: int, now_us: int, window_days: int, timezone: str = TIMEZONE) -> None:
        if events < MIN_EVENTS:
            raise ValueError(f"the demo needs at least {MIN_EVENTS} events to tell its story, not {events}")
        self.events = events
        self.rng = random.Random(seed)  # noqa: S311 - reproducible, not secret
        self.calendar = Calendar(now_us, timezone, window_days)
        self.scale = events / DEFAULT_EVENTS
        self.authenticator_us = self.calendar.at(*story.RECOVERY_CODES_OFF).us
        codes = [code for code in REGISTRY.codes() if code not in NOT_BY_CHANCE]
        self._codes = codes
        self._totals = list(accumulate(WEIGHTS.get(code, DEFAULT_WEIGHT) for code in codes))
        self.places = Places(self.rng)
        self._fitting: dict[tuple[str, int], tuple[list[Person], list[float]]] = {}

    def drafts(self) -> list[Draft]:
        drafts = story.tell(self.calendar, self.rng, self.scale)
        drafts += routine(self.calendar, self.rng, self.events)
        room = self.events - len(drafts) - len(REGISTRY)  # keep room for one entry of each type
        logins = min(round(self.events * LOGIN_SHARE), int(room * 0.6))
        sessions = Sessions(
            self.calendar, self.rng, self.places, scale=self.scale, authenticator_us=self.authenticator_us
        )
        drafts += sessions.drafts(logins)
        covered = {draft.code for draft in drafts}
        following = {follow_up.code for follow_up in FOLLOW_UPS.values()}
        for first_pass in (True, False):
            # Follow-ups come with the action they follow; the second pass catches one that did not happen.
            for code in REGISTRY.codes():
                if code not in covered and not (first_pass and code in following):
                    new = self.act(code)
                    drafts += new
                    covered.update(draft.code for draft in new)
        while len(drafts) < self.events:
            code = self.rng.choices(self._codes, cum_weights=self._totals)[0]
            if code in FOLLOW_UPS and self.events - len(drafts) < 2:
                code = "admin_away_mode_change"  # room for one entry only
            drafts += self.act(code)
        if len(drafts) > self.events:
            raise ValueError(f"the story alone needs more than {self.events} events")
        drafts.sort(key=lambda draft: draft.us)
        make_continuous(drafts)
        return drafts

    # Everyday work -----------------------------------------------------------------------------------

    def act(self, code: str) -> list[Draft]:
        """One piece of everyday work of type `code` (two with its follow-up), by a fitting teammate."""
        actor, moment = self._when_and_who(code)
        scene = Scene(self.rng, actor, moment, self.calendar, self.scale, moment.us >= self.authenticator_us)
        metadata = build(code, scene)
        local = from_us(moment.us).astimezone(self.calendar.zone)
        ip = self.places.ip(actor, moment.week, local.weekday())
        drafts = [Draft(code, actor, moment.us, metadata, ip, actor.user_agent)]
        follow_up = FOLLOW_UPS.get(code)
        planned = follow_up.plan(scene, metadata) if follow_up is not None else None
        if follow_up is not None and planned is not None:
            later = moment.us + int(planned[0] * MICROS)
            if later <= self.calendar.now_us:
                drafts.append(Draft(follow_up.code, actor, later, planned[1], ip, actor.user_agent))
        return drafts

    def _when_and_who(self, code: str) -> tuple[Person, Moment]:
        calendar = self.calendar
        weeks = self._weeks_for(code)
        candidate: tuple[Person, Moment] | None = None
        for _ in range(50):
            week = calendar.draw_week(self.rng, weeks)
            weekday, seconds = calendar.draw_work_time(self.rng)
            moment = calendar.place(week, weekday, seconds)
            actor = self._actor_for(code, moment.week)
            candidate = (actor, moment)
            if code in AFTER_CODES_OFF and moment.us < self.authenticator_us:
                continue
            if calendar.is_holiday(moment.us) and self.rng.random() < 0.85:
                continue
            if actor.active_in(moment.week):
                return candidate
        assert candidate is not None
        return candidate

    def _weeks_for(self, code: str) -> tuple[int, int] | None:
        if code in AFTER_CODES_OFF:
            return (0, story.RECOVERY_CODES_OFF[0])
        return None

    def _actor_for(self, code: str, week: int) -> Person:
        key = (code, week)
        if key not in self._fitting:  # the same few hundred combinations come back thousands of times
            activity_type = REGISTRY[code]
            areas = AREAS_BY_TYPE.get(code) or AREAS_BY_CATEGORY.get(activity_type.category, frozenset({"admin"}))
            people = [person for person in CAST if person.areas & areas and person.active_in(week)] or [BETH]
            self._fitting[key] = (people, list(accumulate(person.busy for person in people)))
        people, totals = self._fitting[key]
        chosen: Person = self.rng.choices(people, cum_weights=totals)[0]
        return chosen


def generate(*, events: int, seed: int, now_us: int, window_days: int, timezone: str = TIMEZONE) -> list[Draft]:
    """The demo's entries, oldest first."""
    return Generator(events=events, seed=seed, now_us=now_us, window_days=window_days, timezone=timezone).drafts()
