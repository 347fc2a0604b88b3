"""The alert lifecycle: the one package that changes the status and timers of an
escalation (AlertGroup) and of the conditions (Alert) inside it.

    open ──acknowledge──▶ acknowledged            any unresolved ──resolve──▶ resolved
      │ ▲                                          (a person, with a note; or the last
      │ └──wake── snoozed ◀──snooze── open/ack.     condition clearing; or the situation
      └──escalate (its wait ran out, a manager,      closing, with its outcome)
         or an acknowledgement that lapsed)──▶ open, one step further

A situation has at most one unresolved group. A condition found true opens one, or
joins the open one (a batched update at most once per ALERTS_GROUP_INTERVAL_SECONDS;
a more severe condition moves the group onto its policy, keeping the step). A condition
that returns within its rule's cool-down rejoins its group silently, with the group's
acknowledgement, snooze, owner and step as they were; too many returns in a day mark
the group flapping, with one notice.

Each function takes rows its caller has locked and `now`, makes one change, writes the
AlertEvent that records it and the notifications it calls for. Callers decide *whether*
a change may happen (evaluation: the facts; services: the person's permission; the
scans: the clock); none of them sets a status or a timer field
(tests/alerts/test_lifecycle_is_the_only_writer.py). Waits live in indexed columns read
by the periodic scans; nothing waits in the broker.

Its modules, each importing only those before it: `common` (Changes, the timeline
entry), `clock` (waits and deadlines; send_update, escalate, wake,
review_acknowledgement, nag), `conditions` (admit, refresh, clear), `announcing`
(announce) and `people` (what a person does). Callers use the names below, as
`lifecycle.admit(...)`; the modules are not an interface.
"""
from alerts.lifecycle.announcing import announce
from alerts.lifecycle.clock import escalate, has_step_after_current, nag, review_acknowledgement, send_update, wake
from alerts.lifecycle.common import Changes
from alerts.lifecycle.conditions import FLAP_WINDOW, admit, clear, refresh, unresolved_group
from alerts.lifecycle.people import (
    MAX_SNOOZE,
    acknowledge,
    add_note,
    check_resolve,
    check_snooze,
    escalate_by_hand,
    reassign,
    resolve,
    resolve_with_situation,
    snooze,
)

__all__ = [
    "FLAP_WINDOW", "MAX_SNOOZE", "Changes", "acknowledge", "add_note", "admit", "announce", "check_resolve",
    "check_snooze", "clear", "escalate", "escalate_by_hand", "has_step_after_current", "nag", "reassign", "refresh",
    "resolve", "resolve_with_situation", "review_acknowledgement", "send_update", "snooze", "unresolved_group", "wake",
]
