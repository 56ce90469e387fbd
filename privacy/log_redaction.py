"""The last line of defence for log output: no email address and no token leaves the process in a log line.

The formatter of every handler in config/settings/ LOGGING, including Django's runserver request log, whose lines
carry request paths (and so the tokens of emailed links). The flows themselves never log personal data (a test
runs them at DEBUG and checks); this filter catches what a library or a future line might add.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PATH = re.compile(r"/[^\s\"'?]*")


IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
IPV6_CANDIDATE = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
QUERY = re.compile(r"\?[^\s\"']*")


def _redact_path(match: re.Match) -> str:
    try:
        from .services import redact_path  # imported late: logging is configured before the apps are loaded
    except Exception:  # a process without Django set up (gunicorn's master): drop the path
        return "<path>"
    return redact_path(match.group(0))


def _redact_ipv6(match: re.Match) -> str:
    try:
        ipaddress.IPv6Address(match.group(0))
    except ValueError:  # a time of day, not an address
        return match.group(0)
    return "<ip>"


def redact(text: str) -> str:
    return PATH.sub(_redact_path, EMAIL.sub("<email>", text))


def redact_server_line(text: str) -> str:
    """For a web server's own log (gunicorn's error log): no client IP and no query string either."""
    text = QUERY.sub("?<query>", text)
    text = IPV6_CANDIDATE.sub(_redact_ipv6, IPV4.sub("<ip>", text))
    return redact(text)


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


class ServerLogFormatter(logging.Formatter):
    """RedactingFormatter for a web server's error log, which names client IPs and full request URIs."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_server_line(super().format(record))
