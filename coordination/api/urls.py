from django.urls import path
from rest_framework.routers import SimpleRouter

from coordination.api import signoffs, views
from coordination.api.commitments import CommitmentViewSet

router = SimpleRouter(trailing_slash=False)
router.register("governments", views.GovernmentViewSet, basename="government")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("situations", views.SituationViewSet, basename="situation")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("actions", views.ActionViewSet, basename="action")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("risk-windows", views.RiskWindowViewSet, basename="riskwindow")
router.register("sign-offs", signoffs.SignoffViewSet, basename="signoff")

urlpatterns = [
    path("situations/<int:situation_pk>/readings", views.ReadingViewSet.as_view({"get": "list", "post": "create"}),
         name="situation-readings"),
    path("situations/<int:situation_pk>/readings/export",
         views.ReadingViewSet.as_view({"get": "export"}, **views.ReadingViewSet.export.kwargs),
         name="situation-readings-export"),
    path("situations/<int:situation_pk>/notes", views.SituationNoteViewSet.as_view({"get": "list", "post": "create"}),
         name="situation-notes"),
    path("situations/<int:situation_pk>/indicators",
         views.TrackedIndicatorViewSet.as_view({"get": "list", "post": "create"}), name="situation-indicators"),
    path("situations/<int:situation_pk>/risk-windows",
         views.SituationRiskWindowViewSet.as_view({"get": "list", "post": "create"}), name="situation-risk-windows"),
    path("situations/<int:situation_pk>/check-ins",
         views.SituationCheckInViewSet.as_view({"get": "list", "post": "create"}), name="checkin-list"),
    *router.urls,
]
