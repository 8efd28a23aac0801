"""The demo workspace: "Acme", a dozen teammates and a year of realistic activity, for trying the product.

`create_demo(log)` builds it through the real recording path; `activitylog demo` is its command.

Who and what: `people` (the cast, their IPs and browsers), `things` (what they work on). When: `calendar`
(Dublin working hours, a year of weeks). What happens: `story` (one-off events and the two bursts), `routine`
(API tokens and the system), `sessions` (logins and logouts), `generator` (the everyday mix), `metadata` with
`meta_people` / `meta_work` (metadata per activity type), `continuity` (values that agree over the year).
Writing: `loader`.
"""

from activitylog.demo.generator import DEFAULT_EVENTS, MIN_EVENTS, TIMEZONE, generate
from activitylog.demo.loader import DEFAULT_SEED, WORKSPACE_ID, WORKSPACE_NAME, DemoResult, create_demo, existing_demo
from activitylog.demo.people import ADMIN, CAST

__all__ = [
    "ADMIN",
    "CAST",
    "DEFAULT_EVENTS",
    "DEFAULT_SEED",
    "MIN_EVENTS",
    "TIMEZONE",
    "WORKSPACE_ID",
    "WORKSPACE_NAME",
    "DemoResult",
    "create_demo",
    "existing_demo",
    "generate",
]
