"""Infinite scroll in Chromium: does the 100th batch of older entries cost what the first one does?

    .venv/bin/python -m bench.scroll_bench [--size 20000] [--batches 100] [--dir /tmp/scroll-bench]

1. Loads `--size` entries (bench.data) into a SQLite database, or reuses the "Bench" workspace found there;
   gives it a signed-in admin and starts `activitylog serve` on it (access log off).
2. Opens the activity log page in headless Chromium (Debian's, as the browser tests do), 1280 x 900, and
   scrolls to the bottom again and again, as an admin holding End would. For each batch it measures, inside
   the page, the time from the scroll to the frame after the new entries are in (`htmx:afterSettle`, then one
   animation frame: the browser has laid them out), and takes the server's own time for the same request from
   its `Server-Timing` header (Resource Timing) as the reference: what the database and rendering cost.
3. One page scrolls to batch 90; then five rounds alternate a fresh page's first four batches with that page's
   next two (batches 91-100), so a drift of the machine's speed (it is shared) hits both sides alike.
   Prints the median browser and server time of the fresh pages' first batches and of batches 91-100, and
   their ratio. Target (issue 17, bug 7): the 100th batch within 1.2x of the first.
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
BATCH = 50  # entries a batch, as web.activity_pages.BATCH (importing it alone meets the api/web import cycle)
ROUNDS, FRESH_PER_ROUND, DEEP_PER_ROUND = 5, 4, 2  # 20 first batches and batches 91-100, interleaved
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
    page_url = f"http://127.0.0.1:{port}/a/{workspace.id}/settings/activity-logs"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": "al_session", "value": cookie, "url": f"http://127.0.0.1:{port}/a/"}])
            deep = opened(context, page_url)
            say(f"scrolling through {args.batches} batches, a fresh page's first batches in between ...")
            # The deep page scrolls to `batches - ROUNDS * DEEP_PER_ROUND`, then rounds alternate: a fresh page's
            # first batches, then the deep page's next ones, so a drift of the machine's speed hits both alike.
            walked: list[Any] = deep.evaluate(SCROLL, args.batches - ROUNDS * DEEP_PER_ROUND)
            fresh_samples: list[Any] = []
            deep_samples: list[Any] = []
            for _ in range(ROUNDS):
                fresh = opened(context, page_url)
                fresh_samples += fresh.evaluate(SCROLL, FRESH_PER_ROUND)
                fresh.close()
                deep_samples += deep.evaluate(SCROLL, DEEP_PER_ROUND)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.store.close()

    if len(deep_samples) < ROUNDS * DEEP_PER_ROUND:
        raise SystemExit(f"only {len(walked) + len(deep_samples)} batches loaded: the workspace needs more entries")
    browser_first, browser_last = median([s[0] for s in fresh_samples]), median([s[0] for s in deep_samples])
    server_first = median([s[1] for s in fresh_samples if s[1] is not None])
    server_last = median([s[1] for s in deep_samples if s[1] is not None])
    ratio = browser_last / browser_first
    first_deep = len(walked) + 1
    print(f"\nInfinite scroll in Chromium on {args.size:,} entries (SQLite, {os.cpu_count()} cores)\n")
    print(f"{'batches':<40} {'entries on the page':>20} {'browser median':>15} {'server median':>14}")
    rows = (
        (f"1-{FRESH_PER_ROUND} of a fresh page, {ROUNDS} pages", FRESH_PER_ROUND * BATCH, browser_first, server_first),
        (f"{first_deep}-{first_deep + len(deep_samples) - 1} of one page", deep_samples[-1][2], browser_last,
         server_last),
    )  # fmt: skip
    for name, entries, b, t in rows:
        print(f"{name:<40} {entries:>20,} {b:>12.1f} ms {t:>11.1f} ms")
    print("the deep page, every 10th batch (browser ms / server ms):")
    everything = walked + deep_samples
    print("  " + "  ".join(f"{i + 1}: {s[0]:.0f}/{(s[1] or 0):.0f}" for i, s in enumerate(everything) if i % 10 == 0))
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(f"\nbatches {first_deep}+ / the first batches, in the browser: {ratio:.2f}x (server "
          f"{server_last / server_first:.2f}x)  target <= {TARGET_RATIO}x  {verdict}")  # fmt: skip
    return 0 if ratio <= TARGET_RATIO else 1


def opened(context: Any, url: str) -> Any:
    """A new page on the activity log, its chart in (its settle cannot be taken for a batch's)."""
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(url)
    page.wait_for_selector("#histogram .plot:not([hidden]) .bar")
    page.evaluate("performance.setResourceTimingBufferSize(100000)")
    return page


if __name__ == "__main__":
    sys.exit(main())
