"""The delivery outbox: alert matches kept in the store until their webhook has them.

A match for an alert with a webhook is written to the store's ``delivery_outbox`` in the same
transaction as the article and the match (:func:`queue_matches`), before anything is sent; it is
deleted once a POST succeeded. So a webhook that is down, or a watcher that stops (Ctrl-C, a
crash, the end of ``--once``) with matches still waiting, loses nothing: a later ``khabar
watch`` sends them (:func:`submit_due`). Delivery is at least once: a watcher killed between a
successful POST and the delete sends that match again.

A delivery round (one submission, with :class:`~khabar.monitor.delivery.WebhookDelivery`'s own
quick retries) that fails is tried again after ``OUTBOX_BACKOFF`` seconds, twice as long after
each further failed round (at most ``OUTBOX_MAX_BACKOFF``). A match is given up (dead) at once on
an answer that will not change (a 4xx other than 408 and 429), and after ``OUTBOX_MAX_ATTEMPTS``
POSTs or ``OUTBOX_MAX_AGE`` seconds; ``khabar alert retry NAME`` queues the dead ones again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from ..corpus.store import Alert, Store
from ..settings import OUTBOX_BACKOFF, OUTBOX_MAX_AGE, OUTBOX_MAX_ATTEMPTS, OUTBOX_MAX_BACKOFF
from .delivery import DeliveryResult, WebhookDelivery


def retry_delay(rounds: int) -> float:
    """Seconds before the next round of a match whose delivery failed ``rounds`` times."""
    return min(OUTBOX_BACKOFF * 2 ** max(0, rounds - 1), OUTBOX_MAX_BACKOFF)


def queue_matches(store: Store, alerts: Iterable[Alert], matches: Iterable[dict[str, Any]]) -> int:
    """Keep the matches (:func:`khabar.monitor.alerts.match_payload`) of alerts with a webhook in
    the outbox; call it inside the transaction that records them. How many were queued."""
    hooked = {a.name for a in alerts if a.webhook}
    now = time.time()
    return sum(store.queue_delivery(m["alert"], str(m["article_id"]), json.dumps(m, ensure_ascii=False), now)
               for m in matches if m["alert"] in hooked)


def submit_due(store: Store, delivery: WebhookDelivery, now: float | None = None) -> int:
    """Hand the outbox's due matches to ``delivery`` (those it holds already are skipped, so
    nothing is sent twice in one run); how many were submitted."""
    room = delivery.room()
    if room <= 0:
        return 0
    sent = 0
    for item in store.due_deliveries(time.time() if now is None else now, room + delivery.pending()):
        if sent >= room:
            break
        if delivery.holds(item.id):
            continue
        delivery.submit(item.webhook, json.loads(item.payload), key=item.id)
        sent += 1
    return sent


def settle(store: Store, results: Sequence[DeliveryResult]) -> list[DeliveryResult]:
    """Record settled deliveries (in the store's thread, in one transaction): a success leaves the
    outbox and counts as delivered; a failure waits for its next round (``kept``) or, final, is
    given up and counts as failed. Returns the results, ``kept`` set."""
    out = []
    with store.transaction():
        for r in results:
            item = store.outbox_item(r.key) if r.key is not None else None
            if r.ok:
                if item is not None:
                    store.delivery_done(item.id)
                store.record_delivery(r.alert, None, r.at)
                out.append(r)
                continue
            kept = item is not None and r.transient and item.attempts + r.attempts < OUTBOX_MAX_ATTEMPTS \
                and r.at - item.created < OUTBOX_MAX_AGE
            if item is not None:
                store.delivery_failed(item.id, r.attempts, r.error or "failed", r.at,
                                      r.at + retry_delay(item.rounds + 1) if kept else None)
            store.record_delivery(r.alert, r.error, r.at, final=not kept)
            out.append(replace(r, kept=kept))
    return out
