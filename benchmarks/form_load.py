#!/usr/bin/env python
"""The respondent form under load (issue 13): many respondents at once against `assessment serve`.

    python benchmarks/form_load.py [--sizes 100,500,2000] [--notebook-sizes 1,5,10] [--out benchmarks/results]
                                   [--quick] [--repeats N] [--configs sqlite:1,postgresql:2] [--quiet-wait S]
                                   [--client raw|httpx]

1. The server-rendered form (`assessment serve WORKSPACE --wave W --port P --workers K`, Starlette + uvicorn):
   for each N in --sizes, against (a) SQLite with 1 worker and (b) PostgreSQL with 2 workers (a throwaway
   cluster, tests/_postgres.py; skipped with a note when PostgreSQL is not installed, unless CI is set), a
   fresh demo workspace and a fresh server, then N simulated respondents started at the same moment (one
   asyncio.Event; one keep-alive connection each, HTTP/1.1 written on asyncio streams, or httpx with
   --client httpx): each GETs the form, takes the CSRF token from it and POSTs a full random answer set for
   a random team (some with a comment).
2. The notebook-served form (Voilà, one kernel per page), for N in --notebook-sizes: N Chromium pages
   opened at once (one browser, one context per page), each filled and submitted as a respondent would.
3. For every row: page and submit latency (p50 / p95 / max), submits per second (successful submits /
   wall time of the whole burst), errors, lost and doubled responses (the wave's new respondents compared
   with the successful submits, answer by answer), the server's memory (RSS summed over the server
   process and every process under it, sampled every 50 ms) and where the burst's CPU seconds went
   (server, PostgreSQL, load generator, anything else on the machine).

It prints one Markdown table and the issue's targets with pass/fail, and writes form_load.json (every
figure) and form_load.txt (what it printed) to --out, and each server's log to OUT/form-load-logs.
`--quick` (the test suite's smoke run): 20 respondents, SQLite only, no notebook part, no waiting for a
quiet machine. Nothing here asserts speed; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as _dt
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for folder in (ROOT, ROOT / "tests"):          # the kit from this checkout; tests/_postgres.py
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import numpy as np  # noqa: E402

import _postgres  # noqa: E402
from assessment.workspace import Workspace  # noqa: E402

WAVE = "2026-autumn"                 # the demo's open wave
SEED = 7
REQUEST_TIMEOUT = 120.0              # seconds, every HTTP request of a simulated respondent
START_TIMEOUT = 120.0                # seconds until a started server answers
NOTEBOOK_USABLE_LIMIT = 180.0        # seconds: "usable within" for the notebook form
SAMPLE_SECONDS = 0.05                # memory sampling period
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
SKIP_SHARE = 0.03                    # share of items a simulated respondent skips
COMMENT_SHARE = 0.25                 # share of respondents who write a comment
SWEDISH_SHARE = 0.25                 # share of respondents who open the form in Swedish (?lang=sv)

# the targets, judged on the SQLite row with 1 worker at N = 500
TARGET_N = 500
TARGET_PAGE_P95 = 0.300              # seconds
TARGET_SUBMIT_P95 = 0.500            # seconds
TARGET_MEMORY = 250 * 1024 * 1024    # bytes

TOKEN_RE = re.compile(rb'<input[^>]*\bname="csrf_token"[^>]*>')
VALUE_RE = re.compile(rb'\bvalue="([^"]*)"')
ERROR_SUMMARY_RE = re.compile(rb'class="error-message"[^>]*>(.*?)</p>', re.S)
TAG_RE = re.compile(rb"<[^>]+>")

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def say(*parts):
    print(*parts, flush=True)


# ---------------------------------------------------------------- the server's processes and memory

def _stat(pid: int):
    """(ppid, pgrp, cpu ticks incl. reaped children) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(b")") + 2:].split()
    # fields[0] is state (field 3 of stat); utime, stime, cutime, cstime are fields 14-17
    return int(fields[1]), int(fields[2]), sum(int(x) for x in fields[11:15])


