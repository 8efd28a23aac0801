"""The catalog is complete, consistent and readable: every type renders its example into a proper sentence."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import fastjsonschema
import pytest

from activitylog.catalog import REGISTRY, ActivityType, DuplicateActivityType, Registry, render
from activitylog.catalog.render import render_segments

DATA = Path(__file__).parent.parent / "data"
REFERENCE = list(csv.DictReader((DATA / "activity-types.tsv").read_text("utf-8").splitlines(), delimiter="\t"))
INTERCOM_OTHER = (DATA / "intercom-api-other-activity-types.txt").read_text("utf-8").split()
OURS = ["api_token_creation", "api_token_revocation", "app_data_retention_change"]

PINNED_CODES = (
    "admin_assignment_limit_change",
    "admin_avatar_change",
    "admin_away_mode_change",
    "admin_conversation_assignment_limit_change",
    "admin_deletion",
    "admin_deprovisioned",
    "admin_impersonation_consent_approved",
    "admin_impersonation_consent_revoked",
    "admin_impersonation_end",
    "admin_impersonation_start",
    "admin_invite_change",
    "admin_invite_creation",
    "admin_invite_deletion",
    "admin_login_failure",
    "admin_login_success",
    "admin_logout",
    "admin_occupancy_setting_change",
    "admin_occupancy_state_change",
    "admin_password_reset_request",
    "admin_password_reset_success",
    "admin_permission_change",
    "admin_provisioned",
    "admin_ticket_assignment_limit_change",
    "admin_two_factor_auth_change",
    "admin_unauthorized_sign_in_method",
    "allowed_attachment_filetypes_setting_change",
    "api_token_creation",
    "api_token_revocation",
    "app_admin_join",
    "app_authentication_method_change",
    "app_data_deletion",
    "app_data_export",
    "app_data_retention_change",
    "app_google_sso_domain_change",
    "app_identity_verification_change",
    "app_name_change",
    "app_outbound_address_change",
    "app_package_installation",
    "app_package_token_regeneration",
    "app_package_uninstallation",
    "app_team_creation",
    "app_team_deletion",
    "app_team_membership_modification",
    "app_timezone_change",
    "app_webhook_creation",
    "app_webhook_deletion",
    "article_content_created",
    "article_content_deleted",
    "article_content_published",
    "article_content_unpublished",
    "article_content_updated",
    "article_created",
    "article_deleted",
    "articles_in_messenger_enabled_change",
    "attach_uploads_inline_setting_change",
    "automatic_away_mode_setting_change",
    "billing_contact_change",
    "bulk_delete",
    "bulk_export",
    "campaign_deletion",
    "campaign_state_change",
    "content_redaction_rule_creation",
    "content_redaction_rule_deletion",
    "content_redaction_rule_update",
    "conversation_deletion_schedule_creation",
    "conversation_deletion_schedule_deletion",
    "conversation_deletion_schedule_state_change",
    "conversation_deletion_schedule_update",
    "conversation_part_deletion",
    "conversation_pdf_export",
    "conversation_topic_change",
    "conversation_topic_creation",
    "conversation_topic_deletion",
    "csv_import_completion",
    "csv_import_creation",
    "custom_authentication_token_creation",
    "customer_facing_name_change",
    "data_export_created",
    "data_export_run",
    "email_signature_change",
    "help_center_settings_change",
    "hide_csat_from_agents_setting_change",
    "inbound_conversations_change",
    "inbox_access_change",
    "inbox_bulk_action",
    "macro_creation",
    "macro_deletion",
    "macro_update",
    "macro_usage_export",
    "malicious_domains_setting_change",
    "message_deletion",
    "message_state_change",
    "messenger_api_secret_creation",
    "messenger_api_secret_deletion",
    "messenger_look_and_feel_change",
    "messenger_search_required_change",
    "messenger_spaces_change",
    "oauth_token_revocation",
    "office_hours_change",
    "recovery_code_sent",
    "role_change",
    "role_creation",
    "role_deletion",
    "ruleset_activation_title_preview",
    "ruleset_creation",
    "ruleset_deletion",
    "ruleset_live_status_change",
    "search_browse_enabled_change",
    "search_browse_required_change",
    "seat_change",
    "seat_revoke",
    "security_settings_change",
    "series_creation",
    "series_deletion",
    "series_settings_update",
    "series_status_change",
    "series_update",
    "strip_inbound_email_links_change",
    "team_assignment_limit_change",
    "teammate_gifs_setting_change",
    "temporary_expectation_change",
    "trusted_domains_setting_change",
    "unassign_unsnoozed_at_capacity_setting_change",
    "unassign_unsnoozed_when_away_setting_change",
    "upfront_email_collection_change",
    "user_camera_attachments_setting_change",
    "user_conversation_attachments_setting_change",
    "user_file_attachments_setting_change",
    "user_gifs_setting_change",
    "user_media_attachments_setting_change",
    "user_voice_notes_setting_change",
    "welcome_message_change",
    "workspace_deletion_request",
)


def test_the_full_list_of_codes_is_pinned() -> None:
    assert sorted(REGISTRY.codes()) == list(PINNED_CODES)
    assert len(PINNED_CODES) == len(set(PINNED_CODES)) == len(REFERENCE) + len(INTERCOM_OTHER) + len(OURS)


def test_reference_rows_keep_their_label_category_and_source_exactly() -> None:
    for row in REFERENCE:
        activity_type = REGISTRY[row["code"]]
        assert (activity_type.label, activity_type.category, activity_type.source) == (
            row["label"],
            row["category"],
            row["code_source"],
        )


def test_every_intercom_code_is_accepted_and_described() -> None:
    categories = {row["category"] for row in REFERENCE}
    for code in INTERCOM_OTHER:
        activity_type = REGISTRY[code]
        assert activity_type.source == "intercom-other"
        assert activity_type.category in categories
        assert activity_type.label[0].isupper()
        assert "_" not in activity_type.label


def test_labels_are_unique() -> None:
    labels = [t.label.lower() for t in REGISTRY]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize("activity_type", list(REGISTRY), ids=lambda t: t.code)
def test_example_satisfies_schema_and_renders_a_sentence(activity_type: ActivityType) -> None:
    fastjsonschema.compile(dict(activity_type.schema))(dict(activity_type.example))
    sentence = render(activity_type, activity_type.code, "Beth-Ann Sher", activity_type.example)
    assert sentence.startswith("Beth-Ann Sher ")
    assert sentence.endswith((".", ".)"))
    assert not sentence.endswith("..")
    assert "“" not in sentence, f"fell back to the plain sentence: {sentence}"
    assert "{" not in sentence
    assert "  " not in sentence
    assert "None" not in sentence
    assert not re.search(r"\b1 \w+s\b", sentence.replace("1 of", "")), sentence  # "1 members"


def test_masked_keys_are_declared_in_the_schema() -> None:
    for activity_type in REGISTRY:
        properties = activity_type.schema.get("properties", {})
        for key in activity_type.masked:
            assert key in properties, (activity_type.code, key)


def test_the_actor_is_its_own_segment_for_emphasis() -> None:
    app_name = REGISTRY["app_name_change"]
    segments = render_segments(app_name, app_name.code, "<b>Eve</b>", app_name.example)
    assert segments[0].kind == "actor"
    assert segments[0].text == "<b>Eve</b>"
    assert all(s.kind == "text" for s in segments[1:])


def test_missing_metadata_degrades_to_a_plain_sentence() -> None:
    app_name = REGISTRY["app_name_change"]
    assert render(app_name, app_name.code, "Ciaran Lee", {}) == "Ciaran Lee performed “Workspace name change”."
    assert render(None, "brand_new_code", "Ciaran Lee", {}) == "Ciaran Lee performed “brand new code”."


def test_values_render_as_words() -> None:
    team = REGISTRY["app_team_creation"]
    assert render(team, team.code, "X", {"team": {"name": "test", "member_count": 1}}) == (
        "X created a new team, test, with 1 member."
    )
    assert render(team, team.code, "X", {"team": {"name": "test", "member_count": 3}}).endswith("3 members.")


def test_a_code_registered_twice_fails() -> None:
    registry = Registry()
    registry.register(REGISTRY["app_name_change"])
    with pytest.raises(DuplicateActivityType):
        registry.register(REGISTRY["app_name_change"])


def test_categories_group_every_type() -> None:
    grouped = REGISTRY.categories()
    assert sum(len(types) for types in grouped.values()) == len(REGISTRY)
    assert list(grouped) == sorted(grouped)


OLD_SECURITY_SHAPES = (
    # The demo's, before issue 17 bug 6: hours, and other names.
    (
        {
            "before": {"require_two_factor_auth": False, "session_timeout_hours": 24},
            "after": {"require_two_factor_auth": True, "session_timeout_hours": 8},
        },
        " changed two-factor authentication from not required to required and the session timeout from 1 day to"
        " 8 hours.",
    ),
    # The command line's retention change, before it had a type of its own.
    (
        {"before": {"retention_days": 365}, "after": {"retention_days": 90}},
        " changed the retention period from 365 days to 90 days.",
    ),
)


@pytest.mark.parametrize(("metadata", "said"), OLD_SECURITY_SHAPES, ids=("hours", "retention"))
def test_old_security_settings_entries_stay_valid_and_render(metadata: dict[str, object], said: str) -> None:
    """Entries already in users' databases keep their data: still accepted (an import of an old log), and
    rendered as the proper sentence, saying what changed in the old names' units, not the fallback."""
    security = REGISTRY["security_settings_change"]
    fastjsonschema.compile(dict(security.schema))(metadata)
    assert render(security, security.code, "Ciaran Lee", metadata) == "Ciaran Lee" + said
    segments = render_segments(security, security.code, "Ciaran Lee", metadata)
    assert [segment.kind for segment in segments][:2] == ["actor", "text"]
    assert "".join(segment.text for segment in segments[1:]) == said


