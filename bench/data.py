"""Synthetic but realistic entries for the benchmarks: a year of activity by a dozen teammates.

Deterministic for a seed (relative to now). Logins dominate, as in real workspaces; every catalog type
appears; each teammate has a few IPs of both families that repeat. Events are built from each type's catalog
example so they pass validation like real ones.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from activitylog.catalog import REGISTRY

TEAMMATES = [
    (f"tm{i}", name, f"{name.split()[0].lower()}@acme.test")
    for i, name in enumerate(
        [
            "Beth-Ann Sher",
            "Ciaran Lee",
            "Priya Natarajan",
            "Mateo García",
            "Nia Okafor",
            "Lars Eriksen",
            "Mei Chen",
            "Omar Haddad",
            "Sofia Rossi",
            "Tomasz Nowak",
            "Aisha Bello",
            "Kenji Watanabe",
        ]
    )
]
COMMON = {"admin_login_success": 30, "admin_logout": 12, "admin_login_failure": 4, "admin_away_mode_change": 6}


def _ips(rng: random.Random, index: int) -> list[str]:
    return [
        f"203.0.113.{10 + index}",
        f"198.51.100.{rng.randrange(1, 250)}",
        f"2001:db8:{index:x}::{rng.randrange(1, 999):x}",
    ]


def events(count: int, *, seed: int = 1, days: int = 360, now: datetime | None = None) -> Iterator[dict[str, Any]]:
    """`count` events over the last `days` days, oldest first, as a log receives them."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    codes = list(REGISTRY.codes())
    weights = [COMMON.get(code, 1) for code in codes]
    ips = {tid: _ips(rng, i) for i, (tid, _, _) in enumerate(TEAMMATES)}
    step = days * 86_400 / max(count, 1)
    moment = now - timedelta(days=days)
    for n in range(count):
        moment += timedelta(seconds=rng.expovariate(1 / step))
        moment = min(moment, now)
        code = codes[n] if n < len(codes) else rng.choices(codes, weights)[0]
        tid, name, email = rng.choice(TEAMMATES)
        yield {
            "type": code,
            "actor": {"type": "teammate", "id": tid, "name": name, "email": email},
            "occurred_at": moment,
            "ip": rng.choice(ips[tid]),
            "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/17.5",
            "metadata": dict(REGISTRY[code].example),
            "idempotency_key": f"bench-{seed}-{n}",
        }
