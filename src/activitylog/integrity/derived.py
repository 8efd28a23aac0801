"""The entry columns no hash covers because they are derived from hashed fields, and what each must hold.

Every column storage keeps for an entry is covered by verification (tests/integrity/test_columns.py changes each
column of the live schema alone, on both backends, and fails on one whose entry goes unnamed):
- hashed: every field of the canonical text (`canonical`): workspace, id, type, the actor's type, id, name and
  email, both times, IP, user agent, metadata, request id, idempotency key;
- chained: `chain_seq` and `chain_hash`, which the walk itself checks (`verify`);
- derived, checked here: `ip_key`, the 16-byte key the IP and CIDR filters search. Changed alone it would move
  an entry into another address's results (or out of every one) while its hash still matched, so verification
  recomputes it from the hashed IP, as recording made it (`domain.ipaddr.normalise`);
- outside the check: SQLite's `seq` alone, its rowid: where the row sits in the file. Pages, filters and exports
  go by time and id, verification and proofs by chain position, and a purge uses it only as a handle on the rows
  the same statement picks by time, so a changed `seq` changes nothing anyone sees.

PostgreSQL's partitions are the same table (their columns are the parent's); `idempotency_keys` is a table of
its own, not an entry's column.
"""

from __future__ import annotations

from activitylog.domain.ipaddr import normalise

_MAX = 50_000  # distinct addresses remembered, as the hashing caches are bounded
_NO_KEY = object()  # beside a stored IP that is not an address: equal to no stored key


class IpKeys(dict[str | None, object]):
    """The IP key each stored IP must have beside it (`keys[ip]`), remembered: a workspace's entries come from a
    few addresses per teammate, and a lookup costs far less than parsing an address."""

    def __init__(self) -> None:
        super().__init__({None: None})

    def __missing__(self, ip: str) -> object:
        key: object
        try:
            key = normalise(ip)[1]
        except (ValueError, TypeError, AttributeError):  # not an address: changed outside the service
            key = _NO_KEY
        if len(self) >= _MAX:
            self.clear()
            self[None] = None
        self[ip] = key
        return key


IP_KEY_PROBLEM = "its IP key, which the IP filters search, does not match its IP: changed outside the service"
