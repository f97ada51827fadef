"""The dashboard's door (`assessment.access`): signed links, the workspace's secret, and scoped views that only
filter HR's protected tables."""

from __future__ import annotations

import base64
import html
import logging
import os
import stat
from types import SimpleNamespace

import matplotlib.text
import pandas as pd
import pytest

from assessment import access, charts
from assessment.analysis import Results
from assessment.cli import main
from assessment.dashboard import ALL, TABS, Dashboard
from assessment.demo import DEMO_ORGANISATION, build_demo_workspace
from assessment.exceptions import AssessmentError
from assessment.statistics import ORGANISATION

SECRET = bytes(range(32))
SCOPE = "Product"
SUBTREE = {SCOPE, *DEMO_ORGANISATION[SCOPE]}
OUTSIDE = (set(DEMO_ORGANISATION) | {t for teams in DEMO_ORGANISATION.values() for t in teams}) - SUBTREE


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# ------------------------------------------------------------------ tokens

def test_token_round_trip_for_hr_and_for_a_department():
    hr = access.make_token(SECRET)
    product = access.make_token(SECRET, SCOPE)
    assert access.read_token(SECRET, hr) is None                     # everything
    assert access.read_token(SECRET, product) == SCOPE
    scope, signature = product.split(".")
    assert base64.urlsafe_b64decode(scope + "==") == b"department:Product"
    assert len(base64.urlsafe_b64decode(signature + "=")) == 32       # HMAC-SHA256
    assert access.make_token(SECRET, SCOPE) == product                # deterministic: no database needed
    assert access.read_token(SECRET, access.make_token(SECRET, "Kundtjänst & Co")) == "Kundtjänst & Co"


@pytest.mark.parametrize("bad", [
    None, "", "garbage", ".", "a.b.c", "Kg.", ".abc", "Kg.!!!!", "Kg.=====", "x" * 5000,
    access.make_token(SECRET)[:-2],                                   # signature cut short
    access.make_token(SECRET)[:-1] + ("A" if access.make_token(SECRET)[-1] != "A" else "B"),   # wrong signature
    b64(b"*") + "." + access.make_token(SECRET, SCOPE).split(".")[1],  # scope swapped, signature kept
    b64(b"department:Sales") + "." + access.make_token(SECRET, SCOPE).split(".")[1],
    access.make_token(b"\x02" * 32),                                  # another (e.g. an old) secret
    access.make_token(SECRET, SCOPE).upper(),
])
def test_bad_tokens_are_refused(bad):
    with pytest.raises(access.AccessRefused) as refused:
        access.read_token(SECRET, bad)
    assert not bad or bad not in str(refused.value)                   # the message never repeats a token


def test_a_signed_but_unknown_payload_is_refused():
    payload = b"team:Mobile"
    mac = access._sign(SECRET, payload)
    with pytest.raises(access.AccessRefused):
        access.read_token(SECRET, f"{b64(payload)}.{b64(mac)}")
    with pytest.raises(access.AccessRefused):
        access.read_token(None, access.make_token(SECRET))            # no secret yet: nothing is valid


def test_token_from_query():
    assert access.token_from_query("token=abc.def") == "abc.def"
    assert access.token_from_query("a=1&token=abc.def&b=2") == "abc.def"
    assert access.token_from_query("token=a&token=b") is None         # ambiguous: refused
    assert access.token_from_query("") is None and access.token_from_query(None) is None
    assert access.token_from_query("TOKEN=abc") is None


# ------------------------------------------------------------------ the secret

def test_secret_is_made_once_private_and_persists(tmp_path):
    assert access.read_secret(tmp_path) is None
    secret = access.load_secret(tmp_path)
    path = tmp_path / access.SECRET_FILE
    assert len(secret) == 32 and path.is_file()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert access.load_secret(tmp_path) == secret                     # kept: links survive a restart
    assert access.read_secret(tmp_path) == secret


def test_rotating_revokes_every_earlier_link(tmp_path):
    old = access.load_secret(tmp_path)
    token = access.make_token(old, None)
    new = access.rotate_secret(tmp_path)
    assert new != old and access.load_secret(tmp_path) == new
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / access.SECRET_FILE).stat().st_mode) == 0o600
    with pytest.raises(access.AccessRefused):
        access.read_token(access.read_secret(tmp_path), token)


