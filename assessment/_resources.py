"""Where the files the kit ships live: survey templates (`surveys/`) and notebooks (`notebooks/`).

Both are found through `importlib.resources`, inside the installed package (`assessment/_shipped/`), never
through the repository layout. In the repository, `assessment/_shipped/surveys` and `.../notebooks` are
symlinks to the top-level `surveys/` and `notebooks/` folders (their source), so an editable install reads
them in place; a wheel holds the real files there (pyproject.toml maps the folders into the package).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def shipped(folder: str) -> Path:
    """The absolute, resolved folder of the kit's shipped `surveys` or `notebooks`."""
    return Path(str(files("assessment") / "_shipped" / folder)).resolve()


SURVEYS_DIR = shipped("surveys")
NOTEBOOKS_DIR = shipped("notebooks")
