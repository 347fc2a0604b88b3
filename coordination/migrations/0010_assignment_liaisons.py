"""An assignment names several liaisons of its government, not one.

The single liaison of each assignment is copied into the new many-to-many, and into the
history of every past version that named one, so the history still says who spoke for
the government then. Going back keeps the first liaison of each assignment.
"""
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def copy_liaison_into_liaisons(apps, schema_editor):
    Assignment = apps.get_model("coordination", "PartnerAssignment")
    Through = Assignment.liaisons.through
    Historical = apps.get_model("coordination", "HistoricalPartnerAssignment")
    HistoricalLiaisons = apps.get_model("coordination", "HistoricalPartnerAssignment_liaisons")
    rows = [Through(partnerassignment_id=a_id, user_id=u_id)
            for a_id, u_id in Assignment.objects.filter(liaison__isnull=False).values_list("pk", "liaison_id")]
    Through.objects.bulk_create(rows)
    through_id = {(t.partnerassignment_id, t.user_id): t.pk for t in Through.objects.all()}
    HistoricalLiaisons.objects.bulk_create([
        HistoricalLiaisons(history_id=h_id, partnerassignment_id=a_id, user_id=u_id,
                           id=through_id.get((a_id, u_id), 0))
        for h_id, a_id, u_id in Historical.objects.filter(liaison_id__isnull=False)
        .values_list("history_id", "id", "liaison_id")
    ], batch_size=1000)


def keep_first_liaison(apps, schema_editor):
    Assignment = apps.get_model("coordination", "PartnerAssignment")
    for assignment in Assignment.objects.prefetch_related("liaisons"):
        first = min(assignment.liaisons.all(), key=lambda u: u.pk, default=None)
        if first is not None:
            assignment.liaison_id = first.pk
            assignment.save(update_fields=["liaison"])


class Migration(migrations.Migration):

    dependencies = [
        ('coordination', '0009_signoff_requests'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The old field gives up its reverse name so the new one can take it.
        migrations.AlterField(
            model_name='partnerassignment',
            name='liaison',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='partnerassignment',
            name='liaisons',
            field=models.ManyToManyField(blank=True, help_text='The liaisons who speak for this government on this situation.', related_name='liaison_assignments', to=settings.AUTH_USER_MODEL),
        ),
        migrations.CreateModel(
            name='HistoricalPartnerAssignment_liaisons',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='coordination.historicalpartnerassignment')),
                ('partnerassignment', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.partnerassignment')),
                ('user', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'HistoricalPartnerAssignment_liaisons',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(copy_liaison_into_liaisons, keep_first_liaison),
        migrations.RemoveField(
            model_name='historicalpartnerassignment',
            name='liaison',
        ),
        migrations.RemoveField(
            model_name='partnerassignment',
            name='liaison',
        ),
    ]
