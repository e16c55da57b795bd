"""k-fold cross-validation split by paper: every paper is scored by a model that never trained on it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from spacy.vectors import Vectors

from kg.evaluate import Report, evaluate, read_gold
from kg.extract.pipeline import extract_papers
from kg.model import PaperEntities
from kg.training.data import GoldRecord, fold_of, read_gold_records
from kg.training.trainer import DEFAULT_EPOCHS, DEFAULT_SEED, train, train_roles


def cross_validate(gold_files: Sequence[Path], folds: int = 5, epochs: int = DEFAULT_EPOCHS,
                   seed: int = DEFAULT_SEED, vectors: Vectors | None = None,
                   on_fold: Callable[[int, int], None] | None = None) -> dict[str, Report]:
    """Scores per gold file (and "all" pooled) of k models (tagger and role classifier), each trained
    on the other folds' papers of every file and scoring its own fold; the word `vectors` (learned
    from unlabelled text) are shared. `on_fold(fold, papers)` before each fold is trained."""
    records: list[GoldRecord] = [r for path in gold_files for r in read_gold_records(path)]
    ids = [r.paper.id for r in records]
    if len(set(ids)) != len(ids):
        raise ValueError("paper ids repeat across the gold files; cross-validation splits by paper id")
    predictions: list[PaperEntities] = []
    for fold in range(folds):
        held_out = [r for r in records if fold_of(r.paper.id, folds) == fold]
        if on_fold:
            on_fold(fold, len(held_out))
        training = [r for r in records if fold_of(r.paper.id, folds) != fold]
        nlp = train(training, epochs=epochs, seed=seed, vectors=vectors)
        nlp.get_pipe("ml_entities").role_model = train_roles(training, seed)
        predictions.extend(extract_papers([r.paper for r in held_out], nlp=nlp))
    reports = {Path(path).name: evaluate(read_gold(path), predictions) for path in gold_files}
    reports["all"] = evaluate([g for path in gold_files for g in read_gold(path)], predictions)
    return reports
