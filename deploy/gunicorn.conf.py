"""gunicorn settings for caseapp (`gunicorn -c deploy/gunicorn.conf.py wsgi:app`), from the environment:
CASEAPP_BIND (default 127.0.0.1:8000: only nginx on this machine reaches it) and CASEAPP_WORKERS
(default: two per core, plus one)."""

import multiprocessing
import os

bind = os.environ.get("CASEAPP_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CASEAPP_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
# A PDF of a long case takes seconds; longer requests are a fault, not a wait.
timeout = 120
graceful_timeout = 30
# Requests whose answer is slow are few: no threads, one request per worker.
worker_class = "sync"
accesslog = "-"
errorlog = "-"
# Client addresses come from nginx's X-Forwarded-For, read by the app itself (TRUSTED_PROXIES).
forwarded_allow_ips = "127.0.0.1"
# No control socket (gunicornc): nothing uses it, and its default place ($HOME, or XDG_RUNTIME_DIR) is
# read-only under the unit's ProtectSystem=strict and would be shared by two gunicorns on one host.
control_socket_disable = True
