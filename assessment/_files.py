"""Files that hold personal data or keys (respondent-level exports, invitation codes, uploads): readable by
their owner only, like the store itself."""

from __future__ import annotations

import os


def open_private(path, mode: str = "w"):
    """`path` opened for writing ("w" text, UTF-8, newline="" as csv wants; "wb" bytes), created 0600 and
    made 0600 if it already existed with a wider mode (creating sets the mode only for a new file)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
    except (AttributeError, OSError):   # no fchmod (Windows), or a file system without modes
        pass
    if "b" in mode:
        return os.fdopen(fd, mode)
    return os.fdopen(fd, mode, newline="", encoding="utf-8")
