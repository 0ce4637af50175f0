"""The ``citygraph`` command (and ``python -m citygraph``).

``citygraph serve …`` is dispatched here without importing :mod:`citygraph.cli`, which imports
every command's modules (publication, layers, analysis, maps: half a second of start-up a server
does not need); every other command goes to the full CLI.
"""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        import typer  # noqa: PLC0415

        from citygraph.errors import CityGraphError  # noqa: PLC0415
        from citygraph.server import serve  # noqa: PLC0415

        command = typer.main.get_command(_single(serve))
        try:
            command.main(args=sys.argv[2:], prog_name="citygraph serve")
        except CityGraphError as exc:  # as the full CLI does: one line, the documented exit code
            typer.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        return
    from citygraph.cli import app  # noqa: PLC0415

    app()


def _single(function: object) -> object:
    import typer  # noqa: PLC0415

    app = typer.Typer(add_completion=False)
    app.command()(function)
    return app


if __name__ == "__main__":
    main()
