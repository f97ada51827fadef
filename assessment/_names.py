"""Matching names people type (teams, scales, statuses) against the ones the kit knows.

People type `kundtjanst` for `Kundtjänst` and `Expectations` for `expectations`: a name that
matches one known name when case, diacritics and surrounding spaces are ignored is that name;
anything else gets a "did you mean" hint in the error."""

from __future__ import annotations

import difflib
import unicodedata


def fold(text) -> str:
    """Lower case, no diacritics, no surrounding or repeated spaces: how names are compared."""
    decomposed = unicodedata.normalize("NFKD", " ".join(str(text).split()).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def resolve(name, choices) -> str | None:
    """The one known name `name` stands for (exactly, or once folded), else None."""
    choices = list(choices)
    if name in choices:
        return name
    matches = [c for c in choices if fold(c) == fold(name)]
    return matches[0] if len(set(matches)) == 1 else None


def did_you_mean(name, choices) -> str:
    """'; did you mean 'X'?' for the closest known names, or '' when none is close."""
    choices = list(dict.fromkeys(choices))
    same = resolve(name, choices)
    if same is not None:    # the same name but for case, diacritics or spacing: that one alone
        return f"; did you mean {same!r}?"
    folded = {}
    for choice in choices:
        folded.setdefault(fold(choice), choice)
    close = difflib.get_close_matches(fold(name), list(folded), n=3, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(folded[c]) for c in close) + "?"


QUOTE_WIDTH = 40


def quote(value, width: int = QUOTE_WIDTH) -> str:
    """repr() of a value from a file, a form or a request, cut to `width` characters ('…' marks the cut): an
    error names what it refers to, but never echoes a whole (possibly 5 MB) cell."""
    if not isinstance(value, str):
        text = repr(value)
        return text if len(text) <= width else text[:width] + "…"
    return repr(value if len(value) <= width else value[:width] + "…")


def short(value, width: int = QUOTE_WIDTH) -> str:
    """A value as text (not quoted), cut like `quote`."""
    text = str(value)
    return text if len(text) <= width else text[:width] + "…"
