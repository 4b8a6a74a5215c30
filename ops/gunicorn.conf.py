"""Gunicorn settings of the production stack (docker-compose.yml and ops/prodstack alike).

Gunicorn is started with ``exec`` so that it is the process the container's (or the script's)
SIGTERM reaches: it then stops taking connections, lets running requests finish for up to
``graceful_timeout`` seconds and exits.
"""

import os

bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
# Processes: about two per core; each serves one request at a time (sync workers).
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = 30
graceful_timeout = 20
# Each worker's heartbeat file in memory, not on the container's overlay file system.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
errorlog = "-"
# A restarted worker process now and then keeps memory in check over months.
max_requests = 2000
max_requests_jitter = 200
