"""gunicorn settings for production: ``gunicorn -c python:blog.gunicorn_conf --bind 127.0.0.1:8000``.

Options on the command line and in ``GUNICORN_CMD_ARGS`` override these. ``WEB_CONCURRENCY`` sets the
number of worker processes (default: 2 × CPUs + 1) and ``GUNICORN_THREADS`` the threads in each.
"""

import gc
import logging
import multiprocessing
import os
import sys

from gunicorn.glogging import CONFIG_DEFAULTS, Logger

wsgi_app = "blog.wsgi:app"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
timeout = 30  # a worker silent this long is killed and replaced
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then (insurance against slow leaks), with jitter so they don't all restart at
# once. A new worker is a fork of the warmed-up master (below), so it starts fast and small; but at 5,000,
# a busy worker was replaced every few seconds, which showed in the p99 of the benchmark.
max_requests = 50_000
max_requests_jitter = 5_000
# The app is loaded (and warmed up: blog/wsgi.py) once in the master and the workers are forked from it,
# so they share its memory instead of each building its own. Measured PSS of the master and 2 workers
# after 180 mixed requests: 157 MiB without preloading, 134 MiB with it and gc.freeze, 116 MiB with the
# warm-up and without Alembic in the server. A code change therefore needs a restart, not just a HUP.
preload_app = True


def pre_fork(server, worker):
    # Objects that exist now are never collected: the collector would otherwise touch (and so copy) every
    # shared page in each worker.
    gc.freeze()


def post_fork(server, worker):
    # Connections the master opened (blog.wsgi.warm_up closes its own) must not be shared with the workers.
    wsgi = sys.modules.get("blog.wsgi")  # absent when this file serves another app
    if wsgi is not None:
        from blog.extensions import db

        with wsgi.app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)


# Which X-Forwarded-* headers to believe is the app's setting (PROXY_FIX_*, blog/security.py), the one
# place for it: gunicorn itself would otherwise take X-Forwarded-Proto from any local process.
forwarded_allow_ips = ""
control_socket_disable = True  # gunicorn ≥ 27: one fixed socket path per user would clash between instances

# The app logs one JSON line per request (blog/requestlog.py, logger "blog.requestlog", which does not
# propagate to the root logger below) to stdout, unless BLOG_REQUEST_LOG names another place (read when the
# app is loaded, after this file); gunicorn's own access log would repeat it without the request id.
# gunicorn's messages and the app's other log records stay on stderr.
os.environ.setdefault("BLOG_REQUEST_LOG", "-")
accesslog = None
# What no log line here prints (the request lines included), not worked out per record (the logging
# HOWTO's "Optimization"): the calling source line (a stack walk), thread and multiprocessing names. The
# process id stays (gunicorn prints it).
logging._srcfile = None
logging.logThreads = False
logging.logMultiprocessing = False


class _Logger(Logger):
    def access(self, *args, **kwargs) -> None:
        """Off (see below); gunicorn would still format each request's fields before dropping them."""


logger_class = _Logger
errorlog = "-"
loglevel = "info"
logconfig_dict = {
    **CONFIG_DEFAULTS,
    "root": {"level": "INFO", "handlers": ["error_console"]},  # stdout carries the request lines alone
    "loggers": {
        **CONFIG_DEFAULTS["loggers"],
        "gunicorn.error": {**CONFIG_DEFAULTS["loggers"]["gunicorn.error"], "propagate": False},  # printed once
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},  # off: it logs addresses
    },
}
