"""In Chromium: an id in a form's action is one encoded path segment, so a hostile teammate id cannot move a
form to another route. The attack: a teammate id `x/../../api-tokens/{token}/revoke` made Settings > Teammates'
"Remove" button post to the API-token revoke route (the browser resolves the dot segments), revoking the token.

Recording can no longer store such an id (`actor.id` refuses `/`, `?`, `#`, `\\` and dot segments), so the
member is written straight into the database, as one stored before the rule would be.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from activitylog import tokens
from tests.browser.conftest import Site, open_tab


def test_a_hostile_teammate_id_cannot_redirect_the_remove_button(
    chromium: Any, signed_in_state: str, site: Site
) -> None:
    victim = tokens.create_token(site.log, site.org.id, name="must survive", scopes="read")
    hostile = f"x/../../api-tokens/{victim.token.id}/revoke"
    with site.log.store.transaction(site.org.id) as tx:
        tx.execute(
            "INSERT INTO teammates (workspace_id, id, name, email, status, kind) "
            "VALUES (?, ?, 'Hostile Id', 'hostile@example.test', 'active', 'member')",
            (site.org.id, hostile),
        )
    context, tab = open_tab(chromium, signed_in_state)
    tab.expect_errors = True  # the encoded id names no route: a 404 is the right answer
    try:
        page = tab.page
        page.goto(f"{site.base_url}/a/{site.org.id}/settings/teammates")
        row = page.locator("tr", has_text="Hostile Id")
        action = row.locator("form:has(button.danger)").get_attribute("action")
        assert action == f"/a/{site.org.id}/settings/teammates/{quote(hostile, safe='')}"

        row.locator("summary", has_text="Remove").click()  # "Remove" asks first; the answer posts the form
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            row.locator("button.danger", has_text="Remove").click()
        response = posted.value
    finally:
        context.close()
        with site.log.store.transaction(site.org.id) as tx:
            tx.execute("DELETE FROM teammates WHERE workspace_id = ? AND id = ?", (site.org.id, hostile))

    assert "/api-tokens/" not in response.url.split("/settings/teammates/", 1)[-1].replace("%2F", "")
    assert response.url.startswith(f"{site.base_url}/a/{site.org.id}/settings/teammates/x%2F..%2F..%2Fapi-tokens")
    assert response.status == 404
    assert tokens.authenticate(site.log, victim.secret) is not None  # the token was not revoked
    assert victim.token.id in {t.id for t in tokens.list_tokens(site.log, site.org.id) if t.revoked_us is None}
