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


Neo4jFlag = Annotated[bool, typer.Option("--neo4j", help="Ask a Neo4j server (queries/*.cypher) instead of the files.")]
UriOption = Annotated[str, typer.Option("--uri", envvar="NEO4J_URI", help="Neo4j Bolt URI.")]
UserOption = Annotated[str, typer.Option("--user", envvar="NEO4J_USER", help="Neo4j user.")]
PasswordOption = Annotated[Optional[str], typer.Option(
    "--password", envvar="NEO4J_PASSWORD", help="Neo4j password (default: the local server's).")]
DatabaseOption = Annotated[str, typer.Option("--database", envvar="NEO4J_DATABASE", help="Neo4j database.")]
DEFAULT_URI = "bolt://127.0.0.1:7687"


def neo4j_password(password: str | None) -> str:
    """The given password, else the running local server's, else the local server's default."""
    if password:
        return password
    from loaders.neo4j_server import DEFAULT_PASSWORD, server_status

    info = server_status()
    return info.password if info else DEFAULT_PASSWORD


def backend(graph_path: Path, use_neo4j: bool, uri: str, user: str, password: str | None, database: str):
    """The query backend: the NetworkX graph files, or a Neo4j server running queries/*.cypher."""
    if not use_neo4j:
        return query.GraphQueries(load_graph(graph_path))
    from loaders.neo4j import Neo4jLoadError, Neo4jQueries

    try:
        return Neo4jQueries(uri, user, neo4j_password(password), database)
    except Neo4jLoadError as exc:
        fail(str(exc))


def ask(source, question: str, *args) -> list[dict]:
    """Run one question on a backend; not-found and server errors become one clear line."""
    from loaders.neo4j import Neo4jLoadError

    with source:
        try:
            return getattr(source, question)(*args)
        except (query.NotFound, Neo4jLoadError) as exc:
            fail(str(exc))


def run_query(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except query.NotFound as exc:
        fail(str(exc))


@app.command()
def build(inputs: Annotated[list[Path], typer.Argument(help="Input files or directories.")] = [Path("seeds")],
          out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = DEFAULT_OUT) -> None:
    """Read, extract and link papers; write graph.graphml, graph.gexf, graph.json and papers.jsonl."""
    from rich.markup import escape

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
            for issue in getattr(exc, "issues", ()):
                errors.print(f"[yellow]warning:[/yellow] {escape(str(issue))}", highlight=False, soft_wrap=True)
            fail(escape(str(exc)))
    for issue in summary.issues:
        errors.print(f"[yellow]warning:[/yellow] {escape(str(issue))}", highlight=False, soft_wrap=True)
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
    from rich.markup import escape

    from kg.readers import InputError, read_papers
    from loaders.files import write_extractions

    try:
        read = read_papers(inputs)
    except InputError as exc:
        fail(str(exc))
    for issue in read.issues:
        errors.print(f"[yellow]warning:[/yellow] {escape(str(issue))}", highlight=False, soft_wrap=True)
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
                 neo4j: Neo4jFlag = False, uri: UriOption = DEFAULT_URI, user: UserOption = "neo4j",
                 password: PasswordOption = None, database: DatabaseOption = "neo4j") -> None:
    """Papers that propose, use or mention an entity, with the evidence sentence."""
    check_type(entity_type)
    rows = ask(backend(graph_path, neo4j, uri, user, password, database), "papers_using", name, entity_type)
    if html_out is not None:
        from loaders.html import select_subgraph

        selection = run_query(select_subgraph, load_graph(graph_path), focus=name, depth=1, max_nodes=max_nodes)
        write_page(selection, html_out, f"papers using {name}")
    show_rows(rows, as_json, ["title", "role", "entity", "evidence"], title=f"papers using {name} ({len(rows)})")


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
             graph_path: GraphOption = DEFAULT_OUT, as_json: JsonOption = False,
             neo4j: Neo4jFlag = False, uri: UriOption = DEFAULT_URI, user: UserOption = "neo4j",
             password: PasswordOption = None, database: DatabaseOption = "neo4j") -> None:
    """The most linked entities, optionally of one type."""
    check_type(entity_type)
    rows = ask(backend(graph_path, neo4j, uri, user, password, database), "top_entities", entity_type, top)
    show_rows(rows, as_json, ["entity", "type", "paper_count", "aliases"])


