"""The pages (server-rendered); the API lives under /api/v1/."""
from django.urls import path

from coordination.views import (
    actions,
    checkins,
    closing,
    commitments,
    dashboard,
    named,
    notes,
    signoffs,
    situations,
    windows,
)

app_name = "pages"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("situations/", situations.situation_list, name="situation-list"),
    path("situations/new/", situations.situation_create, name="situation-create"),
    path("situations/<int:situation_id>/", situations.situation_detail, name="situation-detail"),
    path("situations/<int:situation_id>/edit/", situations.situation_edit, name="situation-edit"),
    path("situations/<int:situation_id>/close/", closing.situation_close, name="situation-close"),
    path("situations/<int:situation_id>/reopen/", closing.situation_reopen, name="situation-reopen"),
    path("situations/<int:situation_id>/risk-windows/", windows.risk_window_create, name="risk-window-create"),
    path("situations/<int:situation_id>/risk-windows/remove/", windows.risk_window_delete,
         name="risk-window-delete"),
    path("situations/<int:situation_id>/named-recipients/", named.named_recipients_update,
         name="named-recipients"),
    path("situations/<int:situation_id>/check-in/", checkins.situation_checkin, name="situation-checkin"),
    path("situations/<int:situation_id>/readings/", situations.reading_create, name="reading-create"),
    path("situations/<int:situation_id>/notes/", notes.note_create, name="note-create"),
    path("situations/<int:situation_id>/assignments/", situations.assignment_create, name="assignment-create"),
    path("situations/<int:situation_id>/actions/new/", situations.action_propose, name="action-propose"),
    path("sign-offs/", signoffs.signoff_list, name="signoff-list"),
    path("sign-offs/<int:signoff_id>/", signoffs.signoff_detail, name="signoff-detail"),
    path("sign-offs/<int:signoff_id>/approve/", signoffs.signoff_approve, name="signoff-approve"),
    path("sign-offs/<int:signoff_id>/reject/", signoffs.signoff_reject, name="signoff-reject"),
    path("sign-offs/<int:signoff_id>/cancel/", signoffs.signoff_cancel, name="signoff-cancel"),
    path("actions/mine/", actions.my_actions, name="my-actions"),
    path("actions/<int:action_id>/", actions.action_detail, name="action-detail"),
    path("actions/<int:action_id>/change/", actions.action_change, name="action-change"),
    path("actions/<int:action_id>/commitments/answer/", commitments.commitment_step, name="commitment-step"),
    path("actions/<int:action_id>/commitments/invite/", commitments.commitment_invite, name="commitment-invite"),
]
