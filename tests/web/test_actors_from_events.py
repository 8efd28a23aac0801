"""Over real HTTP: an event recorded with a write-only token that names an admin's email (a "ghost") takes
nothing from the admin. They still sign in, the ghost is no teammate on Settings > Teammates, and the activity
log's teammate filter lists it, marked as known from events."""

from __future__ import annotations

import httpx

from activitylog import tokens
from activitylog.service import ActivityLog
from tests.support.console import Browser, Browsers
from tests.support.people import Org

GHOST = {"type": "teammate", "id": "a_ghost", "name": "Ghost Of Ada", "email": Org.email("tm_admin")}


def test_a_ghost_recorded_through_the_api_takes_nothing_from_the_admin(
    browsers: Browsers, browser: Browser, web_log: ActivityLog
) -> None:
    secret = tokens.create_token(web_log, browser.org.id, name="writer", scopes="write").secret
    for actor in (GHOST, {**GHOST, "id": "a_ghost_2", "email": "ghost.only@example.test"}):
        recorded = httpx.post(
            f"{browser.server.base_url}/v1/events",
            json={"type": "admin_logout", "actor": actor},
            headers={"Authorization": f"Bearer {secret}"},
            timeout=10,
        )
        assert recorded.status_code == 201, recorded.text

    signed_in = browser.sign_in(Org.email("tm_admin"))
    assert signed_in.status_code == 303, signed_in.text

    admin = browsers("tm_admin")
    teammates = admin.get("settings/teammates")
    assert teammates.status_code == 200
    assert "Ada Admin" in teammates.text
    assert "Ghost Of Ada" not in teammates.text
    invited = admin.post("settings/teammates/invite", {"email": "ghost.only@example.test", "role": "role_support"})
    assert invited.status_code == 201, invited.text  # an email only events named is nobody's: it can be invited

    log_page = admin.get("settings/activity-logs")
    assert log_page.status_code == 200
    option = log_page.text.split('value="a_ghost"', 1)[1].split("</label>", 1)[0]
    assert "Ghost Of Ada" in option
    assert "From events" in option
