from rest_framework.routers import SimpleRouter

from alerts.api import views

router = SimpleRouter(trailing_slash=False)
router.register("alert-groups", views.AlertGroupViewSet, basename="alertgroup")
router.register("alerts", views.ConditionViewSet, basename="alert")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("alert-rules", views.RuleViewSet, basename="rule")
router.register("escalation-policies", views.PolicyViewSet, basename="policy")
router.register("webhook-endpoints", views.WebhookViewSet, basename="webhook")

urlpatterns = router.urls
