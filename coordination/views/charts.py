"""Server-rendered trend charts: the geometry is computed here, the SVG drawn by the
template (coordination/_trend_chart.html). No script, so it also prints and works
under a strict Content-Security-Policy.

Risk windows that are open or coming (coordination/windows.py) are drawn as shaded
bands over their days; the time axis stretches to reach an upcoming one, and while one
is open the heightened thresholds are drawn beside the usual ones."""
import datetime as dt
from dataclasses import dataclass, field

from coordination import windows as risk

WIDTH, HEIGHT = 560, 190
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28


@dataclass
class Chart:
    tracked: object
    readings: list  # oldest first
    width: int = WIDTH
    height: int = HEIGHT
    points: list = field(default_factory=list)
    polyline: str = ""
    warning_y: float | None = None
    critical_y: float | None = None
    y_top_label: str = ""
    y_bottom_label: str = ""
    x_first: object = None
    x_last: object = None
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM
    bands: list = field(default_factory=list)
    heightened_warning: float | None = None
    heightened_critical: float | None = None
    heightened_warning_y: float | None = None
    heightened_critical_y: float | None = None

    @property
    def latest(self):
        return self.readings[-1] if self.readings else None

    @property
    def plot_height(self) -> int:
        return self.plot_bottom - self.plot_top

    @property
    def heightened(self) -> bool:
        return self.heightened_warning is not None or self.heightened_critical is not None

    @property
    def heightened_labels(self) -> tuple[str, str]:
        return tuple(_fmt(round(v, 4)) if v is not None else "" for v in (self.heightened_warning,
                                                                            self.heightened_critical))


def _midnight(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.timezone.utc).timestamp()


def _fmt(value: float) -> str:
    return f"{value:g}"


def build_chart(tracked, readings_oldest_first: list, windows=(), today: dt.date | None = None) -> Chart:
    """`windows`: the situation's open and upcoming risk windows; those covering this
    indicator are drawn. `today` (UTC) decides which of them are open."""
    chart = Chart(tracked=tracked, readings=readings_oldest_first)
    warning, critical = tracked.effective_warning, tracked.effective_critical
    covering = risk.windows_covering(tracked.indicator_id, windows)
    open_now = [w for w in covering if today is not None and w.is_active_on(today)]
    if open_now:
        heightened = risk.effective_thresholds(tracked, open_now)
        if heightened != (warning, critical):
            chart.heightened_warning, chart.heightened_critical = heightened
    values = [r.value for r in readings_oldest_first] + [t for t in (warning, critical, chart.heightened_warning,
                                                                     chart.heightened_critical) if t is not None]
    if not values:
        return chart
    low, high = min(values + [0.0]), max(values)
    if high == low:
        high = low + 1.0
    # Some headroom so a point on the threshold is not drawn on the frame.
    span = high - low
    high += span * 0.08
    plot_w = chart.plot_right - chart.plot_left
    plot_h = chart.plot_bottom - chart.plot_top

    def y_of(value: float) -> float:
        return round(chart.plot_bottom - (value - low) / (high - low) * plot_h, 1)

    if readings_oldest_first:
        # A band spans its days from the first midnight to the midnight after its last day.
        spans = [(_midnight(w.starts_on), _midnight(w.ends_on + dt.timedelta(days=1))) for w in covering]
        first = min([readings_oldest_first[0].observed_at.timestamp()] + [start for start, _end in spans])
        last = max([readings_oldest_first[-1].observed_at.timestamp()] + [end for _start, end in spans])
        width_s = (last - first) or 1.0

        def x_of(timestamp: float) -> float:
            return round(chart.plot_left + (timestamp - first) / width_s * plot_w, 1)

        for reading in readings_oldest_first:
            if len(readings_oldest_first) == 1 and not spans:
                x = round(chart.plot_left + plot_w / 2, 1)
            else:
                x = x_of(reading.observed_at.timestamp())
            chart.points.append({"x": x, "y": y_of(reading.value), "reading": reading})
        chart.polyline = " ".join(f"{p['x']},{p['y']}" for p in chart.points)
        for window, (start, end) in zip(covering, spans):
            x1, x2 = x_of(start), x_of(end)
            chart.bands.append({"window": window, "x": x1, "width": round(max(x2 - x1, 1.0), 1),
                                "active": window in open_now})
        chart.x_first = dt.datetime.fromtimestamp(first, dt.timezone.utc)
        chart.x_last = dt.datetime.fromtimestamp(last, dt.timezone.utc)
    chart.warning_y = y_of(warning) if warning is not None else None
    chart.critical_y = y_of(critical) if critical is not None else None
    if chart.heightened_warning is not None:
        chart.heightened_warning_y = y_of(chart.heightened_warning)
    if chart.heightened_critical is not None:
        chart.heightened_critical_y = y_of(chart.heightened_critical)
    chart.y_top_label, chart.y_bottom_label = _fmt(round(high, 2)), _fmt(round(low, 2))
    return chart
