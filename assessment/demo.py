"""A seeded synthetic organisation: the kit's embedded default, and the data for tests and benchmarks.

The generator plants known effects so a reader can check the charts against them: one team improves
wave on wave, one declines, one stays under the anonymity threshold, pillars drive security and
engagement, and some answers are missing.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._progress import progress
from .templates import Template

# department -> teams; sizes are people in the team (headcount)
DEMO_ORGANISATION = {
    "Customer Service": {"Service Desk North": 34, "Service Desk South": 30, "Field Support": 22, "Onboarding": 16},
    "Sales": {"Inside Sales": 28, "Key Accounts": 18, "Partner Sales": 14},
    "Product": {"Platform": 32, "Mobile": 26, "Data": 20},
    "Operations": {"Finance": 17, "People & Culture": 12, "Legal": 4},
}
IMPROVING_TEAM = "Service Desk South"
DECLINING_TEAM = "Mobile"
SMALL_TEAM = "Legal"
DEMO_WAVES = ("2025-spring", "2025-autumn", "2026-spring", "2026-autumn")

DEMO_WAVES_BY_LANGUAGE = {"en": DEMO_WAVES, "sv": ("2025-vår", "2025-höst", "2026-vår", "2026-höst")}
"""The demo's wave names in the workspace's language (a Swedish demo is Swedish throughout)."""

# what respondents write, per language; the same number per question so a seed draws the same picks
_COMMENTS = {
    "en": {
        "comment_keep": ["The weekly team meeting where we look at results together.",
                         "Colleagues who always take time to help.",
                         "Clear priorities from our manager.",
                         "That we celebrate when a customer case goes well.",
                         "Flexible working hours."],
        "comment_improve": ["Fewer last-minute changes to our goals.",
                            "More time for training on the new tools.",
                            "Feedback more often than once a year.",
                            "Clearer handover between teams.",
                            "A quieter place to work when needed."],
        "other": ["More of the same, please."],
    },
    "sv": {
        "comment_keep": ["Veckomötet där vi tittar på resultaten tillsammans.",
                         "Kollegor som alltid tar sig tid att hjälpa till.",
                         "Tydliga prioriteringar från vår chef.",
                         "Att vi firar när ett kundärende går bra.",
                         "Flexibla arbetstider."],
        "comment_improve": ["Färre ändringar av våra mål i sista minuten.",
                            "Mer tid för utbildning i de nya verktygen.",
                            "Återkoppling oftare än en gång om året.",
                            "Tydligare överlämningar mellan teamen.",
                            "En lugnare plats att arbeta på när det behövs."],
        "other": ["Mer av samma, tack."],
    },
}


@dataclass
class Plan:
    """What the generator plants: per-team base levels and trends (in latent units)."""

    organisation: dict = field(default_factory=lambda: DEMO_ORGANISATION)
    waves: tuple = DEMO_WAVES
    improving: str = IMPROVING_TEAM
    declining: str = DECLINING_TEAM
    trend: float = 0.35            # latent units per wave for the improving/declining team
    response_rate: float = 0.85
    missing: float = 0.03          # share of answers skipped at random
    partial: float = 0.03          # share of respondents who stop early (some scales left missing)
    comment_rate: float = 0.3
    comment_language: str = "en"   # the language respondents write their comments in


def teams_frame(organisation: dict) -> pd.DataFrame:
    """team, parent, headcount for an organisation mapping (names as the store keeps them: no surrounding spaces)."""
    rows = [(str(team).strip(), str(dept).strip(), size) for dept, teams in organisation.items()
            for team, size in teams.items()]
    return pd.DataFrame(rows, columns=["team", "parent", "headcount"])


def enterprise_organisation(teams: int = 200, departments: int = 20, size: int = 40, seed: int = 1) -> dict:
    """A larger organisation for benchmarks: `teams` teams spread over `departments` departments."""
    rng = np.random.default_rng(seed)
    org: dict = {}
    for t in range(teams):
        dept = f"Department {t % departments + 1:02d}"
        org.setdefault(dept, {})[f"Team {t + 1:03d}"] = int(max(3, rng.normal(size, size / 4)))
    return org


def generate_wave(template: Template, plan: Plan, wave_index: int, rng: np.random.Generator,
                  respondents: int | None = None, team_levels: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One wave's answers as a wide matrix (team + item columns, NaN = skipped) and its comments.

    Vectorised: a latent level per respondent and scale, turned into answers by thresholds."""
    teams = teams_frame(plan.organisation)
    if respondents is None:
        counts = rng.binomial(teams["headcount"].to_numpy(), plan.response_rate)
        counts = np.maximum(counts, 1)
    else:
        weights = teams["headcount"].to_numpy() / teams["headcount"].sum()
        counts = rng.multinomial(respondents, weights)
    if SMALL_TEAM in set(teams["team"]):
        counts[teams.index[teams["team"] == SMALL_TEAM][0]] = min(3, template.min_group - 1)
    team_of = np.repeat(teams["team"].to_numpy(), counts)
    n = len(team_of)
    team_index = np.repeat(np.arange(len(teams)), counts)
    levels = team_levels or _team_levels(template, teams["team"], plan)
    shift = np.zeros(len(teams))
    shift[(teams["team"] == plan.improving).to_numpy()] = plan.trend * wave_index
    shift[(teams["team"] == plan.declining).to_numpy()] = -plan.trend * wave_index
    person = rng.normal(0, 0.45, n)
    latent = {}
    pillars = [s.id for s in template.pillars]
    for scale in template.scales:
        if scale.id in pillars or scale.role == "module":
            base = np.array([levels[(t, scale.id)] for t in teams["team"]])[team_index]
            latent[scale.id] = base + shift[team_index] + person + rng.normal(0, 0.45, n)
    pillar_mean = np.mean([latent[p] for p in pillars], axis=0) if pillars else person
    for scale in template.scales:
        if scale.id in latent:
            continue
        if scale.id == "safety" or (scale.role == "outcome" and "safe" in scale.id):
            latent[scale.id] = 0.3 + 0.75 * pillar_mean + 0.25 * rng.normal(0, 1, n)
        elif scale.role in ("outcome", "enps"):
            drivers = [latent[p] for p in pillars if p in ("goals", "visibility")] or [pillar_mean]
            latent[scale.id] = 0.2 + 0.5 * np.mean(drivers, axis=0) + 0.3 * pillar_mean + 0.3 * rng.normal(0, 1, n)
        else:
            latent[scale.id] = pillar_mean + rng.normal(0, 0.5, n)
    columns = {}
    for scale in template.scales:
        rs = scale.response_scale
        for k, item in enumerate(scale.items):
            signal = latent[scale.id] + rng.normal(0, 0.55, n) + (0.15 if k % 2 else -0.1)
            if rs.points == 11:
                value = np.clip(np.round(7.2 + 1.9 * signal), 0, 10)
            else:
                # latent 0 sits just above the middle of an agreement scale, as real surveys do
                value = np.clip(np.round((rs.low + rs.high) / 2 + 0.35 + 0.95 * signal), rs.low, rs.high)
            if item.reverse:
                value = rs.low + rs.high - value
            columns[item.id] = value
    matrix = pd.DataFrame(columns)
    values = matrix.to_numpy(dtype="float64", copy=True)
    values[rng.random(values.shape) < plan.missing] = np.nan
    stoppers = rng.random(n) < plan.partial
    cut = rng.integers(2, max(3, values.shape[1] // 2), n)
    mask = stoppers[:, None] & (np.arange(values.shape[1])[None, :] >= cut[:, None])
    values[mask] = np.nan
    matrix = pd.DataFrame(values, columns=list(columns))
    matrix.insert(0, "team", team_of)
    comments = _comments(template, matrix["team"].to_numpy(), plan, rng)
    return matrix, comments


def _team_levels(template: Template, teams, plan: Plan) -> dict:
    rng = np.random.default_rng(12345)
    levels = {}
    for team in teams:
        team_base = rng.normal(0, 0.25)
        for scale in template.scales:
            levels[(team, scale.id)] = team_base + rng.normal(0, 0.2)
    for scale in template.scales:  # the declining team starts well; the improving one starts low
        if (plan.improving, scale.id) in levels:
            levels[(plan.improving, scale.id)] -= 0.45
        if (plan.declining, scale.id) in levels:
            levels[(plan.declining, scale.id)] += 0.35
    return levels


def _comments(template: Template, team_of: np.ndarray, plan: Plan, rng) -> pd.DataFrame:
    rows = []
    questions = [c.id for c in template.comments]
    for question in questions:
        written = _COMMENTS.get(plan.comment_language, _COMMENTS["en"])
        texts = written.get(question, written["other"])
        writes = rng.random(len(team_of)) < plan.comment_rate
        picks = rng.integers(0, len(texts), len(team_of))
        rows += [(team_of[i], question, texts[picks[i]]) for i in np.flatnonzero(writes)]
    return pd.DataFrame(rows, columns=["team", "question", "text"])


def build_demo_workspace(path, seed: int = 7, respondents: int | None = None, plan: Plan | None = None,
                         template: str = "osa-core", language: str | None = None, quiet: bool | None = None):
    """Create a workspace at `path` filled with the synthetic organisation's waves; returns the Workspace.
    A progress bar (waves built) shows on a terminal or in a notebook unless `quiet` (`assessment._progress`)."""
    from .workspace import Workspace
    if plan is None:
        spoken = language if language in _COMMENTS else "en"
        plan = Plan(waves=DEMO_WAVES_BY_LANGUAGE[spoken], comment_language=spoken)
    rng = np.random.default_rng(seed)
    start = _dt.date(2025, 3, 1)
    ws = Workspace.create(path, template=template, language=language, wave=plan.waves[0], opens=start)
    store = ws.store
    teams = teams_frame(plan.organisation)
    store.add_teams(list(teams[["team", "parent"]].itertuples(index=False, name=None)))
    template_obj = store.wave_template(plan.waves[0])
    levels = _team_levels(template_obj, teams["team"], plan)
    for k, wave in enumerate(progress(plan.waves, desc="demo waves", unit="waves", quiet=quiet)):
        opens = start + _dt.timedelta(days=182 * k)
        if k:
            store.open_wave(wave, template_obj, opens=opens, closes=opens + _dt.timedelta(days=21))
        store.set_headcounts(wave, dict(zip(teams["team"], teams["headcount"])))
        matrix, comments = generate_wave(template_obj, plan, k, rng, respondents=respondents, team_levels=levels)
        store.add_answer_matrix(wave, matrix, comments, source="demo", submitted_on=(opens + _dt.timedelta(days=7)).isoformat())
        if k < len(plan.waves) - 1:
            store.set_wave_status(wave, "closed")
    return ws


def run_demo(path="demo-workspace", seed: int = 7, respondents: int | None = None, quiet: bool | None = None) -> dict:
    """The kit's main job on the embedded default: build, score, and write a summary and charts (with a
    progress bar over the waves built unless `quiet`; see `build_demo_workspace`)."""
    from .analysis import write_summary
    path = Path(path)
    if (path / "workspace.yaml").exists():
        from .workspace import Workspace
        ws = Workspace(path)
        print(f"using the existing demo workspace {path} (delete the folder to build it again)")
    else:
        ws = build_demo_workspace(path, seed=seed, respondents=respondents, quiet=quiet)
        waves = ws.store.waves()
        total = int(ws.store.respondent_counts()["respondents"].sum())
        print(f"built demo workspace {path}: {len(ws.store.team_names())} teams and departments, "
              f"{len(waves)} waves, {total} responses")
    outputs = write_summary(ws)
    for label, file in outputs.items():
        print(f"{label}: {file}")
    return outputs
