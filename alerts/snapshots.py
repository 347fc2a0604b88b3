"""The escalation policy as an alert froze it when it opened (after Grafana OnCall's
escalation snapshot): later edits of the policy do not change a running escalation.

Read and written here only: an alert stores `PolicySnapshot.as_json()` in its
`policy_snapshot` column and reads it back through `Alert.snapshot`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class StepSnapshot:
    order: int
    targets: tuple[str, ...] = ()
    user_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    wait_minutes: int = 0

    @property
    def wait(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.wait_minutes)


@dataclass(frozen=True)
class PolicySnapshot:
    policy_id: int | None = None
    name: str = ""
    repeat_last_step: bool = False
    steps: tuple[StepSnapshot, ...] = field(default_factory=tuple)
    ack_reminder_hours: int | None = None
    ack_lapse_hours: int | None = None

    @classmethod
    def of(cls, policy) -> PolicySnapshot:
        """Freeze an EscalationPolicy (None: an alert with no policy notifies nobody)."""
        if policy is None:
            return cls()
        return cls(policy_id=policy.pk, name=policy.name, repeat_last_step=policy.repeat_last_step,
                   ack_reminder_hours=policy.ack_reminder_hours, ack_lapse_hours=policy.ack_lapse_hours,
                   steps=tuple(StepSnapshot(order=step.order, targets=tuple(step.targets),
                                            user_ids=tuple(sorted(u.pk for u in step.users.all())),
                                            channels=tuple(step.channels), wait_minutes=step.wait_minutes)
                               for step in policy.steps.all()))

    @classmethod
    def from_json(cls, data: dict | None) -> PolicySnapshot:
        data = data or {}
        steps = tuple(StepSnapshot(order=s.get("order", index + 1), targets=tuple(s.get("targets", ())),
                                   user_ids=tuple(s.get("user_ids", ())), channels=tuple(s.get("channels", ())),
                                   wait_minutes=s.get("wait_minutes", 0))
                      for index, s in enumerate(data.get("steps", ())))
        return cls(policy_id=data.get("policy_id"), name=data.get("name", ""),
                   repeat_last_step=bool(data.get("repeat_last_step", False)), steps=steps,
                   ack_reminder_hours=data.get("ack_reminder_hours"), ack_lapse_hours=data.get("ack_lapse_hours"))

    def as_json(self) -> dict:
        if self.policy_id is None and not self.steps:
            return {}
        return {"policy_id": self.policy_id, "name": self.name, "repeat_last_step": self.repeat_last_step,
                "ack_reminder_hours": self.ack_reminder_hours, "ack_lapse_hours": self.ack_lapse_hours,
                "steps": [{**asdict(step), "targets": list(step.targets), "user_ids": list(step.user_ids),
                           "channels": list(step.channels)} for step in self.steps]}

    def step(self, index: int) -> StepSnapshot | None:
        """Step `index` (from 0); past the last, the last (a repeating last step)."""
        if not self.steps:
            return None
        return self.steps[min(index, len(self.steps) - 1)]

    def has_step_after(self, index: int) -> bool:
        return bool(self.steps) and (index + 1 < len(self.steps) or self.repeat_last_step)
