"""Who may see what on the served dashboard: signed links ("a door and scoped rooms").

`assessment dashboard WORKSPACE` never serves results without a link. A link carries a token

    base64url(scope) + "." + base64url(HMAC-SHA256(secret, "assessment-dashboard-v1" NUL scope))

where `scope` is "*" (HR: everything) or "department:NAME" (a leader: that department and every unit
below it). The server checks a token with the workspace's secret alone, without a database lookup
of the token itself (it only checks that a department still exists). The secret is 32 random bytes
in the workspace's `dashboard-secret` file (mode 0600), made on first use, so links keep working
across restarts; `rotate_secret` (`assessment dashboard WS --rotate`) makes a new one, which revokes
every earlier link at once.

Where the token is checked:

- in the server, before Voilà renders anything: `prelaunch_hook` (Voilà's VoilaConfiguration hook,
  installed by `serve.run_voila` on the dashboard server) refuses a page without a valid token with
  the "Ask HR for your link" page (403), before a kernel starts, so a visitor without a link gets no
  kernel, no kernel id and therefore no websocket either;
- in the kernel again: Voilà passes the request's query string to the kernel (`QUERY_STRING`), and the
  notebook takes its scope from `scope_for_kernel`, which verifies the token the same way; a kernel
  started by Voilà without a valid token shows nothing.

The token is a query parameter named `token`: `log_request` keeps it out of the server's log, and
the page's Referrer-Policy (no-referrer, voila.json) keeps it out of Referer headers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, quote

from .exceptions import AssessmentError

SECRET_FILE = "dashboard-secret"
SECRET_BYTES = 32
EVERYTHING = "*"
_DEPARTMENT = "department:"
_CONTEXT = b"assessment-dashboard-v1\x00"
QUERY_PARAMETER = "token"
SERVED_ENV = "ASSESSMENT_DASHBOARD_ACCESS"
"""Set (to "token") in the dashboard server's environment, and so in its kernels': a link is required."""

ASK_HR_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta name="referrer" content="no-referrer"><title>Dashboard</title>
<style>body { font-family: sans-serif; max-width: max-content; margin: auto; }</style></head>
<body><p class="ask-hr"><strong>Ask HR for your link to the dashboard</strong></p>
<p>This page opens only from the personal link HR gives you. If your link stopped working, it may have
been replaced: ask HR for a new one.</p></body>
</html>
"""
"""What a visitor without a valid link sees: no team, no figure, no workspace name."""


class AccessRefused(AssessmentError):
    """A token that is missing, malformed, not signed with the workspace's secret, or names a
    department that no longer exists. The message never repeats the token."""


# ------------------------------------------------------------------ the secret

def _folder(workspace) -> Path:
    path = getattr(workspace, "path", workspace)
    return Path(path)


def secret_path(workspace) -> Path:
    return _folder(workspace) / SECRET_FILE


def _write_secret(path: Path, secret: bytes, replace: bool):
    """Write the secret readable by its owner only (0600 from the start, never briefly wider)."""
    if replace:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secret.hex().encode("ascii") + b"\n")
        os.replace(tmp, path)
    else:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secret.hex().encode("ascii") + b"\n")
    os.chmod(path, 0o600)


def read_secret(workspace) -> bytes | None:
    """The workspace's secret, or None when there is none yet (or it is unreadable)."""
    try:
        secret = bytes.fromhex(secret_path(workspace).read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return secret if len(secret) >= 16 else None


def load_secret(workspace) -> bytes:
    """The workspace's secret, made (random, mode 0600) on first use."""
    secret = read_secret(workspace)
    if secret is not None:
        return secret
    path = secret_path(workspace)
    secret = secrets.token_bytes(SECRET_BYTES)
    try:
        _write_secret(path, secret, replace=path.exists())      # an unreadable file is replaced
    except FileExistsError:                                      # made meanwhile by another process
        existing = read_secret(workspace)
        if existing is None:
            raise
        return existing
    return secret


def rotate_secret(workspace) -> bytes:
    """A new secret: every link made before stops working."""
    secret = secrets.token_bytes(SECRET_BYTES)
    _write_secret(secret_path(workspace), secret, replace=True)
    return secret


# ------------------------------------------------------------------ tokens

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, _CONTEXT + payload, hashlib.sha256).digest()


def _payload(scope: str | None) -> bytes:
    if scope is None:
        return EVERYTHING.encode()
    if not str(scope).strip():
        raise AssessmentError("a department's link needs the department's name")
    return (_DEPARTMENT + str(scope)).encode("utf-8")


def make_token(secret: bytes, scope: str | None = None) -> str:
    """A token for `scope`: None for everything (HR), or a department's name."""
    payload = _payload(scope)
    return f"{_b64(payload)}.{_b64(_sign(secret, payload))}"


def read_token(secret: bytes | None, token: str | None) -> str | None:
    """The scope a token grants (None: everything; else a department's name); raises AccessRefused."""
    if not secret:
        raise AccessRefused("the dashboard has no secret yet: no link is valid")
    if not token or not isinstance(token, str) or len(token) > 4096 or token.count(".") != 1:
        raise AccessRefused("no valid link")
    encoded, signature = token.split(".")
    try:
        payload, mac = _unb64(encoded), _unb64(signature)
    except (ValueError, binascii.Error):
        raise AccessRefused("no valid link") from None
    if not hmac.compare_digest(mac, _sign(secret, payload)):
        raise AccessRefused("no valid link")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise AccessRefused("no valid link") from None
    if text == EVERYTHING:
        return None
    if text.startswith(_DEPARTMENT) and text[len(_DEPARTMENT):]:
        return text[len(_DEPARTMENT):]
    raise AccessRefused("no valid link")


