"""The extraction jobs: `kg build` (the main job), `kg extract` (the extract contract), `kg eval`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from kg.cli.app import app
from kg.cli.options import DEFAULT_OUT, ClusterOption, JsonOption, WorkersOption
from kg.cli.output import console, fail, print_counts, print_json, progress_bar, warn
from kg.model import ENTITY_TYPES
from kg.training import KEEP_FOLDS, PRETRAIN_SAMPLE, SELF_TRAINING_SAMPLE

if TYPE_CHECKING:
    from kg.build import BuildSummary

InputsArgument = Annotated[list[Path], typer.Argument(help="Input files, directories or glob patterns.")]


@app.command()
def build(inputs: InputsArgument = [Path("seeds")],  # noqa: B006 (Typer reads the default, never mutates it)
          out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = DEFAULT_OUT,
          workers: WorkersOption = 0, cluster: ClusterOption = None) -> None:
    """Read, extract and link papers; write graph.graphml, graph.gexf, graph.json and papers.jsonl."""
    _check_one_engine(workers, cluster)
    before = _identity(out)
    try:  # from the imports on: a signal that comes early still says which set of outputs is there
        from kg.atomic import check_output_dir
        from kg.build import build as run_build

        check_output_dir(out)  # also done by run_build; here before the progress bar starts
        with progress_bar("reading") as update:
            _, summary = run_build(inputs, out, on_start=_extracting(update), on_advance=lambda: update(advance=1),
                                   workers=workers, cluster=cluster)
    except KeyboardInterrupt as exc:  # the build writes a new directory and swaps it in: say which set is there
        exc.detail = f"; {out} left as it was" if _identity(out) == before else f" after {out} was written"
        raise
    report(summary)


@app.command()
def add(inputs: Annotated[list[Path], typer.Argument(help="Input files, directories or glob patterns "
                                                        "with the papers to add.")],
        out: Annotated[Path, typer.Option("--out", "-o", help="The build to add them to.")] = DEFAULT_OUT,
        workers: WorkersOption = 0) -> None:
    """Add papers to a build: the same files as `kg build` on its inputs and these, extracting only the new papers."""
    before = _identity(out)
    try:
        from kg.atomic import check_output_dir
        from kg.incremental import add as run_add

        check_output_dir(out)
        with progress_bar("reading") as update:
            _, summary = run_add(inputs, out, on_start=_extracting(update), on_advance=lambda: update(advance=1),
                                 workers=workers)
    except KeyboardInterrupt as exc:
        exc.detail = f"; {out} left as it was" if _identity(out) == before else f" after {out} was written"
        raise
    report(summary)


def report(summary: BuildSummary) -> None:
    """What `kg build` and `kg add` print: warnings, notes, counts and the files written."""
    warn(summary.issues)
    for note in summary.notes:
        console.print(f"note: {note}", highlight=False, markup=False)
    console.print(f"records read {summary.records_read}, duplicate papers merged {summary.duplicates_merged}, "
                  f"unique papers {summary.unique_papers}")
    print_counts(summary.entities_by_type, summary.edges_by_type)
    console.print(f"wrote {', '.join(str(p) for p in summary.outputs)} in {summary.seconds:.1f}s")


def _check_one_engine(workers: int, cluster: str | None) -> None:
    if workers and cluster:
        fail("--workers and --cluster exclude each other: on a cluster, its workers extract")


def _extracting(update: Callable[..., None]) -> Callable[[int, str], None]:
    """The progress bar's `on_start(n, unit)`: extracting n papers (or, on a cluster, reading n files)."""
    return lambda total, unit: update(description=f"extracting ({unit})", total=total)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


@app.command()
def extract(inputs: InputsArgument,
            output: Annotated[Path, typer.Option("--output", "-o", help="JSONL to write.")] = Path("papers.jsonl"),
            workers: WorkersOption = 0, cluster: ClusterOption = None) -> None:
    """Extract entities: one JSON object per unique paper (the stable extract contract)."""
    from kg.atomic import check_output_file
    from kg.build import read_and_extract_own
    from kg.collector import collector_paused
    from kg.extract.pipeline import link_corpus
    from loaders.files import write_extractions

    _check_one_engine(workers, cluster)
    check_output_file(output)  # before the extraction, not after it
    with collector_paused():
        with progress_bar("reading") as update:
            read, _, corpus = read_and_extract_own(inputs, workers, cluster, on_start=_extracting(update),
                                                   on_advance=lambda: update(advance=1))
        link_corpus(corpus)
    warn(read.issues)
    write_extractions(corpus, output)
    console.print(f"{len(corpus)} papers, {sum(len(c.entities) for c in corpus)} entity links -> {output}")


GoldOption = Annotated[list[Path], typer.Option("--gold", help="Gold annotations (JSONL); repeat for several files.")]
SelfTrainingOption = Annotated[int, typer.Option(
    "--self-training", help="With --corpus: the first tagger labels N random corpus papers and the tagger "
                            "is trained again on the gold and those labels (0: off).")]
PretrainOption = Annotated[int, typer.Option(
    "--pretrain", help="With --corpus: the tagger's encoder is first pretrained on N random corpus papers "
                       "to predict hidden words' vectors (0: off).")]
KeepFoldsOption = Annotated[int, typer.Option(
    "--keep-folds", help="The keep filter learns from the entities that taggers trained on all but one of N "
                         "folds of the gold find in the fold they did not see (0: no filter).")]


