"""The named things Acme's teammates work on: articles, apps, macros, campaigns, teams, roles...

Plain data, so the demo's sentences name the same article or macro again and again, as a real workspace's log
does. Ids are stable strings or numbers, in the style of the catalog's examples.
"""

from __future__ import annotations

from typing import Any

Named = dict[str, Any]


def _named(first_id: int, *names: str) -> tuple[Named, ...]:
    return tuple({"id": str(first_id + n), "name": name} for n, name in enumerate(names))


ARTICLES: tuple[Named, ...] = tuple(
    {"id": str(6871119 + n), "title": title}
    for n, title in enumerate(
        (
            "Getting started with Acme",
            "Resetting your password",
            "Billing and invoices",
            "Connecting your CRM",
            "Setting up two-factor authentication",
            "Exporting your data",
            "Inviting your team",
            "Managing notification settings",
            "Cancelling or pausing your subscription",
            "Using the mobile app",
            "Troubleshooting login problems",
            "Shipping and delivery times",
            "Returns and refunds",
            "Keyboard shortcuts",
            "Integrating with Slack",
            "API rate limits",
            "Data privacy and GDPR",
            "Changing your plan",
        )
    )
)
# Articles written during the year, and outdated ones removed.
NEW_ARTICLES: tuple[Named, ...] = tuple(
    {"id": str(6871200 + n), "title": title}
    for n, title in enumerate(
        (
            "Signing in with single sign-on",
            "What's new in the Messenger",
            "Holiday opening hours",
            "Paying by bank transfer",
            "Setting up shared inbox views",
            "Moving from Zapier to our API",
        )
    )
)
OLD_ARTICLES: tuple[Named, ...] = tuple(
    {"id": str(6871090 + n), "title": title}
    for n, title in enumerate(("Legacy pricing plans", "Using the classic inbox", "Signing in with a password"))
)
COLLECTIONS = _named(14, "Getting started", "Account and billing", "Integrations", "Troubleshooting")
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("English", "en"),
    ("French", "fr"),
    ("German", "de"),
    ("Spanish", "es"),
    ("Irish", "ga"),
    ("Portuguese", "pt"),
)

APPS = (
    {"id": "2281", "name": "Salesforce"},
    {"id": "3140", "name": "Jira Cloud"},
    {"id": "1204", "name": "Slack"},
    {"id": "2410", "name": "HubSpot"},
    {"id": "1877", "name": "Stripe"},
    {"id": "2990", "name": "Shopify"},
    {"id": "1550", "name": "Google Calendar"},
    {"id": "3302", "name": "Calendly"},
    {"id": "2766", "name": "Statuspage"},
)
APP_SCOPES = ("read_users", "write_users", "read_conversations", "write_conversations", "read_tags")
WEBHOOK_TOPICS = (
    "conversation.user.created",
    "conversation.admin.closed",
    "conversation.admin.replied",
    "contact.created",
    "ticket.created",
)
WEBHOOK_URLS = (
    "https://hooks.acme.test/intercom",
    "https://ops.acme.test/webhooks/support",
    "https://hooks.slack.test/services/T0ACME/B07/alerts",
    "https://crm-bridge.acme.test/events",
)
CUSTOM_AUTH_TOKENS = ("Order lookup API", "Subscription status", "Shipment tracking", "Account health")

TOPICS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("88", "Refunds", ("refund", "money back")),
    ("89", "Shipping delays", ("late delivery", "where is my order", "tracking")),
    ("90", "Login problems", ("can't log in", "password", "locked out")),
    ("91", "Billing questions", ("invoice", "charge", "VAT")),
    ("92", "Feature requests", ("feature request", "would be great if", "roadmap")),
    ("93", "Cancellations", ("cancel", "close my account")),
)
OLD_TOPICS = (("61", "Holiday shipping"), ("58", "Covid delays"))
MACROS = _named(
    780,
    "Refund process explanation",
    "Password reset steps",
    "Shipping delay apology",
    "Escalate to billing",
    "Feature request thanks",
    "Out of office handover",
    "Invoice copy",
)
BULK_ACTIONS = (
    "Close",
    "Snooze until tomorrow",
    "Assign to Billing",
    "Assign to me",
    "Mark as priority",
    "Add tag: refund",
)