_MIN, _2FA = "session_timeout_minutes", "require_two_factor"


@pytest.mark.parametrize(
    ("before", "after", "said"),
    [
        ({_MIN: 60}, {_MIN: 240}, "the session timeout from 1 hour to 4 hours"),
        ({_MIN: 90}, {_MIN: 1440}, "the session timeout from 90 minutes to 1 day"),
        ({_2FA: True}, {_2FA: False}, "two-factor authentication from required to not required"),
        # Unchanged fields are not said.
        ({_MIN: 60, _2FA: True}, {_MIN: 60, _2FA: False}, "two-factor authentication from required to not required"),
        # A changed field the vocabulary cannot say, or a value of the wrong kind: the plain sentence.
        ({_MIN: 60, "colour": "red"}, {_MIN: 30, "colour": "blue"}, "the security settings"),
        ({_MIN: "soon"}, {_MIN: 30}, "the security settings"),
        ({_MIN: 60}, {_MIN: 60}, "the security settings"),
    ],
)
def test_a_security_change_says_what_changed_in_human_units(before: dict, after: dict, said: str) -> None:
    security = REGISTRY["security_settings_change"]
    metadata = {"before": before, "after": after}
    assert render(security, security.code, "Ada", metadata) == f"Ada changed {said}."


_SETTINGS, _TEAM = "can_access_general_and_security_settings", "can_manage_teammates_seats_and_permissions"


