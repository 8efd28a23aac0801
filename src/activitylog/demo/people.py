"""The demo's cast: Acme's teammates and the machines (API tokens, the system) that act in its log.

Invariants:
- ids, names, emails, IPs and user agents are constants, so every run of the demo shows the same people;
- every teammate has 1–3 IP addresses from the documentation ranges (203.0.113.0/24, 198.51.100.0/24,
  192.0.2.0/24, 2001:db8::/32), most used first, and one user agent, so an admin sees them repeat;
- `active_weeks` bounds when a teammate acts (in weeks before now, newest first): the deleted teammates act
  only before their removal, the one who joined mid-year only after, the invited one never.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from activitylog.storage.base import Teammate

# Where the office is: most teammates share its NAT address, which is what an admin sees in real logs.
OFFICE_IP = "203.0.113.10"
# The address the failed-login streak comes from: nobody at Acme uses it.
ATTACKER_IP = "198.51.100.77"
ATTACKER_AGENT = "python-requests/2.31.0"

_MAC_CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
_MAC_SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15"
)
_MAC_FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0"
_WIN_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
_WIN_EDGE = _WIN_CHROME + " Edg/126.0.2592.87"
_WIN_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"
_LINUX_FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"
_LINUX_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"

LAST_WEEK = 51  # the oldest week of the year the demo covers (weeks are counted back from the current one)


def role_id(name: str) -> str:
    """The id of the demo's role with this name (`Support lead` is `role_support_lead`)."""
    return "role_" + "_".join(name.lower().split())


@dataclass(frozen=True, slots=True)
class Person:
    """A teammate of the demo workspace, and what they tend to do.

    `areas` name the kinds of work they perform (see `generator.AREAS`); `busy` weighs how often they act.
    """

    id: str
    name: str
    email: str
    role: str
    ips: tuple[str, ...]
    user_agent: str
    areas: frozenset[str]
    status: str = "active"
    active_weeks: tuple[int, int] | None = (0, LAST_WEEK)
    busy: float = 1.0

    def active_in(self, week: int) -> bool:
        return self.active_weeks is not None and self.active_weeks[0] <= week <= self.active_weeks[1]

    def teammate(self, workspace_id: str) -> Teammate:
        # The stored role is the role's id (see `demo.access`); `role` here is its name.
        return Teammate(workspace_id, self.id, self.name, self.email, role_id(self.role), self.status)

    def actor(self) -> dict[str, Any]:
        # The name travels with the entry, so it stays readable after the teammate is deleted.
        return {"type": "teammate", "id": self.id, "name": self.name, "email": self.email}

    def ref(self) -> dict[str, Any]:
        """The teammate as metadata names them (the subject of a change)."""
        return {"id": self.id, "name": self.name, "email": self.email}


@dataclass(frozen=True, slots=True)
class Machine:
    """An API token (or, with `kind` "system", the product itself) acting in the log."""

    kind: str
    id: str | None
    name: str | None
    ip: str | None
    user_agent: str | None
    scopes: tuple[str, ...] = ()

    def actor(self) -> dict[str, Any]:
        if self.kind == "system":
            return {"type": "system"}
        return {"type": self.kind, "id": self.id, "name": self.name}

    def ref(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}


def _p(
    key: str,
    name: str,
    role: str,
    ips: tuple[str, ...],
    agent: str,
    areas: str,
    *,
    email: str | None = None,
    status: str = "active",
    active_weeks: tuple[int, int] | None = (0, LAST_WEEK),
    busy: float = 1.0,
) -> Person:
    email = email or f"{key}@acme.test"
    return Person(f"tm_{key}", name, email, role, ips, agent, frozenset(areas.split()), status, active_weeks, busy)


BETH = _p(
    "beth",
    "Beth-Ann Sher",
    "Admin",
    (OFFICE_IP, "2001:db8:4a1:7::1e"),
    _MAC_CHROME,
    "admin self",
    busy=1.3,
    email="beth-ann@acme.test",
)
CIARAN = _p("ciaran", "Ciaran Lee", "Admin", (OFFICE_IP, "198.51.100.23"), _WIN_EDGE, "admin finance self")
PRIYA = _p(
    "priya",
    "Priya Natarajan",
    "Support lead",
    (OFFICE_IP, "2001:db8:85a3:12::41"),
    _MAC_SAFARI,
    "lead support content self",
    busy=1.3,
)
JONAH = _p(
    "jonah",
    "Jonah Okafor",
    "Support",
    (OFFICE_IP,),
    _WIN_CHROME,
    "support self",
    status="deleted",
    active_weeks=(21, LAST_WEEK),
)
SAMUEL = _p("samuel", "Samuel Adeyemi", "Support", (OFFICE_IP, "198.51.100.140"), _LINUX_FIREFOX, "support self")
LENA = _p("lena", "Lena Fischer", "Content editor", ("2001:db8:c0de:2::17", OFFICE_IP), _MAC_FIREFOX, "content self")
AOIFE = _p("aoife", "Aoife Byrne", "Marketing", (OFFICE_IP, "2001:db8:5e:1::9"), _MAC_CHROME, "marketing content self")
MARCO = _p(
    "marco",
    "Marco Rossi",
    "Sales",
    ("198.51.100.61", "2001:db8:77::3", OFFICE_IP),
    _WIN_CHROME,
    "sales self",
    busy=0.8,
)
GRACE = _p("grace", "Grace O'Neill", "Finance", (OFFICE_IP,), _WIN_EDGE, "finance self", busy=0.6)
DMITRI = _p("dmitri", "Dmitri Volkov", "Developer", ("198.51.100.88", "2001:db8:d3f::5"), _LINUX_CHROME, "dev self")
TOMAS = _p(
    "tomas",
    "Tomás Ferreira",
    "Developer",
    ("2001:db8:1f::71", OFFICE_IP),
    _MAC_CHROME,
    "dev self",
    active_weeks=(0, 15),
)
RAVI = _p(
    "ravi",
    "Ravi Menon",
    "Support",
    ("198.51.100.201",),
    _WIN_FIREFOX,
    "support self",
    status="deleted",
    active_weeks=(45, LAST_WEEK),
    busy=0.7,
)
MEI = _p(
    "mei",
    "Mei Chen",
    "Support",
    (OFFICE_IP,),
    _MAC_CHROME,
    "support",
    status="invited",
    active_weeks=None,
    email="mei.chen@acme.test",
)

CAST: tuple[Person, ...] = (BETH, CIARAN, PRIYA, JONAH, SAMUEL, LENA, AOIFE, MARCO, GRACE, DMITRI, TOMAS, RAVI, MEI)
ADMIN = BETH

SIEM_TOKEN = Machine("api_token", "tok_5f2c9a", "SIEM export", "192.0.2.15", "python-httpx/0.27.0", ("read",))
WAREHOUSE_TOKEN = Machine("api_token", "tok_8d41e0", "Warehouse sync", "2001:db8:ffff::a", "Fivetran/2.0", ("read",))
SCIM_TOKEN = Machine("api_token", "tok_0c7b13", "Okta SCIM", "192.0.2.80", "Okta SCIM Client 1.0.0", ("read", "write"))
ZAPIER_TOKEN = Machine("api_token", "tok_3e9a77", "Legacy Zapier", None, None, ("read", "write"))
SYSTEM = Machine("system", None, None, None, None)


def teammates(workspace_id: str) -> list[Teammate]:
    return [person.teammate(workspace_id) for person in CAST]
