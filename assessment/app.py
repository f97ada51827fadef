"""The survey form as a plain web page, for a whole company at once: a small ASGI application.

`assessment serve WORKSPACE [--wave W] [--workers N]` runs `create_app` under uvicorn. Every page is HTML
rendered on the server from the wave's stored template (Jinja templates in `_web/templates`): one
`<fieldset>` with native radios per item, a team list or the one-time code field, the open questions, a
language switch and one submit button. It works without JavaScript; `_web/static/form.js` only adds progress,
keeps unsent answers across a reload, and moves focus to the error summary. No kernel, no process and no
server-side state per respondent: a submission carries everything (its answers, language, and a signed
CSRF token), and goes through `responding.submit_response`, the same validation and single transaction as
the notebook form and imports. So any number of worker processes can serve one store: SQLite on one machine,
PostgreSQL for a shared deployment.

Routes: `GET /` (the form; `?lang=sv`), `POST /` (a submission: 303 to `/thanks` when stored, else the form
again with an error summary, 422), `GET /thanks`, `GET /health` and `/static/...` (this module's own CSS and
JavaScript). Anything else is a 404 page; no response ever shows a traceback.

Locked down: Content-Security-Policy self only (no inline script or style, `frame-ancestors 'none'`,
`form-action 'self'`), `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, no caching of
form pages; CSRF: a token signed with a key derived from the store's secret salt, in a hidden field and a
SameSite=Strict cookie that must match; request bodies over `body_limit` are refused (413); a client that
sends `CODE_FAILURES` wrong codes within `CODE_WINDOW` seconds must wait (429). Each worker process counts
wrong codes for itself, so with N workers a client gets at most N times as many tries; with 10-character
codes from a 32-letter alphabet that is still about 10^14 guesses per code found.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote_plus, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .exceptions import AssessmentError
from .responding import NUMBERED_POINTS, SKIP, language_name, leaf_teams, submit_response, ui_text
from .store import COMMENT_LIMIT, Response
from .templates import Template

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent / "_web"
CSRF_COOKIE = "osa_csrf"
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = 7 * 24 * 3600        # seconds a form page may stay open and still be sent
FACTS_SECONDS = 2.0                  # how long the wave's status, codes and teams are reused between requests
CODE_FAILURES = 10                   # wrong codes a client may send ...
CODE_WINDOW = 600                    # ... within this many seconds
MAX_FIELDS = 2000
POSTGRESQL_WRITERS = 4               # connections per worker process that store submissions on PostgreSQL

WORKSPACE_ENV, WAVE_ENV = "ASSESSMENT_WORKSPACE", "ASSESSMENT_WAVE"

SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                 b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


# ---------------------------------------------------------------- the store, off the event loop

class _StoreThreads:
    """Store connections used from their own threads, one connection per thread: store calls never block the
    event loop, and a connection is never shared between threads. The app has a reader (status, teams) and
    writers for submissions, so a submission waiting for the database lock does not hold up pages. SQLite
    takes one write at a time, so one writer; PostgreSQL commits several at once (`POSTGRESQL_WRITERS`)."""

    def __init__(self, url: str, name: str, threads: int = 1):
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._url = url
        self._local = threading.local()
        self._opened: list = []
        self._lock = threading.Lock()

    def _store(self):
        store = getattr(self._local, "store", None)
        if store is None:
            from .store import Store
            store = self._local.store = Store.open(self._url)
            with self._lock:
                self._opened.append(store)
        return store

    async def run(self, fn, *args, **kwargs):
        def call():
            return fn(self._store(), *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def close(self):
        self._pool.shutdown(wait=True)
        with self._lock:
            for store in self._opened:
                store.close()
            self._opened.clear()


@dataclass(frozen=True)
class _Facts:
    """What a page depends on besides the template, read at most every FACTS_SECONDS."""
    status: str
    code_mode: bool
    teams: tuple                   # (team, department) of the teams a respondent can choose
    fetched: float

    @property
    def team_names(self) -> list[str]:
        return [team for team, _ in self.teams]


def _read_facts(store, wave) -> _Facts:
    return _Facts(store.wave_status(wave), store.wave_has_codes(wave), tuple(leaf_teams(store)), time.monotonic())


# ---------------------------------------------------------------- CSRF tokens, signed without server state

def _csrf_cookie(token: str, secure: bool) -> str:
    """The Set-Cookie value that carries the token: only for this site's own requests, never for scripts."""
    return (f"{CSRF_COOKIE}={token}; HttpOnly; Max-Age={CSRF_MAX_AGE}; Path=/; SameSite=strict"
            + ("; Secure" if secure else ""))


