"""The Neo4j jobs: `kg load neo4j`, `kg export csv` (neo4j-admin import files) and the local server
(`kg neo4j start|stop|status`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kg.cli.app import export_app, load_app, neo4j_app
from kg.cli.options import DEFAULT_OUT, JsonOption, Neo4jConnection, neo4j_options, read_graph_file
from kg.cli.output import console, fail, print_json, progress_bar, warn

if TYPE_CHECKING:
    from loaders.neo4j import LoadSummary

DataOption = Annotated[Path | None, typer.Option("--data", help="Server data directory "
                                                    "(default $PAPER_KG_HOME/neo4j or ~/.local/share/paper-kg/neo4j).")]


@load_app.command(name="neo4j")
@neo4j_options
def load_neo4j(graph_path: Annotated[Path, typer.Argument(help="Build output directory or graph file.")] = DEFAULT_OUT,
               *, neo4j: Neo4jConnection,
               wipe: Annotated[bool, typer.Option("--wipe", help="Delete every Paper and Entity first.")] = False,
               bulk: Annotated[bool, typer.Option(
                   "--bulk", help="Replace the local database with neo4j-admin import (first loads).")] = False,
               data: DataOption = None,
               yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before --wipe or --bulk.")] = False,
               batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 10_000) -> None:
    """Make the database hold the graph: constraints and indexes first, then only the nodes and relationships
    that are new, changed or gone (--bulk: stop the local server, import, start it again)."""
    if bulk:
        _bulk_load(graph_path, neo4j, data, yes)
        return
    from loaders.neo4j import load_into_neo4j

    graph = read_graph_file(graph_path)
    uri, database = neo4j.uri, neo4j.database

    if wipe and not yes and not typer.confirm(f"Delete every Paper and Entity in {uri} ({database}) first?"):
        fail("not loaded: --wipe needs confirmation (or --yes)")
    with progress_bar("loading") as update:
        summary = load_into_neo4j(graph, uri, neo4j.user, neo4j.resolved_password(), database,
                                  batch_size=batch_size, wipe=wipe,
                                  on_progress=lambda done, total, what: update(completed=done, total=total,
                                                                               description=what))
    console.print(f"loaded {summary.nodes:,} nodes and {summary.relationships:,} relationships into {uri} "
                  f"({database}) in {summary.seconds:.1f}s: {_changes(summary)}", highlight=False)


def _bulk_load(graph_path: Path, neo4j: Neo4jConnection, data: Path | None, yes: bool) -> None:
    from loaders.neo4j_bulk import bulk_load, local_server_for

    local_server_for(neo4j.uri, data)  # a remote --uri fails here, before any reading or question
    graph = read_graph_file(graph_path)
    if not yes and not typer.confirm(f"Replace the whole database of {neo4j.uri} ({neo4j.database})?"):
        fail("not loaded: --bulk needs confirmation (or --yes)")
    with progress_bar("bulk import") as update:
        summary = bulk_load(graph, neo4j.uri, neo4j.user, neo4j.resolved_password(), neo4j.database, data,
                            on_step=lambda step: update(description=step))
    console.print(f"imported {summary.nodes:,} nodes and {summary.relationships:,} relationships into {neo4j.uri} "
                  f"({neo4j.database}) in {summary.seconds:.1f}s (neo4j-admin import {summary.import_seconds:.1f}s, "
                  f"server restart {summary.restart_seconds:.1f}s, indexes {summary.schema_seconds:.1f}s)",
                  highlight=False)


@export_app.command(name="csv")
def export_csv_files(graph_path: Annotated[Path, typer.Argument(
                         help="Build output directory or graph file.")] = DEFAULT_OUT,
                     out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the CSV files.")] = Path(
                         "neo4j-import")) -> None:
    """neo4j-admin import CSV files of the graph (what `kg load neo4j` writes), and neo4j-admin.args."""
    from loaders.neo4j_csv import ARGS_FILE, export_csv

    export = export_csv(read_graph_file(graph_path), out)
    if export.deferred:
        warn([f"{len(export.deferred):,} nodes or relationships have values CSV cannot hold (empty lists): left out; "
              "`kg load neo4j --bulk` sets them after importing"])
    console.print(f"wrote {export.nodes:,} nodes and {export.relationships:,} relationships in "
                  f"{len(export.node_files) + len(export.relationship_files)} files to {export.directory}; import "
                  f"them there with: neo4j-admin database import full neo4j --overwrite-destination @{ARGS_FILE}",
                  highlight=False)


def _changes(summary: LoadSummary) -> str:
    """What a load wrote: "12 nodes (10 new, 2 changed) and 40 relationships (40 new) written, 1 nodes deleted"."""
    def part(what: str, created: int, updated: int) -> str:
        details = [f"{created:,} new"] * bool(created) + [f"{updated:,} changed"] * bool(updated)
        return f"{created + updated:,} {what}" + (f" ({', '.join(details)})" if details else "")

    written = f"{part('nodes', summary.nodes_created, summary.nodes_updated)} and " \
              f"{part('relationships', summary.relationships_created, summary.relationships_updated)} written"
    deleted = [f"{n:,} {what}" for n, what in ((summary.nodes_deleted, "nodes"),
                                               (summary.relationships_deleted, "relationships")) if n]
    return written + (f", {' and '.join(deleted)} deleted" if deleted else "")


@neo4j_app.command(name="start")
def neo4j_start(port: Annotated[int, typer.Option("--port", help="Bolt port.")] = 7687,
                http_port: Annotated[int, typer.Option(
                    "--http-port", help="HTTP / Neo4j Browser port (0: off).")] = 7474,
                data: DataOption = None,
                password: Annotated[str | None, typer.Option("--password", envvar="NEO4J_PASSWORD")] = None) -> None:
    """Start (building it on first use) a local Neo4j; prints the Bolt URI and the Browser URL."""
    from loaders.neo4j_server import DEFAULT_PASSWORD, start_server

    info = start_server(port=port, data_dir=data, password=password or DEFAULT_PASSWORD, http_port=http_port or None)
    state = "already running" if info.already_running else "started"
    console.print(f"Neo4j {state}: {info.uri} (user {info.user}, data {info.data_dir})", highlight=False)
    if info.browser_url:
        console.print(f"Neo4j Browser: {info.browser_url}", highlight=False)


@neo4j_app.command(name="stop")
def neo4j_stop(data: DataOption = None) -> None:
    """Stop the local Neo4j."""
    from loaders.neo4j_server import stop_server

    console.print("stopped" if stop_server(data) else "not running")


@neo4j_app.command(name="status")
def neo4j_status(data: DataOption = None, as_json: JsonOption = False) -> None:
    """Is the local Neo4j running, and where."""
    from loaders.neo4j_server import server_status

    info = server_status(data)
    if as_json:
        print_json({k: str(v) if isinstance(v, Path) else v
                    for k, v in (info.to_dict() if info else {"running": False}).items() if k != "password"})
        return
    if info is None:
        console.print("not running")
        raise typer.Exit(1)
    console.print(f"running: {info.uri} (pid {info.pid}, responding {info.responding}, data {info.data_dir})"
                  + (f", Browser {info.browser_url}" if info.browser_url else ""), highlight=False)
