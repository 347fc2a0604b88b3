"""Build the demo world: partners, users of every role, situations, readings, actions.

Idempotent: every object is found by its natural key before it is made (governments by
code, users by username, situations by country and title, assignments by situation and
government, actions by situation and title), and readings carry a deterministic
client_id, so a second run finds everything and changes nothing. Values come from a
fixed seed, and each reading series is anchored on its situation's creation day, so the
same database always gets the same series.

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
from alerts.defaults import ensure_default_rules
from coordination import services
from coordination.choices import ACTION_TRANSITIONS, ActionStatus, Marking, PartnerRole
from coordination.models import (
    Action,
    Government,
    Indicator,
    IndicatorReading,
    PartnerAssignment,
    Situation,
    TrackedIndicator,
)
from coordination.sharing import can_see_situation
from demo import series, world

class Command(BaseCommand):
    help = "Create (or complete) the fictional demo world and print its logins. Safe to run again."

    def handle(self, *args, **options):
        self.made = Counter()
        # One transaction: an interrupted run leaves nothing half-built, and the
        # escalation engine is woken only once everything it will read is committed.
        with transaction.atomic():
            governments = self.ensure_governments()
            users = self.ensure_users(governments)
            indicators = self.ensure_indicators()
            for spec in world.SITUATIONS:
                self.ensure_situation(spec, governments, users, indicators)
            rules_note = self.ensure_default_rules()
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

    def ensure_situation(self, spec: dict, governments, users, indicators) -> None:
        country_code, _country_name = spec["country"]
        officer = users[spec["officer"]]
        manager = users["manager"]
        liaison_of = {code: users[f"liaison-{code.lower()}"] for code, _name, _kind in world.GOVERNMENTS}

        situation = Situation.objects.filter(country_code=country_code, title=spec["title"]).first()
        if situation is None:
            named = []
            if spec["marking"] == Marking.RED:
                # Under TLP:RED only named people see it: the lead's and supporters' liaisons.
                named = [liaison_of[code] for code, role in spec["partners"] if role != PartnerRole.OBSERVER]
            situation = services.situation_open(
                actor=officer, title=spec["title"], country_code=country_code, area=spec["area"],
                summary=spec["summary"], status=spec["status"], risk_level=spec["risk"], marking=spec["marking"],
                lead_officer=officer, named_liaisons=named)
            self.made["situations"] += 1

        for code, role in spec["partners"]:
            if not PartnerAssignment.objects.filter(situation=situation, government=governments[code]).exists():
                services.assignment_create(actor=officer, situation=situation, government=governments[code],
                                           role=role, liaison=liaison_of[code])
                self.made["assignments"] += 1

        self.ensure_readings(situation, spec, officer, indicators)

        for title, kind, owner, status, due_in_days, priority in spec["actions"]:
            if Action.objects.filter(situation=situation, title=title).exists():
                continue
            action = services.action_propose(
                actor=officer, situation=situation, title=title, kind=kind, owner_government=governments[owner],
                due_date=timezone.localdate() + dt.timedelta(days=due_in_days), assignee=liaison_of[owner],
                priority=priority, description=f"{title}. Agreed among the partners on {situation.title}.")
            self.made["actions"] += 1
            owner_liaison = liaison_of[owner]
            for step in world.STATUS_PATHS[status]:
                # Partners report their own progress; agreeing or dropping an action is
                # a decision of the convening desk.
                by_owner = step in (ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED, ActionStatus.COMPLETED)
                actor = owner_liaison if by_owner and can_see_situation(owner_liaison, situation.pk) else manager
                assert step in ACTION_TRANSITIONS[action.status], (action.status, step)
                action = services.action_transition(actor=actor, action=action, to_status=step,
                                                    note=world.TRANSITION_NOTES[step])

    def ensure_readings(self, situation: Situation, spec: dict, officer: User, indicators) -> None:
        overrides = spec.get("thresholds", {})
        tracked = set(TrackedIndicator.objects.filter(situation=situation).values_list("indicator__code", flat=True))
        for code in series.tracked_codes(spec):
            if code not in tracked:
                warning, critical = overrides.get(code, (None, None))
                services.indicator_track(actor=officer, situation=situation, indicator=indicators[code],
                                         warning_threshold=warning, critical_threshold=critical)
        batch = [reading for _at, week in series.reading_series(situation, spec, indicators) for reading in week]
        results = services.readings_record(actor=officer, situation=situation, readings=batch)
        self.made["readings"] += sum(1 for _reading, created in results if created)

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
        rows = [
            ("governments", Government.objects.count(), self.made["governments"]),
            ("users", User.objects.count(), self.made["users"]),
            ("indicators", Indicator.objects.count(), self.made["indicators"]),
            ("situations", Situation.objects.count(), self.made["situations"]),
            ("assignments", PartnerAssignment.objects.count(), self.made["assignments"]),
            ("tracked indicators", TrackedIndicator.objects.count(), "—"),
            ("readings", IndicatorReading.objects.count(), self.made["readings"]),
            ("actions", Action.objects.count(), self.made["actions"]),
            ("action updates", apps.get_model("coordination", "ActionUpdate").objects.count(), "—"),
        ]
        rows += [(f"  actions {status}", by_status.get(status, 0), "") for status in ActionStatus.values]
        rows += [
            ("  open and overdue", open_actions.filter(due_date__lt=today).count(), ""),
            ("  open, due within 7 days", open_actions.filter(due_date__gte=today,
                                                              due_date__lte=today + dt.timedelta(days=7)).count(), ""),
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