def _cookie(header: str, name: str) -> str | None:
    """One cookie's value from a Cookie header (tokens hold only letters, digits and dots: no quoting)."""
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class _Tokens:
    """`issue()` makes `time.nonce.signature`; `valid(token)` checks signature and age. The key is derived from
    the store's salt (secret, shared by every worker and machine on the same store)."""

    def __init__(self, salt: str):
        self._key = hmac.new(str(salt).encode(), b"assessment-form-csrf-v1", hashlib.sha256).digest()

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        body = f"{int(time.time())}.{secrets.token_hex(8)}"
        return f"{body}.{self._sign(body)}"

    def valid(self, token: str | None) -> bool:
        if not token or len(token) > 80 or token.count(".") != 2:
            return False
        stamp, nonce, signature = token.split(".")
        if not hmac.compare_digest(self._sign(f"{stamp}.{nonce}"), signature):
            return False
        try:
            age = time.time() - int(stamp)
        except ValueError:
            return False
        return -300 <= age <= CSRF_MAX_AGE


class _CodeGuesses:
    """Wrong one-time codes per client address in the last CODE_WINDOW seconds (this process only)."""

    def __init__(self, limit: int = CODE_FAILURES, window: float = CODE_WINDOW):
        self.limit, self.window = limit, window
        self._failures: dict[str, collections.deque] = {}

    def _recent(self, client: str) -> collections.deque:
        now = time.monotonic()
        failures = self._failures.get(client)
        if failures is None:
            if len(self._failures) > 100_000:       # forget the quiet ones rather than grow without end
                self._failures = {k: v for k, v in self._failures.items() if v and now - v[-1] < self.window}
            failures = self._failures[client] = collections.deque()
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def wait_seconds(self, client: str) -> float:
        """0 when the client may try a code; else how long until it may."""
        failures = self._recent(client)
        if len(failures) < self.limit:
            return 0.0
        return max(1.0, self.window - (time.monotonic() - failures[0]))

    def failed(self, client: str):
        self._recent(client).append(time.monotonic())


# ---------------------------------------------------------------- middleware (plain ASGI)

def _with_security_headers(send):
    async def send_with_headers(message):
        if message["type"] == "http.response.start":
            names = {name for name, _ in message.get("headers", [])}
            message["headers"] = list(message.get("headers", [])) + \
                [(k, v) for k, v in SECURITY_HEADERS if k not in names]
        await send(message)
    return send_with_headers


class _SecurityHeaders:
    """Adds the security headers to every response (pages, static files, errors)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        return await self.app(scope, receive, _with_security_headers(send))


_DISCONNECTED = object()


async def _read_body(scope, receive, limit: int):
    """The request body, or None when it is longer than `limit` bytes (read no further), or _DISCONNECTED."""
    declared = dict(scope.get("headers", [])).get(b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return _DISCONNECTED
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


class _BodyLimit:
    """Reads a request body up to `limit` bytes before the app sees it; a longer one gets `too_large()` (413)."""

    def __init__(self, app, limit: int, too_large):
        self.app, self.limit, self.too_large = app, limit, too_large

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        body = await _read_body(scope, receive, self.limit)
        if body is _DISCONNECTED:
            return
        if body is None:
            return await self.too_large(scope)(scope, receive, send)
        return await self.app(scope, _replay(body, receive), send)


def _replay(body: bytes, receive):
    """A `receive` that gives the body already read, then whatever the connection says next."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return replay


def _form_fields(body: bytes) -> dict[str, list[str]]:
    """A urlencoded body as {name: [values]} (what `urllib.parse.parse_qs` gives, keeping blank values): only
    names and values that hold an escape are unquoted, since most are a digit or an id. ValueError when the
    body is not UTF-8 or has more than MAX_FIELDS fields."""
    pairs = body.decode("utf-8").split("&")
    if len(pairs) > MAX_FIELDS:
        raise ValueError(f"more than {MAX_FIELDS} fields")
    fields: dict[str, list[str]] = {}
    for pair in pairs:
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if "%" in value or "+" in value:
            value = unquote_plus(value)
        fields.setdefault(name, []).append(value)
    return fields


# ---------------------------------------------------------------- the application

