from django.db import migrations

# The durable "evaluate this situation" moved from alerts (EvaluationRequest, written by
# coordination) to coordination's own outbox (SituationChange), so that coordination no
# longer writes alerts' rows. Requests still pending at upgrade time are carried over
# before the old table goes: a pending one dropped would be an alert never opened.
CARRY_OVER = """
    INSERT INTO coordination_situationchange (situation_id, changed_at)
    SELECT situation_id, requested_at FROM alerts_evaluationrequest
"""
CARRY_BACK = """
    INSERT INTO alerts_evaluationrequest (situation_id, requested_at)
    SELECT situation_id, changed_at FROM coordination_situationchange
"""


class Migration(migrations.Migration):

    dependencies = [
        ("alerts", "0003_alert_queue_order_idx"),
        ("coordination", "0003_situation_change_outbox"),
    ]

    operations = [
        migrations.RunSQL(CARRY_OVER, reverse_sql=CARRY_BACK),
        migrations.DeleteModel(name="EvaluationRequest"),
    ]
