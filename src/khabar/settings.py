"""Operational settings: the limits, timeouts, pool and batch sizes of khabar, named in one place.

Language data (word lists, patterns, weights) lives in ``khabar/data``, not here. The modules
that use a setting import it under the same name (``khabar.web.api.MAX_BODY_BYTES`` is this
``MAX_BODY_BYTES``), so tests and callers that read or patch it there keep working.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- input (khabar.io)

DEFAULT_MAX_CHARS = 1_000_000  # longest article the CLI and ingest accept (--max-chars)
# Longest article text accepted by the REST API (/v1/analyze, /v1/articles) and the web form.
MAX_TEXT_CHARS = 200_000

# --------------------------------------------------------------------------- analysis (khabar.service)

ANALYZE_CHUNK = 8  # articles per task sent to an analysis worker process (fewer: no pool at all)

# --------------------------------------------------------------------------- corpus (khabar.corpus)

INGEST_BATCH_SIZE = 200  # analysed articles written per store transaction
INGEST_CHUNK = 16  # articles per task sent to an ingest worker process
INGEST_COMMIT_SECONDS = 2.0  # a batch is also committed after this long, so progress is never far behind
STORE_BUSY_TIMEOUT_MS = 10_000  # how long SQLite waits for another writer's lock before "busy"
STORE_CACHE_KIB = 65_536  # SQLite page cache per connection (64 MiB)

# --------------------------------------------------------------------------- web (khabar.web)

MAX_BODY_BYTES = 1_048_576  # 1 MiB: any request body above this is refused with 413
# CPU one POST /v1/analyze or /v1/articles may take (analysis is ~25 us per character on one core):
# without the write token (or when the server has none) a text is limited to MAX_ANON_TEXT_CHARS
# (about a second), and at most MAX_CONCURRENT_ANALYSES analyses run at once per process; a
# request that finds them all busy for ANALYZE_WAIT_SECONDS gets 503 with Retry-After.
MAX_ANON_TEXT_CHARS = 50_000  # longest text analysed without the write token
MAX_BATCH_ARTICLES = 50  # POST /v1/analyze/batch; the batch's texts share one text limit and one slot
MAX_CONCURRENT_ANALYSES = 4  # analyses running at once per server process
ANALYZE_WAIT_SECONDS = 5.0  # longest wait for a free analysis slot before 503
SLOT_POLL_SECONDS = 0.02  # how often a queued analysis checks for a free slot (on the event loop)
MAX_PAGE = 10_000  # highest page number the API serves
MAX_PER_PAGE = 100  # most results per API page
PER_PAGE = 20  # results per page of the web UI
WEB_POOL_SIZE = 4  # read-only store connections the web app shares between its threads
WEB_POOL_WAIT_SECONDS = 30.0  # longest wait for a free read connection before answering "busy"
WEB_SPEAKERS_TTL_SECONDS = 60.0  # the speaker list of the quote filter is reused this long
WEB_CHECK_TTL_SECONDS = 10.0  # a passing health check is reused this long

# --------------------------------------------------------------------------- feeds (khabar.monitor)

DEFAULT_INTERVAL = 900.0  # seconds between polls of a source
MIN_INTERVAL = 30.0  # no source is polled more often than this
DEFAULT_MAX_BYTES = 5_000_000  # a page or feed larger than this is refused
WEBHOOK_TIMEOUT = 5.0  # seconds to wait for an alert's webhook
MIN_WORDS = 20  # a page whose main text is shorter holds no article
MINHASH_SIZE = 64  # values in a MinHash signature
LSH_ROWS = 4  # signature values per LSH band (16 bands)
NEAR_DUPLICATE_SIMILARITY = 0.8  # estimated Jaccard similarity of word 3-grams: the same article
MAX_BACKOFF = 16  # a failing feed waits 2, 4, 8, then at most 16 times its interval
MAX_WAITING = 300  # new articles the watcher holds for analysis; beyond, it fetches no more until some are stored
# Near duplicates confirmed on the texts (khabar.monitor.dedup):
SAME_ARTICLE_JACCARD = 0.8  # exact Jaccard similarity of word 3-grams: the same article
CONTAINED_SHARE = 0.9  # ... or the shorter text's 3-grams nearly all in the longer one,
EXTRA_SHINGLES = 12  # ... which adds at most this many (an unknown dateline and credit line)
CANDIDATE_SIMILARITY = 0.3  # MinHash estimate under which a candidate is not worth confirming
# Webhook delivery of alert matches (khabar.monitor.delivery):
WEBHOOK_RETRIES = 3  # further attempts after a transient failure
WEBHOOK_BACKOFF = 1.0  # seconds before the first retry (then doubled)
MAX_PENDING = 1000  # matches waiting for delivery (queued or between retries)
DELIVERY_THREADS = 4  # webhook calls at once
DRAIN_SECONDS = 10.0  # at shutdown, how long waiting matches may still be delivered
# The delivery outbox (khabar.monitor.outbox): matches kept in the store until their webhook has them
OUTBOX_BACKOFF = 60.0  # seconds after a delivery round that failed before the next (then doubled)
OUTBOX_MAX_BACKOFF = 3600.0  # ... at most this long between two rounds
OUTBOX_MAX_ATTEMPTS = 20  # POSTs of one match, all runs together, before it is given up (dead)
OUTBOX_MAX_AGE = 172_800.0  # seconds (two days) after which a match not yet delivered is given up
FINGERPRINT_BATCH = 500  # stored signatures re-fingerprinted per transaction (khabar.monitor.watch)
