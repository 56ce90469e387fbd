"""A stand-in for email service providers' send APIs, for anymail's real backends (benchmarks and integration tests).

It speaks enough of each API for anymail's own backend to send through it and parse the answer, answers after a
configurable latency, injects faults on request, counts what it received and (optionally) records each recipient's
message as the ESP would deliver it, merge fields and per-recipient headers applied.

    ESP          endpoint (POST)                                 point anymail at it with
    SendGrid     /sendgrid/v3/mail/send                          ANYMAIL_SENDGRID_API_URL=<url>/sendgrid/v3/
    Mailgun      /mailgun/v3/<domain>/messages                   ANYMAIL_MAILGUN_API_URL=<url>/mailgun/v3
    Postmark     /postmark/email, /postmark/email/batch,         ANYMAIL_POSTMARK_API_URL=<url>/postmark/
                 /postmark/email/batchWithTemplates; templates:
                 POST/GET /postmark/templates, GET/DELETE …/{alias}
    Brevo        /brevo/v3/smtp/email                            ANYMAIL_BREVO_API_URL=<url>/brevo/v3/
    Amazon SES   /ses/v2/email/outbound-emails (SendEmail, v2)   ANYMAIL_AMAZON_SES_CLIENT_PARAMS=
                 /ses/v2/email/outbound-bulk-emails (SendBulk-     {"endpoint_url": "<url>/ses", "region_name": ...}
                 Email); templates: POST/GET /ses/v2/email/templates, DELETE …/{name}

A stored template (Postmark's, SES's) is rendered per message with its data ({{{x}}} as is, {{x}} HTML-escaped in the
HTML body); `server.templates(esp)` lists them, stats() counts templates_created and templates_deleted. Faults apply to
template calls too; a template call is not an accepted send request.

`EspServer.anymail_settings(esp)` returns the ANYMAIL dict (and `EMAIL_BACKEND` path) for one of them.

Python API (tests run it in a thread; the benchmark runs `python benchmarks/esp_server.py` as its own process):

    server = EspServer(latency_ms=50, record=True).start()   # server.url = "http://127.0.0.1:<port>"
    server.fail_next(5, status=429, retry_after=1)            # the next 5 send calls answer 429 (Retry-After: 1)
    server.fail_next(2, status=503)                           # ... or a 5xx
    server.hang_next(1, seconds=5)                            # the next call answers only after 5 s (a timeout)
    server.outage(30)                                         # every call answers 503 for the next 30 s
    server.reject("bad@example.com")                          # a permanent rejection of that address
    server.stats()      # {"requests", "accepted_requests", "faults", "messages", "rejected", "templates_created",
                        #  "templates_deleted", "templates", "by_esp": {esp: requests}}
    server.messages()   # recorded deliveries: [{"esp", "to", "subject", "headers", "text", "html", "metadata"}]
    server.reset(); server.stop()

Over HTTP the same controls are `POST /_control` with a JSON body such as {"fail_next": 5, "status": 429,
"retry_after": 1} or {"outage": 30} or {"latency_ms": 50}, `GET /_stats`, `GET /_messages` and `POST /_reset`.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import email
import email.policy
import html as htmllib
import json
import re
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BACKENDS = {
    "sendgrid": "anymail.backends.sendgrid.EmailBackend",
    "mailgun": "anymail.backends.mailgun.EmailBackend",
    "postmark": "anymail.backends.postmark.EmailBackend",
    "brevo": "anymail.backends.brevo.EmailBackend",
    "ses": "anymail.backends.amazon_ses.EmailBackend",
}


class Rejected(Exception):
    """A permanent rejection of one address (the ESP's own error shape is chosen per API)."""


class EspServer:
    def __init__(self, *, latency_ms: float = 0, record: bool = False, host: str = "127.0.0.1", port: int = 0):
        self.latency = latency_ms / 1000
        self.record = record
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.reset()

    # --- lifecycle -------------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> EspServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="esp-stand-in", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def anymail_settings(self, esp: str) -> dict[str, Any]:
        """EMAIL_BACKEND and the ANYMAIL settings that send `esp`'s API calls here (fake credentials)."""
        anymail: dict[str, Any] = {
            "sendgrid": {"SENDGRID_API_KEY": "stand-in", "SENDGRID_API_URL": f"{self.url}/sendgrid/v3/"},
            "mailgun": {
                "MAILGUN_API_KEY": "stand-in",
                "MAILGUN_SENDER_DOMAIN": "mg.example.com",
                "MAILGUN_API_URL": f"{self.url}/mailgun/v3",
            },
            "postmark": {"POSTMARK_SERVER_TOKEN": "stand-in", "POSTMARK_API_URL": f"{self.url}/postmark/"},
            "brevo": {"BREVO_API_KEY": "stand-in", "BREVO_API_URL": f"{self.url}/brevo/v3/"},
            "ses": {
                "AMAZON_SES_CLIENT_PARAMS": {
                    "endpoint_url": f"{self.url}/ses",
                    "region_name": "eu-west-1",
                    "aws_access_key_id": "stand-in",
                    "aws_secret_access_key": "stand-in",
                    # Retries are the mailing engine's job (and are counted by the benchmark), not botocore's.
                    "config": {"retries": {"total_max_attempts": 1}},
                }
            },
        }[esp]
        return {"EMAIL_BACKEND": BACKENDS[esp], "ANYMAIL": anymail}

    # --- faults ----------------------------------------------------------------------------------------------------
    def fail_next(self, count: int, *, status: int = 503, retry_after: float | None = None) -> None:
        with self._lock:
            self._faults.extend([(status, retry_after)] * count)

    def hang_next(self, count: int, *, seconds: float) -> None:
        with self._lock:
            self._hangs += [seconds] * count

    def outage(self, seconds: float) -> None:
        with self._lock:
            self._outage_until = time.monotonic() + seconds

    def reject(self, *addresses: str) -> None:
        with self._lock:
            self._rejected.update(a.lower() for a in addresses)

    def reset(self) -> None:
        with self._lock:
            self._faults: list[tuple[int, float | None]] = []
            self._hangs: list[float] = []
            self._outage_until = 0.0
            self._rejected: set[str] = set()
            self._counts: Counter[str] = Counter()
            self._by_esp: Counter[str] = Counter()
            self._messages: list[dict[str, Any]] = []
            self._templates: dict[tuple[str, str], dict[str, str]] = {}  # (esp, name) -> subject, text, html

    # --- what it saw -----------------------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self._counts["requests"],
                "accepted_requests": self._counts["accepted_requests"],
                "faults": self._counts["faults"],
                "messages": self._counts["messages"],
                "rejected": self._counts["rejected"],
                "templates_created": self._counts["templates_created"],
                "templates_deleted": self._counts["templates_deleted"],
                "templates": sorted(name for _, name in self._templates),
                "by_esp": dict(self._by_esp),
            }

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._messages)

    # --- serving ---------------------------------------------------------------------------------------------------
    def _fault(self) -> tuple[str, Any] | None:
        with self._lock:
            self._counts["requests"] += 1
            if self._hangs:
                return "hang", self._hangs.pop(0)
            if time.monotonic() < self._outage_until:
                self._counts["faults"] += 1
                return "status", (503, None)
            if self._faults:
                self._counts["faults"] += 1
                return "status", self._faults.pop(0)
        return None

    def _accept(self, esp: str, deliveries: list[dict[str, Any]]) -> None:
        with self._lock:
            self._counts["accepted_requests"] += 1
            self._counts["messages"] += len(deliveries)
            self._by_esp[esp] += 1
            if self.record:
                for delivery in deliveries:
                    self._messages.append({"esp": esp, **delivery})

    def _is_rejected(self, address: str) -> bool:
        return _addr(address).lower() in self._rejected

    def templates(self, esp: str) -> dict[str, dict[str, str]]:
        """The templates stored for one ESP ("postmark", "ses"): name -> subject, text, html."""
        with self._lock:
            return {name: dict(t) for (e, name), t in self._templates.items() if e == esp}

    def _store_template(self, esp: str, name: str, template: dict[str, str]) -> bool:
        with self._lock:
            if (esp, name) in self._templates:
                return False
            self._templates[(esp, name)] = template
            self._counts["templates_created"] += 1
            return True

    def _template(self, esp: str, name: str) -> dict[str, str] | None:
        with self._lock:
            return self._templates.get((esp, name))

    def _delete_template(self, esp: str, name: str) -> bool:
        with self._lock:
            if self._templates.pop((esp, name), None) is None:
                return False
            self._counts["templates_deleted"] += 1
            return True


