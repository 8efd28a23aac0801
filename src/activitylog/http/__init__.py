"""The HTTP shell both surfaces (the REST API and the console) share: the app and its lifespan, what routes share,
request ids, client addresses, body and head limits, the public-host check, metrics and error rendering.

It imports the app services below it and never a surface: `api` and `web` mount themselves into it
(`activitylog.app` composes them).
"""
