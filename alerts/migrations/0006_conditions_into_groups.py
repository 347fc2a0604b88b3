from django.db import migrations

# In a migration of its own: on PostgreSQL, rows updated in the transaction that then
# alters their table fail with "pending trigger events".


def conditions_into_groups(apps, schema_editor):
    """Every alert becomes a condition inside an escalation. A situation's unresolved
    alerts share one group, which takes the state of the most severe (then the furthest
    escalated) of them: its status, clock, acknowledgement, owner and policy. Each
    resolved alert keeps its own resolved group, so history reads as it happened. Events
    and notifications follow their alert into its group."""
    Alert = apps.get_model("alerts", "Alert")
    AlertGroup = apps.get_model("alerts", "AlertGroup")
    AlertEvent = apps.get_model("alerts", "AlertEvent")
    Notification = apps.get_model("alerts", "Notification")
    rank = {"info": 1, "warning": 2, "critical": 3}

    def group_from(alert, **extra):
        fields = dict(
            situation_id=alert.situation_id, status=alert.status, severity=alert.severity,
            policy_rule_id=alert.rule_id, policy_snapshot=alert.policy_snapshot, current_step=alert.current_step,
            next_escalation_at=alert.next_escalation_at, snoozed_until=alert.snoozed_until,
            opened_at=alert.first_seen, last_seen=alert.last_seen, acknowledged_by_id=alert.acknowledged_by_id,
            acknowledged_at=alert.acknowledged_at, resolved_by_id=alert.resolved_by_id,
            resolved_at=alert.resolved_at, resolution_note=alert.resolution_note, owner_id=alert.owner_id,
            last_update_at=alert.first_seen)
        return AlertGroup.objects.create(**{**fields, **extra})

    unresolved = {}
    for alert in Alert.objects.exclude(status="resolved").order_by("situation_id", "first_seen", "id"):
        unresolved.setdefault(alert.situation_id, []).append(alert)
    for situation_id, alerts in unresolved.items():
        lead = max(alerts, key=lambda a: (rank[a.severity], a.current_step, -a.first_seen.timestamp()))
        group = group_from(lead, opened_at=min(a.first_seen for a in alerts),
                           last_seen=max(a.last_seen for a in alerts))
        Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(group=group, status="open")
    for alert in Alert.objects.filter(status="resolved", group__isnull=True):
        Alert.objects.filter(pk=alert.pk).update(group=group_from(alert))
    for alert in Alert.objects.all().only("pk", "group_id", "first_seen"):
        Alert.objects.filter(pk=alert.pk).update(evidence_at=alert.first_seen)
        AlertEvent.objects.filter(alert_id=alert.pk).update(group_id=alert.group_id)
        Notification.objects.filter(alert_id=alert.pk).update(group_id=alert.group_id)


class Migration(migrations.Migration):

    dependencies = [
        ("alerts", "0005_alert_groups"),
    ]

    operations = [
        # Not reversible: conditions that shared a group cannot take back its single state.
        migrations.RunPython(conditions_into_groups),
    ]