def _addr(value: str) -> str:
    match = re.search(r"<([^>]+)>", value)
    return (match.group(1) if match else value).strip()


def _merge(text: str, values: dict[str, str], pattern: str) -> str:
    """Apply an ESP's merge fields: `pattern` formats a field name into its placeholder."""
    for key, value in values.items():
        text = text.replace(pattern.format(key), str(value))
    return text


_TAG = re.compile(r"\{\{\{\s*([\w.]+)\s*\}\}\}|\{\{\s*([\w.]+)\s*\}\}")


def _render(template: str, values: dict[str, Any], *, html: bool) -> str:
    """A stored template's merge tags filled as Postmark (Mustachio) and SES (Handlebars) do: {{{x}}} as is, {{x}}
    HTML-escaped in an HTML body; a field missing from the data renders empty."""

    def one(match: re.Match) -> str:
        value = str(values.get(match.group(1) or match.group(2), ""))
        return value if match.group(1) or not html else htmllib.escape(value)

    return _TAG.sub(one, template)


# --- one parser per API: body -> (status, response body, response headers, deliveries accepted) -----------------------
Answer = tuple[int, Any, dict[str, str], list[dict[str, Any]]]


def _sendgrid(server: EspServer, body: bytes, content_type: str) -> Answer:
    data = json.loads(body)
    deliveries, content = [], {part["type"]: part["value"] for part in data.get("content", [])}
    for personalization in data["personalizations"]:
        for to in personalization["to"]:
            if server._is_rejected(to["email"]):
                raise Rejected(to["email"])
            subs = personalization.get("substitutions", {})
            deliveries.append(
                {
                    "to": to["email"],
                    "subject": _merge(personalization.get("subject", data.get("subject", "")), subs, "{}"),
                    "headers": {**data.get("headers", {}), **personalization.get("headers", {})},
                    "text": _merge(content.get("text/plain", ""), subs, "{}"),
                    "html": _merge(content.get("text/html", ""), subs, "{}"),
                    "metadata": {**data.get("custom_args", {}), **personalization.get("custom_args", {})},
                    "tags": data.get("categories", []),
                }
            )
    return 202, b"", {"X-Message-Id": uuid.uuid4().hex}, deliveries


