"""Frozen copies of what old migrations compute with, so a revision keeps the meaning it was written with.

A migration must not import live code whose output it stores (today's `integrity.canonical`, say): when that code
changes, the old revision would silently write different bytes. A change of format comes with a new module here
and a new migration, never an edit of an existing one.
"""