class FormApp:
    """The survey form of one wave of one workspace. `asgi` is the application to serve."""

    def __init__(self, workspace, wave: str | None = None):
        from .workspace import Workspace
        with Workspace(workspace) as ws:
            self.wave = ws.wave(wave)
            self.template: Template = ws.store.wave_template(self.wave)
            self.url = ws.database_url
            self._tokens = _Tokens(ws.store._salt)
        self.languages = list(self.template.languages)
        self.default_language = self.template.language
        self.body_limit = 32 * 1024 + 64 * 1024 * len(self.template.comments) + 64 * len(self.template.items)
        self._env = jinja2.Environment(loader=jinja2.FileSystemLoader(WEB_DIR / "templates"),
                                       autoescape=True, trim_blocks=True, lstrip_blocks=True)
        self._static_version = self._static_hash()
        writers = 1 if self.url.startswith("sqlite") else POSTGRESQL_WRITERS
        self._reader = _StoreThreads(self.url, "form-read")
        self._writer = _StoreThreads(self.url, "form-write", threads=writers)
        self._facts: _Facts | None = None
        self._facts_task: asyncio.Task | None = None
        self._pages: dict = {}
        self._page_parts: dict = {}     # the same pages as bytes, split where the CSRF token goes
        self._placeholder = f"csrf-{secrets.token_hex(12)}"
        self.guesses = _CodeGuesses()
        routes = [
            Route("/", self.form_page, methods=["GET", "HEAD"]),
            Route("/", self.submit, methods=["POST"]),
            Route("/thanks", self.thanks, methods=["GET", "HEAD"]),
            Route("/health", self.health, methods=["GET", "HEAD"]),
            Mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static"),
        ]
        handlers = {HTTPException: self._http_error, Exception: self._server_error}
        app = Starlette(routes=routes, exception_handlers=handlers, lifespan=self._lifespan)
        self.asgi = _SecurityHeaders(_BodyLimit(app, self.body_limit, self._too_large))

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == "/":
            parts = self._ready_form(scope)
            if parts is not None:         # the page everyone opens at nine o'clock, straight from the cache
                await send({"type": "http.response.start", "status": 200, "headers": parts[0]})
                await send({"type": "http.response.body", "body": parts[1]})
                return
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/" and self._facts is not None:
            return await self._post(scope, receive, send)
        await self.asgi(scope, receive, send)

    async def _post(self, scope, receive, send):
        """A submission, straight to `submit` (what the router and middleware would do for it, without them:
        the body limit, the security headers, a plain page for any failure)."""
        body = await _read_body(scope, receive, self.body_limit)
        if body is _DISCONNECTED:
            return
        send = _with_security_headers(send)
        request = Request(scope, _replay(body if body is not None else b"", receive))
        if body is None:
            response = self._too_large(scope)
        else:
            try:
                response = await self.submit(request)
            except Exception as exc:  # noqa: BLE001 - a respondent sees a plain page, never a traceback
                response = await self._server_error(request, exc)
        await response(scope, receive, send)

    def _ready_form(self, scope):
        """(headers, body) of the empty form from the cache, or None when the full path must answer (first
        view of a language, stale or closed wave, no teams). Same page, cookie and headers as `form_page`."""
        facts = self._facts
        if facts is None or facts.status != "open" or not facts.teams or \
                time.monotonic() - facts.fetched >= FACTS_SECONDS:
            return None
        query = scope.get("query_string", b"")
        lang = self._language(dict(parse_qsl(query.decode("latin-1"))).get("lang")) if query else \
            self.default_language
        cached = self._page_parts.get((lang, facts.code_mode, facts.teams))
        if cached is None:
            return None
        token = None
        for name, value in scope["headers"]:
            if name == b"cookie":
                token = _cookie(value.decode("latin-1"), CSRF_COOKIE)
                break
        if not self._tokens.valid(token):
            token = self._tokens.issue()
        body = cached[0] + token.encode() + cached[1]
        headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                   (b"cache-control", b"no-store"),
                   (b"set-cookie", _csrf_cookie(token, scope.get("scheme") == "https").encode()), *SECURITY_HEADERS]
        return headers, body

    # ------------------------------------------------------------ lifecycle
    def _lifespan(self, app):
        owner = self

        class Lifespan:
            async def __aenter__(self):
                owner._facts = await owner._reader.run(_read_facts, owner.wave)

            async def __aexit__(self, *exc):
                owner._reader.close()
                owner._writer.close()
        return Lifespan()

    async def facts(self, fresh: bool = False) -> _Facts:
        """The wave's status, code mode and teams, read again when older than FACTS_SECONDS (one read at a time)."""
        facts = self._facts
        if not fresh and facts is not None and time.monotonic() - facts.fetched < FACTS_SECONDS:
            return facts
        if self._facts_task is None or self._facts_task.done():
            self._facts_task = asyncio.ensure_future(self._reader.run(_read_facts, self.wave))
        self._facts = await asyncio.shield(self._facts_task)
        return self._facts

    # ------------------------------------------------------------ helpers
    def _static_hash(self) -> str:
        digest = hashlib.sha256()
        for path in sorted((WEB_DIR / "static").iterdir()):
            digest.update(path.read_bytes())
        return digest.hexdigest()[:10]

    def _language(self, value) -> str:
        return value if value in self.languages else self.default_language

    def _render(self, name: str, lang: str, **context) -> str:
        def t(key, **values):
            return ui_text(lang, key, **values)

        def static(filename):
            return f"/static/{filename}?v={self._static_version}"

        title = self.template.title.get(lang) or next(iter(self.template.title.values()))
        languages = [(code, language_name(code), "?" + urlencode({"lang": code}) if name == "form.html"
                      else "/?" + urlencode({"lang": code})) for code in self.languages]
        context.setdefault("page_title", title)
        context.setdefault("body_class", "")
        context.setdefault("errors", [])
        return self._env.get_template(name).render(lang=lang, t=t, static=static, survey_title=title,
                                                   languages=languages, **context)

    def _page(self, lang: str, heading_key: str, paragraphs, status: int, link_key: str | None = "back_to_form",
              body_class: str = "", headers=None) -> HTMLResponse:
        heading = ui_text(lang, heading_key)
        link = (ui_text(lang, link_key), "/?" + urlencode({"lang": lang})) if link_key else None
        text = self._render("page.html", lang, heading=heading, paragraphs=paragraphs, link=link,
                            page_title=heading, body_class=body_class)
        return HTMLResponse(text, status_code=status, headers={"cache-control": "no-store", **(headers or {})})

    def _form_html(self, lang: str, facts: _Facts, values: dict | None = None, problems: dict | None = None) -> str:
        """The form; with `values` (a submission sent back) and `problems` (what to fix) it is rendered afresh,
        else once per language, code mode and team list and reused (the CSRF token is filled in per page)."""
        key = (lang, facts.code_mode, facts.teams)
        if values is None and key in self._pages:
            return self._pages[key]
        values, problems = values or {}, problems or {}
        t = self.template
        item_errors = problems.get("items", {})
        sections, number = [], 0
        for scale in t.scales:
            items = []
            for item in scale.items:
                number += 1
                rs = item.response_scale
                numbered = rs.points > NUMBERED_POINTS
                labels = [str(v) for v in rs.values] if numbered else list(rs.labels[lang])
                hint = ui_text(lang, "scale_hint", low=rs.low, high=rs.high, low_label=rs.labels[lang][0],
                               high_label=rs.labels[lang][-1]) if numbered else None
                error = item_errors.get(item.id)
                described = " ".join(x for x in (hint and f"item-{item.id}-hint",
                                                 error and f"item-{item.id}-error") if x)
                items.append({"id": item.id, "number": number, "text": item.text[lang], "hint": hint,
                              "numbered": numbered, "options": list(zip(rs.values, labels)), "error": error,
                              "chosen": values.get(f"item-{item.id}"), "describedby": described})
            sections.append({"id": scale.id, "title": t.title_of(scale.id, lang), "items": items})
        comments = [{"id": c.id, "text": c.text[lang], "value": values.get(f"comment-{c.id}", ""),
                     "error": problems.get("comments", {}).get(c.id)} for c in t.comments]
        groups: dict = {}
        for team, department in facts.teams:
            groups.setdefault(department, []).append(team)
        team_groups = sorted(groups.items(), key=lambda pair: (pair[0] is not None, (pair[0] or "").casefold()))
        html_text = self._render(
            "form.html", lang, code_mode=facts.code_mode, team_groups=team_groups, team=values.get("team"),
            code=values.get("code", ""), field_error=problems.get("field"), sections=sections, comments=comments,
            errors=problems.get("summary", []), min_group=t.min_group, total=len(t.items), form_action="/",
            csrf_token=self._placeholder)
        if not problems and not values:
            self._pages[key] = html_text
            before, _, after = html_text.partition(self._placeholder)
            self._page_parts[key] = (before.encode(), after.encode())
        return html_text

    def _form_response(self, request: Request, lang: str, facts: _Facts, values=None, problems=None,
                       status: int = 200, headers=None) -> HTMLResponse:
        token = request.cookies.get(CSRF_COOKIE)
        if not self._tokens.valid(token):
            token = self._tokens.issue()
        text = self._form_html(lang, facts, values, problems).replace(self._placeholder, token)
        response = HTMLResponse(text, status_code=status, headers={"cache-control": "no-store", **(headers or {})})
        response.headers.append("set-cookie", _csrf_cookie(token, request.url.scheme == "https"))
        return response

    # ------------------------------------------------------------ views
    async def form_page(self, request: Request):
        lang = self._language(request.query_params.get("lang"))
        facts = await self.facts()
        if facts.status != "open":
            return self._page(lang, "closed_title", [ui_text(lang, "closed")], 200, link_key=None)
        if not facts.teams:
            return self._page(lang, "closed_title", [ui_text(lang, "no_teams")], 200, link_key=None)
        return self._form_response(request, lang, facts)

    async def thanks(self, request: Request):
        lang = self._language(request.query_params.get("lang"))
        facts = await self.facts()
        again = "new_form" if not facts.code_mode and facts.status == "open" else None
        return self._page(lang, "thanks_title", [ui_text(lang, "thanks_body")], 200, link_key=again,
                          body_class="thanks")

    async def health(self, request: Request):
        return PlainTextResponse("ok", headers={"cache-control": "no-store"})

    async def submit(self, request: Request):
        body = await request.body()
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if content_type != "application/x-www-form-urlencoded":
                raise ValueError(content_type)
            fields = _form_fields(body)
        except (ValueError, UnicodeDecodeError):
            return self._page(self.default_language, "error_page_title", [ui_text(self.default_language, "failed")],
                              400)
        values = {name: found[0] for name, found in fields.items() if len(found) == 1}
        lang = self._language(values.get("lang"))
        token = values.get(CSRF_FIELD)
        cookie = request.cookies.get(CSRF_COOKIE)
        if not (token and cookie and hmac.compare_digest(token, cookie) and self._tokens.valid(token)):
            return self._page(lang, "expired_title", [ui_text(lang, "expired")], 403)
        facts = await self.facts()
        if facts.status != "open":
            facts = await self.facts(fresh=True)
            if facts.status != "open":
                return self._page(lang, "closed_title", [ui_text(lang, "closed")], 409, link_key=None)
        client = request.client.host if request.client else "unknown"
        if facts.code_mode and values.get("code", "").strip():
            wait = self.guesses.wait_seconds(client)
            if wait:
                minutes = max(1, round(wait / 60))
                message = ui_text(lang, "too_many_codes", minutes=minutes)
                return self._form_response(request, lang, facts, values, {"summary": [(message, "#code")],
                                                                          "field": message},
                                           status=429, headers={"retry-after": str(int(wait))})
        response, unanswered, long_comments = self._read_answers(values, lang)
        if long_comments:
            problems = self._problems(lang, None, unanswered, long_comments, facts.code_mode)
            return self._form_response(request, lang, facts, values, problems, status=422)
        outcome = await self._writer.run(submit_response, self.wave, response, unanswered=unanswered,
                                         code_mode=facts.code_mode, code=values.get("code"),
                                         teams=facts.team_names)
        if outcome.stored:
            return RedirectResponse("/thanks?" + urlencode({"lang": lang}), status_code=303)
        if outcome.closed:
            await self.facts(fresh=True)
            return self._page(lang, "closed_title", [ui_text(lang, "closed")], 409, link_key=None)
        if outcome.field_problem == "code_unknown":
            self.guesses.failed(client)
        if outcome.field_problem == "codes_now":
            facts = await self.facts(fresh=True)
        field = ui_text(lang, outcome.field_problem) if outcome.field_problem else None
        problems = self._problems(lang, field, outcome.missing_items, {}, facts.code_mode)
        if outcome.nothing_answered:
            first = self.template.items[0].id
            problems["summary"].append((ui_text(lang, "nothing_answered"), f"#item-{first}-1"))
        problems["summary"] += [(text, None) for text in outcome.problems]
        return self._form_response(request, lang, facts, values, problems, status=422)

    def _read_answers(self, values: dict, lang: str):
        """The Response a submission holds, the items neither answered nor skipped, and {question: length} of
        comments over COMMENT_LIMIT.
        A value that is not one of the item's choices counts as not answered."""
        answers, unanswered = {}, []
        for item in self.template.items:
            raw = values.get(f"item-{item.id}")
            if raw == SKIP:
                answers[item.id] = None
                continue
            try:
                value = int(raw)
            except (TypeError, ValueError):
                value = None
            if value is None or not item.response_scale.low <= value <= item.response_scale.high:
                answers[item.id] = None
                unanswered.append(item.id)
            else:
                answers[item.id] = value
        comments, long_comments = {}, {}
        for comment in self.template.comments:
            text = values.get(f"comment-{comment.id}", "").replace("\r\n", "\n").strip()
            if len(text) > COMMENT_LIMIT:
                long_comments[comment.id] = len(text)
            elif text:
                comments[comment.id] = text
        team = values.get("team") or None
        response = Response(team=team, answers=answers, comments=comments, language=lang, source="form")
        return response, unanswered, long_comments

    def _summary(self, lang, field: str | None, missing_items, long_comments: dict, code_mode: bool) -> list:
        """The error summary's lines, in page order, each linking to the field to fix."""
        lines = [(field, "#code" if code_mode else "#team")] if field else []
        numbers = {item.id: n for n, item in enumerate(self.template.items, start=1)}
        lines += [(ui_text(lang, "missing_question", number=numbers[i]), f"#item-{i}-1") for i in missing_items]
        for comment in self.template.comments:
            if comment.id in long_comments:
                text = comment.text[lang]
                short = text if len(text) <= 60 else text[:59].rstrip() + "…"
                lines.append((ui_text(lang, "comment_too_long", question=short, limit=COMMENT_LIMIT,
                                      length=long_comments[comment.id]), f"#comment-{comment.id}"))
        return lines

    def _problems(self, lang, field, missing_items, long_comments, code_mode) -> dict:
        """What the form shows when it comes back: the summary, and a message at each field."""
        return {"field": field, "items": {i: ui_text(lang, "item_error") for i in missing_items},
                "comments": {c: ui_text(lang, "comment_error", limit=COMMENT_LIMIT, length=n)
                             for c, n in long_comments.items()},
                "summary": self._summary(lang, field, missing_items, long_comments, code_mode)}

    # ------------------------------------------------------------ errors: a page, never a traceback
    def _too_large(self, scope):
        lang = self.default_language
        return self._page(lang, "too_large_title", [ui_text(lang, "too_large")], 413)

    async def _http_error(self, request: Request, exc: HTTPException):
        lang = self._language(request.query_params.get("lang"))
        if exc.status_code == 404:
            return self._page(lang, "not_found_title", [ui_text(lang, "not_found")], 404)
        if exc.status_code == 405:
            allowed = "GET, HEAD, POST" if request.url.path == "/" else "GET, HEAD"
            return self._page(lang, "not_found_title", [ui_text(lang, "not_found")], 405, headers={"allow": allowed})
        return self._page(lang, "error_page_title", [ui_text(lang, "failed")], exc.status_code)

    async def _server_error(self, request: Request, exc: Exception):
        log.exception("the survey form failed on %s %s", request.method, request.url.path)
        lang = self.default_language
        return self._page(lang, "error_page_title", [ui_text(lang, "failed")], 500)