def _form_fields(body: bytes, content_type: str) -> dict[str, list[str]]:
    if content_type.startswith("multipart/form-data"):
        message = email.message_from_bytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=email.policy.HTTP
        )
        fields: dict[str, list[str]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields.setdefault(name, []).append(part.get_content())
        return fields
    return parse_qs(body.decode(), keep_blank_values=True)


def _mailgun(server: EspServer, body: bytes, content_type: str) -> Answer:
    fields = _form_fields(body, content_type)
    variables = json.loads(fields.get("recipient-variables", ["{}"])[0])
    deliveries = []
    for to in fields["to"]:
        address = _addr(to)
        if server._is_rejected(address):
            raise Rejected(address)
        values = variables.get(address, {})
        headers = {
            name[2:]: _merge(v[0], values, "%recipient.{}%") for name, v in fields.items() if name.startswith("h:")
        }
        deliveries.append(
            {
                "to": address,
                "subject": _merge(fields.get("subject", [""])[0], values, "%recipient.{}%"),
                "headers": headers,
                "text": _merge(fields.get("text", [""])[0], values, "%recipient.{}%"),
                "html": _merge(fields.get("html", [""])[0], values, "%recipient.{}%"),
                "metadata": {
                    name[2:]: _merge(v[0], values, "%recipient.{}%") for name, v in fields.items() if name[:2] == "v:"
                },
                "tags": fields.get("o:tag", []),
            }
        )
    return 200, {"id": f"<{uuid.uuid4().hex}@mg.example.com>", "message": "Queued. Thank you."}, {}, deliveries


def _postmark_one(server: EspServer, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    to = data["To"]
    if server._is_rejected(to):
        return {
            "ErrorCode": 406,
            "Message": f"You tried to send to recipient(s) that have been marked as inactive. "
            f"Found inactive addresses: {_addr(to)}. Inactive recipients are ones that have generated a hard "
            f"bounce, a spam complaint, or a manual suppression.",
            "To": to,
        }, None
    delivery = {
        "to": _addr(to),
        "subject": data.get("Subject", ""),
        "headers": {h["Name"]: h["Value"] for h in data.get("Headers", [])},
        "text": data.get("TextBody", ""),
        "html": data.get("HtmlBody", ""),
        "metadata": data.get("Metadata", {}),
        "tags": [data["Tag"]] if data.get("Tag") else [],
    }
    answer = {"To": to, "SubmittedAt": "2026-12-01T09:00:00Z", "MessageID": str(uuid.uuid4()), "ErrorCode": 0}
    return {**answer, "Message": "OK"}, delivery


def _postmark(server: EspServer, body: bytes, content_type: str, batch: bool) -> Answer:
    data = json.loads(body)
    if "Tag" in data and not isinstance(data["Tag"], str):
        return 422, {"ErrorCode": 300, "Message": "Invalid 'Tag'"}, {}, []
    if not batch:
        answer, delivery = _postmark_one(server, data)
        if delivery is None:
            return 422, answer, {}, []
        return 200, answer, {}, [delivery]
    answers, deliveries = [], []
    for item in data:
        answer, delivery = _postmark_one(server, item)
        answers.append(answer)
        if delivery is not None:
            deliveries.append(delivery)
    return 200, answers, {}, deliveries


def _postmark_with_templates(server: EspServer, body: bytes, content_type: str) -> Answer:
    """email/batchWithTemplates: each message rendered from its stored template with its TemplateModel."""
    answers, deliveries = [], []
    for item in json.loads(body)["Messages"]:
        template = server._template("postmark", str(item.get("TemplateAlias") or item.get("TemplateId")))
        if template is None or {"Subject", "TextBody", "HtmlBody"} & set(item):
            why = "not found" if template is None else "Subject/TextBody/HtmlBody are not allowed with a template"
            answers.append({"ErrorCode": 1101, "Message": f"Template {why}.", "To": item.get("To", "")})
            continue
        if not server.record:  # only counted (the benchmark)
            answer, delivery = _postmark_one(server, {"To": item["To"]})
            answers.append(answer)
            deliveries += [delivery] if delivery else []
            continue
        model = item.get("TemplateModel", {})
        rendered = {
            "Subject": _render(template["subject"], model, html=False),
            "TextBody": _render(template["text"], model, html=False),
            "HtmlBody": _render(template["html"], model, html=True),
        }
        answer, delivery = _postmark_one(server, {**item, **rendered})
        answers.append(answer)
        if delivery is not None:
            deliveries.append({**delivery, "template": template["name"]})
    return 200, answers, {}, deliveries


def _postmark_templates(server: EspServer, method: str, name: str, body: bytes) -> Answer:
    """Postmark's Templates API: POST /templates, GET /templates[/{alias}], DELETE /templates/{alias}."""
    missing = {"ErrorCode": 1101, "Message": "The template was not found."}
    if method == "POST":
        data = json.loads(body)
        template = {"name": data["Alias"], "subject": data["Subject"], "text": data.get("TextBody", "")}
        if not server._store_template("postmark", data["Alias"], {**template, "html": data.get("HtmlBody", "")}):
            return 422, {"ErrorCode": 1122, "Message": "The alias is already in use by another template."}, {}, []
        return 200, {"TemplateId": 1, "Name": data["Name"], "Alias": data["Alias"], "Active": True}, {}, []
    if method == "DELETE":
        if not server._delete_template("postmark", name):
            return 422, missing, {}, []
        return 200, {"ErrorCode": 0, "Message": f"Template {name} removed."}, {}, []
    if name:
        template = server._template("postmark", name)
        return (200, {"Alias": name, "Subject": template["subject"]}, {}, []) if template else (422, missing, {}, [])
    listed = [{"Alias": n, "Name": n, "Active": True, "TemplateType": "Standard"} for n in server.templates("postmark")]
    return 200, {"TotalCount": len(listed), "Templates": listed}, {}, []


def _ses_bulk(server: EspServer, body: bytes, content_type: str) -> Answer:
    """SES v2 SendBulkEmail: each destination rendered from the stored template with its ReplacementTemplateData,
    its ReplacementHeaders applied; one result per destination (MESSAGE_REJECTED for a refused address)."""
    data = json.loads(body)
    name = data["DefaultContent"]["Template"]["TemplateName"]
    template = server._template("ses", name)
    if template is None:
        return 404, {"__type": "NotFoundException", "message": f"Template {name} does not exist."}, {}, []
    results, deliveries = [], []
    for entry in data["BulkEmailEntries"]:
        to = entry["Destination"]["ToAddresses"][0]
        if server._is_rejected(to):
            results.append({"Status": "MESSAGE_REJECTED", "Error": f"Address blacklisted: {_addr(to)}"})
            continue
        if not server.record:  # only counted (the benchmark): rendering 50 bodies a call would be its ceiling
            deliveries.append({"to": _addr(to)})
            results.append({"Status": "SUCCESS", "MessageId": uuid.uuid4().hex})
            continue
        values = json.loads(entry["ReplacementEmailContent"]["ReplacementTemplate"]["ReplacementTemplateData"])
        headers = [(h["Name"], h["Value"]) for h in entry.get("ReplacementHeaders", [])]
        deliveries.append(
            {
                "to": _addr(to),
                "subject": _render(template["subject"], values, html=False),
                "headers": {k: v for k, v in headers if k not in ("X-Metadata", "X-Tag")},
                "text": _render(template["text"], values, html=False),
                "html": _render(template["html"], values, html=True),
                "metadata": json.loads(dict(headers).get("X-Metadata", "{}")),
                "tags": [v for k, v in headers if k == "X-Tag"],
                "template": name,
            }
        )
        results.append({"Status": "SUCCESS", "MessageId": uuid.uuid4().hex})
    return 200, {"BulkEmailEntryResults": results}, {}, deliveries


def _ses_templates(server: EspServer, method: str, name: str, body: bytes) -> Answer:
    """SES v2 CreateEmailTemplate, DeleteEmailTemplate, ListEmailTemplates."""
    if method == "POST":
        data = json.loads(body)
        content = data["TemplateContent"]
        template = {"name": data["TemplateName"], "subject": content.get("Subject", "")}
        template.update(text=content.get("Text", ""), html=content.get("Html", ""))
        if not server._store_template("ses", data["TemplateName"], template):
            return 400, {"__type": "AlreadyExistsException", "message": "Template already exists."}, {}, []
        return 200, {}, {}, []
    if method == "DELETE":
        if not server._delete_template("ses", name):
            return 404, {"__type": "NotFoundException", "message": f"Template {name} does not exist."}, {}, []
        return 200, {}, {}, []
    listed = [{"TemplateName": n, "CreatedTimestamp": 0} for n in server.templates("ses")]
    return 200, {"TemplatesMetadata": listed}, {}, []


def _brevo(server: EspServer, body: bytes, content_type: str) -> Answer:
    data = json.loads(body)
    versions = data.get("messageVersions") or [{"to": data["to"]}]
    deliveries, ids = [], []
    for version in versions:
        params = {**data.get("params", {}), **version.get("params", {})}
        for to in version["to"]:
            if server._is_rejected(to["email"]):
                raise Rejected(to["email"])
            headers = {**data.get("headers", {}), **version.get("headers", {})}
            deliveries.append(
                {
                    "to": to["email"],
                    "subject": _merge(data.get("subject", ""), params, "{{{{ params.{} }}}}"),
                    "headers": headers,
                    "text": _merge(data.get("textContent", ""), params, "{{{{ params.{} }}}}"),
                    "html": _merge(data.get("htmlContent", ""), params, "{{{{ params.{} }}}}"),
                    "metadata": json.loads(headers.get("X-Mailin-custom", "{}")),
                    "tags": data.get("tags", []),
                }
            )
        ids.append(f"<{uuid.uuid4().hex}@smtp-relay.mailin.fr>")
    answer = {"messageIds": ids} if "messageVersions" in data else {"messageId": ids[0]}
    return 201, answer, {}, deliveries


def _ses(server: EspServer, body: bytes, content_type: str) -> Answer:
    data = json.loads(body)
    to = data.get("Destination", {}).get("ToAddresses")
    if to and not server.record:  # only counted: parsing the raw MIME message (~3 ms) was the benchmark's ceiling
        for address in to:
            if server._is_rejected(address):
                return 400, {"__type": "MessageRejected", "message": f"Address blacklisted: {address}"}, {}, []
        return 200, {"MessageId": uuid.uuid4().hex}, {}, [{"to": _addr(address)} for address in to]
    raw = base64.b64decode(data["Content"]["Raw"]["Data"])
    message = email.message_from_bytes(raw, policy=email.policy.default)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    to = to or [str(a) for a in message.get_all("To", [])]
    deliveries = []
    for address in to:
        if server._is_rejected(address):
            return 400, {"__type": "MessageRejected", "message": f"Address blacklisted: {address}"}, {}, []
        deliveries.append(
            {
                "to": _addr(address),
                "subject": str(message["Subject"]),
                "headers": {k: str(v).strip() for k, v in message.items()},
                "text": text.get_content() if text else "",
                "html": html.get_content() if html else "",
                "metadata": json.loads(str(message.get("X-Metadata", "{}"))),
                "tags": [str(v) for v in message.get_all("X-Tag", [])],
            }
        )
    return 200, {"MessageId": uuid.uuid4().hex}, {}, deliveries


def _route_templates(path: str):
    """Template management (any method): (esp, handler(server, method, name, body)) or (None, None)."""
    match = re.search(r"/postmark/templates(?:/([^/?]+))?$", path)
    if match:
        return "postmark", match.group(1) or ""
    match = re.search(r"/v2/email/templates(?:/([^/?]+))?$", path)
    if match:
        return "ses", match.group(1) or ""
    return None, None


def _route(path: str):
    if path.endswith("/email/batchWithTemplates"):
        return "postmark", _postmark_with_templates
    if path.endswith("/v2/email/outbound-bulk-emails"):
        return "ses", _ses_bulk
    if path.endswith("/mail/send"):
        return "sendgrid", _sendgrid
    if re.search(r"/v3/[^/]+/messages$", path):
        return "mailgun", _mailgun
    if path.endswith("/email/batch"):
        return "postmark", lambda s, b, c: _postmark(s, b, c, batch=True)
    if path.endswith("/postmark/email") or path == "/email":
        return "postmark", lambda s, b, c: _postmark(s, b, c, batch=False)
    if path.endswith("/smtp/email"):
        return "brevo", _brevo
    if path.endswith("/v2/email/outbound-emails"):
        return "ses", _ses
    return None, None


def _handler_for(server: EspServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the ESPs' APIs
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms Nagle / delayed-ACK stall

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/_stats":
                self._answer(200, server.stats())
            elif self.path == "/_messages":
                self._answer(200, server.messages())
            elif not self._templates("GET", b""):
                self._answer(404, {"message": "not found"})

        def do_DELETE(self) -> None:
            if not self._templates("DELETE", b""):
                self._answer(404, {"message": "not found"})

        def _faulted(self) -> bool:
            """Latency, then an injected fault (answered here) or False: the call goes on."""
            fault = server._fault()
            time.sleep(server.latency)
            if fault and fault[0] == "hang":
                time.sleep(fault[1])
                fault = None
            if fault:
                status, retry_after = fault[1]
                headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
                self._answer(status, {"message": "stand-in fault", "errors": [{"message": "stand-in fault"}]}, headers)
                return True
            return False

        def _templates(self, method: str, body: bytes) -> bool:
            """A template API call (Postmark's Templates, SES v2's email templates): answered here, faults too."""
            esp, name = _route_templates(self.path.split("?")[0])
            if esp is None:
                return False
            if not self._faulted():
                handle = _postmark_templates if esp == "postmark" else _ses_templates
                status, payload, headers, _ = handle(server, method, name, body)
                if status >= 400 and isinstance(payload, dict) and "__type" in payload:
                    headers = {**headers, "x-amzn-ErrorType": payload["__type"]}
                self._answer(status, payload, headers)
            return True

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/_"):
                self._control(body)
                return
            if self._templates("POST", body):
                return
            esp, parse = _route(self.path.split("?")[0])
            if parse is None:
                self._answer(404, {"message": f"no stand-in API at {self.path}"})
                return
            if self._faulted():
                return
            try:
                status, payload, headers, deliveries = parse(server, body, self.headers.get("Content-Type", ""))
            except Rejected as rejected:
                with server._lock:
                    server._counts["rejected"] += 1
                self._answer(400, {"message": f"rejected recipient {rejected}", "errors": [{"message": "rejected"}]})
                return
            if deliveries:  # (a Postmark or SES bulk batch accepts the rest when it refuses one address)
                server._accept(esp, deliveries)
            if esp == "ses" and status >= 400 and isinstance(payload, dict) and "__type" in payload:
                headers = {**headers, "x-amzn-ErrorType": payload["__type"]}
            self._answer(status, payload, headers)

        def _control(self, body: bytes) -> None:
            request = json.loads(body or b"{}")
            if self.path == "/_reset":
                server.reset()
            elif "latency_ms" in request:
                server.latency = request["latency_ms"] / 1000
            if "fail_next" in request:
                server.fail_next(
                    request["fail_next"], status=request.get("status", 503), retry_after=request.get("retry_after")
                )
            if "hang_next" in request:
                server.hang_next(request["hang_next"], seconds=request.get("seconds", 30))
            if "outage" in request:
                server.outage(request["outage"])
            if "reject" in request:
                server.reject(*request["reject"])
            self._answer(200, server.stats())

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--record", action="store_true", help="keep every delivery (tests; memory grows)")
    args = parser.parse_args()
    server = EspServer(latency_ms=args.latency_ms, record=args.record, port=args.port)
    print(f"listening on {server.url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
