"""Screenshots of Settings > Teammate activity logs for the README: desktop (1280 px) and phone (390 px) wide.

    .venv/bin/python scripts/screenshots.py [--out docs]

Builds the demo workspace in a temporary SQLite file, serves it, signs in as the demo's admin in headless
Chromium (Debian's, as the browser tests use it) and writes docs/activity-logs-desktop.png and
docs/activity-logs-narrow.png.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]  # fmt: skip
#: The view shown: changes to security and access over the last 90 days, the latest opened.
VIEW = "?type=security_settings_change&type=admin_permission_change&type=app_authentication_method_change&range=90d"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="activitylog-screenshots-"))
    url = f"sqlite:///{folder / 'demo.db'}"
    cli = [sys.executable, "-m", "activitylog", "--database-url", url]
    demo = json.loads(subprocess.check_output([*cli, "demo", "--json"]))  # noqa: S603 - our own CLI
    admin = demo["admin"]
    port = free_port()
    env = {**os.environ, "ACTIVITYLOG_ACCESS_LOG": "false", "ACTIVITYLOG_RETENTION_INTERVAL_HOURS": "0"}
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env)  # noqa: S603 - our own CLI
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        page_url = f"{base}/a/{demo['workspace_id']}/settings/activity-logs"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
            for name, width, height in (("desktop", 1280, 1000), ("narrow", 390, 1500)):
                context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
                page = context.new_page()
                page.goto(page_url + VIEW)
                page.fill("#email", admin["email"])
                page.fill("#password", admin["password"])
                page.click("button[type=submit]")
                page.wait_for_url(page_url + VIEW)
                page.wait_for_selector("#histogram .bars")
                page.locator("#entries article.entry summary").first.click()
                page.evaluate("window.scrollTo(0, 0)")
                args.out.mkdir(parents=True, exist_ok=True)
                target = args.out / f"activity-logs-{name}.png"
                page.screenshot(path=str(target))
                print(f"wrote {target}")
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
