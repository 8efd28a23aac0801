"""Infinite scroll in Chromium: does the 100th batch of older entries cost what the first one does?

    .venv/bin/python -m bench.scroll_bench [--size 20000] [--batches 100] [--dir /tmp/scroll-bench]

1. Loads `--size` entries (bench.data) into a SQLite database, or reuses the "Bench" workspace found there;
   gives it a signed-in admin and starts `activitylog serve` on it (access log off).
2. Opens the activity log page in headless Chromium (Debian's, as the browser tests do), 1280 x 900, and
   scrolls to the bottom again and again, as an admin holding End would. For each batch it measures, inside
   the page, the time from the scroll to the frame after the new entries are in (`htmx:afterSettle`, then one
   animation frame: the browser has laid them out), and takes the server's own time for the same request from
   its `Server-Timing` header (Resource Timing) as the reference: what the database and rendering cost.
3. Prints, for the first and the last five batches, the median browser time and server time, and the ratio
   of the last to the first. Target (issue 17, bug 7): the 100th batch within 1.2x of the first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.http_bench import free_port
from bench.page_bench import admin_session, prepare, say, start_server

TARGET_RATIO = 1.2
CHROMIUM = os.environ.get("ACTIVITYLOG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

# Runs inside the page: one scroll, then the batch it asked for, `count` times. Each batch's request is
# found in Resource Timing by its URL, so its server time comes from the same request.
SCROLL = """
async (count) => {
  const out = [];
  for (let i = 0; i < count; i++) {
    const more = document.getElementById("more");
    if (!more) break;
    const link = more.querySelector(".more-link").getAttribute("hx-get");
    const start = performance.now();
    const settled = new Promise((done) => document.addEventListener("htmx:afterSettle", done, {once: true}));
    window.scrollTo(0, document.documentElement.scrollHeight);
    await settled;
    await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
    const took = performance.now() - start;
    const timing = performance.getEntriesByType("resource").filter((e) => e.name.endsWith(link)).pop();
    const app = timing && timing.serverTiming.find((t) => t.name === "app");
    out.push([took, app ? app.duration : null, document.querySelectorAll("#entries .entry").length]);
  }
  return out;
}
"""


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20_000, help="entries in the workspace")
    parser.add_argument("--batches", type=int, default=100, help="batches to scroll through (50 entries each)")
    parser.add_argument("--dir", type=Path, help="keep the SQLite database here and reuse it next time")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    folder = args.dir or Path(tempfile.mkdtemp(prefix="activitylog-scroll-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{folder / 'scroll-bench.db'}"
    log, workspace = prepare(database_url, args.size)
    cookie = admin_session(log, workspace)
    port = free_port()
    server = start_server(database_url, port, folder / "scroll-bench-server.log")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": "al_session", "value": cookie, "url": f"http://127.0.0.1:{port}/a/"}])
            page = context.new_page()
            page.set_default_timeout(120_000)
            page.goto(f"http://127.0.0.1:{port}/a/{workspace.id}/settings/activity-logs")
            page.wait_for_selector("#histogram .bar")  # the chart is in: its settle cannot be taken for a batch's
            page.evaluate("performance.setResourceTimingBufferSize(100000)")
            say(f"scrolling through {args.batches} batches ...")
            samples: list[Any] = page.evaluate(SCROLL, args.batches)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.store.close()

    if len(samples) < 10:
        raise SystemExit(f"only {len(samples)} batches loaded: the workspace needs more entries")
    first, last = samples[:5], samples[-5:]
    browser_first, browser_last = median([s[0] for s in first]), median([s[0] for s in last])
    server_first = median([s[1] for s in first if s[1] is not None])
    server_last = median([s[1] for s in last if s[1] is not None])
    ratio = browser_last / browser_first
    print(f"\nInfinite scroll in Chromium on {args.size:,} entries (SQLite, {os.cpu_count()} cores)\n")
    print(f"{'batches':<24} {'entries on the page':>20} {'browser median':>15} {'server median':>14}")
    for name, chunk, b, s in (
        ("first 5", first, browser_first, server_first),
        ("last 5", last, browser_last, server_last),
    ):
        print(f"{name + f' (of {len(samples)})':<24} {chunk[-1][2]:>20,} {b:>12.1f} ms {s:>11.1f} ms")
    print("every 10th batch (browser ms / server ms):")
    print("  " + "  ".join(f"{i + 1}: {s[0]:.0f}/{(s[1] or 0):.0f}" for i, s in enumerate(samples) if i % 10 == 0))
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(f"\nlast batches / first batches in the browser: {ratio:.2f}x (server {server_last / server_first:.2f}x)"
          f"  target <= {TARGET_RATIO}x  {verdict}")  # fmt: skip
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
