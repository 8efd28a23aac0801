"""The words an activity type is found by in the action picker: its label, its code, its category, its
sentence, and the everyday words for them ("failed" for a failure, "sign in" for a login, "remove" for a
deletion).

Invariants: terms are lower-case words (letters and digits) separated by single spaces, plus the code whole
(`admin_login_failure`), so a search matches words by their beginning, never inside a word: "sign in" does
not find "Unassign"; the page's script (static/activity-logs.js) folds "sign in", "log in" and their kin into
"login" before it looks.
"""

from __future__ import annotations

import re

from activitylog.catalog.model import ActivityType

_WORD = re.compile(r"[a-z0-9]+")
#: Everyday words for the catalog's words; each key's words are added wherever the key appears.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "login": ("signin", "logon", "log", "sign"),
    "logout": ("signout", "logoff", "log", "sign"),
    "failure": ("failed", "fail", "fails", "error", "unsuccessful"),
    "failed": ("failure", "fail"),
    "deletion": ("delete", "deleted", "remove", "removed", "removal"),
    "deleted": ("deletion", "delete", "remove", "removed"),
    "removal": ("remove", "removed", "delete", "deleted", "deletion"),
    "removed": ("remove", "removal", "delete", "deleted"),
    "creation": ("create", "created", "add", "added", "new"),
    "created": ("create", "creation", "add", "added", "new"),
    "change": ("changed", "update", "updated", "edit", "edited"),
    "changed": ("change", "update", "updated", "edit"),
    "invite": ("invitation", "invited"),
    "invitation": ("invite", "invited"),
    "teammate": ("admin", "user", "member"),
    "admin": ("teammate", "user", "member"),
    "permission": ("permissions", "access", "rights"),
    "export": ("download", "exported", "csv"),
    "token": ("api", "key"),
}


def search_terms(activity: ActivityType) -> str:
    """What the picker matches a search against, for one type."""
    text = " ".join((activity.label, activity.code.replace("_", " "), activity.category, activity.template))
    words = list(dict.fromkeys(_WORD.findall(re.sub(r"\{[^}]*\}", " ", text.lower()))))
    for word in list(words):
        words.extend(w for w in SYNONYMS.get(word, ()) if w not in words)
    return " ".join([activity.code, *words])
