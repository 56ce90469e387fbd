"""gunicorn's settings (the Procfile runs `gunicorn -c python:config.gunicorn config.wsgi`).

Workers: WEB_CONCURRENCY, else 2 per core. A sync worker waits while PostgreSQL answers; with one worker per core,
one slow request (a signup's Argon2 hash, ~0.3 s) blocked half the machine and every page queued behind it
(`make load`, README "Load").

gunicorn's own error log names the client ("Invalid request from ip=203.0.113.9: ...") and full request URIs
("Error handling request /unsubscribe/<token>/?..."); its lines go through privacy's ServerLogFormatter, which
drops IPs, query strings, email addresses and link tokens. The access log format (Procfile) has neither IP nor path.
"""

import os

from gunicorn.glogging import Logger

from privacy.log_redaction import ServerLogFormatter


class RedactingLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(ServerLogFormatter(self.error_fmt, self.datefmt))


logger_class = RedactingLogger


workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
