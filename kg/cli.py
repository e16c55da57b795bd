"""The `kg` command line: thin Typer wrappers over the library; no logic of its own."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg import query
from kg.model import ENTITY_TYPES

app = typer.Typer(help="paper-kg: a knowledge graph of ML papers linked through the entities they share.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
console = Console()
errors = Console(stderr=True)

DEFAULT_OUT = Path("out")
GraphOption = Annotated[Path, typer.Option("--graph", "-g", help="Build output directory or graph file.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
TypeOption = Annotated[Optional[str], typer.Option("--type", "-t", help="model|method|dataset|benchmark|task")]


def fail(message: str) -> None:
    """One clear line on stderr, exit status 1."""
    errors.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def check_type(entity_type: str | None) -> None:
    if entity_type and entity_type not in ENTITY_TYPES:
        fail(f"unknown type {entity_type!r}; choose one of {', '.join(ENTITY_TYPES)}")


def load_graph(path: Path):
    from loaders.files import read_graph

    try:
        return read_graph(path)
    except (OSError, ValueError) as exc:
        fail(str(exc))


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_rows(rows: list[dict], columns: list[str], title: str | None = None) -> None:
    table = Table(title=title, show_lines=False, highlight=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(", ".join(v) if isinstance(v := row[c], list) else "" if v is None else str(v)
                        for c in columns))
    console.print(table)


def run_query(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except query.NotFound as exc:
        fail(str(exc))


@app.command()
def build(inputs: Annotated[list[Path], typer.Argument(help="Input files or directories.")] = [Path("seeds")],
          out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = DEFAULT_OUT) -> None:
    """Read, extract and link papers; write graph.graphml, graph.gexf, graph.json and papers.jsonl."""
    from kg.build import build as run_build
    from kg.readers import InputError

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=errors, transient=True) as progress:
        task = progress.add_task("reading", total=None)
        try:
            _, summary = run_build(
                inputs, out,
                on_start=lambda n: progress.update(task, description="extracting (2 passes)", total=n),
                on_paper=lambda: progress.advance(task))
        except InputError as exc:
            fail(str(exc))
    for issue in summary.issues:
        errors.print(f"[yellow]warning:[/yellow] {issue}", highlight=False, soft_wrap=True)
    console.print(f"records read {summary.records_read}, duplicate papers merged {summary.duplicates_merged}, "
                  f"unique papers {summary.unique_papers}")
    console.print("entities: " + ", ".join(f"{t} {n}" for t, n in summary.entities_by_type.items()))
    console.print("edges: " + ", ".join(f"{t} {n}" for t, n in summary.edges_by_type.items()))
    console.print(f"wrote {', '.join(str(p) for p in summary.outputs)} in {summary.seconds:.1f}s")


@app.command()
def extract(inputs: Annotated[list[Path], typer.Argument(help="Input files or directories.")],
            output: Annotated[Path, typer.Option("--output", "-o", help="JSONL to write.")] = Path("papers.jsonl")) -> None:
    """Extract entities: one JSON object per unique paper (the stable extract contract)."""
    from kg.extract.pipeline import extract_papers
    from kg.readers import InputError, read_papers
    from loaders.files import write_extractions

    try:
        read = read_papers(inputs)
    except InputError as exc:
        fail(str(exc))
    for issue in read.issues:
        errors.print(f"[yellow]warning:[/yellow] {issue}", highlight=False, soft_wrap=True)
    corpus = extract_papers(read.papers)
    write_extractions(corpus, output)
    console.print(f"{len(corpus)} papers, {sum(len(c.entities) for c in corpus)} entity links -> {output}")


@app.command(name="eval")
def evaluate(gold: Annotated[Path, typer.Option("--gold", help="Gold annotations (JSONL).")],
             pred: Annotated[Optional[Path], typer.Option("--pred", help="Predictions from `kg extract`; "
                                                           "default: extract the gold papers now.")] = None,
             errors_shown: Annotated[int, typer.Option("--errors", help="Show N misses, false hits, type and role errors.")] = 0,
             as_json: JsonOption = False) -> None:
    """Precision, recall and F1 against gold annotations, role accuracy and cross-paper linking."""
    from kg.evaluate import evaluate as score, read_gold
    from kg.extract.pipeline import extract_papers
    from kg.model import Paper
    from kg.readers import paper_id_for
    from loaders.files import read_extractions

    if not gold.exists():
        fail(f"{gold}: no such file")
    gold_papers = read_gold(gold)
    if pred is not None:
        predictions = read_extractions(pred)
    else:
        records = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
        predictions = extract_papers([Paper(id=paper_id_for(r["title"]), title=r["title"], abstract=r["abstract"])
                                      for r in records])
    report = score(gold_papers, predictions)
    if as_json:
        print_json(report.to_json())
        return
    table = Table(title=f"kg eval on {report.papers} papers", highlight=False)
    for column in ("type", "P", "R", "F1", "untyped P", "R ", "F1 ", "gold", "pred"):
        table.add_column(column, justify="right" if column != "type" else "left")
    rows = [(t, report.typed[t], report.untyped[t]) for t in ENTITY_TYPES]
    rows.append(("overall", report.overall(True), report.overall(False)))
    for name, typed, untyped in rows:
        table.add_row(name, *(f"{v:.3f}" for v in (typed.precision, typed.recall, typed.f1,
                                                      untyped.precision, untyped.recall, untyped.f1)),
                      str(typed.gold), str(typed.predicted))
    console.print(table)
    console.print("overall = model, method, dataset, benchmark (micro); task reported apart")
    console.print(f"role accuracy {report.role_accuracy:.3f} on {report.role_total} matched entities; "
                  f"linking precision {report.link_precision:.3f}, recall {report.link_recall:.3f}")
    if report.missing_papers:
        console.print(f"[yellow]{len(report.missing_papers)} gold papers not in the predictions[/yellow]")
    if errors_shown:
        for label, items in (("misses", report.misses), ("false hits", report.false_hits),
                             ("type errors", report.type_errors), ("role errors", report.role_errors)):
            console.print(f"\n[bold]{label}[/bold] ({len(items)})")
            for line in items[:errors_shown]:
                console.print(line, highlight=False, markup=False, soft_wrap=True)


@app.command(name="papers-using")
def papers_using(name: Annotated[str, typer.Argument(help="Entity name or alias, any case.")],
                 graph_path: GraphOption = DEFAULT_OUT, entity_type: TypeOption = None,
                 as_json: JsonOption = False,
                 html_out: Annotated[Optional[Path], typer.Option(
                     "--html", help="Also write the entity's neighbourhood as an interactive page.")] = None,
                 max_nodes: Annotated[int, typer.Option("--max-nodes", min=1, help="Node budget of --html.")] = 300,
                 ) -> None:
    """Papers that propose, use or mention an entity, with the evidence sentence."""
    check_type(entity_type)
    graph = load_graph(graph_path)
    rows = run_query(query.papers_using, graph, name, entity_type)
    if html_out is not None:
        from loaders.html import select_subgraph

        selection = run_query(select_subgraph, graph, focus=name, depth=1, max_nodes=max_nodes)
        write_page(selection, html_out, f"papers using {name}")
    if as_json:
        print_json(rows)
        return
    print_rows(rows, ["title", "role", "entity", "evidence"], title=f"papers using {name} ({len(rows)})")


def write_page(selection, output: Path, title: str) -> None:
    """Write an HTML page for a selection and say what it holds and left out."""
    from loaders.html import write_html

    report = write_html(selection, output, title=title)
    errors.print(f"wrote {report.path} ({report.nodes} nodes, {report.edges} edges)", highlight=False)
    if report.omitted:  # names come from the input: no rich markup
        errors.print(report.summary, style="yellow", markup=False, highlight=False, soft_wrap=True)


@app.command()
def html(graph_path: Annotated[Path, typer.Argument(help="Build output directory or graph file.")] = DEFAULT_OUT,
         output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path("graph.html"),
         focus: Annotated[Optional[str], typer.Option(
             "--focus", "-f", help="Entity name/alias or paper id/title to centre on.")] = None,
         depth: Annotated[int, typer.Option("--depth", "-d", min=0, help="Hops around --focus.")] = 1,
         types: Annotated[Optional[str], typer.Option(
             "--types", help="Entity types to show, comma-separated (model,dataset).")] = None,
         min_papers: Annotated[int, typer.Option("--min-papers", min=1, help="Hide entities in fewer papers.")] = 1,
         max_nodes: Annotated[int, typer.Option("--max-nodes", min=1,
                                                help="Node budget; the most connected entities are kept.")] = 300,
         ) -> None:
    """Interactive, offline HTML view of the graph (pyvis / vis-network)."""
    from loaders.html import select_subgraph

    wanted = {t.strip() for t in types.split(",") if t.strip()} if types else None
    for entity_type in wanted or ():
        check_type(entity_type)
    selection = run_query(select_subgraph, load_graph(graph_path), focus=focus, depth=depth, types=wanted,
                          min_papers=min_papers, max_nodes=max_nodes)
    write_page(selection, output, f"paper-kg: {focus}" if focus else "paper-kg graph")


@app.command()
def entities(entity_type: TypeOption = None, top: Annotated[int, typer.Option("--top", "-n")] = 20,
             graph_path: GraphOption = DEFAULT_OUT, as_json: JsonOption = False) -> None:
    """The most linked entities, optionally of one type."""
    check_type(entity_type)
    rows = query.top_entities(load_graph(graph_path), entity_type, top)
    if as_json:
        print_json(rows)
        return
    print_rows(rows, ["entity", "type", "paper_count", "aliases"])


@app.command()
def paper(paper_ref: Annotated[str, typer.Argument(metavar="PAPER", help="Paper id or title.")],
          graph_path: GraphOption = DEFAULT_OUT, as_json: JsonOption = False) -> None:
    """What a paper proposes, uses and mentions."""
    rows = run_query(query.paper_entities, load_graph(graph_path), paper_ref)
    if as_json:
        print_json(rows)
        return
    title = rows[0]["title"] if rows else paper_ref
    print_rows(rows, ["role", "entity", "type", "evidence"], title=title)


@app.command()
def related(paper_ref: Annotated[str, typer.Argument(metavar="PAPER", help="Paper id or title.")],
            top: Annotated[int, typer.Option("--top", "-n")] = 10,
            graph_path: GraphOption = DEFAULT_OUT, as_json: JsonOption = False) -> None:
    """Papers sharing the most entities with a paper, rare entities weighing more (IDF)."""
    rows = run_query(query.related_papers, load_graph(graph_path), paper_ref, top)
    if as_json:
        print_json(rows)
        return
    print_rows(rows, ["title", "weight", "shared"])


@app.command()
def stats(graph_path: GraphOption = DEFAULT_OUT, as_json: JsonOption = False) -> None:
    """Counts of papers, entities by type and edges by type."""
    data = query.graph_stats(load_graph(graph_path))
    if as_json:
        print_json(data)
        return
    console.print(f"papers {data['papers']}, entities {data['entities']}")
    console.print("entities: " + ", ".join(f"{t} {n}" for t, n in data["entities_by_type"].items()))
    console.print("edges: " + ", ".join(f"{t} {n}" for t, n in data["edges_by_type"].items()))


if __name__ == "__main__":
    app()