def _rss(pid: int) -> int:
    """VmRSS in bytes (0 when the process is gone or a zombie)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class ProcessTree:
    """The server: its process, every process in its process group and every descendant (Voilà starts its
    kernels in sessions of their own, so the group alone would miss them). Membership is re-read from
    /proc every half second; RSS is read every 50 ms in a thread while `sampling()` runs."""

    def __init__(self, pid: int, group: bool = True):
        self.pid, self.group = pid, group
        self.members: set[int] = {pid}
        self._scanned = 0.0
        self._cpu: dict[int, int] = {}
        self.peak = 0
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = None

    def scan(self):
        table = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                found = _stat(int(name))
                if found:
                    table[int(name)] = found
        pgrp = table.get(self.pid, (0, self.pid, 0))[1]
        children = collections.defaultdict(list)
        for pid, (ppid, _, _) in table.items():
            children[ppid].append(pid)
        members, todo = {self.pid}, [self.pid]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in members:
                    members.add(child)
                    todo.append(child)
        if self.group:
            members |= {pid for pid, (_, group, _) in table.items() if group == pgrp}
        self.members = members
        for pid in members:
            if pid in table:
                self._cpu[pid] = table[pid][2]
        self._scanned = time.monotonic()

    def rss(self) -> int:
        if time.monotonic() - self._scanned > 0.5:
            self.scan()
        return sum(_rss(pid) for pid in self.members)

    def cpu_seconds(self, without: set | None = None) -> float:
        """CPU time (user + system, with reaped children's) of every member seen so far, as last read;
        `without`: pids not to count."""
        self.scan()
        return sum(v for pid, v in self._cpu.items() if not without or pid not in without) / os.sysconf("SC_CLK_TCK")

    def _run(self):
        while not self._stop.is_set():
            value = self.rss()
            self.samples.append((time.monotonic(), value))
            self.peak = max(self.peak, value)
            self._stop.wait(SAMPLE_SECONDS)

    def start_sampling(self):
        self.peak, self.samples = 0, []
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()

    def stop_sampling(self) -> int:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.peak = max([self.peak, self.rss()])
        return self.peak


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process_group(process: subprocess.Popen):
    """SIGTERM to the server's process group, then SIGKILL (uvicorn's workers and Voilà's kernels die too)."""
    if process.poll() is not None:
        try:
            os.killpg(process.pid, signal.SIGKILL)       # stragglers of a server that already exited
        except (ProcessLookupError, PermissionError):
            pass
        return
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class Server:
    def __init__(self, argv, env, log: Path, port: int, probe: str):
        self.argv, self.log, self.port, self.probe = argv, log, port, probe
        self.url = f"http://127.0.0.1:{port}"
        with open(log, "wb") as out:
            self.process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True, cwd=log.parent)
        self.tree = ProcessTree(self.process.pid)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_until_ready(self) -> float:
        start = time.monotonic()
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}: {' '.join(self.argv)}\n"
                                   f"{self.log_tail()}")
            try:
                with NO_PROXY.open(self.url + self.probe, timeout=5) as answer:
                    if answer.status == 200:
                        return time.monotonic() - start
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() - start > START_TIMEOUT:
                raise RuntimeError(f"the server did not answer {self.probe} within {START_TIMEOUT:.0f} s:\n"
                                   f"{self.log_tail()}")
            time.sleep(0.1)

    def stop(self):
        stop_process_group(self.process)

    def warnings(self) -> dict:
        """{warning line: count} from the server's log (Voilà's, e.g. "Timeout waiting for IOPub output")."""
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return {}
        return dict(collections.Counter(line.strip()[:160] for line in lines if "WARNING" in line
                                        and "is not trusted" not in line))

    def tracebacks(self) -> int:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace").count("Traceback (most recent call last)")
        except OSError:
            return 0


def serve_help() -> str:
    done = subprocess.run([sys.executable, "-m", "assessment", "serve", "--help"], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    return done.stdout + done.stderr


def start_form_server(workspace: Path, workers: int, log: Path) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "assessment", "serve", str(workspace), "--wave", WAVE, "--port", str(port),
            "--workers", str(workers)]
    return Server(argv, dict(os.environ), log, port, "/health")


def start_notebook_server(workspace: Path, log: Path, has_notebook_flag: bool) -> Server:
    port = free_port()
    if has_notebook_flag:
        argv = [sys.executable, "-m", "assessment", "serve", str(workspace), "--wave", WAVE, "--port", str(port),
                "--notebook"]
        env = dict(os.environ)
    else:
        from assessment.serve import voila_command
        argv, env = voila_command(workspace, WAVE, port=port)
    return Server(argv, env, log, port, "/voila/static/voila.js")


# ---------------------------------------------------------------- workspaces and what is stored

def _leaf_teams(store):
    try:
        from assessment.responding import leaf_teams
    except ImportError:
        from assessment.widgets import leaf_teams
    return leaf_teams(store)


def build_workspace(path: Path, database: str | None = None) -> Path:
    """The demo organisation (four waves, the last, 2026-autumn, open with its generated answers) at `path`,
    on SQLite, or with `database` (a PostgreSQL URL) on that database: the same teams, waves and answers."""
    from assessment.demo import build_demo_workspace
    if database is None:
        build_demo_workspace(path, seed=SEED).close()
        return path
    create = Workspace.create.__func__

    def create_on_database(cls, where, *args, **kwargs):
        kwargs["database"] = database
        return create(cls, where, *args, **kwargs)

    # build_demo_workspace has no database argument: let it create the workspace on `database`
    Workspace.create = classmethod(create_on_database)
    try:
        build_demo_workspace(path, seed=SEED).close()
    finally:
        Workspace.create = classmethod(create)
    return path


@dataclass
class Plan:
    """What one simulated respondent sends (built before the burst)."""
    team: str
    lang: str
    rest: str                     # the urlencoded body after csrf_token=...&
    answers: tuple                # value per item in template order, None = skipped
    comment: tuple | None         # (team, question, text)
    label: str = ""               # the team's label in the notebook form's dropdown
    values: dict = field(default_factory=dict)


def template_facts(workspace: Path):
    with Workspace(workspace) as ws:
        template = ws.store.wave_template(WAVE)
        items = [(i.id, list(i.response_scale.values)) for i in template.items]
        questions = [c.id for c in template.comments]
        teams = _leaf_teams(ws.store)
        languages = list(template.languages)
    return items, questions, teams, languages


def make_plans(workspace: Path, n: int, seed: int, skips: bool = True) -> list[Plan]:
    items, questions, teams, languages = template_facts(workspace)
    rng = random.Random(seed)
    plans = []
    for k in range(n):
        team, department = teams[rng.randrange(len(teams))]
        lang = "sv" if "sv" in languages and rng.random() < SWEDISH_SHARE else languages[0]
        values = {}
        for item_id, options in items:
            values[item_id] = None if skips and rng.random() < SKIP_SHARE else rng.choice(options)
        pairs = [("lang", lang), ("team", team)]
        pairs += [(f"item-{item_id}", "skip" if v is None else str(v)) for item_id, v in values.items()]
        comment = None
        if questions and rng.random() < COMMENT_SHARE:
            question = rng.choice(questions)
            text = f"Load test comment {k} of {n} (seed {seed}): fewer meetings, clearer goals – åäö"
            pairs.append((f"comment-{question}", text))
            comment = (team, question, text)
        plans.append(Plan(team=team, lang=lang, rest=urllib.parse.urlencode(pairs),
                          answers=tuple(values[i] for i, _ in items), comment=comment,
                          label=f"{team} ({department})" if department else team, values=values))
    return plans


