"""k-fold cross-validation split by paper: every paper is scored by a model that never trained on it."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from spacy.vectors import Vectors

from kg.engine import InProcess, LocalPool
from kg.evaluate import Report, evaluate, read_gold
from kg.extract.pipeline import extract_papers
from kg.model import Paper, PaperEntities
from kg.training import KEEP_FOLDS
from kg.training.data import GoldRecord, fold_of, read_gold_records
from kg.training.trainer import DEFAULT_EPOCHS, DEFAULT_SEED, train_extractor


def gold_records(gold_files: Sequence[Path]) -> list[GoldRecord]:
    """The annotated papers of every gold file; paper ids must not repeat (folds split by id)."""
    records = [r for path in gold_files for r in read_gold_records(path)]
    ids = [r.paper.id for r in records]
    if len(set(ids)) != len(ids):
        raise ValueError("paper ids repeat across the gold files; cross-validation splits by paper id")
    return records


def fold_predictions(fold_numbers: list[int], records: Sequence[GoldRecord], folds: int, epochs: int, seed: int,
                     vectors: Vectors | str | None, sample: Sequence[Paper],
                     keep_folds: int = KEEP_FOLDS, encoder: bytes | None = None) -> list[list[PaperEntities]]:
    """A map stage: for each fold number, the extractor trained on the other folds' records (with the
    `vectors`, or a directory holding them, and the pretrained `encoder`) run over the fold's own papers."""
    if isinstance(vectors, str):
        vectors = Vectors().from_disk(vectors)
    results = []
    for fold in fold_numbers:
        training = [r for r in records if fold_of(r.paper.id, folds) != fold]
        nlp = train_extractor(training, epochs, seed, vectors, sample, keep_folds, encoder=encoder)
        results.append(extract_papers([r.paper for r in records if fold_of(r.paper.id, folds) == fold], nlp=nlp))
    return results


def cross_validate(gold_files: Sequence[Path], folds: int = 5, epochs: int = DEFAULT_EPOCHS,
                   seed: int = DEFAULT_SEED, vectors: Vectors | None = None, sample: Sequence[Paper] = (),
                   keep_folds: int = KEEP_FOLDS, workers: int = 1, encoder: bytes | None = None,
                   on_fold: Callable[[int], None] | None = None) -> dict[str, Report]:
    """Scores per gold file (and "all" pooled) of k models (tagger, role, type and keep classifiers), each
    trained on the other folds' papers of every file and scoring its own fold, `workers` folds at a time
    in their own processes (the same scores for any number). The word `vectors` and the self-training
    `sample` (unlabelled papers) are shared, and so is the `encoder` pretrained on unlabelled papers; each
    fold's own first tagger labels the sample.
    `on_fold(fold)` after each fold is scored."""
    records = gold_records(gold_files)  # a bad file or repeated ids stop here, before any training
    predictions: list[PaperEntities] = []
    pool = LocalPool(min(workers, folds)) if workers > 1 else contextlib.nullcontext(InProcess())
    with tempfile.TemporaryDirectory(prefix="kg-cv-") as scratch, pool as engine:
        shared: Vectors | str | None = vectors
        if workers > 1 and vectors is not None:
            vectors.to_disk(scratch)  # workers read the vectors from disk rather than through a pipe
            shared = scratch
        stage = partial(fold_predictions, records=records, folds=folds, epochs=epochs, seed=seed,
                        vectors=shared, sample=list(sample), keep_folds=keep_folds, encoder=encoder)
        for fold, (scored,) in enumerate(engine.map(stage, ([fold] for fold in range(folds)))):
            predictions.extend(scored)
            if on_fold:
                on_fold(fold)
    reports = {Path(path).name: evaluate(read_gold(path), predictions) for path in gold_files}
    reports["all"] = evaluate([g for path in gold_files for g in read_gold(path)], predictions)
    return reports
