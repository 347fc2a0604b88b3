"""Decisions that need two people (coordination/signoffs.py), for tests and tools that
are about what the decision does rather than about the sign-off itself: the first
person's attempt is a request, which a second manager approves here."""
from __future__ import annotations

from accounts.models import User
from coordination import signoffs
from coordination.models import SignoffRequest, Situation
from testkit import cast


def _member(key):
    # Found by name when it exists: building it again would set its password anew, and
    # so sign out every session it has.
    return User.objects.filter(username=cast.MEMBERS[key].username).first() or cast.user(key)


def second_person(requester):
    """A manager other than `requester`: the cast's manager, or its admin."""
    manager = _member("manager")
    return _member("admin_user") if manager.pk == requester.pk else manager


def signed_off(result, approver=None):
    """`result` must be the sign-off request a service answered with; it is approved (so
    carried out) and the changed object is returned, read again: the situation, or the
    escalation for a snooze or a resolution."""
    assert isinstance(result, SignoffRequest), f"expected a sign-off request, got {result!r}"
    signoffs.signoff_approve(actor=approver or second_person(result.requested_by), request=result)
    if result.group_id is not None:
        from alerts.models import AlertGroup

        return AlertGroup.objects.get(pk=result.group_id)
    return Situation.objects.get(pk=result.situation_id)