def token_from_query(query: str | None) -> str | None:
    """The `token` parameter of a query string ("a=1&token=..."), or None (also when given twice)."""
    values = parse_qs(query or "", keep_blank_values=True).get(QUERY_PARAMETER, [])
    return values[0] if len(values) == 1 else None


# ------------------------------------------------------------------ departments

def departments_of(hierarchy) -> list[str]:
    """Departments in a hierarchy (columns team, parent): every unit with sub-units or without a parent,
    in store order (as `statistics` and the dashboard's department level count them)."""
    parents = {p for p in hierarchy["parent"] if p is not None and p == p}
    return [t for t, p in zip(hierarchy["team"], hierarchy["parent"]) if t in parents or p is None or p != p]


def departments(workspace) -> list[str]:
    from .workspace import Workspace
    if isinstance(workspace, Workspace):
        return departments_of(workspace.store.teams())
    with Workspace(workspace) as ws:
        return departments_of(ws.store.teams())


def resolve_department(workspace, name: str) -> str:
    """The department `name` stands for (case and accents forgiven); AssessmentError with "did you mean"."""
    from ._names import did_you_mean, resolve
    known = departments(workspace)
    found = resolve(name, known)
    if found is None:
        raise AssessmentError(f"no department named {name!r}{did_you_mean(name, known)} "
                              f"(departments: {', '.join(known) or 'none yet'})")
    return found


def check_token(workspace, token: str | None) -> str | None:
    """The scope a token grants for this workspace now (None: everything); raises AccessRefused when
    it is invalid, from another (or a rotated) secret, or names a department that no longer exists."""
    scope = read_token(read_secret(workspace), token)
    if scope is not None and scope not in departments(workspace):
        raise AccessRefused("the link's department no longer exists")
    return scope


# ------------------------------------------------------------------ links

def link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/?{QUERY_PARAMETER}={quote(token, safe='')}"


def links(workspace, base_url: str, scopes=(), rotate: bool = False) -> list[tuple[str, str]]:
    """[(whom, url)]: HR's link (everything), then one per department in `scopes` (names resolved,
    AssessmentError for an unknown one). Makes the secret on first use; `rotate` makes a new one."""
    resolved = [resolve_department(workspace, name) for name in scopes]
    secret = rotate_secret(workspace) if rotate else load_secret(workspace)
    found = [("HR (every group)", link(base_url, make_token(secret, None)))]
    for name in dict.fromkeys(resolved):
        found.append((name, link(base_url, make_token(secret, name))))
    return found


# ------------------------------------------------------------------ in the server and in the kernel

def prelaunch_hook(req, notebook=None, cwd=None):
    """Voilà's prelaunch hook on the dashboard server: a page request without a valid token gets the
    "Ask HR" page (403) before the notebook runs or a kernel starts."""
    from tornado.web import Finish

    workspace = os.environ.get("ASSESSMENT_WORKSPACE")
    token = token_from_query(req.request.query)
    try:
        if not workspace:
            raise AccessRefused("no workspace")
        check_token(workspace, token)
    except AssessmentError:
        req.clear_header("Content-Type")
        req.set_status(403)
        req.set_header("Content-Type", "text/html; charset=UTF-8")
        req.set_header("Cache-Control", "no-store")
        raise Finish(ASK_HR_PAGE) from None
    return None


_SECRET_PARAMETERS = ("token", "auth", "key", "code", "state", "xsrf")


def scrub_uri(uri: str) -> str:
    """`uri` with the value of every query parameter whose name (in any case) contains "token" (or
    another secret-like word) replaced by [secret]."""
    path, sep, query = uri.partition("?")
    if not sep:
        return uri
    parts = []
    for part in query.split("&"):
        key, eq, _value = part.partition("=")
        secret = any(word in key.lower() for word in _SECRET_PARAMETERS) or "." in key
        parts.append(f"{key}{eq}[secret]" if secret and eq else ("[secret]" if secret else part))
    return f"{path}?{'&'.join(parts)}"


def log_request(handler):
    """Tornado's request log line, with the query's token (and any other secret parameter) replaced by
    [secret]; and without the Referer, which could carry one too."""
    import logging

    status = handler.get_status()
    if status < 400:
        level = logging.DEBUG if status < 300 or status == 304 else logging.INFO
    elif status < 500:
        level = logging.WARNING
    else:
        level = logging.ERROR
    request = handler.request
    logging.getLogger("tornado.access").log(
        level, "%d %s %s (%s) %.2fms", status, request.method, scrub_uri(request.uri),
        request.remote_ip, 1000.0 * request.request_time())


def served_by_voila() -> bool:
    """Whether this kernel was started by Voilà for a page (Voilà sets QUERY_STRING for its kernels) or by
    the dashboard server."""
    return "QUERY_STRING" in os.environ or bool(os.environ.get(SERVED_ENV))


def scope_for_kernel(workspace, default: str | None = None) -> str | None:
    """The scope the dashboard notebook shows: in a kernel Voilà started, the one its page's token grants
    (AccessRefused without a valid one); elsewhere (JupyterLab) `default`."""
    if not served_by_voila():
        return default
    return check_token(workspace, token_from_query(os.environ.get("QUERY_STRING")))


def ask_hr_html() -> str:
    """The "Ask HR" message as an HTML fragment (what a kernel without a valid link shows)."""
    return f"<p class='ask-hr'><b>{html.escape('Ask HR for your link to the dashboard')}</b></p>"


class AskHR:
    """What the dashboard notebook shows instead of the dashboard in a kernel without a valid link."""

    def __init__(self):
        import ipywidgets as widgets
        self.widget = widgets.HTML(ask_hr_html())