@app.command()
def paper(paper_ref: Annotated[str, typer.Argument(metavar="PAPER", help="Paper id or title.")],
          graph_path: GraphOption = DEFAULT_OUT, as_json: JsonOption = False,
          neo4j: Neo4jFlag = False, uri: UriOption = DEFAULT_URI, user: UserOption = "neo4j",
          password: PasswordOption = None, database: DatabaseOption = "neo4j") -> None:
    """What a paper proposes, uses and mentions."""
    rows = ask(backend(graph_path, neo4j, uri, user, password, database), "paper_entities", paper_ref)
    title = rows[0]["title"] if rows else paper_ref
    show_rows(rows, as_json, ["role", "entity", "type", "evidence"], title=title)


@app.command()
def related(paper_ref: Annotated[str, typer.Argument(metavar="PAPER", help="Paper id or title.")],
            top: Annotated[int, typer.Option("--top", "-n")] = 10,
            graph_path: GraphOption = DEFAULT_OUT, as_json: JsonOption = False,
            neo4j: Neo4jFlag = False, uri: UriOption = DEFAULT_URI, user: UserOption = "neo4j",
            password: PasswordOption = None, database: DatabaseOption = "neo4j") -> None:
    """Papers sharing the most entities with a paper, rare entities weighing more (IDF)."""
    rows = ask(backend(graph_path, neo4j, uri, user, password, database), "related_papers", paper_ref, top)
    show_rows(rows, as_json, ["title", "weight", "shared"])


@app.command()
def stats(graph_path: GraphOption = DEFAULT_OUT, as_json: JsonOption = False,
          neo4j: Neo4jFlag = False, uri: UriOption = DEFAULT_URI, user: UserOption = "neo4j",
          password: PasswordOption = None, database: DatabaseOption = "neo4j") -> None:
    """Counts of papers, entities by type and edges by type."""
    data = ask(backend(graph_path, neo4j, uri, user, password, database), "graph_stats")
    if as_json:
        print_json(data)
        return
    console.print(f"papers {data['papers']}, entities {data['entities']}")
    console.print("entities: " + ", ".join(f"{t} {n}" for t, n in data["entities_by_type"].items()))
    console.print("edges: " + ", ".join(f"{t} {n}" for t, n in data["edges_by_type"].items()))



@app.command()
def cooccurring(name: Annotated[str, typer.Argument(help="Entity name or alias.")],
                top: Annotated[int, typer.Option("--top", "-n")] = 20,
                graph_path: GraphOption = DEFAULT_OUT, as_json: JsonOption = False,
                neo4j: Neo4jFlag = False, uri: UriOption = DEFAULT_URI, user: UserOption = "neo4j",
                password: PasswordOption = None, database: DatabaseOption = "neo4j") -> None:
    """Entities that appear in the same papers as X."""
    rows = ask(backend(graph_path, neo4j, uri, user, password, database), "cooccurring_entities", name, top)
    show_rows(rows, as_json, ["entity", "type", "papers"], title=f"entities co-occurring with {name}")


@app.command(name="building-on")
def building_on(paper_ref: Annotated[str, typer.Argument(metavar="PAPER", help="Paper id or title.")],
                graph_path: GraphOption = DEFAULT_OUT, as_json: JsonOption = False,
                neo4j: Neo4jFlag = False, uri: UriOption = DEFAULT_URI, user: UserOption = "neo4j",
                password: PasswordOption = None, database: DatabaseOption = "neo4j") -> None:
    """Papers that use what a paper proposes."""
    rows = ask(backend(graph_path, neo4j, uri, user, password, database), "papers_building_on", paper_ref)
    show_rows(rows, as_json, ["title", "via"], title="papers building on it")


