"""Every field of every console form, fuzzed over real HTTP: no value is a 5xx.

The forms are not listed here: they are read from the pages an admin sees (and the sign-in pages a visitor
sees), so a form added later is fuzzed too. Values come from classes that found 500s before: digits that are
not ASCII (Arabic-Indic, full-width, Devanagari), numbers beyond 64 bits, control characters, lone
surrogates' neighbours, very long text, and the empty string. Each example runs in a session of its own, so a
form that ends the session (sign-out) or removes someone does not blunt the next example.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activitylog.service import ActivityLog
from tests.support import people
from tests.support.console import Browser, Browsers

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
ADMIN_PAGES = [
    "settings/teammates",
    "settings/roles",
    "settings/workspace",
    "settings/security",
    "settings/api-tokens",
    "settings/account",
    "settings/activity-logs",
]

digits_of = {
    "ascii": "0123456789",
    "arabic-indic": "٠١٢٣٤٥٦٧٨٩",
    "extended arabic-indic": "۰۱۲۳۴۵۶۷۸۹",
    "devanagari": "०१२३४५६७८९",
    "full-width": "０１２３４５６７８９",
}
any_digit = "".join(digits_of.values())
hostile = st.one_of(
    st.sampled_from(list(digits_of.values())).flatmap(lambda ds: st.text(ds, min_size=1, max_size=8)),
    st.text(any_digit, min_size=6, max_size=6),  # a code's length, in mixed scripts
    st.integers(min_value=2**63 - 2, max_value=10**30).map(str),
    st.integers(max_value=-1).map(str),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.text(st.characters(min_codepoint=0, max_codepoint=31), max_size=5),
    st.sampled_from(["", " ", "1e309", "NaN", "-0", "0x10", "on", "true", "../..", "%00", "a" * 5000]),
)


@dataclass(frozen=True)
class Form:
    action: str
    method: str
    fields: tuple[str, ...]


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._current: tuple[str, str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self._current = (found.get("action") or "", (found.get("method") or "get").lower(), [])
        elif tag in ("input", "select", "textarea", "button") and self._current is not None:
            name = found.get("name")
            if name and name != "csrf_token" and name not in self._current[2]:
                self._current[2].append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._current is not None:
            action, method, fields = self._current
            self.forms.append(Form(action, method, tuple(fields)))
            self._current = None


def forms_on(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def admin_forms(browsers: Browsers, org: people.Org) -> list[Form]:
    """The forms an admin of a new workspace (with an invitation and an API token) sees, in a stable order."""
    admin = browsers("tm_admin", org=org)
    admin.post("settings/teammates/invite", {"email": "pending@example.test", "role": "role_support"})
    admin.post("settings/api-tokens", {"name": "fuzzed", "scopes": "read"})
    found: dict[tuple[str, str], Form] = {}
    for page in ADMIN_PAGES:
        response = admin.get(page)
        assert response.status_code == 200, (page, response.status_code)
        for form in forms_on(response.text):
            if form.action:
                found.setdefault((form.action, form.method), form)
    return sorted(found.values(), key=lambda form: (form.action, form.method))


def test_the_pages_have_the_forms_this_test_fuzzes(browsers: Browsers, web_log: ActivityLog) -> None:
    """So the fuzzing below cannot pass by finding nothing."""
    actions = {form.action.rsplit("/", 1)[-1] for form in admin_forms(browsers, people.org(web_log.store))}
    assert {"invite", "revoke", "security", "workspace", "two-factor", "download", "sign-out"} <= actions, actions


@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_no_admin_form_field_value_is_a_server_error(
    browsers: Browsers, web_log: ActivityLog, data: st.DataObject
) -> None:
    org = people.org(web_log.store)  # a workspace of the example's own: what one example changes, no other sees
    forms = admin_forms(browsers, org)
    form = data.draw(st.sampled_from(forms), label="form")
    values = {name: data.draw(hostile, label=name) for name in form.fields}
    admin = browsers("tm_admin", org=org)
    response = admin.post(form.action, values) if form.method == "post" else admin.get(form.action, params=values)
    assert response.status_code < 500, (form, values, response.status_code, response.text[:300])


@pytest.mark.parametrize("page", ["sign-in", "sign-in/code"])
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_no_sign_in_field_value_is_a_server_error(
    browsers: Browsers, web_log: ActivityLog, page: str, data: st.DataObject
) -> None:
    org = people.org(web_log.store)
    visitor: Browser = browsers(org=org)
    if page == "sign-in/code":
        with web_log.store.transaction(org.id) as tx:
            tx.execute("UPDATE teammates SET totp_secret = ? WHERE workspace_id = ? AND id = 'tm_admin'",
                       ("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", org.id))  # fmt: skip
        started = visitor.sign_in(people.Org.email("tm_admin"))
        assert started.status_code == 303, started.text
    token = visitor.pre_session_token(page)
    form = next(f for f in forms_on(visitor.get(page).text) if f.method == "post")
    values = {name: data.draw(hostile, label=name) for name in form.fields}

    response = visitor.post(form.action, values, csrf=token)

    assert response.status_code < 500, (form, values, response.status_code, response.text[:300])
