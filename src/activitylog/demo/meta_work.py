"""Metadata builders for the day-to-day work in the product: apps, articles, conversations, data, the Messenger
and outbound messages. Plain on/off settings need no builder (see `metadata.build`).
"""

from __future__ import annotations

from activitylog.demo import things
from activitylog.demo.builders import Builders, Metadata
from activitylog.demo.scene import Scene

WORK = Builders()

# Apps and integrations -----------------------------------------------------------------------------------


@WORK.builds("app_package_installation")
def app_install(scene: Scene) -> Metadata:
    scopes = sorted(scene.rng.sample(things.APP_SCOPES, scene.rng.randrange(1, 4)))
    return {"app": dict(scene.pick(things.APPS)), "scopes": scopes}


@WORK.builds("app_package_token_regeneration", "app_package_uninstallation", "oauth_token_revocation")
def app(scene: Scene) -> Metadata:
    return {"app": dict(scene.pick(things.APPS))}


@WORK.builds("app_webhook_creation")
def webhook_creation(scene: Scene) -> Metadata:
    topics = sorted(scene.rng.sample(things.WEBHOOK_TOPICS, scene.rng.randrange(1, 4)))
    return {"id": f"wh_{scene.rng.randrange(80, 140)}", "url": scene.pick(things.WEBHOOK_URLS), "topics": topics}


@WORK.builds("app_webhook_deletion")
def webhook_deletion(scene: Scene) -> Metadata:
    return {"id": f"wh_{scene.rng.randrange(40, 140)}", "url": scene.pick(things.WEBHOOK_URLS)}


@WORK.builds("custom_authentication_token_creation")
def custom_auth_token(scene: Scene) -> Metadata:
    return {"id": f"cat_{scene.rng.randrange(300, 420)}", "name": scene.pick(things.CUSTOM_AUTH_TOKENS)}


# Articles ------------------------------------------------------------------------------------------------


def _translation(scene: Scene) -> Metadata:
    language, locale = scene.pick(things.LANGUAGES[1:])
    return {"article": dict(scene.pick(things.ARTICLES)), "language": language, "locale": locale}


@WORK.builds("article_content_created", "article_content_deleted", "article_content_unpublished")
def article_translation(scene: Scene) -> Metadata:
    return _translation(scene)


@WORK.builds("article_content_published")
def article_published(scene: Scene) -> Metadata:
    if scene.flag(0.6):
        return {"article": dict(scene.pick(things.ARTICLES)), "language": "English", "locale": "en"}
    return _translation(scene)


@WORK.builds("article_content_updated")
def article_updated(scene: Scene) -> Metadata:
    metadata = (
        {"article": dict(scene.pick(things.ARTICLES)), "language": "English", "locale": "en"}
        if scene.flag(0.75)
        else _translation(scene)
    )
    words = scene.rng.randrange(300, 1500)
    metadata["before"] = {"word_count": words}
    metadata["after"] = {"word_count": words + scene.rng.randrange(-120, 260)}
    return metadata


@WORK.builds("article_created")
def article_created(scene: Scene) -> Metadata:
    return {"article": dict(scene.pick(things.NEW_ARTICLES)), "collection": dict(scene.pick(things.COLLECTIONS))}


@WORK.builds("article_deleted")
def article_deleted(scene: Scene) -> Metadata:
    return {"article": dict(scene.pick(things.OLD_ARTICLES))}


@WORK.builds("help_center_settings_change")
def help_center(scene: Scene) -> Metadata:
    setting = scene.pick(("show_search", "show_recent_articles", "require_sign_in", "show_language_menu"))
    value = scene.flag(0.6)
    return {"help_center": {"id": "3", "name": "Acme Help"}, "before": {setting: not value}, "after": {setting: value}}


# Conversations -------------------------------------------------------------------------------------------


def _conversation_id(scene: Scene) -> str:
    return str(184467440000 + scene.rng.randrange(1, 999999))


@WORK.builds("conversation_part_deletion")
def part_deletion(scene: Scene) -> Metadata:
    return {
        "conversation_id": _conversation_id(scene),
        "part_id": str(scene.rng.randrange(20000, 99999)),
        "part_type": scene.pick(("comment", "note", "note")),
    }


@WORK.builds("conversation_pdf_export")
def pdf_export(scene: Scene) -> Metadata:
    return {"conversation_id": _conversation_id(scene)}


def _topic(scene: Scene) -> tuple[dict[str, str], list[str]]:
    topic_id, name, keywords = scene.pick(things.TOPICS)
    return {"id": topic_id, "name": name}, list(keywords)


@WORK.builds("conversation_topic_creation")
def topic_creation(scene: Scene) -> Metadata:
    topic, keywords = _topic(scene)
    return {"topic": topic, "keywords": keywords}


