"""Local fake GitHub and Jira REST servers on 127.0.0.1 (stdlib only, no network).

Each speaks the subset of its vendor's REST API that ``prd push`` uses, with the request shapes
of the public API descriptions, and refuses anything else with the vendor's error status:

* GitHub (docs.github.com/rest): ``GET /repos/{owner}/{repo}``; ``GET /repos/{o}/{r}/issues``
  (``state``, ``labels`` filters; issues with ``pull_request`` are skipped by clients);
  ``POST /repos/{o}/{r}/issues`` (``title`` required; ``body``; ``labels``: strings) -> 201;
  ``PATCH /repos/{o}/{r}/issues/{number}`` -> 200; ``GET``/``POST /repos/{o}/{r}/labels``
  (``name``, ``color`` as 6 hex digits; 422 when it exists). Auth: ``Authorization: token T``
  or ``Bearer T``, else 401 ``Bad credentials``.
* Jira (REST API v2): ``POST /rest/api/2/issue`` with ``{"fields": {project: {key}, summary,
  description, issuetype: {name}, labels: [no spaces]}}`` -> 201 ``{id, key, self}``;
  ``GET``/``PUT /rest/api/2/issue/{key}`` (PUT -> 204); ``GET /rest/api/2/search`` (Data
  Center: ``startAt``/``total``) and ``GET /rest/api/2/search/jql`` (Cloud: ``isLast``) for
  ``project = "K" AND labels = "L"``; ``GET /rest/api/2/field``. Auth: Basic ``email:token``
  or ``Bearer`` PAT, else 401.

Every request is recorded as ``(method, path, json_body)`` in ``server.requests``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.requests: list[tuple[str, str, Any]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, *args: object) -> None:  # keep test output clean
        return

    def _send(self, status: int, payload: Any = None) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw else None

    def _handle(self, method: str) -> None:
        parsed = urlparse(self.path)
        body = self._body() if method in {"POST", "PATCH", "PUT"} else None
        with self.server.lock:
            self.server.requests.append((method, parsed.path, body))
            if not self.server.authorized(self.headers.get("Authorization", "")):
                self._send(401, self.server.unauthorized)
                return
            status, payload = self.server.route(method, parsed.path, parse_qs(parsed.query), body)
        self._send(status, payload)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")


class GitHubServer(_Server):
    """A fake ``api.github.com`` holding one repository's issues and labels."""

    unauthorized: ClassVar[dict[str, Any]] = {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
    }

    def __init__(self, token: str, repo: str = "acme/shop") -> None:
        super().__init__(_Handler)
        self.token = token
        self.repo = repo
        self.issues: dict[int, dict[str, Any]] = {}
        self.labels: dict[str, dict[str, Any]] = {}

    def authorized(self, header: str) -> bool:
        return header in {f"token {self.token}", f"Bearer {self.token}"}

    def _issue_json(self, issue: dict[str, Any]) -> dict[str, Any]:
        base = f"{self.url}/repos/{self.repo}"
        return {
            "id": 1000 + issue["number"],
            "number": issue["number"],
            "title": issue["title"],
            "body": issue["body"],
            "state": issue["state"],
            "labels": [self.labels[name] for name in issue["labels"]],
            "url": f"{base}/issues/{issue['number']}",
            "html_url": f"https://github.example/{self.repo}/issues/{issue['number']}",
            "user": {"login": "prd-bot", "id": 1},
        }

    def _labels_ok(self, labels: Any) -> bool:
        return isinstance(labels, list) and all(isinstance(x, str) and x for x in labels)

    def route(self, method: str, path: str, query: dict, body: Any) -> tuple[int, Any]:
        base = f"/repos/{self.repo}"
        not_found = (404, {"message": "Not Found"})
        if not path.startswith(base):
            return not_found
        rest = path[len(base) :]
        if method == "GET" and rest == "":
            owner, name = self.repo.split("/")
            return 200, {
                "id": 1,
                "name": name,
                "full_name": self.repo,
                "owner": {"login": owner, "id": 2},
                "url": f"{self.url}{base}",
                "html_url": f"https://github.example/{self.repo}",
            }
        if rest == "/labels":
            if method == "GET":
                return 200, list(self.labels.values())
            if method == "POST":
                name, color = (body or {}).get("name"), (body or {}).get("color", "ededed")
                if not isinstance(name, str) or not re.fullmatch(r"[0-9a-fA-F]{6}", str(color)):
                    return 422, {"message": "Validation Failed"}
                if name in self.labels:
                    return 422, {
                        "message": "Validation Failed",
                        "errors": [{"code": "already_exists"}],
                    }
                self.labels[name] = {
                    "id": len(self.labels) + 1,
                    "name": name,
                    "color": color,
                    "url": f"{self.url}{base}/labels/{name}",
                }
                return 201, self.labels[name]
        if rest == "/issues":
            if method == "GET":
                state = query.get("state", ["open"])[0]
                wanted = set(",".join(query.get("labels", [""])).split(",")) - {""}
                found = [
                    self._issue_json(i)
                    for i in sorted(self.issues.values(), key=lambda i: -i["number"])
                    if (state == "all" or i["state"] == state) and wanted <= set(i["labels"])
                ]
                return 200, found
            if method == "POST":
                if (
                    not isinstance(body, dict)
                    or not isinstance(body.get("title"), str)
                    or not body["title"]
                ):
                    return 422, {
                        "message": "Validation Failed",
                        "errors": [{"field": "title", "code": "missing_field"}],
                    }
                labels = body.get("labels", [])
                if not self._labels_ok(labels):
                    return 422, {"message": "Validation Failed"}
                for name in labels:  # GitHub creates labels it does not know
                    self.labels.setdefault(
                        name, {"id": len(self.labels) + 1, "name": name, "color": "ededed"}
                    )
                number = len(self.issues) + 1
                self.issues[number] = {
                    "number": number,
                    "title": body["title"],
                    "body": body.get("body") or "",
                    "labels": labels,
                    "state": "open",
                }
                return 201, self._issue_json(self.issues[number])
        match = re.fullmatch(r"/issues/(\d+)", rest)
        if match and int(match.group(1)) in self.issues:
            issue = self.issues[int(match.group(1))]
            if method == "GET":
                return 200, self._issue_json(issue)
            if method == "PATCH":
                if not isinstance(body, dict) or (
                    "labels" in body and not self._labels_ok(body["labels"])
                ):
                    return 422, {"message": "Validation Failed"}
                for key in ("title", "body", "state", "labels"):
                    if key in body:
                        issue[key] = body[key]
                for name in issue["labels"]:
                    self.labels.setdefault(
                        name, {"id": len(self.labels) + 1, "name": name, "color": "ededed"}
                    )
                return 200, self._issue_json(issue)
        return not_found


