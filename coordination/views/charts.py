"""Server-rendered trend charts: the geometry is computed here, the SVG drawn by the
template (coordination/_trend_chart.html). No script, so it also prints and works
under a strict Content-Security-Policy."""
from dataclasses import dataclass, field

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

    @property
    def latest(self):
        return self.readings[-1] if self.readings else None


def _fmt(value: float) -> str:
    return f"{value:g}"


def build_chart(tracked, readings_oldest_first: list) -> Chart:
    chart = Chart(tracked=tracked, readings=readings_oldest_first)
    warning, critical = tracked.effective_warning, tracked.effective_critical
    values = [r.value for r in readings_oldest_first] + [t for t in (warning, critical) if t is not None]
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
        first = readings_oldest_first[0].observed_at.timestamp()
        last = readings_oldest_first[-1].observed_at.timestamp()
        width_s = (last - first) or 1.0
        for reading in readings_oldest_first:
            if len(readings_oldest_first) == 1:
                x = chart.plot_left + plot_w / 2
            else:
                x = chart.plot_left + (reading.observed_at.timestamp() - first) / width_s * plot_w
            chart.points.append({"x": round(x, 1), "y": y_of(reading.value), "reading": reading})
        chart.polyline = " ".join(f"{p['x']},{p['y']}" for p in chart.points)
        chart.x_first = readings_oldest_first[0].observed_at
        chart.x_last = readings_oldest_first[-1].observed_at
    chart.warning_y = y_of(warning) if warning is not None else None
    chart.critical_y = y_of(critical) if critical is not None else None
    chart.y_top_label, chart.y_bottom_label = _fmt(round(high, 2)), _fmt(round(low, 2))
    return chart
