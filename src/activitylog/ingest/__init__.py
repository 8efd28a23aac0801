"""The one recording pipeline: every entry, from every surface, is validated and built here.

`ActivityLog.record` (and its event-loop twin `record_async`) is the only way in: `batch.prepare_batch` turns
a batch into rows (the fast path `fast` for the common shape, the general path `validation` for everything else,
both reading `domain.limits` and building rows with `domain.prepared.entry_row`), and a `sinks.Sink` (the store,
a store transaction holding other writes, or the group-commit writer) stores them, all or none.
"""
