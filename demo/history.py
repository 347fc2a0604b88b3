"""The demo world's past: the months its readings cover, lived through in order.

A new situation is not given its history at once: its weeks are replayed one after the
other on a clock, so that what the engine did, it did at the time. Each week's readings
are recorded through coordination's services and the situation evaluated as the worker
would have (alerts.history.replay); in between, the escalation scan runs whenever
something fell due (alerts.history.next_due), the demo people answer what reached
them — acknowledge, snooze, add a note, resolve — and the partners propose, agree,
carry out and complete their actions, each followed by the evaluation it caused.
Everything before the last half hour is recorded as delivered then; the last step, at
the present, is live (the engine's own evaluation and scan), so what it writes — what
fell due in that half hour — is what is genuinely due now.

How people behave is drawn from seeded generators keyed by situation, so the same
present day always gives the same past.

Coordination's services stamp their rows with the wall clock and take no time: after
each call, the rows it wrote are back-dated to the moment replayed (demo back-dating,
for a demo database only): an action's created, agreed, completed and last-activity
times with the ActionUpdate and history rows of that call, a situation's history rows,
an assignment's creation, a reading's recorded_at.
"""
from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Role, User
from alerts import history
from alerts.choices import AlertStatus, Severity
from alerts.escalation import escalate_due_alerts
from alerts.evaluation import evaluate_situation
from alerts.models import UNRESOLVED_Q, Alert, AlertGroup
from coordination import services
from coordination.choices import (
    OPEN_ACTION_STATUSES,
    RISK_RANK,
    ActionStatus,
    PartnerRole,
    RiskLevel,
    SituationStatus,
)
from coordination.models import (
    Action,
    ActionUpdate,
    IndicatorReading,
    PartnerAssignment,
    Situation,
)
from coordination.readings import readings_record
from coordination.sharing import can_see_situation
from demo import checkin, series, signoff, voice, world

READINGS_REPORTED_AFTER = dt.timedelta(hours=2)  # observed at 09:00, in Concert by 11:00
OPENED_AFTER_READINGS = dt.timedelta(days=1, hours=1)
# Nothing of the past happens closer to the present than this: the live step owns it.
PRESENT_MARGIN = dt.timedelta(minutes=30)
READ_AFTER = dt.timedelta(hours=2)
OFFICE_OPENS, OFFICE_CLOSES = 8, 18
UNREAD_WINDOW = dt.timedelta(days=7)

# How a first answer to a new escalation comes, and how often.
ANSWERS = {"desk": 3, "liaison": 2, "managers": 3, "snooze": 3, "late": 1}