@WORK.builds("conversation_topic_change")
def topic_change(scene: Scene) -> Metadata:
    topic, keywords = _topic(scene)
    extra = scene.pick(("urgent", "complaint", "follow up", "escalate"))
    return {"topic": topic, "before": {"keywords": keywords}, "after": {"keywords": [*keywords, extra]}}


@WORK.builds("conversation_topic_deletion")
def topic_deletion(scene: Scene) -> Metadata:
    topic_id, name = scene.pick(things.OLD_TOPICS)
    return {"topic": {"id": topic_id, "name": name}}


@WORK.builds("inbound_conversations_change")
def inbound_conversations(scene: Scene) -> Metadata:
    return {"enabled": scene.flag(0.6), "audience": scene.pick(("visitors", "users", "everyone"))}


@WORK.builds("inbox_bulk_action")
def bulk_action(scene: Scene) -> Metadata:
    return {"action": scene.pick(things.BULK_ACTIONS), "count": scene.count(2, 80)}


@WORK.builds("macro_creation")
def macro_creation(scene: Scene) -> Metadata:
    return {"macro": dict(scene.pick(things.MACROS)), "visible_to": scene.pick(("everyone", "specific_teams"))}


@WORK.builds("macro_deletion")
def macro_deletion(scene: Scene) -> Metadata:
    return {"macro": dict(scene.pick(things.OLD_MACROS))}


@WORK.builds("macro_update")
def macro_update(scene: Scene) -> Metadata:
    macro = dict(scene.pick(things.MACROS))
    if scene.flag(0.5):
        before, after = scene.pick((("everyone", "specific_teams"), ("specific_teams", "everyone")))
        return {"macro": macro, "before": {"visible_to": before}, "after": {"visible_to": after}}
    words = scene.rng.randrange(40, 200)
    return {
        "macro": macro,
        "before": {"word_count": words},
        "after": {"word_count": words + scene.rng.randrange(5, 60)},
    }


@WORK.builds("unassign_unsnoozed_when_away_setting_change")
def unassign_when_away(scene: Scene) -> Metadata:
    return {"enabled": scene.flag(0.7), "mode": scene.pick(("when_away_only", "when_away_and_reassign"))}


# Data ----------------------------------------------------------------------------------------------------


@WORK.builds("app_data_deletion")
def data_deletion(scene: Scene) -> Metadata:
    return {
        "object_type": scene.pick(("archived leads", "inactive leads", "spam conversations")),
        "count": scene.count(40, 3000),
    }


@WORK.builds("app_data_export")
def data_export(scene: Scene) -> Metadata:
    return {"object_type": scene.pick(things.EXPORT_OBJECTS), "format": "csv", "count": scene.count(150, 25000)}


@WORK.builds("bulk_export")
def bulk_export(scene: Scene) -> Metadata:
    return {
        "object_type": scene.pick(("conversations", "tickets", "contacts")),
        "format": "json",
        "destination": "s3://acme-exports/intercom",
    }


@WORK.builds("bulk_delete")
def bulk_delete(scene: Scene) -> Metadata:
    return {"object_type": scene.pick(("leads", "contacts", "tags")), "count": scene.count(12, 900)}


@WORK.builds("data_export_created")
def export_created(scene: Scene) -> Metadata:
    name, schedule, category = scene.pick(
        (("Weekly security audit", "weekly", "Security"), ("Monthly access review", "monthly", "Teammates"))
    )
    return {
        "export": {"id": f"exp_{scene.rng.randrange(12, 40)}", "name": name},
        "format": "csv",
        "destination": "security@acme.test",
        "schedule": schedule,
        "filters": {"category": category},
    }


@WORK.builds("data_export_run")
def export_run(scene: Scene) -> Metadata:
    """An admin downloading the activity log: a month of one category, or a week of everything."""
    if scene.flag(0.6):
        category, days, share = scene.pick(
            (("Security", 30, 0.6), ("Teammates", 30, 0.12), ("Roles and permissions", 90, 0.01))
        )
        filters: dict[str, str] = {"category": category}
    else:
        days, share, filters = 7, 1.0, {}
    filters["created_after"] = scene.day(days).isoformat()
    filters["created_before"] = scene.day(0).isoformat()
    rows = max(1, round(20000 * scene.scale * share * days / 364 * scene.rng.uniform(0.8, 1.2)))
    return {"format": "csv", "rows": rows, "filters": filters}


@WORK.builds("csv_import_creation")
def import_creation(scene: Scene) -> Metadata:
    file_name, object_type = scene.pick(things.CSV_FILES)
    return {"import_id": str(scene.rng.randrange(9000, 9900)), "file_name": file_name, "object_type": object_type}


