"""One cast of users for the tests, the benchmarks and the reliability scripts (after
healthchecks and Zulip): whoever needs "a desk officer" or "a liaison of another
government" takes the same person, so every permission test has its natural negative
case at hand.

- A desk officer, a manager and an admin: staff, who see everything.
- Two partner governments at the heart of it, "home" (XHA) and "other" (XOT), each with
  a liaison; home has a second one, for a desk of several people on one assignment.
- Three more liaisons for the sharing rules' edge cases, each of their own government:
  an observer's (XOB), one whose government is assigned to a RED situation without them
  being named (XRD), and one whose government is assigned nowhere (XLN).

Members are built on first use and found again after (get-or-create by username and by
government code), so asking twice in one test gives the same row.
"""
from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Role

PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class Partner:
    code: str
    name: str


@dataclass(frozen=True)
class Member:
    username: str
    role: str
    government: str | None = None  # a key of GOVERNMENTS
    first_name: str = ""
    last_name: str = ""
    superuser: bool = False


GOVERNMENTS = {
    "home": Partner("XHA", "Home Republic"),
    "other": Partner("XOT", "Other Federation"),
    "observer": Partner("XOB", "Observer Union"),
    "red": Partner("XRD", "Red Coast"),
    "lonely": Partner("XLN", "Lonely Isles"),
}

# Keyed by the name of the pytest fixture that gives each one (testkit/fixtures.py).
MEMBERS = {
    "desk_officer": Member("desk", Role.DESK_OFFICER, first_name="Dana", last_name="Desk"),
    "manager": Member("manager", Role.MANAGER, first_name="Mina", last_name="Manager"),
    "admin_user": Member("admin", Role.ADMIN, superuser=True),
    "liaison": Member("liaison", Role.LIAISON, "home"),
    "second_liaison": Member("second-liaison", Role.LIAISON, "home", first_name="Sami", last_name="Second"),
    "other_liaison": Member("other-liaison", Role.LIAISON, "other"),
    "observer_liaison": Member("observer-liaison", Role.LIAISON, "observer"),
    "red_liaison": Member("red-liaison", Role.LIAISON, "red"),
    "lonely_liaison": Member("lonely-liaison", Role.LIAISON, "lonely"),
}


def government(key: str):
    from testkit.factories import GovernmentFactory

    part = GOVERNMENTS[key]
    return GovernmentFactory(code=part.code, name=part.name)


def user(key: str):
    """The member's row, password PASSWORD, e-mail <username>@example.org."""
    from testkit.factories import UserFactory

    member = MEMBERS[key]
    extra = {"government": government(member.government)} if member.government else {}
    if member.superuser:
        extra.update(is_staff=True, is_superuser=True)
    return UserFactory(username=member.username, role=member.role, first_name=member.first_name,
                       last_name=member.last_name, **extra)


# --- The cast as the pages see it: every role, and for each object whether it is in scope.

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