@pytest.mark.parametrize(
    ("code", "metadata", "said"),
    [
        (
            "admin_permission_change",
            {"admin": {"name": "Sam"}, "before": {"role": "Support", _SETTINGS: False, _TEAM: False},
             "after": {"role": "Admin", _SETTINGS: True, _TEAM: True}},
            "Ada changed Sam's permissions: role from Support to Admin; now can access general and security "
            "settings and can manage teammates, seats and permissions.",
        ),
        (
            "admin_permission_change",
            {"admin": {"name": "Sam"}, "before": {"role": None, _SETTINGS: True, _TEAM: False},
             "after": {"role": None, _SETTINGS: False, _TEAM: True}},
            "Ada changed Sam's permissions: now can manage teammates, seats and permissions; no longer can access "
            "general and security settings.",
        ),
        # A permission another product names (Intercom's own export right) is said from its key.
        (
            "admin_permission_change",
            {"admin": {"name": "Sam"}, "before": {"role": "Support", "can_export_data": False},
             "after": {"role": "Admin", "can_export_data": True}},
            "Ada changed Sam's permissions: role from Support to Admin; now can export data.",
        ),
        # A field it cannot say, or a flag that is not a flag: the sentence's head alone.
        ("admin_permission_change", {"admin": {"name": "Sam"}, "before": {"seat": 1}, "after": {"seat": 2}},
         "Ada changed Sam's permissions."),
        ("admin_permission_change", {"admin": {"name": "Sam"}, "before": {_TEAM: "no"}, "after": {_TEAM: True}},
         "Ada changed Sam's permissions."),
        (
            "role_change",
            {"role": {"name": "Support desk"}, "before": {"name": "Support", _SETTINGS: True},
             "after": {"name": "Support desk", _SETTINGS: False}},
            "Ada changed the permissions of the role Support desk (renamed from Support): no longer can access "
            "general and security settings.",
        ),
        (
            "app_authentication_method_change",
            {"before": {"email_and_password": True, "recovery_codes": True},
             "after": {"email_and_password": True, "recovery_codes": False}},
            "Ada changed the workspace's authentication methods: no longer allows recovery codes instead of the "
            "authenticator app.",
        ),
        # Intercom's own methods (Google, SAML) are not this server's: the plain sentence.
        ("app_authentication_method_change", {"before": {"saml_sso": False}, "after": {"saml_sso": True}},
         "Ada changed the workspace's authentication methods."),
    ],
)  # fmt: skip
def test_access_changes_say_what_they_granted(code: str, metadata: dict, said: str) -> None:
    assert render(REGISTRY[code], code, "Ada", metadata) == said