def test_an_unreadable_secret_is_replaced(tmp_path):
    (tmp_path / access.SECRET_FILE).write_text("not hex")
    secret = access.load_secret(tmp_path)
    assert len(secret) == 32 and access.read_secret(tmp_path) == secret


# ------------------------------------------------------------------ against a workspace

@pytest.fixture
def ws(workspace):
    return workspace          # Sales (Sales North, Sales South), Product (Platform, Data)


def test_check_token_gives_the_scope_and_refuses_a_department_that_is_gone(ws):
    secret = access.load_secret(ws.path)
    assert access.check_token(ws.path, access.make_token(secret)) is None
    assert access.check_token(ws.path, access.make_token(secret, "Sales")) == "Sales"
    with pytest.raises(access.AccessRefused):
        access.check_token(ws.path, access.make_token(secret, "Marketing"))   # signed, but no such department
    with pytest.raises(access.AccessRefused):
        access.check_token(ws.path, access.make_token(secret, "Platform"))    # a team, not a department
    access.rotate_secret(ws.path)
    with pytest.raises(access.AccessRefused):
        access.check_token(ws.path, access.make_token(secret, "Sales"))


def test_links_for_hr_and_departments(ws):
    found = access.links(ws.path, "http://127.0.0.1:8867/", ["sales", "Product", "Sales"])
    assert [whom for whom, _ in found] == ["HR (every group)", "Sales", "Product"]   # names resolved, once each
    for whom, url in found:
        assert url.startswith("http://127.0.0.1:8867/?token=")
        scope = access.check_token(ws.path, access.token_from_query(url.split("?", 1)[1]))
        assert scope == (None if whom.startswith("HR") else whom)
    with pytest.raises(AssessmentError, match=r"no department named 'Sale'; did you mean 'Sales'\?"):
        access.links(ws.path, "http://x/", ["Sale"])


# ------------------------------------------------------------------ the server's hook and log

def fake_request(query: str):
    headers, state = {}, {}
    return SimpleNamespace(request=SimpleNamespace(query=query), set_status=lambda s: state.update(status=s),
                           set_header=headers.__setitem__, clear_header=lambda n: headers.pop(n, None),
                           headers=headers, state=state)


def test_prelaunch_hook_refuses_before_the_notebook_runs(ws, monkeypatch):
    from tornado.web import Finish
    monkeypatch.setenv("ASSESSMENT_WORKSPACE", str(ws.path))
    secret = access.load_secret(ws.path)
    for query in ("", "token=nope", "token=" + access.make_token(b"\x09" * 32)):
        request = fake_request(query)
        with pytest.raises(Finish) as finished:
            access.prelaunch_hook(request, notebook=None, cwd=None)
        assert request.state["status"] == 403
        page = finished.value.args[0]
        assert "Ask HR for your link to the dashboard" in page
        assert ws.path.name not in page and "Sales" not in page and not any(c.isdigit() for c in page)
    for scope in (None, "Sales"):
        request = fake_request("token=" + access.make_token(secret, scope))
        assert access.prelaunch_hook(request, notebook="nb", cwd=None) is None and "status" not in request.state
    monkeypatch.delenv("ASSESSMENT_WORKSPACE")
    with pytest.raises(Finish):
        access.prelaunch_hook(fake_request("token=" + access.make_token(secret)))


def test_request_log_keeps_tokens_out(caplog):
    handler = SimpleNamespace(get_status=lambda: 403, request=SimpleNamespace(
        method="GET", uri="/?token=abc.SECRETPART&theme=x", remote_ip="127.0.0.1", request_time=lambda: 0.01))
    with caplog.at_level(logging.DEBUG, logger="tornado.access"):
        access.log_request(handler)
    assert "SECRETPART" not in caplog.text and "token=[secret]" in caplog.text and "403 GET" in caplog.text
    assert access.scrub_uri("/?TOKEN=a.b&theme=x") == "/?TOKEN=[secret]&theme=x"
    assert access.scrub_uri("/?a.b") == "/?[secret]" and access.scrub_uri("/?a=1") == "/?a=1"


