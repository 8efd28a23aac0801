"""The workspace console in the browser: server-rendered pages under `/a/{workspace}/`.

Pages parse the form, check the session, the CSRF token and the permission, call `activitylog.accounts`,
and render a template. Every value that came from a user or an event reaches HTML through Jinja's
autoescaping, never as markup. Layout: `mount` (its routes and error pages, added to the shell `http`),
`session` (the cookie and the signed-in viewer), `csrf`, `templating`, and one module of routes per area
(`auth_pages`, `team_pages`, `settings_pages`, `activity_pages`).
"""