def snapshot(workspace: Path) -> dict:
    """The wave's respondents {id: (team, answers in template order)} and its comments (team, question, text)."""
    with Workspace(workspace) as ws:
        store = ws.store
        template = store.wave_template(WAVE)
        order = [i.id for i in template.items]
        people = store.frame("SELECT r.respondent_id, t.name FROM respondents r JOIN teams t ON r.team_id = t.team_id "
                             "WHERE r.wave_id = ?", (store.wave_id(WAVE),))
        answers = collections.defaultdict(dict)
        for row in store.answers(WAVE).itertuples(index=False):
            answers[int(row.respondent)][row.item] = int(row.value)
        respondents = {int(r.respondent_id): (r.name, tuple(answers[int(r.respondent_id)].get(i) for i in order))
                       for r in people.itertuples(index=False)}
        frame = store.comments(WAVE)
        comments = collections.Counter(map(tuple, frame[["team", "question", "text"]].values.tolist()))
    return {"respondents": respondents, "comments": comments}


def reconcile(before: dict, after: dict, sent: list[Plan]) -> dict:
    """lost = successful submits whose response is not among the new respondents; doubled = new respondents
    beyond the successful submits (both answer by answer, so one lost and one extra do not cancel out)."""
    new = collections.Counter(v for k, v in after["respondents"].items() if k not in before["respondents"])
    expected = collections.Counter((p.team, p.answers) for p in sent)
    comments_new = after["comments"] - before["comments"]
    comments_expected = collections.Counter(p.comment for p in sent if p.comment)
    return {"successful_submits": len(sent),
            "new_respondents": sum(new.values()),
            "lost": sum((expected - new).values()),
            "doubled": sum((new - expected).values()),
            "comments_sent": sum(comments_expected.values()),
            "comments_lost": sum((comments_expected - comments_new).values()),
            "comments_extra": sum((comments_new - comments_expected).values())}


# ---------------------------------------------------------------- the server-rendered form under load

def percentiles(values) -> dict | None:
    if not values:
        return None
    a = np.asarray(values, dtype=float)
    return {"p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)), "max": float(a.max()),
            "count": int(a.size)}


def _error_text(content: bytes) -> str:
    found = ERROR_SUMMARY_RE.findall(content)
    text = b" | ".join(TAG_RE.sub(b"", f).strip() for f in found[:3]) if found else content[:200]
    return " ".join(text.decode("utf-8", "replace").split())[:200]


class _Answer:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: dict, body: bytes):
        self.status, self.headers, self.body = status, headers, body


class RawSession:
    """One respondent's keep-alive HTTP/1.1 connection, written by hand on asyncio streams: a request is one
    prepared bytes write, the answer's head is split on CRLF. About ten times less client CPU per request
    than httpx, which matters when the load generator shares two cores with the server."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None
        self.cookie: str | None = None
        self._host_header = f"Host: {host}:{port}\r\n".encode()

    async def _exchange(self, head: bytes, body: bytes = b"") -> _Answer:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(head + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers: dict = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(b":")
                headers.setdefault(name.strip().lower().decode("latin-1"), []).append(value.strip().decode("latin-1"))
        if "content-length" in headers:
            content = await self.reader.readexactly(int(headers["content-length"][0]))
        elif "chunked" in headers.get("transfer-encoding", [""])[0]:
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            content = b"".join(part[:-2] for part in parts)
        else:
            content = await self.reader.read()
        for cookie in headers.get("set-cookie", ()):
            if cookie.startswith("osa_csrf="):
                self.cookie = cookie.split(";", 1)[0]
        if "close" in headers.get("connection", [""])[0].lower():
            await self.close()
        return _Answer(status, {k: v[0] for k, v in headers.items()}, content)

    async def get(self, path: str) -> _Answer:
        return await self._exchange(b"GET " + path.encode() + b" HTTP/1.1\r\n" + self._host_header +
                                    b"User-Agent: form-load\r\nAccept: text/html\r\n\r\n")

    async def post(self, path: str, body: bytes) -> _Answer:
        cookie = f"Cookie: {self.cookie}\r\n".encode() if self.cookie else b""
        return await self._exchange(b"POST " + path.encode() + b" HTTP/1.1\r\n" + self._host_header + cookie +
                                    b"User-Agent: form-load\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n", body)

    def has_cookie(self) -> bool:
        return bool(self.cookie)

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                pass
            self.writer = None


class HttpxSession:
    """One respondent's httpx.AsyncClient (keeps the CSRF cookie like a browser)."""

    _ssl = None

    def __init__(self, host: str, port: int):
        import httpx
        if HttpxSession._ssl is None:
            HttpxSession._ssl = ssl.create_default_context()   # shared: each client would load the CA files
        self.client = httpx.AsyncClient(base_url=f"http://{host}:{port}", timeout=httpx.Timeout(REQUEST_TIMEOUT),
                                        limits=httpx.Limits(max_connections=2, max_keepalive_connections=2),
                                        verify=HttpxSession._ssl, trust_env=False, follow_redirects=False)

    async def get(self, path: str) -> _Answer:
        answer = await self.client.get(path)
        return _Answer(answer.status_code, answer.headers, answer.content)

    async def post(self, path: str, body: bytes) -> _Answer:
        answer = await self.client.post(path, content=body,
                                        headers={"content-type": "application/x-www-form-urlencoded"})
        return _Answer(answer.status_code, answer.headers, answer.content)

    def has_cookie(self) -> bool:
        return bool(self.client.cookies.get("osa_csrf"))

    async def close(self):
        await self.client.aclose()


