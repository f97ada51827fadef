"""Survey templates: load YAML, resolve `extends`/`modules`, validate, and give a typed view.

Templates are data written by consultants, so loading uses `yaml.safe_load` (never runs code) and
every problem is reported with the file, the path of the field and what to do about it.
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ._resources import SURVEYS_DIR
from .exceptions import TemplateError, UnknownNameError

SHIPPED_DIR = SURVEYS_DIR   # the shipped templates, inside the installed package (assessment/_resources.py)
ROLES = ("pillar", "outcome", "module", "enps")
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
LANGUAGE_NAMES = {"en": "English", "sv": "Swedish", "no": "Norwegian", "nb": "Norwegian", "da": "Danish",
                  "fi": "Finnish", "de": "German", "fr": "French", "es": "Spanish", "nl": "Dutch"}
DEFAULTS = {
    "anonymity": {"min_group": 5, "min_comments": 10},
    "scoring": {"min_answered": 0.5, "min_change": 5, "min_drivers": 20},
}
_CONTROL_KEYS = ("extends", "modules", "drop")


@dataclass(frozen=True)
class ResponseScale:
    """The answer options of an item: `points` options valued start, start+1, ..."""

    id: str
    points: int
    start: int
    labels: dict
    favourable: int = 2

    @property
    def low(self) -> int:
        return self.start

    @property
    def high(self) -> int:
        return self.start + self.points - 1

    @property
    def values(self) -> list[int]:
        return list(range(self.low, self.high + 1))

    def label(self, value: int, language: str) -> str:
        return self.labels[language][value - self.start]


@dataclass(frozen=True)
class Item:
    id: str
    text: dict
    reverse: bool
    scale_id: str
    response_scale: ResponseScale


@dataclass(frozen=True)
class Scale:
    id: str
    title: dict
    role: str
    response_scale: ResponseScale
    items: tuple

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]


@dataclass(frozen=True)
class Index:
    id: str
    title: dict
    scales: tuple


@dataclass(frozen=True)
class Comment:
    id: str
    text: dict


@dataclass(frozen=True)
class Template:
    """A resolved, validated template. `data` is the plain resolved dict that a wave stores.

    >>> template = assessment.load_template("osa-core")
    >>> template.min_group, template.languages, template.title_of("security", "sv")
    """

    id: str
    title: dict
    languages: tuple
    language: str
    min_group: int
    min_comments: int
    min_answered: float
    min_change: float
    min_drivers: int
    response_scales: dict
    scales: tuple
    indices: tuple
    comments: tuple
    data: dict = field(repr=False, compare=False)

    @property
    def items(self) -> list[Item]:
        return [item for scale in self.scales for item in scale.items]

    @property
    def item_ids(self) -> list[str]:
        return [item.id for item in self.items]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise UnknownNameError(f"template {self.id!r} has no item {item_id!r}")

    def scale(self, scale_id: str) -> Scale:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise UnknownNameError(f"template {self.id!r} has no scale {scale_id!r}; its scales are {', '.join(s.id for s in self.scales)}")

    def scales_with_role(self, role: str) -> list[Scale]:
        return [s for s in self.scales if s.role == role]

    @property
    def pillars(self) -> list[Scale]:
        return self.scales_with_role("pillar")

    def title_of(self, ident: str, language: str | None = None) -> str:
        """Title of a scale or index (or an item's text) in the language, for charts and reports."""
        language = language or self.language
        for thing in (*self.scales, *self.indices):
            if thing.id == ident:
                return thing.title.get(language) or next(iter(thing.title.values()))
        for item in self.items:
            if item.id == ident:
                return item.text.get(language) or next(iter(item.text.values()))
        return ident

    def to_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, sort_keys=True)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.data, allow_unicode=True, sort_keys=False)


# ---------------------------------------------------------------- loading and resolving

def shipped_templates() -> list[str]:
    """Names of the templates that ship with the kit.

    >>> assessment.shipped_templates()
    ['example-client', 'osa-core', 'service-culture']
    """
    return sorted(p.stem for p in SHIPPED_DIR.glob("*.yaml"))