class JiraServer(_Server):
    """A fake Jira (REST API v2) with one project."""

    unauthorized: ClassVar[dict[str, Any]] = {
        "errorMessages": ["You are not authenticated."],
        "errors": {},
    }

    def __init__(
        self, token: str, email: str | None = "pm@example.com", project: str = "PRD"
    ) -> None:
        super().__init__(_Handler)
        self.token = token
        self.email = email
        self.project = project
        self.issues: dict[str, dict[str, Any]] = {}

    def authorized(self, header: str) -> bool:
        if self.email:
            expected = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
            return header == f"Basic {expected}"
        return header == f"Bearer {self.token}"

    def _issue_json(self, key: str) -> dict[str, Any]:
        issue = self.issues[key]
        return {
            "id": issue["id"],
            "key": key,
            "self": f"{self.url}/rest/api/2/issue/{issue['id']}",
            "fields": dict(issue["fields"]),
        }

    def _by_ref(self, ref: str) -> str | None:
        if ref in self.issues:
            return ref
        return next((k for k, v in self.issues.items() if v["id"] == ref), None)

    def _fields_error(self, fields: Any, creating: bool) -> dict[str, str] | None:
        if not isinstance(fields, dict):
            return {"fields": "fields is required"}
        errors = {}
        if creating:
            if (fields.get("project") or {}).get("key") != self.project:
                errors["project"] = "valid project is required"
            if not (fields.get("issuetype") or {}).get("name"):
                errors["issuetype"] = "valid issue type is required"
            if not fields.get("summary"):
                errors["summary"] = "You must specify a summary of the issue."
        if "summary" in fields and (
            not isinstance(fields["summary"], str) or len(fields["summary"]) > 255
        ):
            errors["summary"] = "Summary must be less than 255 characters."
        if "description" in fields and not isinstance(fields["description"], str):
            errors["description"] = "Operation value must be a string"
        labels = fields.get("labels", [])
        if not isinstance(labels, list) or any(not isinstance(x, str) or " " in x for x in labels):
            errors["labels"] = "The label must not contain spaces."
        return errors or None

    def _search(self, jql: str) -> list[dict[str, Any]]:
        project = re.search(r'project\s*=\s*"?([\w-]+)"?', jql)
        label = re.search(r'labels\s*=\s*"?([\w.-]+)"?', jql)
        return [
            self._issue_json(key)
            for key in sorted(self.issues, key=lambda k: int(k.split("-")[1]))
            if (not project or self.project == project.group(1))
            and (not label or label.group(1) in self.issues[key]["fields"]["labels"])
        ]

    def route(self, method: str, path: str, query: dict, body: Any) -> tuple[int, Any]:
        if method == "GET" and path == "/rest/api/2/field":
            return 200, [
                {"id": "summary", "name": "Summary"},
                {"id": "description", "name": "Description"},
                {"id": "labels", "name": "Labels"},
            ]
        if method == "GET" and path in {"/rest/api/2/search", "/rest/api/2/search/jql"}:
            found = self._search(query.get("jql", [""])[0])
            if path.endswith("/jql"):
                return 200, {"issues": found, "isLast": True}
            return 200, {
                "startAt": 0,
                "maxResults": len(found),
                "total": len(found),
                "issues": found,
            }
        if method == "POST" and path == "/rest/api/2/issue":
            errors = self._fields_error((body or {}).get("fields"), creating=True)
            if errors:
                return 400, {"errorMessages": [], "errors": errors}
            number = len(self.issues) + 1
            key = f"{self.project}-{number}"
            fields = dict(body["fields"])
            fields.setdefault("labels", [])
            self.issues[key] = {"id": str(10000 + number), "fields": fields}
            return 201, {
                "id": self.issues[key]["id"],
                "key": key,
                "self": f"{self.url}/rest/api/2/issue/{self.issues[key]['id']}",
            }
        match = re.fullmatch(r"/rest/api/2/issue/([\w-]+)", path)
        key = self._by_ref(match.group(1)) if match else None
        if key is not None:
            if method == "GET":
                return 200, self._issue_json(key)
            if method == "PUT":
                errors = self._fields_error((body or {}).get("fields"), creating=False)
                if errors:
                    return 400, {"errorMessages": [], "errors": errors}
                self.issues[key]["fields"].update(body["fields"])
                return 204, None
        return 404, {
            "errorMessages": ["Issue does not exist or you do not have permission to see it."],
            "errors": {},
        }


@contextlib.contextmanager
def running(server: _Server) -> Iterator[_Server]:
    """Serves in a background thread until the block ends."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
