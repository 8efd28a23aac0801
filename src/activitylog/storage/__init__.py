"""Where the log lives: one storage contract (`base.Store`), a SQLite and a PostgreSQL implementation.

`open_store(url)` picks the backend from the database URL; `integrity.IntegrityRepository` answers what tamper
evidence reads and writes (`activitylog.integrity.reader`) over either; `accounts`, `sessions` and `tokens` are
the app services' repositories (named functions over a `base.Transaction` or a `base.Reader`). SQL lives in this
package only (tests/architecture/test_sql_in_storage.py holds integrity/, accounts/ and tokens.py to it).
"""

from activitylog.storage.base import Page, RecordResult, Store, Teammate, Workspace
from activitylog.storage.url import open_store

__all__ = ["Page", "RecordResult", "Store", "Teammate", "Workspace", "open_store"]
