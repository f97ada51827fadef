"""A workspace: one folder per client or organisation, holding its template, store and outputs.

    acme/
      workspace.yaml   name, database URL
      template.yaml    the client's template (usually a few lines that extend a shipped one)
      assessment.db    the SQLite response store (owner-only permissions)
      output/          charts, exports and reports
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .exceptions import WorkspaceError
from .store import Store, sqlite_url
from .templates import Template, find_template, load_template, template_from_data, resolve_file

if TYPE_CHECKING:
    from .analysis import Results

CONFIG = "workspace.yaml"
TEMPLATE = "template.yaml"
DATABASE = "assessment.db"


def default_wave_name(today: _dt.date | None = None) -> str:
    today = today or _dt.date.today()
    return f"{today:%Y-%m}"


class Workspace:
    """A client's folder. Open with `Workspace(path)`; create with `Workspace.create(...)`.

    >>> ws = assessment.Workspace("acme")
    >>> ws.results().table("team")
    """

    def __init__(self, path: os.PathLike):
        self.path = Path(path)
        config_file = self.path / CONFIG
        if not config_file.exists():
            raise WorkspaceError(f"{self.path}: not a workspace (no {CONFIG}); create one with "
                                 f"`assessment init {self.path} --template osa-core`")
        try:
            self.config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise WorkspaceError(f"{config_file}: not valid YAML ({exc}); fix or recreate it") from None
        self._store = None

    @classmethod
    def create(cls, path: os.PathLike, template: str = "osa-core", language: str | None = None,
               wave: str | None = None, database: str | None = None, min_group: int | None = None,
               opens=None, closes=None) -> "Workspace":
        """Make a workspace folder with a client template extending `template`, and open its first wave."""
        path = Path(path)
        if (path / CONFIG).exists():
            raise WorkspaceError(f"{path}: a workspace already exists here; choose another folder or use it as it is")
        source = find_template(template)   # fail before creating anything
        with creating(path):
            return cls._create(path, template, source, language, wave, database, min_group, opens, closes)

    @classmethod
    def _create(cls, path, template, source, language, wave, database, min_group, opens, closes) -> "Workspace":
        path.mkdir(parents=True, exist_ok=True)
        client = {"id": _client_id(path.name), "extends": _reference(template, source, path)}
        if language:
            client["language"] = language
        if min_group:
            client["anonymity"] = {"min_group": int(min_group)}
        try:
            (path / TEMPLATE).write_text(
                "# This client's survey template. It extends a shipped template; change wording, add or drop\n"
                "# items and scales, or set the language and anonymity threshold here (see surveys/README.md).\n"
                + yaml.safe_dump(client, allow_unicode=True, sort_keys=False), encoding="utf-8")
            resolved = load_template(path / TEMPLATE)
        except Exception:
            (path / TEMPLATE).unlink(missing_ok=True)
            raise
        config = {"name": path.name, "created": _dt.date.today().isoformat(),
                  "database": database or f"sqlite:///{DATABASE}"}
        (path / CONFIG).write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        (path / "output").mkdir(exist_ok=True)
        workspace = cls(path)
        try:
            workspace.store.open_wave(wave or default_wave_name(), resolved, opens=opens or _dt.date.today(),
                                      closes=closes)
        except BaseException:
            workspace.close()
            raise
        return workspace

    @property
    def name(self) -> str:
        return self.config.get("name", self.path.name)

    @property
    def database_url(self) -> str:
        url = self.config.get("database") or f"sqlite:///{DATABASE}"
        if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).is_absolute():
            url = sqlite_url(self.path / url[len("sqlite:///"):])
        return url

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.database_url, create=self.database_url.startswith("sqlite:"))
        return self._store

    def close(self):
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def output(self) -> Path:
        out = self.path / "output"
        out.mkdir(exist_ok=True)
        return out

    def template(self) -> Template:
        """The workspace's current template (what the next wave will store)."""
        return load_template(self.path / TEMPLATE)

    def open_wave(self, name: str | None = None, opens=None, closes=None) -> str:
        name = name or default_wave_name()
        self.store.open_wave(name, self.template(), opens=opens or _dt.date.today(), closes=closes)
        return name

    def results(self, language: str | None = None) -> "Results":
        """Every wave scored once, as tidy pandas frames with protection applied (`assessment.Results`);
        texts such as scale titles in `language` (default: the template's).

        >>> results = ws.results()
        >>> results.table("team").query("scale == 'security'")
        """
        from .analysis import Results
        return Results(self, language=language)

    def _repr_html_(self) -> str:
        from ._display import workspace_html
        return workspace_html(self)

    def wave(self, name: str | None = None) -> str:
        """The named wave (checked), or the latest one."""
        if name is None:
            return self.store.latest_wave()
        return self.store.wave_name(name)   # as stored: 'HÖST 2025' is the wave 'Höst 2025'


@contextmanager
def creating(path: os.PathLike):
    """Undo a creation that fails: remove the folder (and any parents made for it) if it was new, or
    else only the entries added to it, so a failed `assessment init` leaves the disk as it was. (A
    PostgreSQL database named with --database keeps any tables made before the failure.)"""
    path = Path(path)
    top = path
    while not top.parent.exists() and top.parent != top:
        top = top.parent
    existed = path.exists()
    before = set(path.iterdir()) if existed and path.is_dir() else set()
    try:
        yield
    except BaseException:
        if not existed:
            shutil.rmtree(top if top.exists() else path, ignore_errors=True)
        elif path.is_dir():
            for entry in set(path.iterdir()) - before:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
        raise


def _client_id(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name).strip("-_") or "client"
    return cleaned if cleaned[0].isalpha() else f"client-{cleaned}"


def _reference(template: str, source: Path, workspace: Path) -> str:
    """How the client template names its parent: a shipped name stays a name, a file becomes a relative path."""
    text = str(template)
    if not (text.endswith((".yaml", ".yml")) or "/" in text or os.sep in text):
        return text
    return os.path.relpath(source, workspace.resolve())


def open_workspace(path: os.PathLike) -> Workspace:
    return Workspace(path)


__all__ = ["Workspace", "open_workspace", "default_wave_name", "resolve_file", "template_from_data"]