def _search_dirs(near: Path | None) -> list[Path]:
    dirs = []
    if near is not None:
        dirs.append(near)
    for part in os.environ.get("ASSESSMENT_TEMPLATES", "").split(os.pathsep):
        if part:
            dirs.append(Path(part))
    dirs.append(SHIPPED_DIR)
    return dirs


def find_template(name: str | os.PathLike, near: Path | None = None) -> Path:
    """The file for a template name (`osa-core`) or path (`clients/acme.yaml`)."""
    text = str(name)
    candidate = Path(text)
    looks_like_path = text.endswith((".yaml", ".yml")) or os.sep in text or "/" in text
    if looks_like_path:
        if not candidate.is_absolute() and near is not None and (near / candidate).exists():
            return (near / candidate).resolve()
        if candidate.exists():
            return candidate.resolve()
        raise TemplateError(f"template file {text!r} does not exist; check the path")
    for directory in _search_dirs(near):
        for suffix in (".yaml", ".yml"):
            path = directory / f"{text}{suffix}"
            if path.exists():
                return path.resolve()
    raise TemplateError(
        f"no template named {text!r}; shipped templates are {', '.join(shipped_templates())} "
        "(or give a path to a .yaml file)")


def _read_yaml(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TemplateError(f"cannot read the file: {exc.strerror}", source=path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateError(f"byte {exc.start} is not UTF-8; save the file as UTF-8", source=path) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise TemplateError(f"{where}not valid YAML ({problem}); fix the syntax there", source=path) from None
    if not isinstance(data, dict):
        raise TemplateError("the file must hold a YAML mapping (keys such as id, scales, languages)", source=path)
    return data


def _merge(base, override):
    """Deep merge: mappings key by key, lists of {id: ...} entries by id, anything else replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    if _is_id_list(base) and _is_id_list(override):
        merged = [copy.deepcopy(e) for e in base]
        position = {e["id"]: n for n, e in enumerate(merged)}
        for entry in override:
            if entry["id"] in position:
                merged[position[entry["id"]]] = _merge(merged[position[entry["id"]]], entry)
            else:
                position[entry["id"]] = len(merged)
                merged.append(copy.deepcopy(entry))
        return merged
    return copy.deepcopy(override)


def _is_id_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(e, dict) and "id" in e for e in value)


def _drop(data: dict, drop, source: Path) -> dict:
    if not isinstance(drop, dict):
        raise TemplateError("drop: must be a mapping such as {items: [id, ...], scales: [id, ...]}", source=source)
    data = copy.deepcopy(data)
    known = {"items", "scales", "indices", "comments"}
    for kind, ids in drop.items():
        if kind not in known:
            raise TemplateError(f"drop.{kind}: unknown kind; use one of {', '.join(sorted(known))}", source=source)
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise TemplateError(f"drop.{kind}: must be a list of ids", source=source)
        ids = set(ids)
        if kind == "items":
            found = set()
            for scale in data.get("scales") or []:
                before = scale.get("items") or []
                found |= {i.get("id") for i in before} & ids
                scale["items"] = [i for i in before if i.get("id") not in ids]
            missing = ids - found
        else:
            entries = data.get(kind) or []
            missing = ids - {e.get("id") for e in entries}
            data[kind] = [e for e in entries if e.get("id") not in ids]
        if missing:
            raise TemplateError(f"drop.{kind}: {', '.join(sorted(map(str, missing)))} not in the template it extends; "
                                "check the ids", source=source)
    return data


def resolve_file(path: Path, _chain: tuple = ()) -> dict:
    """The template in `path` with `extends`, `modules` and `drop` applied (a plain dict)."""
    path = Path(path).resolve()
    if path in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, path))
        raise TemplateError(f"extends: cycle of templates ({cycle}); remove one of the extends", source=path)
    chain = (*_chain, path)
    data = _read_yaml(path)
    own = {k: v for k, v in data.items() if k not in _CONTROL_KEYS}
    if data.get("extends") is not None:
        parent_name = data["extends"]
        if not isinstance(parent_name, str):
            raise TemplateError("extends: must be one template name or path", source=path)
        resolved = resolve_file(find_template(parent_name, near=path.parent), chain)
    else:
        resolved = {}
    modules = data.get("modules") or []
    if not isinstance(modules, list):
        raise TemplateError("modules: must be a list of template names", source=path)
    for module_name in modules:
        module = resolve_file(find_template(module_name, near=path.parent), chain)
        for kind in ("scales", "indices", "comments"):
            resolved[kind] = _merge(resolved.get(kind) or [], module.get(kind) or [])
        resolved["response_scales"] = _merge(module.get("response_scales") or {}, resolved.get("response_scales") or {})
        resolved.setdefault("modules", []).append(module.get("id", module_name))
    resolved = _merge(resolved, own)
    if "drop" in data:
        resolved = _drop(resolved, data["drop"], path)
    if data.get("extends") is not None:
        resolved["extends"] = data["extends"]
    return resolved


# ---------------------------------------------------------------- validation

def _check_text(value, where: str, languages: list, problems: list, what: str = "text"):
    if isinstance(value, str) and len(languages) == 1:
        return
    if not isinstance(value, dict):
        problems.append(f"{where}: must map each language to a {what}, e.g. {{{', '.join(f'{l}: ...' for l in languages)}}}")
        return
    for lang in languages:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            name = LANGUAGE_NAMES.get(lang, lang)
            problems.append(f"{where}.{lang}: missing {name} ({lang!r}) {what}; give it in every language listed in `languages`")


def validate_data(data: dict) -> list[str]:
    """Every problem in a resolved template, each as 'field.path: what is wrong; what to do'."""
    problems: list[str] = []
    if not isinstance(data.get("id"), str) or not ID_PATTERN.match(data.get("id") or ""):
        problems.append("id: required; letters, digits, '-' and '_', starting with a letter")
    languages = data.get("languages")
    if not isinstance(languages, list) or not languages or not all(isinstance(l, str) for l in languages):
        problems.append("languages: required; a list of language codes such as [en, sv]")
        languages = []
    language = data.get("language", languages[0] if languages else None)
    if languages and language not in languages:
        problems.append(f"language: {language!r} is not one of languages {languages}")
    if "title" in data:
        _check_text(data["title"], "title", languages, problems, "title")
    for section, keys in DEFAULTS.items():
        values = data.get(section, {})
        if not isinstance(values, dict):
            problems.append(f"{section}: must be a mapping of {', '.join(keys)}")
            continue
        for key in values:
            if key not in keys:
                problems.append(f"{section}.{key}: unknown setting; use {', '.join(keys)}")
        for key in ("min_group", "min_comments", "min_drivers"):
            if key in values and (not isinstance(values[key], int) or isinstance(values[key], bool) or values[key] < 1):
                problems.append(f"{section}.{key}: must be a whole number of at least 1, not {values[key]!r}")
        if "min_answered" in values:
            v = values["min_answered"]
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 < v <= 1:
                problems.append(f"{section}.min_answered: must be a share between 0 and 1 (e.g. 0.5), not {v!r}")
        if "min_change" in values:
            v = values["min_change"]
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
                problems.append(f"{section}.min_change: must be a number of points (0-100) of at least 0, not {v!r}")

    response_scales = data.get("response_scales")
    if not isinstance(response_scales, dict) or not response_scales:
        problems.append("response_scales: required; a mapping such as {agree5: {points: 5, labels: ...}}")
        response_scales = {}
    for rs_id, rs in response_scales.items():
        where = f"response_scales.{rs_id}"
        if not isinstance(rs, dict):
            problems.append(f"{where}: must be a mapping with points and labels")
            continue
        points = rs.get("points")
        if not isinstance(points, int) or isinstance(points, bool) or points < 2:
            problems.append(f"{where}.points: must be a whole number of at least 2, not {points!r}")
            points = None
        if "start" in rs and (not isinstance(rs["start"], int) or isinstance(rs["start"], bool)):
            problems.append(f"{where}.start: must be a whole number (the value of the lowest point)")
        fav = rs.get("favourable", 2)
        if not isinstance(fav, int) or isinstance(fav, bool) or not 1 <= fav <= (points or 99):
            problems.append(f"{where}.favourable: must be how many top points count as favourable (1..points)")
        labels = rs.get("labels")
        if not isinstance(labels, dict):
            problems.append(f"{where}.labels: must map each language to a list of {points or 'the'} labels")
            continue
        for lang in languages:
            got = labels.get(lang)
            if not isinstance(got, list):
                problems.append(f"{where}.labels.{lang}: missing {LANGUAGE_NAMES.get(lang, lang)} ({lang!r}) labels; "
                                f"give a list of {points or 'the'} labels, lowest first")
            elif points and len(got) != points:
                problems.append(f"{where}.labels.{lang}: {len(got)} labels for {points} points; give one label per point")

    seen: dict[str, str] = {}

    def claim(ident, where):
        if not isinstance(ident, str) or not ID_PATTERN.match(ident):
            problems.append(f"{where}.id: required; letters, digits, '-' and '_', starting with a letter (got {ident!r})")
            return
        if ident in seen:
            problems.append(f"{where}.id: duplicate id {ident!r} (also at {seen[ident]}); every id must be unique")
        else:
            seen[ident] = where

    scales = data.get("scales")
    if not isinstance(scales, list) or not scales:
        problems.append("scales: required; a list of scales, each with id, title, response_scale and items")
        scales = []
    scale_ids = set()
    for s, scale in enumerate(scales):
        where = f"scales[{s}]"
        if not isinstance(scale, dict):
            problems.append(f"{where}: must be a mapping with id, title, response_scale and items")
            continue
        claim(scale.get("id"), where)
        if isinstance(scale.get("id"), str):
            scale_ids.add(scale["id"])
        _check_text(scale.get("title"), f"{where}.title", languages, problems, "title")
        role = scale.get("role", "module")
        if not isinstance(role, str) or role not in ROLES:
            problems.append(f"{where}.role: {role!r} is not one of {', '.join(ROLES)}")
        rs_id = scale.get("response_scale")
        if not isinstance(rs_id, str) or rs_id not in response_scales:
            problems.append(f"{where}.response_scale: {rs_id!r} is not defined in response_scales "
                            f"(defined: {', '.join(response_scales) or 'none'})")
        items = scale.get("items")
        if not isinstance(items, list) or not items:
            problems.append(f"{where}.items: required; a scale needs at least one item")
            continue
        for i, item in enumerate(items):
            iwhere = f"{where}.items[{i}]"
            if not isinstance(item, dict):
                problems.append(f"{iwhere}: must be a mapping with id and text")
                continue
            claim(item.get("id"), iwhere)
            _check_text(item.get("text"), f"{iwhere}.text", languages, problems)
            if "reverse" in item and not isinstance(item["reverse"], bool):
                problems.append(f"{iwhere}.reverse: must be true or false, not {item['reverse']!r}")
            for key in item:
                if key not in ("id", "text", "reverse"):
                    problems.append(f"{iwhere}.{key}: unknown field; an item has id, text and reverse")
        if role == "enps" and isinstance(rs_id, str) and isinstance(response_scales.get(rs_id), dict):
            if response_scales[rs_id].get("points") != 11 or response_scales[rs_id].get("start", 1) != 0:
                problems.append(f"{where}.response_scale: an enps scale needs an 11-point scale from 0 to 10 (points: 11, start: 0)")

    indices = data.get("indices") or []
    if not isinstance(indices, list):
        problems.append("indices: must be a list of {id, title, from: [scale ids]}")
        indices = []
    for n, index in enumerate(indices):
        where = f"indices[{n}]"
        if not isinstance(index, dict):
            problems.append(f"{where}: must be a mapping with id, title and from")
            continue
        claim(index.get("id"), where)
        _check_text(index.get("title"), f"{where}.title", languages, problems, "title")
        sources = index.get("from")
        if not isinstance(sources, list) or not sources:
            problems.append(f"{where}.from: required; a list of scale ids the index is the mean of")
            continue
        for k, scale_id in enumerate(sources):
            if not isinstance(scale_id, str) or scale_id not in scale_ids:
                problems.append(f"{where}.from[{k}]: unknown scale {scale_id!r}; use one of {', '.join(sorted(map(str, scale_ids)))}")

    comments = data.get("comments") or []
    if not isinstance(comments, list):
        problems.append("comments: must be a list of {id, text}")
        comments = []
    for n, comment in enumerate(comments):
        where = f"comments[{n}]"
        if not isinstance(comment, dict):
            problems.append(f"{where}: must be a mapping with id and text")
            continue
        claim(comment.get("id"), where)
        _check_text(comment.get("text"), f"{where}.text", languages, problems)
        if "reverse" in comment:
            problems.append(f"{where}.reverse: an open question has no scoring, so it cannot be reverse-keyed; remove `reverse`")
        for key in comment:
            if key not in ("id", "text", "reverse"):
                problems.append(f"{where}.{key}: unknown field; an open question has id and text")
    return problems


# ---------------------------------------------------------------- building

def _text(value, languages):
    if isinstance(value, str):
        return {lang: value for lang in languages}
    return {lang: value[lang] for lang in languages if lang in value}


def template_from_data(data: dict, source=None) -> Template:
    """Validate a resolved template dict and build the typed Template (what waves store)."""
    problems = validate_data(data)
    if problems:
        raise TemplateError(problems, source=source)
    data = copy.deepcopy(data)
    languages = tuple(data["languages"])
    # keep only the template's languages so a stored wave says exactly what respondents saw
    anonymity = {**DEFAULTS["anonymity"], **(data.get("anonymity") or {})}
    scoring = {**DEFAULTS["scoring"], **(data.get("scoring") or {})}
    data["anonymity"], data["scoring"] = anonymity, scoring
    data.setdefault("language", languages[0])
    rscales = {}
    for rs_id, rs in data["response_scales"].items():
        rs["labels"] = {lang: list(rs["labels"][lang]) for lang in languages}
        rscales[rs_id] = ResponseScale(rs_id, rs["points"], rs.get("start", 1), rs["labels"], rs.get("favourable", 2))
    scales = []
    for scale in data["scales"]:
        scale["title"] = _text(scale["title"], languages)
        scale.setdefault("role", "module")
        rs = rscales[scale["response_scale"]]
        items = []
        for item in scale["items"]:
            item["text"] = _text(item["text"], languages)
            item["reverse"] = bool(item.get("reverse", False))
            items.append(Item(item["id"], item["text"], item["reverse"], scale["id"], rs))
        scales.append(Scale(scale["id"], scale["title"], scale["role"], rs, tuple(items)))
    indices = []
    for index in data.get("indices") or []:
        index["title"] = _text(index["title"], languages)
        indices.append(Index(index["id"], index["title"], tuple(index["from"])))
    comments = []
    for comment in data.get("comments") or []:
        comment["text"] = _text(comment["text"], languages)
        comments.append(Comment(comment["id"], comment["text"]))
    title = _text(data.get("title") or data["id"], languages)
    data["title"] = title
    return Template(
        id=data["id"], title=title, languages=languages, language=data["language"],
        min_group=anonymity["min_group"], min_comments=anonymity["min_comments"],
        min_answered=float(scoring["min_answered"]), min_change=float(scoring["min_change"]),
        min_drivers=scoring["min_drivers"], response_scales=rscales, scales=tuple(scales),
        indices=tuple(indices), comments=tuple(comments), data=data)


def load_template(name: str | os.PathLike, near: Path | None = None) -> Template:
    """Load a template by shipped name or path, resolving `extends` and `modules`, and validate it.

    >>> template = assessment.load_template("osa-core")
    >>> [scale.id for scale in template.pillars]
    """
    path = find_template(name, near=near)
    data = resolve_file(path)
    return template_from_data(data, source=_describe(path, data))


def validate_template(name: str | os.PathLike) -> Template:
    """Same as load_template; named for what the CLI's `validate` does."""
    return load_template(name)


def _describe(path: Path, data: dict) -> str:
    try:
        shown = path.relative_to(Path.cwd())
    except ValueError:
        shown = path
    return f"{shown} (extending {data['extends']})" if data.get("extends") else str(shown)