def test_the_kernel_takes_its_scope_from_the_query_string(ws, monkeypatch):
    secret = access.load_secret(ws.path)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.delenv(access.SERVED_ENV, raising=False)
    assert access.scope_for_kernel(ws.path, default="Sales") == "Sales"        # JupyterLab: the notebook's choice
    monkeypatch.setenv("QUERY_STRING", "token=" + access.make_token(secret, "Product"))
    assert access.scope_for_kernel(ws.path, default=None) == "Product"        # Voilà: the link's, whatever the default
    monkeypatch.setenv("QUERY_STRING", "")
    with pytest.raises(access.AccessRefused):
        access.scope_for_kernel(ws.path)
    monkeypatch.delenv("QUERY_STRING")
    monkeypatch.setenv(access.SERVED_ENV, "token")
    with pytest.raises(access.AccessRefused):
        access.scope_for_kernel(ws.path)
    assert "Ask HR" in access.AskHR().widget.value


# ------------------------------------------------------------------ the CLI

def test_cli_prints_links_and_refuses_an_unknown_department(ws, capsys):
    assert main(["dashboard", str(ws.path), "--links", "--for", "sales", "--port", "9001"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0] for line in out] == ["Link for HR (every group)", "Link for Sales"]
    assert all("http://127.0.0.1:9001/?token=" in line for line in out)
    assert main(["dashboard", str(ws.path), "--links", "--for", "Salse"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean 'Sales'" in err
    # --rotate: the earlier links stop working
    old = out[0].split("?token=")[1]
    assert main(["dashboard", str(ws.path), "--links", "--rotate"]) == 0
    new = capsys.readouterr().out.split("?token=")[1].strip()
    assert new != old
    with pytest.raises(access.AccessRefused):
        access.check_token(ws.path, old)
    assert access.check_token(ws.path, new) is None


# ------------------------------------------------------------------ scoped views only filter HR's figures

@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """A fresh demo workspace with actions for a team inside the scope, one outside and the organisation."""
    ws = build_demo_workspace(tmp_path_factory.mktemp("scoped") / "demo", seed=7)
    ws.store.add_action("Platform", "engagement", "Inside action: pair on-call")
    ws.store.add_action("Legal", "engagement", "Outside action: Legal offsite")
    ws.store.add_action(ORGANISATION, "engagement", "Organisation action: new intranet")
    yield ws, Results(ws)
    ws.close()


CHART_FUNCTIONS = ("trend", "pillars", "heatmap", "change", "enps", "agreement", "drivers")


@pytest.fixture
def recorded(monkeypatch):
    """Every table the dashboard hands to a chart: [(chart, table), ...]."""
    seen = []
    for name in CHART_FUNCTIONS:
        def wrapper(table, *args, _original=getattr(charts, name), _name=name, **kwargs):
            seen.append((_name, table.copy(), kwargs.get("actions")))
            return _original(table, *args, **kwargs)
        monkeypatch.setattr(charts, name, wrapper)
    return seen


def widget_texts(widget) -> list[str]:
    """Every text a widget tree shows or holds: labels, options, HTML, titles, outputs' text."""
    texts = []
    stack = [widget]
    while stack:
        w = stack.pop()
        for attr in ("value", "description", "placeholder", "tooltip"):
            value = getattr(w, attr, None)
            if isinstance(value, str):
                texts.append(value)
        for label in getattr(w, "_options_labels", ()) or ():
            texts.append(str(label))
        for k in range(len(getattr(w, "children", ()) or ())):
            if hasattr(w, "get_title"):
                texts.append(str(w.get_title(k)))
        for output in getattr(w, "outputs", ()) or ():
            texts += [v for k, v in output.get("data", {}).items() if k.startswith("text/") and isinstance(v, str)]
        stack += list(getattr(w, "children", ()) or ())
    return texts


def figure_texts(fig) -> list[str]:
    if isinstance(fig, str):
        return [fig]
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)] + \
        [line.get_label() for ax in fig.axes for line in ax.lines]


def visit_every_view(dashboard, waves=None):
    """Every level, group and tab (and wave); yields after each redraw."""
    for level in ("team", "department"):
        dashboard.level.value = level
        for group in list(dashboard.group.options):
            dashboard.group.value = group
            for wave in waves or [dashboard.wave.value]:
                dashboard.wave.value = wave
                for k in range(len(TABS)):
                    dashboard.tabs.selected_index = k
                    yield
                dashboard.tabs.selected_index = 0