CLIENTS = {"raw": RawSession, "httpx": HttpxSession}


async def _burst(host: str, port: int, plans: list[Plan], client: str) -> dict:
    sessions = [CLIENTS[client](host, port) for _ in plans]
    pages, submits, errors, succeeded = [], [], [], []
    go = asyncio.Event()
    clock = time.perf_counter
    paths = {"sv": "/?lang=sv"}

    async def respondent(session, plan: Plan):
        await go.wait()
        stage = "page"
        try:
            t0 = clock()
            answer = await asyncio.wait_for(session.get(paths.get(plan.lang, "/")), REQUEST_TIMEOUT)
            pages.append(clock() - t0)
            if answer.status != 200:
                errors.append(f"page {answer.status}: {_error_text(answer.body)}")
                return
            found = TOKEN_RE.search(answer.body)
            token = VALUE_RE.search(found.group(0)) if found else None
            if token is None:
                errors.append("page: no csrf_token field in the form")
                return
            if not session.has_cookie():
                errors.append("page: no osa_csrf cookie")
            body = ("csrf_token=" + urllib.parse.quote_plus(token.group(1).decode()) + "&" + plan.rest).encode()
            stage = "submit"
            t1 = clock()
            answer = await asyncio.wait_for(session.post("/", body), REQUEST_TIMEOUT)
            submits.append(clock() - t1)
            if answer.status != 303:
                errors.append(f"submit {answer.status}: {_error_text(answer.body)}")
                return
            if not answer.headers.get("location", "").startswith("/thanks"):
                errors.append(f"submit: 303 to {answer.headers.get('location')!r}")
            succeeded.append(plan)
        except Exception as exc:  # noqa: BLE001 - every failure is counted, the burst goes on
            errors.append(f"{stage}: {type(exc).__name__}: {exc}"[:200])

    tasks = [asyncio.create_task(respondent(s, p)) for s, p in zip(sessions, plans)]
    await asyncio.sleep(0.2)                    # every task is waiting on the event
    cpu0 = time.process_time()
    start = clock()
    go.set()
    await asyncio.gather(*tasks)
    wall = clock() - start
    client_cpu = time.process_time() - cpu0
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    return {"pages": pages, "submits": submits, "errors": errors, "succeeded": succeeded, "wall": wall,
            "client_cpu": client_cpu}


def run_burst(port: int, plans: list[Plan], client: str) -> dict:
    try:
        import uvloop
        runner = uvloop.run
        loop_name = "uvloop"
    except ImportError:
        runner, loop_name = asyncio.run, "asyncio"
    result = runner(_burst("127.0.0.1", port, plans, client))
    result["loop"] = loop_name
    return result


def warm_up(server: Server, workers: int):
    """One GET / per worker (best effort: the kernel picks the worker), not measured: templates are loaded."""
    for _ in range(max(1, workers)):
        with NO_PROXY.open(server.url + "/", timeout=60) as answer:
            answer.read()


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy since boot (/proc/stat: all but idle and iowait)."""
    with open("/proc/stat", "rb") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def quiet_machine(limit: float, busy_below: float = 0.15, window: float = 1.0, windows: int = 3) -> dict:
    """Wait (at most `limit` seconds) until the machine has been less than `busy_below` busy for `windows`
    windows of `window` seconds in a row: other work on the same 2 cores would show up as latency."""
    start = time.monotonic()
    quiet, busy = 0, None
    while True:
        before = machine_busy_seconds()
        time.sleep(window)
        busy = (machine_busy_seconds() - before) / (window * (os.cpu_count() or 1))
        quiet = quiet + 1 if busy < busy_below else 0
        waited = time.monotonic() - start
        if quiet >= windows or waited >= limit:
            return {"waited_seconds": round(waited, 1), "quiet": quiet >= windows, "busy_share": round(busy, 3)}


def cpu_speed_ms() -> float:
    """Milliseconds one core takes for a fixed piece of pure Python (best of three): this shared virtual
    machine's speed varies from hour to hour, and the server's latency with it."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for k in range(300_000):
            total += k % 7
        best = min(best, time.perf_counter() - start)
    return best * 1000


