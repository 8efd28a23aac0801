"""Metadata builders for what teammates do about people and access: security, teammates, roles, billing and
the workspace's own settings. One-off changes (the workspace's name, its time zone, who was removed) are told
by `story` instead, once, in order.
"""

from __future__ import annotations

from datetime import timedelta

from activitylog.catalog.security import security_settings
from activitylog.demo import things
from activitylog.demo.builders import Builders, Metadata
from activitylog.demo.scene import Scene
from activitylog.domain.accounts import (
    AUTHENTICATOR_SIGN_IN,
    PASSWORD_SIGN_IN,
    RECOVERY_CODE_SIGN_IN,
    SESSION_TIMEOUTS_MINUTES,
)
from activitylog.timeutil import from_us

PEOPLE = Builders()
SUPPORT_ROLES = ("Support", "Support lead")
# Why a session ended, in the console's words (`accounts.signin`).
SIGNED_OUT = "signed out from the web app"
TIMED_OUT = "session timed out after inactivity"

# Security ------------------------------------------------------------------------------------------------


# Sign-ins use only the ways in the console offers (`domain.accounts.LOGGED_SIGN_IN_METHODS`), named as the
# console names them: a password, then the authenticator app once recovery codes are no longer accepted.


@PEOPLE.builds("admin_login_success")
def login(scene: Scene) -> Metadata:
    return {"sign_in_method": AUTHENTICATOR_SIGN_IN if scene.authenticator_only else PASSWORD_SIGN_IN}


@PEOPLE.builds("admin_login_failure")
def login_failure(scene: Scene) -> Metadata:
    """The console checks the password first, so every failure is logged against it, with what went wrong."""
    if scene.authenticator_only:
        reason = scene.pick(("wrong password", "wrong two-factor code", "recovery codes are not allowed"))
        return {"sign_in_method": PASSWORD_SIGN_IN, "reason": reason}
    return {"sign_in_method": PASSWORD_SIGN_IN, "reason": "wrong password"}


@PEOPLE.builds("admin_logout")
def logout(scene: Scene) -> Metadata:
    return {"reason": SIGNED_OUT if scene.flag(0.6) else TIMED_OUT}


@PEOPLE.follows("admin_login_failure", "admin_login_success")
def login_after_failure(scene: Scene, first: Metadata) -> tuple[float, Metadata] | None:
    """A teammate who mistyped tries again and gets in, a moment later, from the same place."""
    if scene.rng.random() < 0.9:
        return scene.rng.uniform(15, 150), login(scene)
    return None


@PEOPLE.builds("admin_two_factor_auth_change")
def two_factor(scene: Scene) -> Metadata:
    return {"enabled": scene.flag(0.85), "method": scene.pick(("authenticator app", "authenticator app", "SMS"))}


@PEOPLE.builds("recovery_code_sent")
def recovery_code(scene: Scene) -> Metadata:
    email = scene.actor.email if scene.actor else "security@acme.test"
    if scene.flag(0.7):
        return {"channel": "email", "destination": f"{email[0]}•••@acme.test"}
    return {"channel": "SMS", "destination": f"+353 •• ••• ••{scene.rng.randrange(10, 99)}"}


@PEOPLE.builds("admin_password_reset_request")
def password_reset_request(scene: Scene) -> Metadata:
    return {"email": scene.actor.email if scene.actor else "beth-ann@acme.test"}


@PEOPLE.follows("admin_password_reset_request", "admin_password_reset_success")
def password_reset_success(scene: Scene, first: Metadata) -> tuple[float, Metadata] | None:
    return scene.rng.uniform(60, 600), {}


@PEOPLE.builds("admin_unauthorized_sign_in_method")
def unauthorized_sign_in(scene: Scene) -> Metadata:
    """Only after the workspace stopped accepting recovery codes (`generator.AFTER_CODES_OFF`)."""
    return {"sign_in_method": RECOVERY_CODE_SIGN_IN}


@PEOPLE.builds("app_identity_verification_change")
def identity_verification(scene: Scene) -> Metadata:
    return {"enabled": scene.flag(0.8), "platform": scene.pick(("web", "iOS", "Android"))}


@PEOPLE.builds("allowed_attachment_filetypes_setting_change")
def attachment_types(scene: Scene) -> Metadata:
    before = ["pdf", "png", "jpg", *scene.rng.sample(["csv", "docx", "xlsx"], scene.rng.randrange(0, 3))]
    extra = scene.pick([t for t in ("csv", "docx", "xlsx", "heic", "zip") if t not in before])
    return {"before": before, "after": [*before, extra]}


