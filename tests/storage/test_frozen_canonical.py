"""The frozen canonical form revision 0003 backfills with gives today's bytes.

They agree now; should `integrity.canonical` change, it may diverge only through a new migration (and a new
frozen module), never by editing `canonical_al1`.
"""

from typing import Any

import pytest

from activitylog.integrity import canonical
from activitylog.storage.migrations.frozen import canonical_al1

ENTRIES: list[tuple[tuple[Any, ...], str]] = [
    (
        ("ws_1", "0190a1b2-0000-7000-8000-000000000001", "user.signed_in", "user", "u_1", "Ada", "ada@example.com",
         1_700_000_000_000_000, 1_700_000_000_000_123, "203.0.113.7", "Mozilla/5.0", "req-1", "idem-1"),
        '{"b": 1, "a": [1.5, -0.0, 1e16], "é": "ünï"}',
    ),
    (
        ("ws_2", "0190a1b2-0000-7000-8000-000000000002", "invoice.paid", None, None, None, None,
         -5, 0, None, None, None, None),
        "{}",
    ),
    (
        ("ws_1", "0190a1b2-0000-7000-8000-000000000003", "export.done", "system", "cron", "Cron \"nightly\"", None,
         1, 2, "2001:db8::1", "curl/8", None, "k"),
        '{"nested": {"z": null, "y": [true, false, 12345678901234567890]}, "big": 3.2e+20}',
    ),
]  # fmt: skip


@pytest.mark.parametrize(("values", "metadata"), ENTRIES)
def test_frozen_form_gives_todays_bytes(values: tuple[Any, ...], metadata: str) -> None:
    workspace_id = values[0]
    live_fields = canonical.fields_of(*values)
    frozen_fields = canonical_al1.fields_of(*values)
    live_meta = canonical.metadata_from_text(metadata)
    frozen_meta = canonical_al1.metadata_from_text(metadata)
    assert frozen_meta == live_meta
    assert canonical_al1.content_text(frozen_fields, frozen_meta) == canonical.content_text(live_fields, live_meta)
    live_hash = canonical.content_hash(live_fields, live_meta)
    assert canonical_al1.content_hash(frozen_fields, frozen_meta) == live_hash
    occurred = values[7]
    assert canonical_al1.link(occurred, live_hash) == canonical.link(occurred, live_hash)
    assert canonical_al1.genesis(workspace_id) == canonical.genesis(workspace_id)
    start = canonical.genesis(workspace_id)
    assert canonical_al1.step(start, canonical.link(occurred, live_hash)) == canonical.step(
        start, canonical.link(occurred, live_hash)
    )
