"""The application's URLs plus the baselines, for the benchmark server only."""
from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/baseline/situations", views.baseline_situations),
    path("bench/baseline/alert-groups", views.baseline_alert_groups),
    path("bench/baseline/ping", views.baseline_ping),
    path("", include("config.urls")),
]
