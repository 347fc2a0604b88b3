"""Situations gain an outcome when they close. Rows closed before this (through a plain
status edit) have none; the constraints would refuse them, so they get outcome "other",
a note saying why, and their last update as the closing time."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL_NOTE = "Closed before Concert recorded outcomes."


def backfill_closed(apps, schema_editor):
    Situation = apps.get_model("coordination", "Situation")
    for situation in Situation.objects.filter(status="closed", outcome=""):
        Situation.objects.filter(pk=situation.pk).update(outcome="other", outcome_note=BACKFILL_NOTE,
                                                         closed_at=situation.updated_at)


def clear_backfill(apps, schema_editor):
    apps.get_model("coordination", "Situation").objects.filter(outcome_note=BACKFILL_NOTE).update(
        outcome="", outcome_note="", closed_at=None)


class Migration(migrations.Migration):

    dependencies = [
        ('coordination', '0003_situation_change_outbox'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalsituation',
            name='closed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='historicalsituation',
            name='closed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalsituation',
            name='merged_into',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The situation this one now lives on in (outcome: merged).', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.situation'),
        ),
        migrations.AddField(
            model_name='historicalsituation',
            name='outcome',
            field=models.CharField(blank=True, choices=[('risk_receded', 'Risk receded'), ('atrocities_occurred', 'Atrocities occurred'), ('merged', 'Merged into another situation'), ('handed_over', 'Monitoring handed over'), ('other', 'Other')], max_length=30),
        ),
        migrations.AddField(
            model_name='historicalsituation',
            name='outcome_note',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='situation',
            name='closed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='situation',
            name='closed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='closed_situations', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='situation',
            name='merged_into',
            field=models.ForeignKey(blank=True, help_text='The situation this one now lives on in (outcome: merged).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_from', to='coordination.situation'),
        ),
        migrations.AddField(
            model_name='situation',
            name='outcome',
            field=models.CharField(blank=True, choices=[('risk_receded', 'Risk receded'), ('atrocities_occurred', 'Atrocities occurred'), ('merged', 'Merged into another situation'), ('handed_over', 'Monitoring handed over'), ('other', 'Other')], max_length=30),
        ),
        migrations.AddField(
            model_name='situation',
            name='outcome_note',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='historicalsituation',
            name='history_change_reason',
            field=models.TextField(null=True),
        ),
        migrations.RunPython(backfill_closed, clear_backfill),
        migrations.AddConstraint(
            model_name='situation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'closed'), models.Q(('outcome', ''), _negated=True), ('closed_at__isnull', False)), models.Q(models.Q(('status', 'closed'), _negated=True), ('closed_at__isnull', True), ('closed_by__isnull', True), ('merged_into__isnull', True), ('outcome', ''), ('outcome_note', '')), _connector='OR'), name='situation_closed_iff_outcome', violation_error_message='A closed situation has an outcome and a closing time; an open one has neither.'),
        ),
        migrations.AddConstraint(
            model_name='situation',
            constraint=models.CheckConstraint(condition=models.Q(('outcome__in', ['', 'risk_receded', 'atrocities_occurred', 'merged', 'handed_over', 'other'])), name='situation_outcome_valid'),
        ),
        migrations.AddConstraint(
            model_name='situation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('outcome', 'merged'), ('merged_into__isnull', False)), models.Q(models.Q(('outcome', 'merged'), _negated=True), ('merged_into__isnull', True)), _connector='OR'), name='situation_merged_iff_merged_into', violation_error_message='A merged situation names the situation it was merged into, and only a merged one does.'),
        ),
        migrations.AddConstraint(
            model_name='situation',
            constraint=models.CheckConstraint(condition=models.Q(('merged_into', models.F('pk')), _negated=True), name='situation_not_merged_into_itself'),
        ),
    ]
