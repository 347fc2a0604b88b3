from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts and escalation"

    def ready(self):
        # The two seams coordination offers without importing this app
        # (docs/DESIGN.md, "Layers"): its outbox announces changed situations, which
        # the escalation engine evaluates; its pages and resources show alert reads;
        # its sign-offs of snoozes and resolutions are carried out by alerts' services.
        from alerts import dispatch, services
        from alerts.views.common import ALERT_READS
        from coordination import extensions, outbox

        outbox.situation_changed.connect(dispatch.on_situations_changed, dispatch_uid="alerts_evaluate_changes")
        extensions.register_alert_reads(ALERT_READS)
        services.register_signoff_executors()
