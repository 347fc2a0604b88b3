"""The demo's reading series: one reading a week per tracked indicator, from a fixed seed.

Anchored on the situation's creation day — the demo's present — not on today: a later
run rebuilds the very same series (same times, same client ids) and so stores nothing
new.
"""
from __future__ import annotations

import datetime as dt
import random
import uuid

from django.utils import timezone

from coordination.choices import Direction, ValueKind
from coordination.models import Indicator, Situation
from coordination.readings import ReadingInput
from demo import world

DEMO_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://concert.invalid/demo-data")
SOURCES = ["Embassy reporting", "Partner field office", "Open-source monitoring", "Civil society contact"]


def reading_client_id(country_code: str, indicator_code: str, observed_at: dt.datetime) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"{country_code}:{indicator_code}:{observed_at:%Y-%m-%d}")


def severity_path(*, severity: float, weeks: int, de_escalating: bool, rng: random.Random) -> list[float]:
    """A 0–1 gravity per week: rising towards the situation's severity, or falling to it."""
    start, end = (min(1.0, severity + 0.45), severity) if de_escalating else (severity * 0.45, severity)
    path = []
    for week in range(weeks):
        trend = start + (end - start) * week / max(1, weeks - 1)
        path.append(min(1.0, max(0.0, trend + rng.uniform(-0.07, 0.07))))
    # The latest week shows the level the situation is rated at, without noise, so the
    # dashboard agrees with the risk level a user reads beside it.
    path[-1] = end
    return path


def value_for(indicator: Indicator, gravity: float) -> float:
    """Turn a 0–1 gravity into a value of the indicator's kind, scaled on its thresholds."""
    if indicator.value_kind == ValueKind.BOOLEAN:
        return 1.0 if gravity >= 0.55 else 0.0
    if indicator.value_kind == ValueKind.ORDINAL:
        return float(min(3, int(gravity * 4)))
    if indicator.direction == Direction.LOWER_IS_WORSE:  # a percentage where less is worse
        return float(round(100 * (1 - gravity)))
    scale = indicator.critical_threshold or indicator.warning_threshold or 10
    value = gravity * scale * 1.25
    return float(round(value, -2) if scale >= 1000 else round(value))


def tracked_codes(spec: dict) -> list[str]:
    return [world.ATTACKS] + [code for code in spec["indicators"] if code != world.ATTACKS]


def present_day(situation: Situation) -> dt.date:
    return timezone.localtime(situation.created_at, dt.timezone.utc).date()


def _paths(country_code: str, spec: dict) -> list[tuple[str, list[float], random.Random]]:
    """Each indicator's gravity path, with its generator left where the path ended (the
    readings' sources are drawn from it next)."""
    found = []
    for code in tracked_codes(spec):
        rng = random.Random(f"{world.SEED}:{country_code}:{code}")
        path = severity_path(severity=world.SEVERITY[spec["risk"]], weeks=world.WEEKS_OF_READINGS,
                             de_escalating=spec.get("de_escalating", False), rng=rng)
        found.append((code, path, rng))
    return found


def gravity(country_code: str, spec: dict) -> list[float]:
    """The situation's gravity week by week, the mean over its indicators: its risk
    level follows it."""
    paths = [path for _code, path, _rng in _paths(country_code, spec)]
    return [sum(path[week] for path in paths) / len(paths) for week in range(world.WEEKS_OF_READINGS)]


def reading_series(situation: Situation, spec: dict, indicators: dict[str, Indicator]
                   ) -> list[tuple[dt.datetime, list[ReadingInput]]]:
    """The situation's readings grouped by week, oldest first, each week with its time."""
    latest = dt.datetime.combine(present_day(situation) - dt.timedelta(days=1), dt.time(9, 0), tzinfo=dt.timezone.utc)
    weeks = world.WEEKS_OF_READINGS
    times = [latest - dt.timedelta(weeks=weeks - 1 - week) for week in range(weeks)]
    by_week = [[] for _ in range(weeks)]
    for code, path, rng in _paths(situation.country_code, spec):
        indicator = indicators[code]
        for week, level in enumerate(path):
            observed_at = times[week]
            by_week[week].append(ReadingInput(
                indicator=indicator, value=value_for(indicator, level), observed_at=observed_at,
                source=rng.choice(SOURCES), client_id=reading_client_id(situation.country_code, code, observed_at)))
    return list(zip(times, by_week))
