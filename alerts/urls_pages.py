"""Pages of the escalation engine (server-rendered); its API lives under /api/v1/."""
from django.urls import path

from alerts.views import config, queue

app_name = "alert-pages"

urlpatterns = [
    path("alerts/", queue.queue, name="queue"),
    path("alerts/rows/", queue.queue_rows, name="queue-rows"),
    path("alerts/bulk/", queue.queue_bulk, name="queue-bulk"),
    path("alerts/<int:group_id>/", queue.group_detail, name="alert-detail"),
    path("alerts/<int:group_id>/<str:verb>/", queue.group_act, name="alert-act"),
    path("notifications/", queue.notifications, name="notifications"),
    path("notifications/bell/", queue.bell, name="bell"),
    path("rules/", config.rule_list, name="rule-list"),
    path("rules/new/", config.rule_create, name="rule-create"),
    path("rules/<int:rule_id>/", config.rule_edit, name="rule-edit"),
    path("rules/<int:rule_id>/toggle/", config.rule_toggle, name="rule-toggle"),
    path("policies/", config.policy_list, name="policy-list"),
    path("policies/new/", config.policy_create, name="policy-create"),
    path("policies/<int:policy_id>/", config.policy_edit, name="policy-edit"),
    path("policies/<int:policy_id>/delete/", config.policy_delete, name="policy-delete"),
]
