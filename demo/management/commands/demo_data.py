"""Build the demo world: partners, users of every role, situations, readings, actions.

Idempotent: every object is found by its natural key before it is made (governments by
code, users by username, situations by country and title, assignments by situation and
government, actions by situation and title), and readings carry a deterministic
client_id, so a second run finds everything and changes nothing. Values come from a
fixed seed, and each reading series is anchored on its situation's creation day (the
demo's present), so the same database always gets the same series.

A situation made by this run is given its past (demo/history.py): its weeks replayed in
order, the escalation engine run at each moment and the demo people answering, so that
escalations, acknowledgements and actions fall at their times and what was notified
then counts as delivered then. A situation found already made is only completed, as
before: its missing readings and actions recorded now.

Writes go through coordination.services where one exists. Governments, users and
indicator definitions have no service yet (they are reference data an admin makes), so
they are created here directly, validated with full_clean.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from alerts.choices import AlertStatus, Channel, NotificationStatus
from alerts.defaults import ensure_default_rules
from alerts.models import AlertGroup, Notification
from coordination import closing, named, risk_windows, services
from coordination.choices import ACTION_TRANSITIONS, ActionStatus, Marking, PartnerRole
from coordination.models import (
    Action,
    Government,
    Indicator,
    IndicatorReading,
    PartnerAssignment,
    RiskWindow,
    Situation,
    TrackedIndicator,
)
from coordination.readings import indicator_track, readings_record
from coordination.sharing import can_see_situation
from demo import commit, marking, series, signoff, world
from demo.history import Past


class Command(BaseCommand):
    help = "Create (or complete) the fictional demo world and print its logins. Safe to run again."

    def handle(self, *args, **options):
        self.made = Counter()
        before = {"readings": IndicatorReading.objects.count(), "actions": Action.objects.count()}
        # One transaction: an interrupted run leaves nothing half-built, and the
        # escalation engine is woken only once everything it will read is committed.
        with transaction.atomic():
            governments = self.ensure_governments()
            users = self.users = self.ensure_users(governments)
            indicators = self.ensure_indicators()
            # Before the situations: their past is replayed under these rules.
            rules_note = self.ensure_default_rules()
            liaison_of = {code: users[f"liaison-{code.lower()}"] for code, _name, _kind in world.GOVERNMENTS}
            past = Past(users=users, liaison_of=liaison_of, governments=governments)
            for spec in world.SITUATIONS:
                self.ensure_situation(spec, governments, users, indicators, past)
            if past.stories:
                past.run()
            # A demo login like the others: listed with them.
            desk = marking.ensure_liaison_desk(governments)
            users[desk.username] = desk
            # After its past: a settled situation is closed once its actions are done.
            for spec in world.SITUATIONS:
                situation = Situation.objects.get(country_code=spec["country"][0], title=spec["title"])
                self.close_if_settled(situation, spec, users[spec["officer"]])
            signoff.ensure_pending_signoff(users)
            commit.ensure_joint_demarche(users)
        self.made["readings"] = IndicatorReading.objects.count() - before["readings"]
        self.made["actions"] = Action.objects.count() - before["actions"]
        self.print_logins(users)
        self.print_counts(rules_note)

    # --- reference data (no service: made by an admin in real life) --------------------

    def ensure_governments(self) -> dict[str, Government]:
        governments = {}
        for code, name, kind in world.GOVERNMENTS:
            government = Government.objects.filter(code=code).first()
            if government is None:
                government = Government(code=code, name=name, kind=kind)
                government.full_clean()
                government.save()
                self.made["governments"] += 1
            governments[code] = government
        return governments

    def ensure_users(self, governments: dict[str, Government]) -> dict[str, User]:
        wanted = [(username, first, last, role, None) for username, first, last, role in world.STAFF_USERS]
        wanted += [(f"liaison-{code.lower()}", first, last, Role.LIAISON, governments[code])
                   for code, (first, last) in world.LIAISON_NAMES.items()]
        users = {}
        # One hash for every demo login: the password is the same and printed on the
        # screen, so a salt each protects nothing, and each hash costs most of a second.
        encoded = None
        for username, first, last, role, government in wanted:
            user = User.objects.filter(username=username).first()
            if user is None:
                # An existing user is left alone: a password someone changed stays changed.
                user = User(username=username, first_name=first, last_name=last, role=role, government=government,
                            email=f"{username}@concert.invalid",
                            is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
                encoded = encoded or make_password(world.DEMO_PASSWORD)
                user.password = encoded
                user.full_clean()
                user.save()
                self.made["users"] += 1
            users[username] = user
        return users

    def ensure_indicators(self) -> dict[str, Indicator]:
        indicators = {}
        for (code, name, ref, factor, kind, unit, direction, warning, critical, description) in world.INDICATORS:
            indicator = Indicator.objects.filter(code=code).first()
            if indicator is None:
                indicator = Indicator(code=code, name=name, framework_ref=ref, risk_factor=factor, value_kind=kind,
                                      unit=unit, direction=direction, warning_threshold=warning,
                                      critical_threshold=critical, description=description)
                indicator.full_clean()
                indicator.save()
                self.made["indicators"] += 1
            indicators[code] = indicator
        return indicators

    # --- situations, through the services ------------------------------------------------

    def ensure_situation(self, spec: dict, governments, users, indicators, past: Past) -> None:
        country_code, _country_name = spec["country"]
        officer = users[spec["officer"]]
        liaison_of = past.liaison_of

        situation = Situation.objects.filter(country_code=country_code, title=spec["title"]).first()
        new = situation is None
        if new:
            gravity = series.gravity(country_code, spec)
            # Opened as it stood months ago; its past brings it to today's rating.
            risk, status = past.initial_state(spec, gravity)
            situation = services.situation_open(
                actor=officer, title=spec["title"], country_code=country_code, area=spec["area"],
                summary=spec["summary"], status=status, risk_level=risk, marking=spec["marking"],
                lead_officer=officer)
            self.made["situations"] += 1

        for code, role in spec["partners"]:
            if not PartnerAssignment.objects.filter(situation=situation, government=governments[code]).exists():
                services.assignment_create(actor=officer, situation=situation, government=governments[code],
                                           role=role, liaisons=[liaison_of[code]])
                self.made["assignments"] += 1
        if new and spec["marking"] == Marking.RED:
            # Under TLP:RED only named people see it: the lead's and supporters' liaisons,
            # named by the lead officer once their governments are assigned.
            named.named_liaisons_set(actor=officer, situation=situation, liaisons=[
                liaison_of[code] for code, role in spec["partners"] if role != PartnerRole.OBSERVER])
        self.ensure_tracked(situation, spec, officer, indicators)
        self.ensure_risk_windows(situation, spec, officer, indicators)
        weeks = series.reading_series(situation, spec, indicators)
        if new:
            past.add(situation, spec, officer, gravity, weeks)
            return

        readings = [reading for _at, batch in weeks for reading in batch]
        readings_record(actor=officer, situation=situation, readings=readings)
        manager = users["manager"]
        for title, kind, owner, status, due_in_days, priority in spec["actions"]:
            if Action.objects.filter(situation=situation, title=title).exists():
                continue
            action = services.action_propose(
                actor=officer, situation=situation, title=title, kind=kind, owner_government=governments[owner],
                due_date=timezone.localdate() + dt.timedelta(days=due_in_days), assignee=liaison_of[owner],
                priority=priority, description=f"{title}. Agreed among the partners on {situation.title}.")
            owner_liaison = liaison_of[owner]
            for step in world.STATUS_PATHS[status]:
                # Partners report their own progress; agreeing or dropping an action is
                # a decision of the convening desk.
                by_owner = step in (ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED, ActionStatus.COMPLETED)
                actor = owner_liaison if by_owner and can_see_situation(owner_liaison, situation.pk) else manager
                assert step in ACTION_TRANSITIONS[action.status], (action.status, step)
                action = services.action_transition(actor=actor, action=action, to_status=step,
                                                    note=world.TRANSITION_NOTES[step])


    def close_if_settled(self, situation: Situation, spec: dict, officer: User) -> None:
        """A situation the world says is over is closed as a desk would: with what became
        of it, its finished actions kept."""
        if spec.get("closed") and not situation.is_closed:
            outcome, note = spec["closed"]
            asked = closing.situation_close(actor=officer, situation=situation, outcome=outcome, note=note,
                                            open_actions=closing.OpenActions.KEEP)
            signoff.sign_off_at_once(asked, self.users["manager"])

    def ensure_tracked(self, situation: Situation, spec: dict, officer: User, indicators) -> None:
        overrides = spec.get("thresholds", {})
        tracked = set(TrackedIndicator.objects.filter(situation=situation).values_list("indicator__code", flat=True))
        for code in series.tracked_codes(spec):
            if code not in tracked:
                warning, critical = overrides.get(code, (None, None))
                indicator_track(actor=officer, situation=situation, indicator=indicators[code],
                                warning_threshold=warning, critical_threshold=critical)


    def ensure_risk_windows(self, situation: Situation, spec: dict, officer: User, indicators) -> None:
        # Dated from the situation's first day, like the readings: a later run finds the
        # same window by its title and leaves it alone.
        first_day = timezone.localtime(situation.created_at, dt.timezone.utc).date()
        for kind, title, in_days, before, after, shift, factor, codes in spec.get("risk_windows", []):
            if RiskWindow.objects.filter(situation=situation, title=title).exists():
                continue
            risk_windows.risk_window_create(
                actor=officer, situation=situation, kind=kind, title=title,
                event_date=first_day + dt.timedelta(days=in_days), days_before=before, days_after=after,
                threshold_shift_percent=shift, wait_factor=factor, indicators=[indicators[c] for c in codes])
            self.made["risk windows"] += 1

    # --- the escalation engine's defaults ---------------------------------------------------

    def ensure_default_rules(self) -> str:
        ensure_default_rules()
        return "default escalation rules ensured (alerts.defaults)"

    # --- the closing report ---------------------------------------------------------------------

    def print_logins(self, users: dict[str, User]) -> None:
        rows = [(u.username, world.DEMO_PASSWORD, u.get_role_display(), u.government.code if u.government else "—")
                for u in users.values()]
        self.print_table("Demo logins (a demo database only)", ("username", "password", "role", "government"), rows)

    def print_counts(self, rules_note: str) -> None:
        today = timezone.localdate()
        open_actions = Action.objects.filter(status__in=[s for s, targets in ACTION_TRANSITIONS.items() if targets])
        by_status = Counter(Action.objects.values_list("status", flat=True))
        emails = Notification.objects.filter(channel=Channel.EMAIL)
        rows = [
            ("governments", Government.objects.count(), self.made["governments"]),
            ("users", User.objects.count(), self.made["users"]),
            ("indicators", Indicator.objects.count(), self.made["indicators"]),
            ("situations", Situation.objects.count(), self.made["situations"]),
            ("assignments", PartnerAssignment.objects.count(), self.made["assignments"]),
            ("tracked indicators", TrackedIndicator.objects.count(), "—"),
            ("readings", IndicatorReading.objects.count(), self.made["readings"]),
            ("actions", Action.objects.count(), self.made["actions"]),
            ("risk windows", RiskWindow.objects.count(), self.made["risk windows"]),
            ("action updates", apps.get_model("coordination", "ActionUpdate").objects.count(), "—"),
        ]
        rows += [(f"  actions {status}", by_status.get(status, 0), "") for status in ActionStatus.values]
        rows += [
            ("  open and overdue", open_actions.filter(due_date__lt=today).count(), ""),
            ("  open, due within 7 days", open_actions.filter(due_date__gte=today,
                                                              due_date__lte=today + dt.timedelta(days=7)).count(), ""),
            ("escalations", AlertGroup.objects.count(), "—"),
            ("  unresolved (the queue)", AlertGroup.objects.exclude(status=AlertStatus.RESOLVED).count(), ""),
            ("e-mails sent", emails.filter(status=NotificationStatus.SENT).count(), "—"),
            ("  pending (due now)", emails.filter(status=NotificationStatus.PENDING).count(), ""),
        ]
        self.print_table("What exists now", ("what", "total", "made by this run"), rows)
        self.stdout.write(rules_note)

    def print_table(self, title: str, header: tuple, rows: list[tuple]) -> None:
        rows = [tuple(str(cell) for cell in row) for row in rows]
        widths = [max(len(str(h)), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
        line = "  ".join("{:<%d}" % w for w in widths)
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(title))
        self.stdout.write(line.format(*header))
        self.stdout.write(line.format(*("-" * w for w in widths)))
        for row in rows:
            self.stdout.write(line.format(*row))
