"""The Typer application and the one place where paper-kg's errors become a one-line message."""

from __future__ import annotations

import signal
import threading

import typer
from typer.core import TyperGroup

from kg.cli.output import fail, warn
from kg.errors import KgError


class KgGroup(TyperGroup):
    """The root command group: a `KgError` raised by any command (sub-groups included) is printed as
    one `error:` line on stderr with exit status 1, never a traceback. SIGTERM is handled as Ctrl-C
    (KeyboardInterrupt, so outputs being written are cleaned up) and either ends in one line with
    status 128 + the signal number."""

    def invoke(self, ctx):
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            return super().invoke(ctx)
        except KgError as exc:
            warn(getattr(exc, "issues", ()))  # what made the inputs unreadable, one line each
            fail(str(exc))
        except KeyboardInterrupt as exc:
            name = str(exc) or "SIGINT"
            fail(f"interrupted ({name}){getattr(exc, 'detail', '')}", code=128 + signal.Signals[name].value)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def _terminate(signum: int, _frame) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


app = typer.Typer(cls=KgGroup,
                  help="paper-kg: a knowledge graph of ML papers linked through the entities they share.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
load_app = typer.Typer(help="Load a built graph into a database.", no_args_is_help=True)
export_app = typer.Typer(help="Write a built graph in another tool's format.", no_args_is_help=True)
neo4j_app = typer.Typer(help="Run a local Neo4j Community server (Java 17+ and Maven).", no_args_is_help=True)
app.add_typer(load_app, name="load")
app.add_typer(export_app, name="export")
app.add_typer(neo4j_app, name="neo4j")
