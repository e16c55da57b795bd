"""The questions: `kg papers-using`, `entities`, `paper`, `related`, `stats`, `cooccurring`,
`building-on`, `path` (each from the graph files or, with --neo4j, from Neo4j) and `kg html`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.app import app
from kg.cli.options import (
    DEFAULT_OUT,
    BackendOptions,
    JsonOption,
    TypeOption,
    backend_options,
    check_type,
    read_graph_file,
)
from kg.cli.output import console, errors, print_counts, print_json, show_rows
from kg.query.subgraph import Selection

PaperArgument = Annotated[str, typer.Argument(metavar="PAPER", help="Paper id or title.")]


@app.command(name="papers-using")
@backend_options
def papers_using(name: Annotated[str, typer.Argument(help="Entity name or alias, any case.")],
                 backend: BackendOptions, entity_type: TypeOption = None, as_json: JsonOption = False,
                 html_out: Annotated[Path | None, typer.Option(
                     "--html", help="Also write the entity's neighbourhood as an interactive page.")] = None,
                 max_nodes: Annotated[int, typer.Option("--max-nodes", min=1, help="Node budget of --html.")] = 300,
                 ) -> None:
    """Papers that propose, use or mention an entity, with the evidence sentence."""
    from kg.atomic import check_output_file
    from kg.query.subgraph import select_subgraph

    check_type(entity_type)
    if html_out is not None:
        check_output_file(html_out)
    with backend.open() as queries:
        rows = queries.papers_using(name, entity_type)
    if html_out is not None:
        selection = select_subgraph(read_graph_file(backend.graph_path), focus=name, depth=1, max_nodes=max_nodes)
        write_page(selection, html_out, f"papers using {name}")
    show_rows(rows, as_json, ["title", "role", "entity", "evidence"], title=f"papers using {name} ({len(rows)})")


def write_page(selection: Selection, output: Path, title: str) -> None:
    """Write an HTML page for a selection and say what it holds and left out."""
    from loaders.html import write_html

    report = write_html(selection, output, title=title)
    errors.print(f"wrote {report.path} ({report.nodes} nodes, {report.edges} edges)", highlight=False)
    if report.omitted:  # names come from the input: no rich markup
        errors.print(report.summary, style="yellow", markup=False, highlight=False, soft_wrap=True)


@app.command()
def html(graph_path: Annotated[Path, typer.Argument(help="Build output directory or graph file.")] = DEFAULT_OUT,
         output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path("graph.html"),
         focus: Annotated[str | None, typer.Option(
             "--focus", "-f", help="Entity name/alias or paper id/title to centre on.")] = None,
         depth: Annotated[int, typer.Option("--depth", "-d", min=0, help="Hops around --focus.")] = 1,
         types: Annotated[str | None, typer.Option(
             "--types", help="Entity types to show, comma-separated (model,dataset).")] = None,
         min_papers: Annotated[int, typer.Option("--min-papers", min=1, help="Hide entities in fewer papers.")] = 1,
         max_nodes: Annotated[int, typer.Option("--max-nodes", min=1,
                                                help="Node budget; the most connected entities are kept.")] = 300,
         ) -> None:
    """Interactive, offline HTML view of the graph (pyvis / vis-network)."""
    from kg.atomic import check_output_file
    from kg.query.subgraph import select_subgraph

    check_output_file(output)
    wanted = {t.strip() for t in types.split(",") if t.strip()} if types else None
    for entity_type in wanted or ():
        check_type(entity_type)
    selection = select_subgraph(read_graph_file(graph_path), focus=focus, depth=depth, types=wanted,
                                min_papers=min_papers, max_nodes=max_nodes)
    write_page(selection, output, f"paper-kg: {focus}" if focus else "paper-kg graph")


@app.command()
@backend_options
def entities(backend: BackendOptions, entity_type: TypeOption = None,
             top: Annotated[int, typer.Option("--top", "-n")] = 20, as_json: JsonOption = False) -> None:
    """The most linked entities, optionally of one type."""
    check_type(entity_type)
    with backend.open() as queries:
        rows = queries.top_entities(entity_type, top)
    show_rows(rows, as_json, ["entity", "type", "paper_count", "aliases"])


@app.command()
@backend_options
def paper(paper_ref: PaperArgument, backend: BackendOptions, as_json: JsonOption = False) -> None:
    """What a paper proposes, uses and mentions."""
    with backend.open() as queries:
        rows = queries.paper_entities(paper_ref)
    title = rows[0]["title"] if rows else paper_ref
    show_rows(rows, as_json, ["role", "entity", "type", "evidence"], title=title)


@app.command()
@backend_options
def related(paper_ref: PaperArgument, backend: BackendOptions,
            top: Annotated[int, typer.Option("--top", "-n")] = 10, as_json: JsonOption = False) -> None:
    """Papers sharing the most entities with a paper, rare entities weighing more (IDF)."""
    with backend.open() as queries:
        rows = queries.related_papers(paper_ref, top)
    show_rows(rows, as_json, ["title", "weight", "shared"])


@app.command()
@backend_options
def stats(backend: BackendOptions, as_json: JsonOption = False) -> None:
    """Counts of papers, entities by type and edges by type."""
    with backend.open() as queries:
        data = queries.graph_stats()
    if as_json:
        print_json(data)
        return
    console.print(f"papers {data['papers']}, entities {data['entities']}")
    print_counts(data["entities_by_type"], data["edges_by_type"])


@app.command()
@backend_options
def cooccurring(name: Annotated[str, typer.Argument(help="Entity name or alias.")], backend: BackendOptions,
                top: Annotated[int, typer.Option("--top", "-n")] = 20, as_json: JsonOption = False) -> None:
    """Entities that appear in the same papers as X."""
    with backend.open() as queries:
        rows = queries.cooccurring_entities(name, top)
    show_rows(rows, as_json, ["entity", "type", "papers"], title=f"entities co-occurring with {name}")


@app.command(name="building-on")
@backend_options
def building_on(paper_ref: PaperArgument, backend: BackendOptions, as_json: JsonOption = False) -> None:
    """Papers that use what a paper proposes."""
    with backend.open() as queries:
        rows = queries.papers_building_on(paper_ref)
    show_rows(rows, as_json, ["title", "via"], title="papers building on it")


@app.command()
@backend_options
def path(source: Annotated[str, typer.Argument(help="First entity.")],
         target: Annotated[str, typer.Argument(help="Second entity.")],
         backend: BackendOptions, as_json: JsonOption = False) -> None:
    """The shortest connections between two entities through papers."""
    with backend.open() as queries:
        rows = queries.shortest_connection(source, target)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(f"No connection between {source!r} and {target!r}.", markup=False)
    for row in rows:
        console.print(f"{row['hops']} hops: " + " -> ".join(row["path"]), markup=False, highlight=False)