@PEOPLE.builds("content_redaction_rule_creation", "content_redaction_rule_deletion")
def redaction_rule(scene: Scene) -> Metadata:
    return {"rule": dict(scene.pick(things.REDACTION_RULES))}


@PEOPLE.builds("content_redaction_rule_update")
def redaction_rule_update(scene: Scene) -> Metadata:
    before = ["conversations"] if scene.flag(0.5) else ["conversations", "tickets"]
    after = ["conversations", "tickets", "notes"] if len(before) == 2 else ["conversations", "tickets"]
    return {
        "rule": dict(scene.pick(things.REDACTION_RULES)),
        "before": {"applies_to": before},
        "after": {"applies_to": after},
    }


@PEOPLE.builds("messenger_api_secret_creation", "messenger_api_secret_deletion")
def messenger_secret(scene: Scene) -> Metadata:
    return {"id": f"mas_{scene.rng.randrange(3, 12)}", "last_four": f"{scene.rng.getrandbits(16):04x}"}


@PEOPLE.builds("trusted_domains_setting_change")
def trusted_domains(scene: Scene) -> Metadata:
    before = ["acme.test"] + (["app.acme.test"] if scene.flag(0.5) else [])
    extra = scene.pick([d for d in ("app.acme.test", "status.acme.test", "partners.acme.test") if d not in before])
    return {"before": before, "after": [*before, extra]}


@PEOPLE.builds("security_settings_change")
def security_change(scene: Scene) -> Metadata:
    """Only when the story does not tell one (it does: see `story`), in the Security page's own shape."""
    before, after = scene.rng.sample(SESSION_TIMEOUTS_MINUTES, 2)
    return {
        "before": security_settings(session_timeout_minutes=before, require_two_factor=False),
        "after": security_settings(session_timeout_minutes=after, require_two_factor=False),
    }


# Teammates -----------------------------------------------------------------------------------------------


@PEOPLE.builds("admin_away_mode_change")
def away_mode(scene: Scene) -> Metadata:
    """Away with a reason; `continuity` alternates away and back, and clears the reason on the way back."""
    reason = scene.pick(things.AWAY_REASONS)
    return {
        "away_mode": scene.flag(0.55),
        "away_status_reason": reason,
        "reassign_conversations": reason in ("On holiday", "Off sick", "Done for the day"),
        "source": "admin update from web",
        "auto_changed": False,
    }


@PEOPLE.builds("admin_assignment_limit_change")
def assignment_limit(scene: Scene) -> Metadata:
    before = scene.rng.randrange(10, 30, 5)
    after = before + scene.pick((-5, 5))
    return {"admin": scene.colleague_ref(*SUPPORT_ROLES), "before": before, "after": after}


@PEOPLE.builds("admin_conversation_assignment_limit_change")
def conversation_limit(scene: Scene) -> Metadata:
    limit = scene.rng.randrange(5, 35, 5)
    return {"admin": scene.colleague_ref(*SUPPORT_ROLES), "conversation_assignment_limit": limit}


@PEOPLE.builds("admin_ticket_assignment_limit_change")
def ticket_limit(scene: Scene) -> Metadata:
    limit = scene.rng.randrange(10, 45, 5)
    return {"admin": scene.colleague_ref(*SUPPORT_ROLES), "ticket_assignment_limit": limit}


@PEOPLE.builds("admin_avatar_change")
def avatar(scene: Scene) -> Metadata:
    who = scene.actor.id if scene.actor else "tm"
    version = scene.rng.randrange(1, 6)
    return {
        "before": f"https://cdn.acme.test/avatars/{who}-{version}.png",
        "after": f"https://cdn.acme.test/avatars/{who}-{version + 1}.png",
    }


@PEOPLE.builds("email_signature_change")
def signature(scene: Scene) -> Metadata:
    actor = scene.actor
    if actor is None:
        return {"before": None, "after": "The Acme team"}
    first = actor.name.split()[0]
    return {"before": f"{first}, Acme", "after": f"{actor.name}\n{actor.role}, Acme\nacme.test"}


@PEOPLE.builds("inbox_access_change")
def inbox_access(scene: Scene) -> Metadata:
    return {"admin": scene.colleague_ref(admins=False), "enabled": scene.flag(0.7)}


@PEOPLE.builds("admin_impersonation_start")
def impersonation_start(scene: Scene) -> Metadata:
    return {
        "admin": scene.colleague_ref(*SUPPORT_ROLES),
        "reason": scene.pick(things.IMPERSONATION_REASONS),
        "consent_id": scene.rng.randrange(140000, 160000),
    }


