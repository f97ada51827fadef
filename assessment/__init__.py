"""Measure and improve the organisational and social work environment from Jupyter.

The kit scores four pillars of security at work (expectations, goals, visibility of results,
support & care) and the outcomes team security and engagement, per team and survey wave.
"""

from .exceptions import (AssessmentError, ImportRejected, ResponseRejected, StoreError, TemplateError,
                         UnknownNameError, WorkspaceError)
from .store import Response, Store
from .templates import Template, load_template, shipped_templates
from .workspace import Workspace

__version__ = "0.1.0"

__all__ = [
    "AssessmentError", "ImportRejected", "ResponseRejected", "StoreError", "TemplateError", "UnknownNameError",
    "WorkspaceError", "Response", "Store", "Template", "Workspace", "load_template", "shipped_templates",
]
