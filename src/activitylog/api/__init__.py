"""The REST API's routes: the native `/v1` API, the Intercom-compatible `/admins` API, health and readiness.

`api.mount.mount(app)` adds them, and the API's error shapes, to the shell (`activitylog.http`).
"""
