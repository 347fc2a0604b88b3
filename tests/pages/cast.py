"""The cast as the pages see it: every role, and for each object whether it is in scope."""
ROLES = ("anonymous", "desk_officer", "manager", "admin_user", "liaison", "other_liaison")
STAFF = ("desk_officer", "manager", "admin_user")
MANAGERS = ("manager", "admin_user")

# What each liaison must never see in a body, whatever the page.
HOME_SECRETS = ("Lowland displacement", "Joint démarche", "Attacks on civilians above critical")
FOREIGN_SECRETS = ("Secret highland crisis", "Secret envoy", "Secret highland alert")


def secrets_hidden_from(role: str) -> tuple[str, ...]:
    return {"liaison": FOREIGN_SECRETS, "other_liaison": HOME_SECRETS}.get(role, ())


def in_scope(role: str, which: str) -> bool:
    """`which` is "home" (the situation assigned to XHA) or "foreign" (assigned to XOT)."""
    if role in STAFF:
        return True
    return (role, which) in {("liaison", "home"), ("other_liaison", "foreign")}


def role_class(role: str) -> str:
    if role in MANAGERS:
        return "manager"
    return "desk" if role == "desk_officer" else "liaison"
