"""In Chromium, with no internet: `/docs` renders the API from the package's own Swagger UI, and "Try it out"
calls the server (issue 17 bug 2: the CDN's SwaggerUIBundle never loaded, and the page stayed blank)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site, open_tab


def test_the_api_docs_render_offline_and_try_it_out_calls_the_server(chromium: Any, site: Site) -> None:
    context, tab = open_tab(chromium, None)
    requests: list[str] = []
    tab.page.on("request", lambda request: requests.append(request.url))
    try:
        page = tab.page
        page.goto(f"{site.base_url}/docs")
        page.locator(".swagger-ui .info .title").wait_for(timeout=60_000)
        assert "activitylog" in page.locator(".swagger-ui .info .title").inner_text()
        operation = page.locator("#operations-events-list_events_v1_events_get")
        assert operation.count() == 1

        page.get_by_role("button", name="Authorize").first.click()
        page.locator(".auth-container input").first.fill(site.token)
        page.locator(".auth-btn-wrapper button.authorize").click()
        page.locator(".btn-done").click()
        operation.locator(".opblock-summary").click()
        operation.get_by_role("button", name="Try it out").click()
        operation.get_by_role("button", name="Execute").click()
        status = operation.locator(".live-responses-table .response .response-col_status").first
        status.wait_for(timeout=60_000)
        assert status.inner_text().strip() == "200"
    finally:
        context.close()
    assert all(url.startswith(site.base_url) for url in requests), [u for u in requests if site.base_url not in u]
    assert tab.errors == []
