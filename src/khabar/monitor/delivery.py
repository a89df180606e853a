"""Webhook delivery of alert matches, off the watcher's thread (HTTP only; no store here).

:class:`WebhookDelivery` POSTs each match from a few background threads (``threads``, 4 by
default), so that a slow, hanging or dead webhook never holds up fetching, analysis or storing,
nor, while fewer than ``threads`` hang, the other webhooks. Transient failures (5xx, 408,
429, a timeout, a refused or reset connection) are tried again after ``backoff`` seconds, then
twice as long, and so on, ``retries`` times; a 4xx answer is final at once. Waiting matches
are bounded (``max_pending``): past that a match is not queued and counts as failed. The
outcome of every delivery comes back as a :class:`DeliveryResult` (:meth:`WebhookDelivery.results`),
which the watcher records in the store from its own thread. :meth:`WebhookDelivery.close`
stops taking matches and delivers those waiting until a deadline; any still waiting then are
reported as failed (the match itself stays recorded in the store and in the alert's Atom feed).
A match submitted with a ``key`` (its row in the store's delivery outbox, :mod:`khabar.monitor.outbox`)
is queued once however often it is submitted, until its outcome has been collected.
"""

from __future__ import annotations

import heapq
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import __version__
from ..settings import (  # the delivery's limits, named in khabar.settings
    DELIVERY_THREADS,
    DRAIN_SECONDS,
    MAX_PENDING,
    WEBHOOK_BACKOFF,
    WEBHOOK_RETRIES,
    WEBHOOK_TIMEOUT,
)

USER_AGENT = f"khabar/{__version__} (news monitoring; +https://github.com/khabar/khabar)"


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """The outcome of delivering one match: ``error`` is None when it was delivered."""

    alert: str
    url: str
    article_id: str | None
    attempts: int
    error: str | None
    at: float
    key: int | None = None  # the match's outbox row, if it has one
    transient: bool = False  # a failure that a later attempt may not meet (5xx, timeout, not tried)
    kept: bool = False  # the outbox keeps the match for a later attempt (set by khabar.monitor.outbox)

    @property
    def ok(self) -> bool:
        return self.error is None


def post_json(url: str, payload: dict[str, Any], *, timeout: float = WEBHOOK_TIMEOUT) -> tuple[str | None, bool]:
    """POST ``payload`` as JSON; (None, False) on a 2xx answer, else (why it failed, whether a
    later attempt may succeed). Never raises."""
    req = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"), method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read(65536)
        return None, False
    except urllib.error.HTTPError as exc:
        return f"failed: HTTP {exc.code} {exc.reason}", exc.code >= 500 or exc.code in (408, 429)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return f"failed: timed out after {timeout:g} s", True
        return f"failed: cannot connect: {exc.reason}", True
    except TimeoutError:
        return f"failed: timed out after {timeout:g} s", True
    except (OSError, ValueError) as exc:  # a reset connection is transient, a bad URL is not
        return f"failed: {type(exc).__name__}: {exc}", isinstance(exc, OSError)


@dataclass(order=True)
class _Job:
    due: float  # monotonic time of the next attempt
    seq: int  # first come, first served among jobs due together
    url: str = ""
    payload: Any = None
    attempts: int = 0
    key: int | None = None


