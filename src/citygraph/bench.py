"""``citygraph bench``: the benchmark orchestrator (``bench/run.py`` in the project checkout).

The benchmarks live beside the package, not in it (they need the bench extra and the
repository's ``bench/`` folder); this command runs the same orchestrator as ``make bench``.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Annotated, Optional

import typer

from citygraph.config import Settings


def bench_command(
    smoke: Annotated[bool, typer.Option(help="S only, one repetition (a quick check)")] = False,
    parts: Annotated[Optional[str], typer.Option(
        help="comma-separated parts: load, queries, startup, validation, analysis, http")] = None,
    xl: Annotated[bool, typer.Option(help="add XL (10^7 quads); not in the default run")] = False,
    out: Annotated[Optional[str], typer.Option(help="results directory (default bench/results)")] = None,
) -> None:
    """Run the benchmarks (bench/run.py): results in bench/results/*.json and SUMMARY.md."""
    script = Settings.from_env().home / "bench" / "run.py"
    if not script.exists():
        typer.echo(f"{script} is not there: `citygraph bench` runs from a checkout of the project", err=True)
        raise typer.Exit(2)
    argv = [sys.executable, str(script)]
    argv += ["--smoke"] if smoke else []
    argv += ["--xl"] if xl else []
    argv += ["--parts", parts] if parts else []
    argv += ["--out", out] if out else []
    raise typer.Exit(subprocess.call(argv))