def test_a_permission_s_value_is_granted_or_not_in_tables_too() -> None:
    from activitylog.catalog import fields

    assert fields.say(_SETTINGS, True, str) == "granted"
    assert fields.say("can_export_data", False, str) == "not granted"  # another product's permission
    assert fields.label("can_export_data") == "Can export data"
    assert fields.say("can_export_data", "sometimes", str) == "sometimes"  # not a flag: said as it is


def test_security_settings_values_are_typed() -> None:
    """The shape is open to old keys, not to wrong types of its own: a timeout is whole minutes."""
    validate = fastjsonschema.compile(dict(REGISTRY["security_settings_change"].schema))
    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        validate({"before": {"session_timeout_minutes": "1 hour"}, "after": {"session_timeout_minutes": 60}})
    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        validate({"before": {"require_two_factor": "yes"}, "after": {"require_two_factor": True}})


def test_an_optional_part_is_left_out_when_its_value_is() -> None:
    export = REGISTRY["data_export_run"]
    assert render(export, export.code, "Ciaran Lee", {"rows": 2, "scope": "since 1 Jan 2026"}) == (
        "Ciaran Lee downloaded 2 entries of activity as CSV (since 1 Jan 2026)."
    )
    # Entries recorded before `scope` existed keep their sentence, not the label's fallback.
    assert render(export, export.code, "Ciaran Lee", {"rows": 1, "filters": {}}) == (
        "Ciaran Lee downloaded 1 entry of activity as CSV."
    )


def test_a_name_that_only_repeats_its_noun_is_said_once() -> None:
    revoked = REGISTRY["api_token_revocation"]
    assert render(revoked, revoked.code, "X", {"token": {"id": "t", "name": "Demo token"}}) == (
        "X revoked the API token Demo token."
    )
    assert render(revoked, revoked.code, "X", {"token": {"id": "t", "name": "API Token"}}) == "X revoked the API token."
    # One word is never dropped: a workspace renamed "to" keeps it.
    renamed = REGISTRY["app_name_change"]
    assert render(renamed, renamed.code, "X", {"before": "from", "after": "to"}) == (
        "X changed the workspace name from from to to."
    )
