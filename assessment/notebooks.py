"""Copy the kit's notebooks (survey, admin, dashboard, report) into a folder for JupyterLab users.

`assessment notebooks DIR [--workspace WS] [--force]` runs `copy_notebooks`. The shipped notebooks live
inside the installed package (`assessment._resources.NOTEBOOKS_DIR`), where a user of a wheel cannot
(and should not) edit them; the copies are theirs. With a workspace, each copy gets the workspace's
absolute path the way papermill passes parameters: a cell tagged `injected-parameters`, right after the
notebook's `parameters` cell, that sets `workspace`, so the notebook opens on that workspace in
JupyterLab (and papermill, run on the copy, replaces that cell with its own).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ._resources import NOTEBOOKS_DIR
from .exceptions import AssessmentError

PARAMETER = "workspace"
INJECTED_TAG = "injected-parameters"


def shipped_notebooks() -> list[Path]:
    """The notebooks that ship with the kit."""
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def _defines(cell, name: str) -> bool:
    source = "".join(cell.get("source", []))
    return any(line.split("=")[0].strip() == name for line in source.splitlines() if "=" in line)


def with_workspace(text: str, workspace: Path) -> str:
    """A notebook's JSON text with `workspace` set to the absolute path `workspace` in a papermill-style
    `injected-parameters` cell after its `parameters` cell (the text unchanged if it has no such parameter)."""
    notebook = json.loads(text)
    cells = notebook["cells"]
    cells[:] = [c for c in cells if INJECTED_TAG not in _tags(c)]
    where = next((i for i, c in enumerate(cells) if "parameters" in _tags(c) and _defines(c, PARAMETER)), None)
    if where is None:
        return text
    cells.insert(where + 1, {
        "cell_type": "code",
        "execution_count": None,
        "id": INJECTED_TAG,
        "metadata": {"tags": [INJECTED_TAG]},
        "outputs": [],
        "source": ["# Parameters (written by `assessment notebooks --workspace`)\n",
                   f"{PARAMETER} = {json.dumps(str(workspace), ensure_ascii=False)}\n"],
    })
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"   # as nbformat writes it


def copy_notebooks(folder: os.PathLike, workspace: os.PathLike | None = None,
                   force: bool = False) -> list[tuple[Path, bool]]:
    """Copy the shipped notebooks into `folder` (created if missing), with `workspace` (made absolute; it must
    be a workspace) filled in when given. Returns [(path, written)]: written is False for a copy that was
    already the same. Refuses (AssessmentError, nothing written) to replace a different file of the same
    name unless `force`."""
    folder = Path(folder)
    ws = None
    if workspace is not None:
        from .workspace import Workspace
        Workspace(workspace)                 # a workspace, or a one-line error saying how to create one
        ws = Path(workspace).resolve()
    if folder.exists() and not folder.is_dir():
        raise AssessmentError(f"{folder}: not a folder; choose a folder for the notebooks")
    sources = shipped_notebooks()
    if not sources:
        raise AssessmentError(f"{NOTEBOOKS_DIR}: the kit's notebooks are missing; reinstall it "
                              "(pip install osa-assessment)")
    planned = []
    for source in sources:
        text = source.read_text(encoding="utf-8")
        planned.append((folder / source.name, with_workspace(text, ws) if ws is not None else text))
    different = [target for target, text in planned
                 if target.exists() and (target.is_dir() or target.read_text(encoding="utf-8") != text)]
    if different and not force:
        raise AssessmentError(f"{', '.join(map(str, different))}: already there and different from the notebook "
                              "the kit would write; use --force to overwrite")
    folder.mkdir(parents=True, exist_ok=True)
    done = []
    for target, text in planned:
        if target.exists() and not target.is_dir() and target.read_text(encoding="utf-8") == text:
            done.append((target, False))
            continue
        target.write_text(text, encoding="utf-8")
        done.append((target, True))
    return done