class WebhookDelivery:
    """A bounded queue of matches to POST and the threads that deliver them (started on the
    first match)."""

    def __init__(self, *, timeout: float = WEBHOOK_TIMEOUT, retries: int = WEBHOOK_RETRIES,
                 backoff: float = WEBHOOK_BACKOFF, max_pending: int = MAX_PENDING, threads: int = DELIVERY_THREADS,
                 post: Callable[..., tuple[str | None, bool]] = post_json) -> None:
        self.timeout, self.retries, self.backoff, self.max_pending = timeout, retries, backoff, max_pending
        self.threads = max(1, threads)
        self._post = post
        self._jobs: list[_Job] = []  # a heap by due time: retries wait without blocking others
        self._seq = itertools.count()
        self._busy = 0  # jobs being attempted now (not in the heap)
        self._current: dict[int, _Job] = {}  # jobs being attempted, by the seq
        self._abandoned = False  # close() gave up waiting: a late outcome is not reported twice
        self._results: list[DeliveryResult] = []
        self._keys: set[int] = set()  # outbox rows queued or settled but not yet collected
        self._cond = threading.Condition()
        self._closing = False
        self._deadline: float | None = None
        self._workers: list[threading.Thread] = []

    def submit(self, url: str, payload: dict[str, Any], key: int | None = None) -> bool:
        """Queue one match; False (and a failed result) when too many are waiting already. A
        ``key`` queued already (or settled, not yet collected) is not queued again."""
        with self._cond:
            if key is not None and key in self._keys:
                return True
            if key is not None:
                self._keys.add(key)
            if self._closing or len(self._jobs) + self._busy >= self.max_pending:
                why = "the watcher is stopping" if self._closing else f"{self.max_pending} deliveries waiting already"
                self._results.append(self._result(url, payload, 0, f"not delivered: {why}", key, True))
                return False
            heapq.heappush(self._jobs, _Job(time.monotonic(), next(self._seq), url, payload, key=key))
            if len(self._workers) < self.threads and self._busy + len(self._jobs) > len(self._workers) - 1:
                worker = threading.Thread(target=self._run, name="khabar-webhook", daemon=True)
                self._workers.append(worker)
                worker.start()
            self._cond.notify()
            return True

    def results(self) -> list[DeliveryResult]:
        """The outcomes since the last call, in the order they were settled."""
        with self._cond:
            out, self._results = self._results, []
            self._keys.difference_update(r.key for r in out if r.key is not None)
            return out

    def pending(self) -> int:
        with self._cond:
            return len(self._jobs) + self._busy

    def room(self) -> int:
        """How many more matches may be queued now."""
        with self._cond:
            return 0 if self._closing else max(0, self.max_pending - len(self._jobs) - self._busy)

    def holds(self, key: int) -> bool:
        """Whether the outbox row ``key`` is queued, being tried, or settled and not yet collected."""
        with self._cond:
            return key in self._keys

    def close(self, drain: float = DRAIN_SECONDS) -> list[DeliveryResult]:
        """Take no more matches; deliver those waiting for at most ``drain`` seconds (retries
        included; an attempt still waiting for its answer then is not waited for); report the rest
        as failed. Returns the outcomes not yet collected."""
        with self._cond:
            self._closing = True
            self._deadline = time.monotonic() + drain
            self._cond.notify_all()
            workers = list(self._workers)
        for worker in workers:
            worker.join(max(0.0, self._deadline - time.monotonic()))
        with self._cond:
            # calls still waiting for an answer: their daemon threads are left behind
            left = list(self._jobs) + list(self._current.values())
            self._abandoned = True
            for job in left:
                self._results.append(self._result(job.url, job.payload, job.attempts,
                                                  f"not delivered within {drain:g} s of stopping", job.key, True))
            self._jobs.clear()
        return self.results()

    def _result(self, url: str, payload: Any, attempts: int, error: str | None, key: int | None = None,
                transient: bool = False) -> DeliveryResult:
        return DeliveryResult(str(payload.get("alert")), url, payload.get("article_id"), attempts, error, time.time(),
                              key, transient and error is not None)

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    now = time.monotonic()
                    if self._closing and (not self._jobs or now >= (self._deadline or now)):
                        return  # close() reports what is left
                    if self._jobs and self._jobs[0].due <= now:
                        job = heapq.heappop(self._jobs)
                        self._busy += 1
                        self._current[job.seq] = job
                        break
                    wake = self._jobs[0].due - now if self._jobs else None
                    if self._closing and self._deadline is not None:
                        wake = min(wake if wake is not None else 1e9, self._deadline - now)
                    self._cond.wait(wake)
            error, transient = self._post(job.url, job.payload, timeout=self.timeout)
            job.attempts += 1
            with self._cond:
                self._busy -= 1
                del self._current[job.seq]
                if self._abandoned:
                    return
                if error and transient and job.attempts <= self.retries:
                    job.due = time.monotonic() + self.backoff * 2 ** (job.attempts - 1)
                    heapq.heappush(self._jobs, job)
                else:
                    self._results.append(self._result(job.url, job.payload, job.attempts, error, job.key, transient))