@app.command(name="eval")
def evaluate(gold: GoldOption,
             pred: Annotated[Path | None, typer.Option("--pred", help="Predictions from `kg extract`; "
                                                           "default: extract the gold papers now.")] = None,
             cv: Annotated[int, typer.Option(
                 "--cv", help="k-fold cross-validation split by paper: train k models on the gold files, "
                              "each scoring the papers it did not train on (0: score the shipped model).")] = 0,
             epochs: Annotated[int, typer.Option("--epochs", help="Training epochs per fold (with --cv).")] = 0,
             corpus: Annotated[Path | None, typer.Option(
                 "--corpus", help="With --cv: unlabelled abstracts for word vectors and self-training, "
                                  "as in kg train.")] = None,
             self_training: SelfTrainingOption = SELF_TRAINING_SAMPLE,
             keep_folds: KeepFoldsOption = KEEP_FOLDS,
             pretrain: PretrainOption = PRETRAIN_SAMPLE,
             workers: WorkersOption = 0,
             errors_shown: Annotated[int, typer.Option(
                 "--errors", help="Show N misses, false hits, type and role errors.")] = 0,
             as_json: JsonOption = False) -> None:
    """Precision, recall and F1 against gold annotations, role accuracy and cross-paper linking."""
    from kg.engine import available_cores
    from kg.evaluate import evaluate as score
    from kg.evaluate import read_gold
    from kg.extract.pipeline import blank_pipeline, extract_papers
    from kg.model import Paper
    from kg.readers import paper_id_for
    from kg.training.crossval import cross_validate
    from kg.training.self_training import corpus_sample
    from kg.training.trainer import DEFAULT_EPOCHS, DEFAULT_SEED, corpus_encoder
    from kg.training.vectors import train_vectors
    from loaders.files import read_extractions

    for path in [*gold, *([corpus] if corpus else [])]:
        if not path.is_file():
            fail(f"{path}: no such file")
    if cv:
        if cv < 2:
            fail("--cv needs at least 2 folds")
        vectors, sample, encoder = None, [], None
        if corpus is not None:
            console.print(f"word vectors from {corpus}")
            vectors = train_vectors(blank_pipeline(), corpus)
            gold_titles = [g.title for path in gold for g in read_gold(path)]
            sample = corpus_sample(corpus, self_training, DEFAULT_SEED, gold_titles)
            encoder = corpus_encoder(corpus, vectors, pretrain, DEFAULT_SEED, gold_titles,
                                     say=lambda message: console.print(message, highlight=False))
        with progress_bar("cross-validation") as update:
            update(description=f"{cv} folds", total=cv, completed=0)
            reports = cross_validate(gold, folds=cv, epochs=epochs or DEFAULT_EPOCHS, vectors=vectors,
                                     sample=sample, keep_folds=keep_folds, workers=workers or available_cores(),
                                     encoder=encoder,
                                     on_fold=lambda fold: update(description=f"fold {fold + 1} of {cv} scored",
                                                                 total=cv, completed=fold + 1))
        titles = {name: f"{cv}-fold cross-validation, {name}" for name in reports}
    else:
        reports, titles = {}, {}
        predicted = read_extractions(pred) if pred is not None else None
        for path in gold:
            gold_papers = read_gold(path)
            predictions = predicted if predicted is not None else extract_papers(
                [Paper(id=paper_id_for(g.title), title=g.title, abstract=g.abstract) for g in gold_papers])
            reports[path.name] = score(gold_papers, predictions)
            titles[path.name] = path.name
    if as_json:
        print_json({name: report.to_json() for name, report in reports.items()} if len(reports) > 1
                   else next(iter(reports.values())).to_json())
        return
    for name, report in reports.items():
        print_report(report, titles[name], errors_shown)


def print_report(report, title: str, errors_shown: int) -> None:
    """The scores of one report as a table, then roles, linking and (optionally) the errors."""
    table = Table(title=f"kg eval on {report.papers} papers: {title}", highlight=False)
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


@app.command()
def train(gold: GoldOption,
          out: Annotated[Path | None, typer.Option("--out", "-o", help="Model directory to write "
                                                     "(default: the one shipped in the package).")] = None,
          corpus: Annotated[Path | None, typer.Option(
              "--corpus", help="Unlabelled abstracts (gzip JSON lines with title, abstract) for word vectors "
                                "and self-training.")] = None,
          corpus_papers: Annotated[int | None, typer.Option("--corpus-papers", help="Read at most N of them.")] = None,
          self_training: SelfTrainingOption = SELF_TRAINING_SAMPLE,
          keep_folds: KeepFoldsOption = KEEP_FOLDS,
          pretrain: PretrainOption = PRETRAIN_SAMPLE,
          epochs: Annotated[int, typer.Option("--epochs", help="Training epochs.")] = 0,
          seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same model).")] = 0) -> None:
    """Rebuild the extraction model from annotated papers (word vectors and self-training from unlabelled ones)."""
    from kg.atomic import check_output_dir
    from kg.extract.pipeline import MODEL_DIR
    from kg.training.trainer import DEFAULT_EPOCHS, DEFAULT_SEED, build_model

    for path in [*gold, *([corpus] if corpus else [])]:
        if not path.is_file():
            fail(f"{path}: no such file")
    target = out or MODEL_DIR
    check_output_dir(target, marker="meta.json")  # the model directory is replaced whole: never `--out ~`
    build_model(gold, target, corpus=corpus, corpus_limit=corpus_papers, epochs=epochs or DEFAULT_EPOCHS,
                seed=seed or DEFAULT_SEED, self_training=self_training, keep_folds=keep_folds, pretrain=pretrain,
                on_step=lambda message: console.print(message, highlight=False))
    console.print(f"model written to {target}")
