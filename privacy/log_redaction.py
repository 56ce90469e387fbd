"""The last line of defence for log output: no email address and no token leaves the process in a log line.

The formatter of every handler in config/settings.py LOGGING, including Django's runserver request log, whose lines
carry request paths (and so the tokens of emailed links). The flows themselves never log personal data (a test
runs them at DEBUG and checks); this filter catches what a library or a future line might add.
"""

from __future__ import annotations

import json
import logging
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PATH = re.compile(r"/[^\s\"'?]*")


def _redact_path(match: re.Match) -> str:
    from .services import redact_path  # imported late: logging is configured before the apps are loaded

    return redact_path(match.group(0))


def redact(text: str) -> str:
    return PATH.sub(_redact_path, EMAIL.sub("<email>", text))


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts: the record itself is left alone for any other handler."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingJsonFormatter(RedactingFormatter):
    """One JSON object per line (LOG_FORMAT=json), for log collectors; redacted the same way as the text format."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry)