def postmaster_pid(server: dict) -> int | None:
    try:
        return int(Path(server["root"], "data", "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def measure_form(workspace: Path, database: str, workers: int, n: int, logs: Path, seed: int,
                 client: str = "raw", run: int = 1, quiet_wait: float = 0.0, database_pid: int | None = None) -> dict:
    """One burst of `n` respondents against a fresh server on `workspace`; the row's figures, plus the raw
    latencies under "_pages" and "_submits" (for pooling repeats). `quiet_wait`: wait at most this long for
    a quiet machine before the burst; `database_pid`: the PostgreSQL postmaster, whose CPU is counted apart."""
    plans = make_plans(workspace, n, seed)
    before = snapshot(workspace)
    server = start_form_server(workspace, workers, logs / f"server-{database}-{workers}w-{n}-run{run}.log")
    try:
        ready = server.wait_until_ready()
        warm_up(server, workers)
        time.sleep(0.5)
        idle = server.tree.rss()
        quiet = quiet_machine(quiet_wait) if quiet_wait > 0 else None
        speed = cpu_speed_ms()
        load = os.getloadavg()[0]
        db_tree = ProcessTree(database_pid) if database_pid else None
        db0 = db_tree.cpu_seconds() if db_tree else 0.0
        cpu0, busy0 = server.tree.cpu_seconds(), machine_busy_seconds()
        server.tree.start_sampling()
        burst = run_burst(server.port, plans, client)
        peak = server.tree.stop_sampling()
        server_cpu = server.tree.cpu_seconds() - cpu0
        busy = machine_busy_seconds() - busy0
        db_cpu = db_tree.cpu_seconds() - db0 if db_tree else None
        processes = len(server.tree.members)
    finally:
        server.stop()
    after = snapshot(workspace)
    counts = reconcile(before, after, burst["succeeded"])
    error_kinds = collections.Counter(re.sub(r"\d+ of \d+", "#", e)[:120] for e in burst["errors"])
    return {"form": "server", "database": database, "workers": workers, "n": n,
            "page_seconds": percentiles(burst["pages"]), "submit_seconds": percentiles(burst["submits"]),
            "submits_per_second": len(burst["succeeded"]) / burst["wall"], "wall_seconds": burst["wall"],
            "errors": len(burst["errors"]), "error_kinds": dict(error_kinds.most_common(10)),
            **counts, "memory_idle_bytes": idle, "memory_peak_bytes": peak, "processes": processes,
            "client_cpu_seconds": burst["client_cpu"], "server_cpu_seconds": server_cpu,
            "database_cpu_seconds": db_cpu,
            "other_cpu_seconds": max(0.0, busy - server_cpu - burst["client_cpu"] - (db_cpu or 0.0)),
            "load_average_before": load, "quiet_before": quiet, "cpu_speed_ms": speed, "client": client, "client_loop": burst["loop"], "start_seconds": ready,
            "server_tracebacks": server.tracebacks(), "log": str(server.log),
            "_pages": burst["pages"], "_submits": burst["submits"]}


SUMMED = ("errors", "successful_submits", "new_respondents", "lost", "doubled", "comments_sent", "comments_lost",
          "comments_extra", "server_tracebacks", "client_cpu_seconds", "server_cpu_seconds", "other_cpu_seconds",
          "database_cpu_seconds")


def pool_runs(runs: list[dict]) -> dict:
    """One row from repeated bursts: latency percentiles over every request of every run, counts summed, the
    median run's submits per second, the highest memory peak; each run's own figures under "runs"."""
    row = {k: v for k, v in runs[0].items() if not k.startswith("_")}
    if len(runs) > 1:
        row["page_seconds"] = percentiles([x for r in runs for x in r["_pages"]])
        row["submit_seconds"] = percentiles([x for r in runs for x in r["_submits"]])
        for key in SUMMED:
            row[key] = None if runs[0][key] is None else sum(r[key] for r in runs)
        row["submits_per_second"] = float(np.median([r["submits_per_second"] for r in runs]))
        row["wall_seconds"] = float(np.median([r["wall_seconds"] for r in runs]))
        row["memory_idle_bytes"] = max(r["memory_idle_bytes"] for r in runs)
        row["memory_peak_bytes"] = max(r["memory_peak_bytes"] for r in runs)
        kinds = collections.Counter()
        for r in runs:
            kinds.update(r["error_kinds"])
        row["error_kinds"] = dict(kinds.most_common(10))
        row["log"] = [r["log"] for r in runs]
    row["repeats"] = len(runs)
    row["runs"] = [{k: r[k] for k in ("page_seconds", "submit_seconds", "submits_per_second", "wall_seconds", "errors",
                                      "lost", "doubled", "memory_idle_bytes", "memory_peak_bytes",
                                      "client_cpu_seconds", "server_cpu_seconds", "database_cpu_seconds",
                                      "other_cpu_seconds", "load_average_before", "quiet_before", "cpu_speed_ms")}
                   for r in runs]
    return row


# ---------------------------------------------------------------- the notebook-served form (Voilà) in Chromium

async def _notebook_burst(url: str, plans: list[Plan], items: list[tuple[str, list]], shots: Path | None = None,
                          mark=None) -> dict:
    """`mark()` is called right before the pages start and right after the last one is done (its results are
    returned under "marks"), while the browser still runs."""
    from playwright.async_api import async_playwright

    usable, submits, errors, succeeded, failed_pages = [], [], [], [], []
    go = asyncio.Event()
    clock = time.perf_counter
    total = len(items)
    progress_re = re.compile(rf"^{total} \w+ {total} ")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        pages = []
        for _ in plans:
            context = await browser.new_context(viewport={"width": 1100, "height": 900})
            pages.append((context, await context.new_page()))

        async def respondent(page, plan: Plan):
            from playwright.async_api import expect
            await go.wait()
            stage = "page"
            try:
                t0 = clock()
                await page.goto(url, wait_until="commit", timeout=NOTEBOOK_USABLE_LIMIT * 1000)
                left = max(1.0, NOTEBOOK_USABLE_LIMIT - (clock() - t0))
                await page.wait_for_selector(".survey-submit:not([disabled])", state="visible", timeout=left * 1000)
                usable.append(clock() - t0)
                stage = "filling"
                await page.locator(".survey-team select").select_option(label=plan.label, timeout=120_000)
                for item_id, options in items:
                    index = options.index(plan.values[item_id])
                    await page.locator(f".item-{item_id} .survey-options button").nth(index).click(timeout=120_000)
                # the kernel has applied every click when it reports the count back
                await expect(page.locator(".survey-progress .widget-html-content")).to_have_text(
                    progress_re, timeout=120_000)
                stage = "submit"
                t1 = clock()
                await page.locator(".survey-submit").click(timeout=120_000)
                await page.locator(".survey-message.success").wait_for(state="visible", timeout=180_000)
                submits.append(clock() - t1)
                succeeded.append(plan)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"{stage}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200])
                if shots is not None:      # what the respondent saw, for the report
                    try:
                        shot = shots / f"notebook-{len(plans)}-page-{plans.index(plan) + 1}-{stage}.png"
                        await page.screenshot(path=str(shot), full_page=False, timeout=30_000)
                        text = " ".join((await page.inner_text("body", timeout=10_000)).split())[:300]
                        failed_pages.append({"page": plans.index(plan) + 1, "stage": stage, "screenshot": str(shot),
                                             "text": text})
                    except Exception:  # noqa: BLE001
                        pass

        tasks = [asyncio.create_task(respondent(page, plan)) for (_, page), plan in zip(pages, plans)]
        await asyncio.sleep(0.2)
        marks = [mark() if mark else None]
        start = clock()
        go.set()
        await asyncio.gather(*tasks)
        wall = clock() - start
        marks.append(mark() if mark else None)
        for context, _ in pages:
            await context.close()
        await browser.close()
    return {"usable": usable, "submits": submits, "errors": errors, "succeeded": succeeded, "wall": wall,
            "failed_pages": failed_pages, "marks": marks}


def measure_notebook(workspace: Path, n: int, logs: Path, seed: int, has_flag: bool, quiet_wait: float = 0.0) -> dict:
    items, _, _, _ = template_facts(workspace)
    plans = make_plans(workspace, n, seed, skips=False)
    for plan in plans:                  # the notebook form's respondents write no comments here
        plan.comment = None
    before = snapshot(workspace)
    server = start_notebook_server(workspace, logs / f"notebook-{n}.log", has_flag)
    try:
        ready = server.wait_until_ready()
        time.sleep(1.0)
        idle = server.tree.rss()
        quiet = quiet_machine(quiet_wait) if quiet_wait > 0 else None
        load = os.getloadavg()[0]
        client = ProcessTree(os.getpid(), group=False)      # this process, Playwright's driver and Chromium

        def mark():
            server_cpu = server.tree.cpu_seconds()
            return (server_cpu, client.cpu_seconds(without=server.tree.members) + time.process_time(),
                    machine_busy_seconds())

        server.tree.start_sampling()
        burst = asyncio.run(_notebook_burst(server.url + "/", plans, items, logs, mark))
        peak = server.tree.stop_sampling()
        (cpu0, client0, busy0), (cpu1, client1, busy1) = burst["marks"]
        server_cpu, client_cpu, busy = cpu1 - cpu0, client1 - client0, busy1 - busy0
        processes = len(server.tree.members)
    finally:
        server.stop()
    after = snapshot(workspace)
    counts = reconcile(before, after, burst["succeeded"])
    within = sum(1 for u in burst["usable"] if u <= NOTEBOOK_USABLE_LIMIT)
    return {"form": "notebook (Voilà)", "database": "sqlite", "workers": 1, "n": n,
            "page_seconds": percentiles(burst["usable"]), "submit_seconds": percentiles(burst["submits"]),
            "submits_per_second": len(burst["succeeded"]) / burst["wall"], "wall_seconds": burst["wall"],
            "errors": len(burst["errors"]), "error_kinds": dict(collections.Counter(burst["errors"]).most_common(10)),
            "failed_pages": burst["failed_pages"], "server_warnings": server.warnings(),
            **counts, "usable_within_limit": within, "usable_limit_seconds": NOTEBOOK_USABLE_LIMIT,
            "memory_idle_bytes": idle, "memory_peak_bytes": peak,
            "memory_per_page_bytes": (peak - idle) / n, "processes": processes,
            "server_cpu_seconds": server_cpu, "client_cpu_seconds": client_cpu,
            "database_cpu_seconds": None, "other_cpu_seconds": max(0.0, busy - server_cpu - client_cpu),
            "load_average_before": load, "quiet_before": quiet, "start_seconds": ready, "server_tracebacks": server.tracebacks(), "log": str(server.log)}


# ---------------------------------------------------------------- the table

def _ms(stats: dict | None, scale: float = 1000.0, unit_seconds: bool = False) -> str:
    if not stats:
        return "—"
    if unit_seconds:
        return f"{stats['p50']:.1f} / {stats['p95']:.1f} / {stats['max']:.1f} s"
    return f"{stats['p50'] * scale:.0f} / {stats['p95'] * scale:.0f} / {stats['max'] * scale:.0f}"


def _mib(value: float) -> str:
    return f"{value / 2**20:.0f} MiB"


HEADER = ["form", "database", "workers", "N", "page p50 / p95 / max (ms)", "submit p50 / p95 / max (ms)",
          "submits/s", "errors", "lost", "doubled", "memory idle → peak", "CPU s server / db / client / other"]


def table_lines(rows: list[dict]) -> list[str]:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for r in rows:
        notebook = r["form"].startswith("notebook")
        memory = f"{_mib(r['memory_idle_bytes'])} → {_mib(r['memory_peak_bytes'])}"
        if notebook:
            memory += f" ({_mib(r['memory_per_page_bytes'])}/page)"
        cells = [r["form"], r["database"], str(r["workers"]), str(r["n"]),
                 _ms(r["page_seconds"], unit_seconds=notebook) + (
                     f" usable ({r['usable_within_limit']}/{r['n']} within {r['usable_limit_seconds']:.0f} s)"
                     if notebook else ""),
                 _ms(r["submit_seconds"], unit_seconds=notebook),
                 f"{r['submits_per_second']:.1f}" if r["submits_per_second"] >= 10 else f"{r['submits_per_second']:.2f}",
                 str(r["errors"]), str(r["lost"]), str(r["doubled"]), memory,
                 f"{r['server_cpu_seconds']:.1f} / "
                 + ("—" if r.get("database_cpu_seconds") is None else f"{r['database_cpu_seconds']:.1f}")
                 + f" / {r['client_cpu_seconds']:.1f} / {r['other_cpu_seconds']:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def judge(rows: list[dict]) -> tuple[str, list[dict]]:
    row = next((r for r in rows if r["form"] == "server" and r["database"] == "sqlite" and r["workers"] == 1
                and r["n"] == TARGET_N), None)
    head = f"targets (SQLite, 1 worker, N={TARGET_N}): 0 lost or doubled, p95 page < 300 ms, p95 submit < 500 ms, " \
           "memory < 250 MiB"
    if row is None:
        return head + f" — not judged (no SQLite row at N={TARGET_N} in this run)", []
    page95 = row["page_seconds"]["p95"] if row["page_seconds"] else float("inf")
    submit95 = row["submit_seconds"]["p95"] if row["submit_seconds"] else float("inf")
    verdicts = [
        {"target": "0 lost or doubled", "measured": f"{row['lost']} lost, {row['doubled']} doubled "
                                                    f"({row['errors']} errors)",
         "pass": row["lost"] == 0 and row["doubled"] == 0},
        {"target": "p95 page < 300 ms", "measured": f"{page95 * 1000:.0f} ms", "pass": page95 < TARGET_PAGE_P95},
        {"target": "p95 submit < 500 ms", "measured": f"{submit95 * 1000:.0f} ms",
         "pass": submit95 < TARGET_SUBMIT_P95},
        {"target": "memory < 250 MiB", "measured": _mib(row["memory_peak_bytes"]) + " peak",
         "pass": row["memory_peak_bytes"] < TARGET_MEMORY},
    ]
    return head + ": " + "; ".join(f"{v['target']}: {v['measured']} {'PASS' if v['pass'] else 'FAIL'}"
                                   for v in verdicts), verdicts


def machine() -> dict:
    import importlib.metadata as md
    versions = {}
    for name in ("starlette", "uvicorn", "httpx", "voila", "playwright", "psycopg", "uvloop"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = None
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=ROOT,
                                timeout=30).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"commit": commit, "python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(), "versions": versions,
            "when": _dt.datetime.now().astimezone().isoformat(timespec="seconds")}


# ---------------------------------------------------------------- main

def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: sizes are whole numbers separated by commas") from None
    if any(s < 0 for s in sizes):
        raise argparse.ArgumentTypeError("sizes must be at least 1 (0: none)")
    return [s for s in sizes if s > 0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=_sizes, default=[100, 500, 2000],
                        help="respondents at once against the server-rendered form (default 100,500,2000; 0: none)")
    parser.add_argument("--notebook-sizes", type=_sizes, default=[1, 5, 10],
                        help="Chromium pages at once against the notebook form (default 1,5,10; 0 to skip)")
    parser.add_argument("--no-notebook", action="store_true", help="skip the notebook form")
    parser.add_argument("--no-postgresql", action="store_true", help="skip the PostgreSQL rows")
    parser.add_argument("--out", default=str(HERE / "results"), help="folder for form_load.json and form_load.txt "
                                                                      "(default benchmarks/results, git-ignored)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 20 respondents, SQLite only, no notebook")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite workspaces under OUT/form-load (server logs are always kept in OUT/form-load-logs)")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="raw",
                        help="the simulated respondents' HTTP client: raw (HTTP/1.1 on asyncio streams, the default: "
                             "cheapest) or httpx (one AsyncClient per respondent; several times the client CPU)")
    parser.add_argument("--configs", default="sqlite:1,postgresql:2",
                        help="database:workers pairs for the server rows (default sqlite:1,postgresql:2)")
    parser.add_argument("--quiet-wait", type=float, default=120.0,
                        help="before each server burst, wait up to this many seconds until the machine is quiet "
                             "(under 15%% busy for 3 s); 0: do not wait (default 120)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="bursts per server row, each on a fresh workspace and server; latency percentiles "
                             "are taken over every request of every burst (default 1)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    configs = []
    for part in args.configs.split(","):
        database, _, workers = part.strip().partition(":")
        if database not in ("sqlite", "postgresql") or not workers.isdigit() or int(workers) < 1:
            parser.error(f"--configs: {part!r} is not sqlite:N or postgresql:N")
        configs.append((database, int(workers)))
    if args.quick:
        args.repeats, args.quiet_wait = 1, 0.0
        configs = [c for c in configs if c[0] == "sqlite"][:1] or [("sqlite", 1)]

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sizes = [20] if args.quick else args.sizes
    notebook_sizes = [] if (args.quick or args.no_notebook) else [s for s in args.notebook_sizes if s > 0]
    notes: list[str] = []
    printed: list[str] = []

    def report(line: str = ""):
        printed.append(line)
        say(line)

    # N respondents hold N client sockets here and N server sockets in the server: raise the open-files limit
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 4 * max(sizes, default=0) + 1024)) if hard != resource.RLIM_INFINITY \
        else max(soft, 65536)
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))

    help_text = serve_help()
    if "--workers" not in help_text:
        say("error: `assessment serve` has no --workers option: the server-rendered form (assessment/app.py) is "
            "not there yet\n" + help_text)
        return 2
    has_notebook_flag = "--notebook" in help_text

    postgres = None
    want_postgres = bool(sizes) and not args.no_postgresql and any(d == "postgresql" for d, _ in configs)
    if want_postgres:
        why = _postgres.missing()
        if why:
            if os.environ.get("CI"):
                say(f"error: CI must measure the PostgreSQL rows: {why}")
                return 2
            notes.append(f"PostgreSQL rows skipped: {why}")
            say(f"note: PostgreSQL rows skipped: {why}")
            want_postgres = False
    if notebook_sizes:
        try:
            import playwright  # noqa: F401
        except ImportError:
            notes.append("notebook rows skipped: Playwright is not installed")
            notebook_sizes = []
        if notebook_sizes and not Path(CHROMIUM).exists():
            notes.append(f"notebook rows skipped: no Chromium at {CHROMIUM}")
            notebook_sizes = []

    work = Path(tempfile.mkdtemp(prefix="form-load-"))
    logs = out / "form-load-logs"
    logs.mkdir(exist_ok=True)
    rows: list[dict] = []
    started = time.monotonic()
    say(f"form load benchmark: sizes {sizes}, notebook sizes {notebook_sizes or 'none'}, "
        f"PostgreSQL {'yes' if want_postgres else 'no'}; load generator on the same {os.cpu_count()} cores")
    try:
        if want_postgres:
            postgres = _postgres.start_cluster(settings=("max_connections=200",))
        for n in sizes:
            for database, workers in configs:
                if database == "postgresql" and not want_postgres:
                    continue
                say(f"  server form, {database}, {workers} worker(s), N={n} ...")
                done = []
                for run in range(1, args.repeats + 1):
                    folder = work / f"{database}-{n}-run{run}"
                    url = None
                    if database == "postgresql":
                        url = _postgres.create_database(postgres, f"form_load_{n}_{workers}w_run{run}")
                    build_workspace(folder / "demo", url)
                    done.append(measure_form(folder / "demo", database, workers, n, logs, args.seed + n + run,
                                             args.client, run, args.quiet_wait,
                                             postmaster_pid(postgres) if url else None))
                    if args.repeats > 1:
                        say(f"    run {run}: {table_lines([pool_runs(done[-1:])])[-1]}")
                row = pool_runs(done)
                rows.append(row)
                say(f"    {table_lines([row])[-1]}")
                if row["errors"]:
                    say(f"    errors: {row['error_kinds']}")
        for n in notebook_sizes:
            folder = work / f"notebook-{n}"
            build_workspace(folder / "demo")
            say(f"  notebook form (Voilà), N={n} ...")
            row = measure_notebook(folder / "demo", n, logs, args.seed + n, has_notebook_flag, args.quiet_wait)
            rows.append(row)
            say(f"    {table_lines([row])[-1]}")
            if row["errors"]:
                say(f"    errors: {row['error_kinds']}")
    finally:
        if postgres:
            _postgres.stop_cluster(postgres)
        if args.keep:
            shutil.move(str(work), str(out / "form-load"))
        else:
            shutil.rmtree(work, ignore_errors=True)

    target_line, verdicts = judge(rows)
    notes += [
        f"the load generator runs on the same {os.cpu_count()} cores as the server and takes CPU from it (client and "
        "server CPU seconds per row are in the JSON): asyncio on uvloop, one keep-alive connection per respondent, "
        + ("HTTP/1.1 written by hand on asyncio streams (--client raw; httpx costs several times the CPU per "
           "request)" if args.client == "raw" else "one httpx.AsyncClient per respondent (--client httpx)")
        + "; bodies are built before the burst, the token is found with a regex; every respondent starts at the "
        "same moment (one asyncio.Event)",
        "latency = request sent until the whole response is read (the submit's 303 is not followed); a request that "
        "failed is counted in errors, not in the latency",
        "memory = VmRSS summed over the server process, its process group and every descendant (uvicorn workers, "
        "Voilà kernels), sampled every 50 ms; PostgreSQL's own processes are not included; idle = after start and "
        "one unmeasured GET / per worker",
        "CPU s = CPU seconds during the bursts (summed over repeats): the server's processes, PostgreSQL's "
        "(db; SQLite runs inside the server), this load generator (with the memory sampler), and everything else "
        "on the machine (/proc/stat; for notebook rows the client is this process, Playwright and Chromium): "
        "more than a few tenths of "
        "\"other\" means something else was running; before each burst the run waits up to "
        "--quiet-wait seconds for a quiet machine (quiet_before in the JSON) and times a fixed piece of Python "
        "(cpu_speed_ms: this virtual machine's speed varies between runs, and the latencies with it)",
        "notebook rows: page = from navigation until Submit is visible and enabled (\"usable\"), submit = from the "
        "click until the thank-you message; submits/s includes the time Playwright takes to click every answer; "
        "memory per page = (peak − idle) / N",
    ]
    report("")
    for line in table_lines(rows):
        report(line)
    report("")
    report(target_line)
    for note in notes:
        report(f"- {note}")
    elapsed = time.monotonic() - started
    report(f"(the whole run took {elapsed:.0f} s)")

    result = {"settings": {"sizes": sizes, "notebook_sizes": notebook_sizes, "quick": args.quick, "seed": args.seed,
                           "client": args.client, "repeats": args.repeats, "configs": configs,
                           "quiet_wait_seconds": args.quiet_wait,
                           "wave": WAVE, "request_timeout_seconds": REQUEST_TIMEOUT,
                           "skip_share": SKIP_SHARE, "comment_share": COMMENT_SHARE, "swedish_share": SWEDISH_SHARE},
              "machine": machine(), "rows": rows, "targets": {"line": target_line, "verdicts": verdicts},
              "notes": notes, "seconds": elapsed}
    (out / "form_load.json").write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    (out / "form_load.txt").write_text("\n".join(printed).lstrip("\n") + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