FIGURES = ["n", "mean", "sd", "ci_low", "ci_high", "favourable", "enps", "response_rate", "suppressed"]


def test_a_scoped_view_shows_only_its_subtree_and_only_figures_hr_sees(org, recorded):
    ws, results = org
    dashboard = Dashboard(ws, results=results, scope=SCOPE)
    assert set(dashboard.group.options) == {ALL, *DEMO_ORGANISATION[SCOPE]}
    seen_texts = []
    for _ in visit_every_view(dashboard, waves=[results.waves[-1], results.waves[1]]):
        seen_texts += widget_texts(dashboard.widget)
        seen_texts += [t for fig in dashboard.figures.values() for t in figure_texts(fig)]
    dashboard.level.value = "department"
    assert set(dashboard.group.options) == {ALL, SCOPE}

    # no group outside the subtree anywhere: options, labels, HTML, chart texts, the actions' table
    text = "\n".join(seen_texts)
    assert [name for name in OUTSIDE if name in text or html.escape(name) in text] == []
    assert "Outside action" not in text and "Organisation action" not in text
    assert "Inside action" in text

    # every figure drawn is HR's figure, unchanged: the scoped view filters the protected table
    full = results.table()
    key = ["wave", "level", "group", "scale"]
    aggregate = [(name, table) for name, table, _ in recorded if name in ("trend", "pillars", "heatmap", "enps")]
    assert {name for name, _ in aggregate} == {"trend", "pillars", "heatmap", "enps"}
    for name, table in aggregate:
        assert set(table["group"]) <= SUBTREE | {ORGANISATION}, name
        columns = [c for c in FIGURES if c in table.columns]
        merged = table[key + columns].merge(full[key + columns], on=key, how="left", suffixes=("", "_hr"),
                                            indicator=True)
        assert (merged["_merge"] == "both").all(), name
        for column in columns:
            pd.testing.assert_series_equal(merged[column], merged[f"{column}_hr"], check_names=False, check_dtype=False)
    assert any(ORGANISATION in set(t["group"]) for n, t in aggregate if n == "trend")   # the reference line
    for name, table, actions in recorded:
        if name == "change":
            assert set(table["group"]) <= SUBTREE | {ORGANISATION}
            wave_a, wave_b = table["wave_a"].iloc[0], table["wave_b"].iloc[0]
            hr = results.compare(wave_a, wave_b, level=table["level"].iloc[0])
            cols = ["wave_a", "wave_b", "level", "group", "scale"]
            merged = table.merge(hr, on=cols, suffixes=("", "_hr"))
            assert len(merged) == len(table)
            for column in ("mean_a", "mean_b", "n_a", "n_b"):
                if column in table.columns:
                    pd.testing.assert_series_equal(merged[column], merged[f"{column}_hr"], check_names=False)
        if name == "trend":
            assert actions is None or set(actions["group"]) <= SUBTREE


def test_a_scoped_views_single_group_figures_are_hrs(org, recorded):
    """Items and drivers of "(all)" in a scoped view are the department's, as HR sees them for it."""
    ws, results = org
    scoped = Dashboard(ws, results=results, scope=SCOPE)
    hr = Dashboard(ws, results=results)
    hr.level.value = "department"
    hr.group.value = SCOPE
    for name in ("items", "drivers"):
        for dashboard in (scoped, hr):
            dashboard.tabs.selected_index = TABS.index(name)
    tables = [t for n, t, _ in recorded if n in ("agreement", "drivers")]
    assert len(tables) == 4
    pd.testing.assert_frame_equal(tables[0].reset_index(drop=True), tables[1].reset_index(drop=True))   # items
    pd.testing.assert_frame_equal(tables[2].reset_index(drop=True), tables[3].reset_index(drop=True))   # drivers
    scoped.tabs.selected_index = TABS.index("actions")
    assert scoped.actions_panel.group_name == SCOPE


def test_an_unknown_scope_is_refused(org):
    ws, results = org
    with pytest.raises(AssessmentError, match="did you mean 'Product'"):
        Dashboard(ws, results=results, scope="Prodcut")
    with pytest.raises(AssessmentError, match="no department"):
        Dashboard(ws, results=results, scope="Mobile")             # a team, not a department
