"""What the CLI prints: tables or JSON on stdout; warnings, progress and errors on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 1) -> None:
    """One clear line on stderr, exit status `code` (text in square brackets such as `[/INST]` printed as is)."""
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def warn(issues: Iterable[object]) -> None:
    """One `warning:` line on stderr per input problem (`file:line: reason`)."""
    for issue in issues:
        errors.print(f"[yellow]warning:[/yellow] {escape(str(issue))}", highlight=False, soft_wrap=True)


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[..., None]]:
    """A transient progress bar on stderr; yields `update(**fields)` (total, completed, advance, description)."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=errors, transient=True) as progress:
        task = progress.add_task(description, total=None)
        yield lambda **fields: progress.update(task, **fields)


def print_counts(entities_by_type: dict[str, int], edges_by_type: dict[str, int]) -> None:
    """The two count lines of `kg build` and `kg stats`."""
    console.print("entities: " + ", ".join(f"{t} {n}" for t, n in entities_by_type.items()))
    console.print("edges: " + ", ".join(f"{t} {n}" for t, n in edges_by_type.items()))


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_rows(rows: list[dict], columns: list[str], title: str | None = None) -> None:
    """The rows as a table of the given columns (lists joined by commas)."""
    table = Table(title=title, show_lines=False, highlight=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(", ".join(v) if isinstance(v := row[c], list) else "" if v is None else str(v)
                        for c in columns))
    console.print(table)


def show_rows(rows: list[dict], as_json: bool, columns: list[str], title: str | None = None) -> None:
    """The rows as JSON for scripts (every field), else as a table."""
    if as_json:
        print_json(rows)
    else:
        print_rows(rows, columns, title)
