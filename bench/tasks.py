"""W2's baseline task: no database work, one POST to the same receiver the webhooks use."""
import json

import requests
from celery import shared_task


@shared_task(name="bench.post_to_receiver")
def post_to_receiver(url: str, tag: str, sent_at: float) -> None:
    requests.post(url, data=json.dumps({"bench_tag": tag, "sent_at": sent_at}),
                  headers={"Content-Type": "application/json"}, timeout=(3.05, 10))