def create_app(workspace=None, wave: str | None = None) -> FormApp:
    """The form application for a workspace and wave (default: ASSESSMENT_WORKSPACE and ASSESSMENT_WAVE from
    the environment, which is how each uvicorn worker process finds them)."""
    workspace = workspace or os.environ.get(WORKSPACE_ENV)
    if not workspace:
        raise AssessmentError(f"no workspace to serve: set {WORKSPACE_ENV} or pass it to create_app")
    return FormApp(workspace, wave or os.environ.get(WAVE_ENV) or None)


def run(workspace, wave: str, host: str = "127.0.0.1", port: int = 8866, workers: int = 1,
        log_level: str = "warning") -> None:
    """Serve the form with uvicorn until interrupted; `workers` processes share the socket and the store."""
    import uvicorn
    os.environ[WORKSPACE_ENV] = str(Path(workspace).resolve())
    os.environ[WAVE_ENV] = str(wave)
    uvicorn.run("assessment.app:create_app", factory=True, host=host, port=int(port), workers=int(workers),
                log_level=log_level, access_log=False, server_header=False, proxy_headers=True,
                timeout_graceful_shutdown=10, limit_concurrency=None, backlog=4096)


__all__ = ["FormApp", "create_app", "run", "CSRF_COOKIE", "CSRF_FIELD"]