CAMPAIGNS = _named(4410, "Spring onboarding", "Black Friday double credits", "Autumn win-back", "Annual plan upgrade")
# What gets deleted is what nobody uses any more, so it does not reappear in later entries.
OLD_CAMPAIGNS = _named(4380, "Summer sale 2025", "Webinar: Automations 101")
OLD_MESSAGES = (
    ({"id": "29990", "name": "Old onboarding email"}, "email"),
    ({"id": "29991", "name": "Beta invite"}, "post"),
)
OLD_SERIES = _named(1183, "Webinar follow-up", "Legacy trial nurture")
OLD_RULESETS = _named(69990, "Holiday banner 2025", "Old pricing page welcome")
OLD_MACROS = _named(456, "Product demo request", "Legacy refund policy")
MESSAGES: tuple[tuple[Named, str], ...] = (
    ({"id": "30021", "name": "Trial ending reminder"}, "email"),
    ({"id": "30022", "name": "New: shared inbox views"}, "post"),
    ({"id": "30023", "name": "Quarterly NPS survey"}, "chat"),
    ({"id": "30024", "name": "Scheduled maintenance on Sunday"}, "banner"),
    ({"id": "30025", "name": "Your invoice is ready"}, "email"),
)
SERIES = _named(1207, "New customer onboarding", "Trial conversion", "Churn prevention")
SERIES_CHANGES = (
    "Added an email: Day 3 tips",
    "Changed the wait after Welcome from 1 day to 2 days",
    "Removed the chat: Need a hand?",
    "Added a filter: plan is Trial",
    "Rewrote the subject of Your first week",
    "Added a tag step: onboarded",
)
RULESETS = _named(70015, "Upgrade nudge for trial users", "Pricing page welcome", "Dormant account check-in")
RULESET_TITLES = ("Ready to upgrade?", "Questions about pricing?", "We've missed you", "Need a hand getting started?")
CONTENT_TYPES = ("post", "chat", "banner", "tooltip")

TEAMS = {
    "Support": {"id": 5077733, "name": "Support"},
    "Billing": {"id": 5077734, "name": "Billing"},
    "Sales": {"id": 5077735, "name": "Sales"},
    "Product": {"id": 5077736, "name": "Product"},
    "Night shift": {"id": 5077740, "name": "Night shift"},
}
ROLES = {
    "Admin": {"id": "1", "name": "Admin"},
    "Developer": {"id": "3", "name": "Developer"},
    "Support": {"id": "4", "name": "Support"},
    "Content editor": {"id": "5", "name": "Content editor"},
    "Marketing": {"id": "6", "name": "Marketing"},
    "Support lead": {"id": "7", "name": "Support lead"},
    "Sales": {"id": "8", "name": "Sales"},
    "Contractors": {"id": "9", "name": "Contractors"},
    "Finance": {"id": "10", "name": "Finance"},
}
# Permissions as the product names them; the activity log needs the first.
LOG_PERMISSION = "Can access general and security settings"
PERMISSIONS = (
    LOG_PERMISSION,
    "Can manage teammates, seats and permissions",
    "Can export data",
    "Can manage billing",
    "Can publish articles",
    "Can send outbound messages",
)

REDACTION_RULES = _named(12, "Card numbers", "PPS numbers", "IBANs", "Passwords in messages")
EXPORT_OBJECTS = ("contacts", "conversations", "companies", "leads", "tickets")
CSV_FILES = (
    ("trade-show-leads.csv", "leads"),
    ("webinar-attendees.csv", "leads"),
    ("enterprise-accounts.csv", "companies"),
    ("newsletter-signups.csv", "contacts"),
    ("partner-referrals.csv", "leads"),
)
AWAY_REASONS = ("On a break", "In a meeting", "Out for lunch", "Done for the day", "On holiday", "Off sick")
IMPERSONATION_REASONS = (
    "Investigating a report about missing conversation notes",
    "Checking why the inbox shows no unassigned conversations",
    "Reproducing a notification settings problem",
    "Verifying the Support lead role after a permission change",
)
WELCOME_MESSAGES = (
    "Hi there! Ask us anything.",
    "Hi there! The Acme team usually replies within an hour.",
    "Hello! We're online 8:00–18:30 Irish time, Monday to Friday.",
    "Hi! Ask us anything, or search our Help Center.",
)
HOLIDAY_NOTICES = (
    "Our team is away for the bank holiday on Monday; we'll reply on Tuesday.",
    "We're closed from 24 December to 1 January. Happy holidays!",
    "We're closed for St Patrick's Day; we'll be back on 18 March.",
    "Replies may be slower this week while we move to a new help desk.",
)
COLORS = ("#286efa", "#0f766e", "#7c3aed", "#e11d48", "#1f2937")
