"""gunicorn settings for `make run` and production (override with GUNICORN_CMD_ARGS)."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
# Path only (%(U)s), never the query string: it could hold a reference or a date of birth.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# Every value from a request (the path above, and any header a format names) is written with its
# control characters escaped, in the access and the error log: nobody can forge a log line.
logger_class = "webapp.log_safety.GunicornLogger"
