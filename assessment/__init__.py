"""Measure and improve the organisational and social work environment from Jupyter.

The kit scores four pillars of security at work (expectations, goals, visibility of results,
support & care) and the outcomes team security and engagement, per team and survey wave.

From Python (README, "Use it from Python"):

>>> import assessment
>>> ws = assessment.Workspace("demo-workspace")
>>> results = ws.results()
>>> results.table("team")            # tidy frame: columns in assessment.COLUMNS["scores"]
"""

from .exceptions import (AssessmentError, ImportRejected, ResponseRejected, StoreError, TemplateError,
                         UnknownNameError, WorkspaceError)
from .store import Response, Store
from .templates import Template, load_template, shipped_templates
from .workspace import Workspace

__version__ = "0.1.0"


def __getattr__(name):
    # Results and COLUMNS load scipy and the scoring code: only when asked for, so `assessment` and the
    # CLI start fast
    if name in ("Results", "COLUMNS"):
        from . import analysis
        return getattr(analysis, name)
    raise AttributeError(f"module 'assessment' has no attribute {name!r}")

__all__ = [
    "AssessmentError", "ImportRejected", "ResponseRejected", "StoreError", "TemplateError", "UnknownNameError",
    "WorkspaceError", "Response", "Store", "Template", "Workspace", "Results", "COLUMNS", "load_template",
    "shipped_templates",
]
