"""The workspace console's accounts: teammates who sign in, their roles and permissions, invites, sessions.

Every change made here is written together with its activity-log entry, in one transaction of the store
(`storage.base.Transaction`): there is never a change without its entry, nor an entry for a change that
failed. The web pages (`activitylog.web`) only parse, authorise and render; the rules live here.
"""
