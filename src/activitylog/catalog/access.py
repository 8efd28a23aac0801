"""The words of access: the permissions a role grants and the ways of signing in a workspace allows.

Their codes are stable: roles store them, and `admin_permission_change`, `role_change` and
`app_authentication_method_change` entries carry them as the keys of `before` / `after`. The labels are what
people read, in the console and in the log's sentences, so both the console (`domain.permissions`,
`domain.accounts`) and the catalog's vocabulary (`catalog.fields`) take them from here.
"""

from __future__ import annotations

SETTINGS = "can_access_general_and_security_settings"
TEAMMATES = "can_manage_teammates_seats_and_permissions"

#: Every permission, in the order the console lists them.
PERMISSIONS: dict[str, str] = {
    SETTINGS: "Can access general and security settings",
    TEAMMATES: "Can manage teammates, seats and permissions",
}

#: Ways of signing in a workspace can allow. Email and password is the primary one and cannot be turned off
#: (this server offers no other); recovery codes may be refused as a second factor by a stricter workspace.
SIGN_IN_METHODS: dict[str, str] = {
    "email_and_password": "Email and password",
    "recovery_codes": "Recovery codes instead of the authenticator app",
}
