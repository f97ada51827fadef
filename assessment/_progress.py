"""Progress bars for long work: imports, exports, report batches, the demo and the benchmark (issue 17).

A 125,000-respondent import or a 200-team report batch takes seconds to minutes; without a sign of
life people interrupt it. `progress()` is tqdm with the kit's rules in one place, so every caller
behaves alike: a text bar with counts and the time left on a terminal (on stderr: stdout carries
the lines people and scripts parse, such as "wrote PATH"), a widget inside a Jupyter kernel, and
nothing at all when stderr is not a terminal (a pipe, a log file, a test) or when the caller asks
for quiet (`quiet=True`, the CLI's --quiet, or ASSESSMENT_QUIET=1 in the environment for scripts and
CI that cannot pass an argument). `quiet=None` means "decide automatically".
"""

from __future__ import annotations

import importlib
import io
import os
import sys

QUIET_VARIABLE = "ASSESSMENT_QUIET"   # set to 1 (or anything but "" and "0") to silence every bar


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (IPython's shell there has a `kernel`). IPython is only
    looked up when already imported: a kernel has always imported it, and a command-line run should
    not pay for importing it."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # noqa: BLE001 - a broken or partial IPython is simply "not a notebook"
        return False
    return shell is not None and hasattr(shell, "kernel")


def _quiet_by_environment() -> bool:
    return os.environ.get(QUIET_VARIABLE, "").strip() not in ("", "0")


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):   # no isatty, or a closed file
        return False


def _columns(stream) -> int | None:
    """The width of the terminal behind `stream`, or None when it has none."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return None


def shown(quiet: bool | None = None, stream=None) -> bool:
    """Whether a bar is shown: never when `quiet` (or, with quiet=None, ASSESSMENT_QUIET); otherwise in a
    notebook kernel, or when `stream` (default: stderr) is a terminal."""
    if quiet is None:
        quiet = _quiet_by_environment()
    if quiet:
        return False
    if stream is None and in_notebook():
        return True
    return _is_terminal(sys.stderr if stream is None else stream)


def bar_class(notebook: bool | None = None):
    """The tqdm class to use: the widget (tqdm.notebook) inside a Jupyter kernel, the text bar elsewhere
    (also in a kernel without ipywidgets, where the widget cannot be drawn)."""
    if notebook is None:
        notebook = in_notebook()
    if notebook:
        try:
            importlib.import_module("ipywidgets")   # the widget needs it; tqdm.notebook alone would only warn
            from tqdm.notebook import tqdm as widget
            return widget
        except ImportError:
            pass
    from tqdm import tqdm as text_bar
    return text_bar


def progress(iterable=None, total: int | None = None, desc: str | None = None, unit: str = "it",
             quiet: bool | None = None, file=None, **options):
    """A tqdm bar (use it as tqdm: iterate over it, or `update(n)` and `close()`; it is a context manager),
    disabled (a silent pass-through) unless `shown(quiet, file)`. Counts and the time left are shown when
    the total is known. `file`: the stream for the text bar (default: stderr at the time of the call)."""
    enabled = shown(quiet, file)
    notebook = enabled and file is None and in_notebook()
    cls = bar_class(notebook)
    if not notebook:
        options["file"] = sys.stderr if file is None else file
        if enabled and _columns(options["file"]) == 0:   # a pseudo-terminal that reports no size: tqdm would
            options.setdefault("ncols", 80)              # draw nothing
            options.setdefault("nrows", 24)
    if "ncols" not in options:
        options.setdefault("dynamic_ncols", True)        # follow the window when it is resized
    return cls(iterable, total=total, desc=desc, unit=unit, disable=not enabled, **options)


__all__ = ["progress", "shown", "in_notebook", "bar_class", "QUIET_VARIABLE"]