@WORK.follows("csv_import_creation", "csv_import_completion")
def import_completion(scene: Scene, first: Metadata) -> tuple[float, Metadata] | None:
    rows = scene.count(40, 6000)
    failed = scene.rng.randrange(0, max(2, rows // 200))
    return 20 + rows * scene.rng.uniform(0.02, 0.1), {**first, "rows": rows, "failed_rows": failed}


@WORK.builds("csv_import_completion")
def import_completion_alone(scene: Scene) -> Metadata:
    planned = import_completion(scene, import_creation(scene))
    assert planned is not None
    return planned[1]


@WORK.builds("macro_usage_export")
def macro_usage(scene: Scene) -> Metadata:
    return {"period": scene.pick(("the last 7 days", "the last 30 days", "the last quarter")), "format": "csv"}


# Messenger -----------------------------------------------------------------------------------------------


@WORK.builds("messenger_look_and_feel_change")
def look_and_feel(scene: Scene) -> Metadata:
    before = scene.pick(things.COLORS)
    after = scene.pick([color for color in things.COLORS if color != before])
    return {"before": {"primary_color": before}, "after": {"primary_color": after}}


@WORK.builds("messenger_spaces_change")
def spaces(scene: Scene) -> Metadata:
    before = ["Home", "Messages"] + (["Help"] if scene.flag(0.5) else [])
    after = [*before, "News"] if "Help" in before else [*before, "Help"]
    return {"before": {"spaces": before}, "after": {"spaces": after}}


@WORK.builds("temporary_expectation_change")
def special_notice(scene: Scene) -> Metadata:
    notice = scene.pick(things.HOLIDAY_NOTICES)
    return {"before": None, "after": notice} if scene.flag(0.5) else {"before": notice, "after": None}


@WORK.builds("upfront_email_collection_change")
def upfront_email(scene: Scene) -> Metadata:
    return {"enabled": scene.flag(0.7), "mode": scene.pick(("always", "outside office hours"))}


@WORK.builds("welcome_message_change")
def welcome_message(scene: Scene) -> Metadata:
    before = scene.pick(things.WELCOME_MESSAGES)
    after = scene.pick([message for message in things.WELCOME_MESSAGES if message != before])
    return {"locale": "en", "before": before, "after": after}


# Outbound ------------------------------------------------------------------------------------------------

_STATES = (("draft", "live"), ("live", "paused"), ("paused", "live"), ("live", "draft"))


@WORK.builds("campaign_deletion")
def campaign_deletion(scene: Scene) -> Metadata:
    return {"campaign": dict(scene.pick(things.OLD_CAMPAIGNS))}


@WORK.builds("campaign_state_change")
def campaign_state(scene: Scene) -> Metadata:
    before, after = scene.pick(_STATES)
    return {"campaign": dict(scene.pick(things.CAMPAIGNS)), "before": before, "after": after}


@WORK.builds("message_deletion")
def message_deletion(scene: Scene) -> Metadata:
    message, message_type = scene.pick(things.OLD_MESSAGES)
    return {"message": dict(message), "message_type": message_type}


@WORK.builds("message_state_change")
def message_state(scene: Scene) -> Metadata:
    message, message_type = scene.pick(things.MESSAGES)
    before, after = scene.pick(_STATES)
    return {"message": dict(message), "message_type": message_type, "before": before, "after": after}


@WORK.builds("ruleset_creation")
def ruleset(scene: Scene) -> Metadata:
    return {"ruleset": dict(scene.pick(things.RULESETS)), "content_type": scene.pick(things.CONTENT_TYPES)}


@WORK.builds("ruleset_deletion")
def ruleset_deletion(scene: Scene) -> Metadata:
    return {"ruleset": dict(scene.pick(things.OLD_RULESETS)), "content_type": scene.pick(things.CONTENT_TYPES)}


@WORK.builds("ruleset_live_status_change")
def ruleset_live(scene: Scene) -> Metadata:
    return {**ruleset(scene), "live": scene.flag(0.6)}


@WORK.builds("ruleset_activation_title_preview")
def ruleset_preview(scene: Scene) -> Metadata:
    return {"ruleset": dict(scene.pick(things.RULESETS)), "title": scene.pick(things.RULESET_TITLES)}


@WORK.builds("series_creation")
def series(scene: Scene) -> Metadata:
    return {"series": dict(scene.pick(things.SERIES))}


@WORK.builds("series_deletion")
def series_deletion(scene: Scene) -> Metadata:
    return {"series": dict(scene.pick(things.OLD_SERIES))}


@WORK.builds("series_status_change")
def series_status(scene: Scene) -> Metadata:
    before, after = scene.pick(_STATES)
    return {"series": dict(scene.pick(things.SERIES)), "before": before, "after": after}


@WORK.builds("series_settings_update")
def series_settings(scene: Scene) -> Metadata:
    before, after = scene.pick((("none", "when the customer upgrades"), ("when the customer replies", "none")))
    return {"series": dict(scene.pick(things.SERIES)), "before": {"exit_rules": before}, "after": {"exit_rules": after}}


@WORK.builds("series_update")
def series_update(scene: Scene) -> Metadata:
    changes = scene.rng.sample(things.SERIES_CHANGES, scene.rng.randrange(1, 3))
    return {"series": dict(scene.pick(things.SERIES)), "changes": changes}
