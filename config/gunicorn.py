"""gunicorn's configuration for production (docker-compose.yml, bench/load.py):

    gunicorn config.wsgi --config python:config.gunicorn

Worker class and count per core (issue #20). A login checks the password with Django's
PBKDF2 hasher (kept: security first), about 0.3 CPU-seconds; with one sync worker per
request slot, a few logins at once held every worker and page requests queued behind them
for seconds. Threaded workers (``gthread``) keep more request slots than cores, so a page
is served while logins hash (the hash releases the GIL, so threads of one worker run it in
parallel with Python code): ``WEB_WORKERS`` processes (default 2 per core, at least 2) ×
``WEB_THREADS`` threads (default 8). More processes than cores keep a long page from
holding a GIL other requests wait on. bench/load.py measures the result: pages' p95 while
a burst of logins is served.
"""

import os

cores = os.cpu_count() or 1
workers = int(os.environ.get("WEB_WORKERS") or max(2, 2 * cores))
worker_class = "gthread"
# Eight threads, not four: a login hashes at nice 19 (core/hashers.py), so under load it takes
# ~2 s and holds its thread that long; with four, a burst of ten logins filled a worker's
# threads and pages sent to it waited (bench/load.py, 20 users, 2 cores: pages' p95 during the
# burst 1,276 ms with 4 threads, 62 ms with 8). Each thread may hold a database connection:
# 2 × cores × 8 per web container (32 on 2 cores), within PostgreSQL's default 100.
threads = int(os.environ.get("WEB_THREADS") or 8)
# A request that runs longer is a bug (long work goes to Celery); the worker is replaced.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Replace each worker now and then so a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
