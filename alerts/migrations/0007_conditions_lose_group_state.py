import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """What moved to the group leaves the condition: status beyond open/resolved, the
    clock, the acknowledgement, the owner, the frozen policy."""

    dependencies = [
        ("alerts", "0006_conditions_into_groups"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='alert',
            name='acknowledged_at',
        ),
        migrations.RemoveField(
            model_name='alert',
            name='acknowledged_by',
        ),
        migrations.RemoveField(
            model_name='alert',
            name='current_step',
        ),
        migrations.RemoveField(
            model_name='alert',
            name='next_escalation_at',
        ),
        migrations.RemoveField(
            model_name='alert',
            name='owner',
        ),
        migrations.RemoveField(
            model_name='alert',
            name='policy_snapshot',
        ),
        migrations.RemoveField(
            model_name='alert',
            name='resolution_note',
        ),
        migrations.RemoveField(
            model_name='alert',
            name='resolved_by',
        ),
        migrations.RemoveField(
            model_name='alert',
            name='snoozed_until',
        ),
        migrations.RemoveField(
            model_name='notification',
            name='alert',
        ),
        migrations.AlterField(
            model_name='alert',
            name='group',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='conditions', to='alerts.alertgroup'),
        ),
        migrations.AlterField(
            model_name='alert',
            name='evidence_at',
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name='alertevent',
            name='group',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='alerts.alertgroup'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='group',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='alerts.alertgroup'),
        ),
        migrations.AddIndex(
            model_name='alert',
            index=models.Index(condition=models.Q(('next_nag_at__isnull', False)), fields=['next_nag_at'], name='alert_nag_due_idx'),
        ),
        migrations.AddIndex(
            model_name='alert',
            index=models.Index(condition=models.Q(('severity', 'info'), _negated=True), fields=['situation', 'evidence_at'], name='alert_situation_evidence_idx'),
        ),
        migrations.AddIndex(
            model_name='alertevent',
            index=models.Index(fields=['group', 'created_at'], name='group_event_timeline_idx'),
        ),
        migrations.AddIndex(
            model_name='alertevent',
            index=models.Index(fields=['alert', 'kind', 'created_at'], name='alert_event_kind_idx'),
        ),
        migrations.AddConstraint(
            model_name='alert',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['open', 'resolved'])), name='condition_status_valid'),
        ),
        migrations.AddIndex(
            model_name='alertgroup',
            index=models.Index(condition=models.Q(models.Q(('status', 'resolved'), _negated=True), ('next_escalation_at__isnull', False)), fields=['next_escalation_at'], name='group_next_escalation_idx'),
        ),
        migrations.AddIndex(
            model_name='alertgroup',
            index=models.Index(condition=models.Q(('status', 'snoozed')), fields=['snoozed_until'], name='group_snoozed_until_idx'),
        ),
        migrations.AddIndex(
            model_name='alertgroup',
            index=models.Index(condition=models.Q(('update_due_at__isnull', False)), fields=['update_due_at'], name='group_update_due_idx'),
        ),
        migrations.AddIndex(
            model_name='alertgroup',
            index=models.Index(condition=models.Q(('status', 'acknowledged')), fields=['ack_review_at'], name='group_ack_review_idx'),
        ),
        migrations.AddIndex(
            model_name='alertgroup',
            index=models.Index(fields=['situation', 'status'], name='group_situation_status_idx'),
        ),
        migrations.AddIndex(
            model_name='alertgroup',
            index=models.Index(models.OrderBy(models.Case(models.When(severity='info', then=models.Value(1)), models.When(severity='warning', then=models.Value(2)), models.When(severity='critical', then=models.Value(3)), output_field=models.IntegerField()), descending=True), models.OrderBy(models.F('current_step'), descending=True), models.OrderBy(models.F('opened_at')), models.OrderBy(models.F('id')), condition=models.Q(('status', 'resolved'), _negated=True), name='group_queue_order_idx'),
        ),
        migrations.AddConstraint(
            model_name='alertgroup',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'resolved'), _negated=True), fields=('situation',), name='group_one_unresolved_per_situation'),
        ),
        migrations.AddConstraint(
            model_name='alertgroup',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['open', 'acknowledged', 'snoozed', 'resolved'])), name='group_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='alertgroup',
            constraint=models.CheckConstraint(condition=models.Q(('severity__in', ['info', 'warning', 'critical'])), name='group_severity_valid'),
        ),
        migrations.AddConstraint(
            model_name='alertgroup',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'snoozed'), _negated=True), ('snoozed_until__isnull', False), _connector='OR'), name='group_snoozed_has_until'),
        ),
    ]
