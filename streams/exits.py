"""How the `geopulse` command stops: one line on stderr and a non-zero exit code, never a traceback.

Every command runs inside `one_line_errors()` (entered in the command line's root context, so before
typer's own handlers); a command that finds a problem itself calls `fail`. A reader that closes the
pipe early (`geopulse tail ... | head`) ends the command quietly with exit 0: it had what it wanted.
Exit codes: 2 for a problem with what the command was given or could reach (a setting, a file, the
broker), 1 for bad input records a command reported and skipped, 130 for Ctrl-C.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

from streams.errors import GeopulseError


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `geopulse: message` on stderr and exit with `code`."""
    typer.secho(f"geopulse: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn a GeopulseError into one line and exit 2, Ctrl-C into exit 130, a closed pipe into silence."""
    try:
        yield
    except GeopulseError as exc:
        typer.secho(f"geopulse: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # `geopulse tail ... | head`: the reader has gone, nothing to say
        # What stdout still buffers goes nowhere: Python's flush at exit would report the pipe again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
