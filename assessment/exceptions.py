"""Errors the kit raises: one base class, so callers (and the CLI) can catch every user mistake."""


class AssessmentError(Exception):
    """Base class for every error the kit raises about input, templates, stores or workspaces."""


class TemplateError(AssessmentError):
    """A survey template is missing, malformed or inconsistent."""

    def __init__(self, problems, source=None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        self.source = source
        prefix = f"{source}: " if source else ""
        lines = [prefix + p for p in self.problems]
        super().__init__(lines[0] if len(lines) == 1 else f"{len(lines)} problems in the template:\n" + "\n".join(lines))


class StoreError(AssessmentError):
    """The response store cannot be opened or refuses a write."""


class WorkspaceError(AssessmentError):
    """A workspace folder is missing, incomplete or already exists."""


class UnknownNameError(AssessmentError):
    """A wave, team, scale or template name does not exist."""


class ImportRejected(AssessmentError):
    """An answer file was rejected; nothing from it was stored."""

    def __init__(self, source, problems):
        self.source = source
        self.problems = list(problems)
        shown = self.problems[:20]
        more = len(self.problems) - len(shown)
        text = f"{source}: rejected, nothing was stored ({len(self.problems)} problem(s)):\n" + "\n".join(f"  {p}" for p in shown)
        if more:
            text += f"\n  ... and {more} more"
        super().__init__(text)


class ResponseRejected(AssessmentError):
    """A form submission failed validation; nothing was stored."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))