def _minutes(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(minutes=rng.uniform(low, high))


def _hours(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(hours=rng.uniform(low, high))


def _days(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(days=rng.uniform(low, high))


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.timezone.utc)


def _office_hours(at: dt.datetime, rng: random.Random) -> dt.datetime:
    """People answer an alert at any hour, but write notes, settle escalations and move
    actions in the working day (UTC, for simplicity)."""
    if OFFICE_OPENS <= at.hour < OFFICE_CLOSES:
        return at
    day = at.date() if at.hour < OFFICE_OPENS else at.date() + dt.timedelta(days=1)
    return _at(day, OFFICE_OPENS) + _minutes(rng, 0, 150)


def nearest_level(gravity: float) -> str:
    return min(RiskLevel.values, key=lambda level: abs(world.SEVERITY[level] - gravity))


@dataclass
class Story:
    """One situation's past, as the clock reaches it."""

    situation: Situation
    spec: dict
    officer: User
    gravity: list[float]
    weeks: list
    rng: random.Random
    liaison_of: dict[str, User]
    level: str = ""
    warned_at: dt.datetime | None = None
    planned: set = field(default_factory=set)
    groups_seen: int = 0

    @property
    def falling(self) -> bool:
        return self.spec.get("de_escalating", False)

    def lead_liaison(self) -> User | None:
        code = next((code for code, role in self.spec["partners"] if role == PartnerRole.LEAD), None)
        liaison = self.liaison_of.get(code)
        return liaison if liaison and can_see_situation(liaison, self.situation.pk) else None


@dataclass
class Care:
    """How the desk answers one escalation."""

    rng: random.Random
    answered_once: bool = False
    waiting: bool = False


class Past:
    def __init__(self, *, users: dict[str, User], liaison_of: dict[str, User], governments: dict):
        self.users, self.liaison_of, self.governments = users, liaison_of, governments
        self.managers = [u for u in users.values() if u.role == Role.MANAGER]
        self.now = timezone.now()
        self.limit = self.now - PRESENT_MARGIN
        self.queue: list = []
        self.order = itertools.count()
        self.stories: dict[int, Story] = {}
        self.cares: dict[int, Care] = {}
        self.evaluations: set[tuple[int, dt.datetime]] = set()
        self.wakes: set[tuple[int, dt.datetime]] = set()
        # Whether this step wrote anything (the engine's timers may have moved) and
        # whether the engine itself ran (an escalation may have opened or reopened).
        self.touched = self.evaluated = False

    # --- the cast ---------------------------------------------------------------------------

    def initial_state(self, spec: dict, gravity: list[float]) -> tuple[str, str]:
        """The risk level and status a situation was opened with, months ago."""
        level = self._clamp(spec, nearest_level(gravity[world.BACKFILLED_WEEKS - 1]))
        status = spec["status"]
        if status in (SituationStatus.CLOSED, SituationStatus.DE_ESCALATING):
            status = SituationStatus.ACTIVE
        return level, status

    def add(self, situation: Situation, spec: dict, officer: User, gravity: list[float], weeks: list) -> None:
        story = Story(situation=situation, spec=spec, officer=officer, gravity=gravity, weeks=weeks,
                      rng=random.Random(f"{world.SEED}:{situation.country_code}:past"), liaison_of=self.liaison_of,
                      level=situation.risk_level)
        self.stories[situation.pk] = story
        # Opened with its partners once the first weeks' reports had come in; those
        # are recorded on its first day, the later ones week by week.
        first = world.BACKFILLED_WEEKS - 1
        opened = weeks[first][0] + OPENED_AFTER_READINGS
        Situation.history.filter(id=situation.pk).update(history_date=opened)
        PartnerAssignment.objects.filter(situation=situation).update(created_at=opened)
        PartnerAssignment.history.filter(situation_id=situation.pk).update(history_date=opened)
        checkin.keep_watch(self, story)
        self.push(opened, self.week, story, 0, first)
        for week in range(first + 1, len(weeks)):
            self.push(weeks[week][0] + READINGS_REPORTED_AFTER, self.week, story, week, week)
        voice.plan(self, story)  # the partners' own assessments and notes (demo/voice.py)

    # --- the clock --------------------------------------------------------------------------

    def push(self, at: dt.datetime, step, *args) -> None:
        if at < self.limit:
            heapq.heappush(self.queue, (at, next(self.order), step, args))

    def run(self) -> None:
        """Live through the past, then take the live step at the present."""
        clock = min((entry[0] for entry in self.queue), default=self.limit)
        due = None
        while True:
            # Only a write moves the engine's timers: after a step that changed nothing
            # (a wake-up of a closed action, an answer come too late) the last look stands.
            if self.touched or due is None or due <= clock:
                due = history.next_due(after=clock)
            upcoming = self.queue[0][0] if self.queue else None
            candidates = [t for t in (due, upcoming) if t is not None and t < self.limit]
            if not candidates:
                break
            clock = max(clock, min(candidates))
            while self.queue and self.queue[0][0] <= clock:
                at, _order, step, args = heapq.heappop(self.queue)
                step(*args, at)
            if due is not None and due <= clock:
                history.scan(clock)
                self.touched = self.evaluated = True
            if self.evaluated:
                self.attend(clock)
            self.touched = self.evaluated = False
        history.read_in_app(situation_ids=self.stories, before=self.now - UNREAD_WINDOW, after=READ_AFTER)
        self.live()

    def live(self) -> None:
        """The present: evaluated and scanned for real, so what this writes is due now."""
        now = timezone.now()
        for pk in self.stories:
            evaluate_situation(situation_id=pk, now=now)
        escalate_due_alerts(now=now)

    def evaluate(self, story: Story, at: dt.datetime) -> None:
        key = (story.situation.pk, at)
        if key in self.evaluations:
            return
        self.evaluations.add(key)
        self.touched = self.evaluated = True
        history.replay(story.situation.pk, at)
        self.notice_warning(story, at)

    def wake(self, story: Story, action_pk: int, activity: dt.datetime | None, at: dt.datetime) -> None:
        """The deadline scan's minute for one action: only if the action is still open, and
        for a stall, only if nobody has updated it since."""
        action = Action.objects.filter(pk=action_pk).values("status", "last_activity_at").first()
        if action["status"] not in OPEN_ACTION_STATUSES:
            return
        if activity is not None and action["last_activity_at"] != activity:
            return
        self.evaluate(story, at)

    # --- a week of readings, and what the desk makes of the risk ----------------------------

    def week(self, story: Story, first: int, week: int, at: dt.datetime) -> None:
        """The readings of weeks first…week arrive; the desk reviews the risk."""
        self.touched = True
        readings = [reading for _observed_at, batch in story.weeks[first:week + 1] for reading in batch]
        situation = story.situation
        results = readings_record(actor=story.officer, situation=situation, readings=readings)
        IndicatorReading.objects.filter(pk__in=[r.pk for r, created in results if created]).update(recorded_at=at)
        self.review_risk(story, week, at)
        self.evaluate(story, at)
        self.plan_unwarned(story, at)

    def _clamp(self, spec: dict, level: str) -> str:
        final = spec["risk"]
        if spec.get("de_escalating"):
            return level if RISK_RANK[level] > RISK_RANK[final] else final
        return level if RISK_RANK[level] < RISK_RANK[final] else final

    def review_risk(self, story: Story, week: int, at: dt.datetime) -> None:
        """The lead desk officer rates the risk on the week's evidence: up only while a
        situation worsens, down only while it calms; the last week is its rating today."""
        last = week == len(story.weeks) - 1
        level = story.spec["risk"] if last else self._clamp(story.spec, nearest_level(story.gravity[week]))
        moved = RISK_RANK[level] - RISK_RANK[story.level]
        if (moved < 0) != story.falling or moved == 0:
            level = story.level
        changes = {}
        if level != story.level:
            changes["risk_level"] = level
        wanted = story.spec["status"]
        if wanted == SituationStatus.DE_ESCALATING and level == story.spec["risk"]:
            changes["status"] = wanted
        if wanted == SituationStatus.CLOSED and week >= len(story.weeks) - 1 - world.CLOSED_WEEKS_AGO:
            changes.update(status=wanted, risk_level=story.spec["risk"])
        if not changes or all(getattr(story.situation, k) == v for k, v in changes.items()):
            return
        before = Situation.history.filter(id=story.situation.pk).order_by("-history_id").values_list(
            "history_id", flat=True).first() or 0
        story.situation = signoff.sign_off_at_once(
            services.situation_update(actor=story.officer, situation=story.situation, **changes),
            self.users["manager"])
        story.level = story.situation.risk_level
        Situation.history.filter(id=story.situation.pk, history_id__gt=before).update(history_date=at)

    # --- the partners' actions ----------------------------------------------------------------

    def notice_warning(self, story: Story, at: dt.datetime) -> None:
        if story.warned_at is None:
            story.warned_at = (Alert.objects.filter(situation=story.situation).exclude(severity=Severity.INFO)
                               .order_by("evidence_at").values_list("evidence_at", flat=True).first())
            if story.warned_at is not None:
                self.plan_response(story, at)

    def plan_unwarned(self, story: Story, at: dt.datetime) -> None:
        """Before any warning, an action is still planned some weeks before it falls due
        (and everything is planned by the last weeks): prevention that came early."""
        if story.warned_at is not None:
            return
        rng = story.rng
        for spec in story.spec["actions"]:
            due = series.present_day(story.situation) + dt.timedelta(days=spec[4])
            if spec[0] in story.planned or (at < _at(due, 9) - dt.timedelta(days=28)
                                            and at < self.limit - dt.timedelta(days=8)):
                continue
            proposed = at + _hours(rng, 3, 30)
            agrees = spec[3] != ActionStatus.PROPOSED and story.spec.get("response_days") is not None
            self.plan_action(story, spec, proposed=proposed, agreed=proposed + _days(rng, 1, 4) if agrees else None)

    def plan_response(self, story: Story, at: dt.datetime) -> None:
        """The partners answer the first warning: the first action agreed response_days
        after it, the others in the weeks that follow; with no response, proposals only."""
        response = story.spec.get("response_days")
        rng = story.rng
        if response is None:
            when = at + _hours(rng, 20, 60)
            for spec in story.spec["actions"]:
                if spec[0] not in story.planned:
                    self.plan_action(story, spec, proposed=when, agreed=None)
                    when += _days(rng, 2, 9)
            return
        # The gap closes with the action that lasts longest; the others are agreed
        # nearer their own due dates, but never before it.
        first = max(story.warned_at + dt.timedelta(days=response) + _hours(rng, 1, 7), at + dt.timedelta(hours=3))
        waiting = [spec for spec in story.spec["actions"] if spec[0] not in story.planned]
        agreeing = sorted((spec for spec in waiting if spec[3] != ActionStatus.PROPOSED), key=lambda spec: -spec[4])
        for index, spec in enumerate(agreeing):
            due = _at(series.present_day(story.situation) + dt.timedelta(days=spec[4]), 10)
            agreed = first if index == 0 else max(first + _days(rng, 1, 6), due - _days(rng, 14, 45))
            proposed = max(agreed - _days(rng, 0.2, 2.5), at + dt.timedelta(hours=1))
            self.plan_action(story, spec, proposed=proposed, agreed=agreed)
        for spec in waiting:
            if spec[3] == ActionStatus.PROPOSED:
                # Still a proposal today: made a few weeks before its due date.
                due = _at(series.present_day(story.situation) + dt.timedelta(days=spec[4]), 10)
                proposed = max(at + dt.timedelta(hours=1), due - _days(rng, 14, 30))
                self.plan_action(story, spec, proposed=min(proposed, self.limit - _days(rng, 1, 5)), agreed=None)

    def plan_action(self, story: Story, spec: tuple, *, proposed: dt.datetime, agreed: dt.datetime | None) -> None:
        """The steps of one action to its status today, each at its time; squeezed
        before the present when the story runs late."""
        title, _kind, owner, status, due_in_days, _priority = spec
        story.planned.add(title)
        rng = random.Random(f"{world.SEED}:{story.situation.country_code}:{title}")
        due = series.present_day(story.situation) + dt.timedelta(days=due_in_days)
        steps = [(proposed, "propose")]
        path = world.STATUS_PATHS[status] if agreed is not None else (
            [ActionStatus.CANCELLED] if status == ActionStatus.CANCELLED else [])
        when = agreed or proposed
        for target in path:
            if target == ActionStatus.AGREED:
                when = max(agreed, proposed + dt.timedelta(hours=2))
            elif target == ActionStatus.COMPLETED:
                done = _at(due, 15) + dt.timedelta(days=world.COMPLETED_DAYS_FROM_DUE.get(title, 0))
                start = when
                when = max(done, when + dt.timedelta(days=2))
                steps += self._progress_notes(rng, start, when)
            elif target == ActionStatus.BLOCKED:
                start = when
                when = when + _days(rng, 4, 12)
                steps += self._progress_notes(rng, start, when)
            else:
                when = when + _days(rng, 1, 5)
            steps.append((when, target))
        if status == ActionStatus.IN_PROGRESS:
            steps += self._progress_notes(rng, when, self.limit)
        elif status == ActionStatus.AGREED:
            # Agreed, not yet started: word now and then, sometimes too late to keep
            # the stall rule quiet.
            steps += self._progress_notes(rng, when, self.limit, spacing=(12, 28))
        steps = [(_office_hours(at, rng), what) for at, what in sorted(steps, key=lambda step: step[0])]
        # In the order planned, and, for a story that runs late, still before the present.
        latest = self.limit - dt.timedelta(hours=len(steps))
        for index, (at, what) in enumerate(steps):
            at = min(at, latest + dt.timedelta(hours=index))
            if index and at <= steps[index - 1][0]:
                at = steps[index - 1][0] + dt.timedelta(minutes=20)
            steps[index] = (at, what)
        self.push(steps[0][0], self.action_step, story, spec, due, steps, 0)

    def _progress_notes(self, rng: random.Random, start: dt.datetime, end: dt.datetime,
                        spacing: tuple[float, float] = (8, 20)) -> list:
        notes, when = [], start + _days(rng, *spacing)
        while when < end - dt.timedelta(days=1):
            notes.append((when, "note"))
            when += _days(rng, *spacing)
        return notes

    def action_step(self, story: Story, spec: tuple, due: dt.date, steps: list, index: int, at: dt.datetime) -> None:
        title, kind, owner, _status, _due_in, priority = spec
        what = steps[index][1]
        self.touched = True
        situation = story.situation
        owner_liaison = self.liaison_of[owner]
        manager = self.users["manager"]
        action = Action.objects.filter(situation=situation, title=title).first()
        last_update = ActionUpdate.objects.filter(action=action).order_by("-pk").values_list("pk", flat=True).first() \
            if action else None
        last_history = Action.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0
        if what == "propose":
            action = services.action_propose(
                actor=story.officer, situation=situation, title=title, kind=kind,
                owner_government=self.governments[owner], due_date=due, assignee=owner_liaison, priority=priority,
                description=f"{title}. Agreed among the partners on {situation.title}.")
        elif what == "note":
            author = owner_liaison if can_see_situation(owner_liaison, situation.pk) else story.officer
            action = services.action_update(actor=author, action=action, progress_note=story.rng.choice(
                world.PROGRESS_NOTES))
        else:
            # Partners report their own progress; agreeing or dropping an action is a
            # decision of the convening desk.
            by_owner = what in (ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED, ActionStatus.COMPLETED)
            actor = owner_liaison if by_owner and can_see_situation(owner_liaison, situation.pk) else manager
            action = services.action_transition(actor=actor, action=action, to_status=what,
                                                note=world.TRANSITION_NOTES[what])
        self.backdate_action(action, at, what, last_update, last_history)
        # The evaluation this change causes can only clear a condition on the action or,
        # once its due date is near, find one; otherwise it changes nothing, and the
        # wake-ups below evaluate when the time comes.
        wakeups = history.action_wakeups(action)
        if (any(wake <= at for wake, why in wakeups if why == "due")
                or Alert.objects.filter(action=action, condition_active=True).exists()):
            self.evaluate(story, at)
        for wake, why in wakeups:
            if wake > at and (action.pk, wake) not in self.wakes:
                self.wakes.add((action.pk, wake))
                self.push(wake, self.wake, story, action.pk, action.last_activity_at if why == "activity" else None)
        if index + 1 < len(steps):
            self.push(steps[index + 1][0], self.action_step, story, spec, due, steps, index + 1)

    def backdate_action(self, action: Action, at: dt.datetime, what: str, last_update, last_history) -> None:
        fields = {"last_activity_at": at}
        if what == "propose":
            fields["created_at"] = at
        if what == ActionStatus.AGREED:
            fields["agreed_at"] = at
        if what == ActionStatus.COMPLETED:
            fields["completed_at"] = at
        Action.objects.filter(pk=action.pk).update(**fields)
        for name, value in fields.items():
            setattr(action, name, value)
        ActionUpdate.objects.filter(action=action, pk__gt=last_update or 0).update(created_at=at)
        Action.history.filter(id=action.pk, history_id__gt=last_history).update(history_date=at)

    # --- the desk answers its escalations -----------------------------------------------------

    def attend(self, at: dt.datetime) -> None:
        """Whoever it reached answers an open escalation, once per time it (re)opens."""
        for group in AlertGroup.objects.filter(UNRESOLVED_Q, situation_id__in=list(self.stories),
                                               status=AlertStatus.OPEN):
            care = self.cares.get(group.pk)
            if care is None:
                story = self.stories[group.situation_id]
                story.groups_seen += 1
                care = self.cares[group.pk] = Care(rng=random.Random(
                    f"{world.SEED}:{story.situation.country_code}:escalation{story.groups_seen}"))
            if care.waiting:
                continue
            care.waiting = True
            if care.answered_once:
                how = "again"
            else:
                how = care.rng.choices(list(ANSWERS), weights=list(ANSWERS.values()))[0]
                care.answered_once = True
            delay = {"desk": (6, 25), "liaison": (8, 28), "managers": (33, 58), "snooze": (33, 55),
                     "late": (62, 118), "again": (5, 25)}[how]
            self.push(at + _minutes(care.rng, *delay), self.answer, group.pk, how)

    def answer(self, group_pk: int, how: str, at: dt.datetime) -> None:
        care = self.cares[group_pk]
        care.waiting = False
        group = AlertGroup.objects.select_related("situation").get(pk=group_pk)
        if group.status != AlertStatus.OPEN:
            return
        story = self.stories[group.situation_id]
        rng = care.rng
        if how == "snooze":
            until = _at((at + _days(rng, 2, 6)).date(), 8)
            self.act(group_id=group_pk, at=at, verb="snooze", actor=rng.choice(self.managers), until=until,
                     note=rng.choice(world.ESCALATION_NOTES["snooze"]))
            # What it waited for often comes before it wakes, and settles it.
            if rng.random() < 0.6:
                settled = max(until - _hours(rng, 2, 30), at + dt.timedelta(hours=1))
                self.later(settled, group_pk, "resolve", rng.choice(self.managers))
            return
        actor = {"desk": story.officer, "liaison": story.lead_liaison() or story.officer,
                 "again": story.officer}.get(how) or rng.choice(self.managers)
        note_kind = "again" if how == "again" else "acknowledge"
        self.act(group_id=group_pk, at=at, verb="acknowledge", actor=actor,
                 note=rng.choice(world.ESCALATION_NOTES[note_kind]))
        # The promise an acknowledgement makes: progress within the day, mostly; a
        # reminder, then a lapse, when nobody writes.
        if rng.random() < 0.7:
            self.later(at + _hours(rng, 2, 20), group_pk, "note", story.officer)
        elif rng.random() < 0.6:
            self.later(at + _hours(rng, 26, 44), group_pk, "note", story.officer)
        # A manager closes it, the conditions still holding left to clear quietly: mostly
        # within days, some kept on the queue for weeks while the partners work on it.
        wait = _days(rng, 0.5, 4) if rng.random() < 0.7 else _days(rng, 6, 16)
        self.later(at + wait, group_pk, "resolve", rng.choice(self.managers))

    def act(self, **kwargs) -> None:
        # Moves timers, but opens nothing: no need to look at the queue again.
        self.touched = True
        history.act(**kwargs)

    def later(self, at: dt.datetime, group_pk: int, verb: str, actor: User) -> None:
        self.push(_office_hours(at, self.cares[group_pk].rng), self.follow_up, group_pk, verb, actor)

    def follow_up(self, group_pk: int, verb: str, actor: User, at: dt.datetime) -> None:
        group = AlertGroup.objects.get(pk=group_pk)
        if group.status == AlertStatus.RESOLVED:
            return
        rng = self.cares[group_pk].rng
        note = rng.choice(world.ESCALATION_NOTES["progress" if verb == "note" else "resolve"])
        self.act(group_id=group_pk, at=at, verb=verb, actor=actor, note=note)