@PEOPLE.follows("admin_impersonation_start", "admin_impersonation_end")
def impersonation_end(scene: Scene, first: Metadata) -> tuple[float, Metadata] | None:
    duration = scene.rng.randrange(240, 2400)
    return duration, {"admin": first["admin"], "duration_seconds": duration, "consent_id": first["consent_id"]}


@PEOPLE.builds("admin_impersonation_end")
def impersonation_end_alone(scene: Scene) -> Metadata:
    planned = impersonation_end(scene, impersonation_start(scene))
    assert planned is not None
    return planned[1]


@PEOPLE.builds("admin_impersonation_consent_approved")
def consent_approved(scene: Scene) -> Metadata:
    expires = from_us(scene.moment.us) + timedelta(days=7)
    return {"consent_id": scene.rng.randrange(140000, 160000), "expired_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}


@PEOPLE.builds("admin_impersonation_consent_revoked")
def consent_revoked(scene: Scene) -> Metadata:
    return {"consent_id": scene.rng.randrange(140000, 160000)}


@PEOPLE.builds("admin_occupancy_setting_change")
def occupancy_setting(scene: Scene) -> Metadata:
    before, after = scene.changed(10, 30, 5)
    return {"before": {"threshold_minutes": before}, "after": {"threshold_minutes": after}}


@PEOPLE.builds("admin_occupancy_state_change")
def occupancy_state(scene: Scene) -> Metadata:
    previous, new = ("occupied", "idle") if scene.flag(0.6) else ("idle", "occupied")
    threshold = 15
    return {
        "previous_state": previous,
        "new_state": new,
        "threshold_minutes": threshold,
        "last_activity_at": scene.moment.us // 1_000_000 - threshold * 60,
        "auto": True,
    }


@PEOPLE.builds("automatic_away_mode_setting_change")
def automatic_away(scene: Scene) -> Metadata:
    return {"enabled": scene.flag(0.7), "mode": scene.pick(("when_away_only", "when_away_and_reassign"))}


# Roles, billing and the workspace ------------------------------------------------------------------------

_PERMISSION_FLAGS = ("can_export_data", "can_manage_teammates", "can_publish_articles", "can_send_outbound")


@PEOPLE.builds("admin_permission_change")
def permission_change(scene: Scene) -> Metadata:
    subject = scene.colleague(admins=False)
    flag = scene.pick(_PERMISSION_FLAGS)
    granted = scene.flag(0.6)
    return {
        "admin": subject.ref(),
        "before": {"role": subject.role, flag: not granted},
        "after": {"role": subject.role, flag: granted},
    }


@PEOPLE.builds("role_change")
def role_change(scene: Scene) -> Metadata:
    role = things.ROLES[scene.pick(("Support", "Support lead", "Content editor", "Marketing", "Sales", "Finance"))]
    flag = scene.pick(_PERMISSION_FLAGS)
    granted = scene.flag(0.6)
    return {"role": dict(role), "before": {flag: not granted}, "after": {flag: granted}}


@PEOPLE.builds("seat_change")
def seat_change(scene: Scene) -> Metadata:
    before, after = ("Lite", "Full") if scene.flag(0.7) else ("Full", "Lite")
    return {"admin": scene.colleague_ref(admins=False), "before": before, "after": after}


@PEOPLE.builds("seat_revoke")
def seat_revoke(scene: Scene) -> Metadata:
    return {"admin": scene.colleague_ref(), "seat": scene.pick(("Full", "Lite"))}


@PEOPLE.builds("app_team_membership_modification")
def team_membership(scene: Scene) -> Metadata:
    team = dict(things.TEAMS[scene.pick(("Support", "Billing", "Sales", "Product"))])
    team["member_count"] = scene.rng.randrange(2, 9)
    member = scene.colleague().ref()
    added, removed = ([member], []) if scene.flag(0.65) else ([], [member])
    return {"team": team, "added": added, "removed": removed}


@PEOPLE.builds("team_assignment_limit_change")
def team_limit(scene: Scene) -> Metadata:
    team = dict(things.TEAMS[scene.pick(("Support", "Billing", "Sales"))])
    return {"team": team, "team_assignment_limit": scene.rng.randrange(20, 90, 10)}


@PEOPLE.builds("office_hours_change")
def office_hours(scene: Scene) -> Metadata:
    weekdays = ("08:00-18:30", "09:00-17:30", "08:30-18:00")
    before = scene.pick(weekdays)
    after = scene.pick([hours for hours in weekdays if hours != before])
    extra = {"saturday": "10:00-14:00"} if scene.flag(0.3) else {}
    return {"before": {"monday_to_friday": before}, "after": {"monday_to_friday": after, **extra}}