@app.command()
def path(source: Annotated[str, typer.Argument(help="First entity.")],
         target: Annotated[str, typer.Argument(help="Second entity.")],
         graph_path: GraphOption = DEFAULT_OUT, as_json: JsonOption = False,
         neo4j: Neo4jFlag = False, uri: UriOption = DEFAULT_URI, user: UserOption = "neo4j",
         password: PasswordOption = None, database: DatabaseOption = "neo4j") -> None:
    """The shortest connections between two entities through papers."""
    rows = ask(backend(graph_path, neo4j, uri, user, password, database), "shortest_connection", source, target)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(f"No connection between {source!r} and {target!r}.", markup=False)
    for row in rows:
        console.print(f"{row['hops']} hops: " + " -> ".join(row["path"]), markup=False, highlight=False)


load_app = typer.Typer(help="Load a built graph into a database.", no_args_is_help=True)
neo4j_app = typer.Typer(help="Run a local Neo4j Community server (Java 17+ and Maven).", no_args_is_help=True)
app.add_typer(load_app, name="load")
app.add_typer(neo4j_app, name="neo4j")
DataOption = Annotated[Optional[Path], typer.Option("--data", help="Server data directory "
                                                    "(default $PAPER_KG_HOME/neo4j or ~/.local/share/paper-kg/neo4j).")]


@load_app.command(name="neo4j")
def load_neo4j(graph_path: Annotated[Path, typer.Argument(help="Build output directory or graph file.")] = DEFAULT_OUT,
               uri: UriOption = DEFAULT_URI, user: UserOption = "neo4j", password: PasswordOption = None,
               database: DatabaseOption = "neo4j",
               wipe: Annotated[bool, typer.Option("--wipe", help="Delete every Paper and Entity first.")] = False,
               yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before --wipe.")] = False,
               batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 10_000) -> None:
    """Load the graph with batched, idempotent MERGE transactions (constraints and indexes first)."""
    from loaders.neo4j import Neo4jLoadError, load_graph as load

    graph = load_graph(graph_path)
    if wipe and not yes and not typer.confirm(f"Delete every Paper and Entity in {uri} ({database}) first?"):
        fail("not loaded: --wipe needs confirmation (or --yes)")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=errors, transient=True) as progress:
        task = progress.add_task("loading", total=None)
        try:
            summary = load(graph, uri, user, neo4j_password(password), database, batch_size=batch_size, wipe=wipe,
                           on_progress=lambda done, total, what: progress.update(
                               task, completed=done, total=total, description=what))
        except Neo4jLoadError as exc:
            fail(str(exc))
    console.print(f"loaded {summary.nodes:,} nodes and {summary.relationships:,} relationships into {uri} "
                  f"({database}) in {summary.seconds:.1f}s, {summary.rows_per_second:,.0f} rows/s "
                  f"({summary.nodes_created:,} nodes and {summary.relationships_created:,} relationships new)",
                  highlight=False)


@neo4j_app.command(name="start")
def neo4j_start(port: Annotated[int, typer.Option("--port", help="Bolt port.")] = 7687,
                http_port: Annotated[int, typer.Option("--http-port", help="HTTP / Neo4j Browser port (0: off).")] = 7474,
                data: DataOption = None,
                password: Annotated[Optional[str], typer.Option("--password", envvar="NEO4J_PASSWORD")] = None) -> None:
    """Start (building it on first use) a local Neo4j; prints the Bolt URI and the Browser URL."""
    from loaders.neo4j_server import DEFAULT_PASSWORD, Neo4jServerError, start_server

    try:
        info = start_server(port=port, data_dir=data, password=password or DEFAULT_PASSWORD,
                            http_port=http_port or None)
    except Neo4jServerError as exc:
        fail(str(exc))
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


if __name__ == "__main__":
    app()
