#!/usr/bin/env python3
"""Score the extractor on external annotated corpora: SciER and SciREX (evaluation only, never training).

    python scripts/eval_external.py --scier DIR --scirex DIR [--limit N] [--json]

Data (see docs/external-eval.md for provenance, licences and how to get it; nothing of it is in this repo):

* ``--scier DIR``: the SciER release (github.com/edzq/SciER, GPL-3.0). DIR holds ``LLM/{test,test_ood}.jsonl``
  (also accepted: DIR/SciER/LLM/... or the LLM folder itself). One row per sentence: ``doc_id``, ``sentence``
  (tokens joined by spaces) and ``ner`` = ``[[string, type], ...]`` with types Dataset / Method / Task.
* ``--scirex DIR``: SciREX (github.com/allenai/SciREX, Apache-2.0). DIR holds either the release files
  ``{train,dev,test}.jsonl`` (from ``scirex_dataset/release_data.tar.gz``; every file present is scored as its
  own split) or the per-document ``train_docs/*.json`` (``docs/train_docs/`` in the repository: the 306
  documents of the train split), scored as split ``train``.

Conversion to ``kg.model.Paper``:

* SciER: the sentences of one ``doc_id`` (one paper; SciER annotates a subset of each paper's sentences,
  not in reading order) are joined into one Paper with an empty title and the sentences as abstract.
* SciREX: title + abstract of each document, cut with the document's ``sections`` and ``sentences``:
  - section 0 starts with ``document :`` (most docs): sentence 0 is the title; the rest of section 0 is the
    abstract (plus section 1 if its header is ``section : Abstract``);
  - otherwise, if section 1 is headed ``section : Abstract``: section 0 is the title, section 1 minus its
    header the abstract;
  - otherwise, if section 0 has no header and section 1 starts with ``section :`` (Introduction, ...),
    section 0 is the abstract and the title is missing from the data (empty title);
  - otherwise, or when the abstract so cut is shorter than 20 or longer than 600 words, title and abstract
    cannot be delimited and the document is skipped (counted in the report).
  Gold mentions are the ``ner`` spans lying inside the title or the abstract.
* Both corpora are pre-tokenised; ``detokenize`` undoes the obvious spacing (``state - of - the - art``,
  ``CIFAR - 1 0 0``, ``( HTC )``) so the extractor reads ordinary text. Scoring is on normalised strings, so
  this changes what the extractor sees, not what counts as a match.

``--scier-unit sentence`` scores every SciER sentence as its own document instead (a diagnostic: a name
annotated in 30 sentences then counts 30 times, as in sentence-level NER scoring).

Each split is one corpus: its Papers go through ``run_extractor`` (= ``kg.extract.pipeline.extract_papers``,
the public API, so corpus-level name propagation runs within the split exactly as in ``kg build``).

Scoring (per document, micro-averaged over the documents of a split):

* **Dataset-name P/R/F1.** Gold: the SET of keys of the document's gold dataset strings (SciER ``Dataset``;
  SciREX ``Material``). Predicted: the SET of keys of the names and mention texts of the entities the
  extractor typed ``dataset`` or ``benchmark``. TP = |gold ∩ predicted|, FP = |predicted − gold|,
  FN = |gold − predicted|, summed over documents. Two keys:
  - exact: ``kg.keys.name_key`` (casefold, drop non-alphanumerics: "CIFAR - 1 0 0" = "CIFAR-100");
  - relaxed: leading articles (the/a/an) and trailing generic heads (dataset, data set, data, corpus,
    benchmark, database, collection, suite, set, ... see ``GENERIC_HEADS``) are stripped before ``name_key``
    ("the COCO dataset" = "COCO"); a string that is nothing but those words ("the dataset") has no key.
  SciREX ``Material`` is not only dataset names ("GPS data", "in - the - wild", "100", "English"); a
  second gold variant, *names only*, keeps a Material mention only when it is written like a name:
  it contains an upper-case letter (not counting the capital of a sentence-initial word) or a word mixing
  letters and digits ("text8"). The filter reads only the gold string and its position, never our extractor.
* **Method precision.** Of the entities the extractor typed ``method`` or ``model``, the fraction whose
  name or one of whose mention texts matches (same key, exact or relaxed) some gold ``Method`` mention of
  the same document. Gold Method covers models and methods alike, and is annotated generously (SciER
  ``attention``, ``feature extraction mechanisms``), so this is a lenient precision; no recall is claimed.
* Also reported: documents, gold and predicted name counts, "any type" dataset recall (gold dataset keys
  found among the keys of predicted entities of any type: what typing costs), extraction time.
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository's kg importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.evaluate import Score
from kg.keys import name_key
from kg.model import Paper, PaperEntities

DATASET_TYPES = frozenset({"dataset", "benchmark"})
METHOD_TYPES = frozenset({"method", "model"})
ARTICLES = frozenset({"the", "a", "an"})
GENERIC_HEADS = frozenset({
    "dataset", "datasets", "data", "set", "sets", "corpus", "corpora", "benchmark", "benchmarks",
    "database", "databases", "collection", "collections", "suite", "suites",
})
SCIREX_MIN_ABSTRACT_WORDS = 20
SCIREX_MAX_ABSTRACT_WORDS = 600

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


# --------------------------------------------------------------------------- keys and scoring

def exact_key(text: str) -> str:
    """The project's canonical key: casefolded, non-alphanumerics dropped."""
    return name_key(text)


def relaxed_key(text: str) -> str:
    """`exact_key` after stripping leading articles and trailing generic heads ('dataset', 'corpus', ...)."""
    words = _WORD.findall(text.casefold())
    while words and words[0] in ARTICLES:
        words.pop(0)
    while words and words[-1] in GENERIC_HEADS:
        words.pop()
    return name_key("".join(words))


KEYS: dict[str, Callable[[str], str]] = {"exact": exact_key, "relaxed": relaxed_key}


def key_set(strings: Iterable[str], key: Callable[[str], str]) -> set[str]:
    """The non-empty keys of some strings."""
    return {k for k in map(key, strings) if k}


def set_counts(gold: Iterable[str], predicted: Iterable[str], key: Callable[[str], str]) -> Score:
    """One document: gold and predicted strings compared as sets of keys."""
    g, p = key_set(gold, key), key_set(predicted, key)
    return Score(true_positives=len(g & p), predicted=len(p), gold=len(g))


def entity_strings(item: PaperEntities, types: frozenset[str] | None) -> list[list[str]]:
    """Per predicted entity of the given types (None: all), its name followed by its mention texts."""
    return [[ref.name, *(m.text for m in ref.mentions)] for ref in item.entities
            if types is None or ref.type in types]


def entity_precision(gold: Iterable[str], entities: list[list[str]], key: Callable[[str], str]) -> Score:
    """One document: how many predicted entities (each a list of strings) have some key among the gold keys.

    `gold` in the result is left 0: this is a precision only.
    """
    g = key_set(gold, key)
    correct = sum(1 for strings in entities if key_set(strings, key) & g)
    return Score(true_positives=correct, predicted=len(entities), gold=0)


# --------------------------------------------------------------------------- corpora

@dataclass
class ExternalDoc:
    """One external document with its gold strings, ready to become a Paper."""

    id: str
    title: str
    abstract: str
    datasets: list[str]  # gold dataset strings (SciER Dataset, SciREX Material)
    methods: list[str]  # gold Method strings
    dataset_names: list[str] | None = None  # SciREX only: Material mentions written like names

    def paper(self) -> Paper:
        return Paper(id=self.id, title=self.title, abstract=self.abstract)


@dataclass
class Split:
    corpus: str
    name: str
    docs: list[ExternalDoc]
    skipped: list[str] = field(default_factory=list)


_SPLIT_DIGITS = [
    (re.compile(r"(?<=\d) (?=\d)"), ""),  # digits split one by one: "1 0 0" -> "100"
    (re.compile(r"(?<=\d) \. (?=\d)"), "."),  # "5 0 . 5" -> "50.5"
    # letters and digits split apart: rejoined only after an acronym or a version "v"
    (re.compile(r"(?<=\b[A-Z]{2}) (?=\d)|(?<=\b[A-Z]{3}) (?=\d)|(?<=\b[A-Z]{4}) (?=\d)|(?<=\bv) (?=\d)"), ""),
]
_SPACING = [
    (re.compile(r" - "), "-"),  # "state - of - the - art"
    (re.compile(r" (?=[,.;:!?%)\]])"), ""),
    (re.compile(r"(?<=[(\[]) "), ""),
    (re.compile(r" (?='s\b|’s\b|n't\b)"), ""),
]


def detokenize(text: str, split_digits: bool = False) -> str:
    """Undo the obvious spacing of a tokenised sentence (SciER, SciREX) so it reads like plain text.

    `split_digits` (SciER, whose tokenizer splits every digit and every letter-digit boundary) also rejoins
    digits ("CIFAR - 1 0 0" -> "CIFAR-100"), and letters to digits only after an all-capital acronym
    ("RCV 1" -> "RCV1") or a version "v" ("v 5 . 0" -> "v5.0"): "Table 1", "in 2 0 1 8" -> "in 2018".
    """
    text = " ".join(text.split())
    for pattern, repl in (_SPLIT_DIGITS if split_digits else []) + _SPACING:
        text = pattern.sub(repl, text)
    return text


def _scier_file(root: Path, split: str) -> Path:
    for candidate in (root / "LLM" / f"{split}.jsonl", root / "SciER" / "LLM" / f"{split}.jsonl",
                      root / f"{split}.jsonl"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"SciER {split}.jsonl not found under {root} (expected {root}/LLM/{split}.jsonl)")


def load_scier(root: Path, split: str, limit: int | None = None, unit: str = "paper") -> Split:
    """One SciER split: the sentences of each doc_id, in file order, become one document.

    unit="sentence" makes every sentence its own document instead (a diagnostic closer to sentence-level
    NER scoring: a name annotated in many sentences counts many times); `limit` still counts papers.
    """
    docs: dict[str, list[dict]] = {}
    with _scier_file(root, split).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                docs.setdefault(str(row["doc_id"]), []).append(row)
    if unit == "sentence":
        docs = {f"{doc_id}:{i}": [row] for doc_id, rows in list(docs.items())[:limit] for i, row in enumerate(rows)}
        limit = None
    elif unit != "paper":
        raise ValueError(f"unknown SciER unit {unit!r} (paper or sentence)")
    out = []
    for doc_id, rows in list(docs.items())[:limit]:
        out.append(ExternalDoc(
            id=f"scier:{doc_id}", title="",
            abstract=" ".join(detokenize(r["sentence"], split_digits=True) for r in rows),
            datasets=[s for r in rows for s, t in r["ner"] if t == "Dataset"],
            methods=[s for r in rows for s, t in r["ner"] if t == "Method"]))
    return Split("SciER", split if unit == "paper" else f"{split} (per sentence)", out)


def _header(words: list[str], span: list[int], n: int = 3) -> str:
    return " ".join(words[span[0]:span[0] + n])


def _is_abstract_header(words: list[str], span: list[int]) -> bool:
    return _header(words, span).casefold() == "section : abstract"


def scirex_title_abstract(doc: dict) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Word spans (start, end) of the title and of the abstract, or None if they cannot be delimited."""
    words, sections, sentences = doc["words"], doc["sections"], doc["sentences"]
    if not sections or not sentences:
        return None
    s0 = sections[0]
    s1 = sections[1] if len(sections) > 1 else None
    if _header(words, s0, 2) == "document :":
        title = (s0[0] + 2, sentences[0][1])
        abstract_end = s1[1] if s1 is not None and _is_abstract_header(words, s1) else s0[1]
        abstract = (sentences[0][1], abstract_end)
    elif s1 is not None and _is_abstract_header(words, s1):
        title = (s0[0], s0[1])
        abstract = (s1[0] + 3, s1[1])
    elif s1 is not None and _header(words, s1, 2) == "section :" and _header(words, s0, 2) != "section :":
        title = (s0[0], s0[0])  # no title in the data: section 0 is the bare abstract
        abstract = (s0[0], s0[1])
    else:
        return None
    n = abstract[1] - abstract[0]
    if not SCIREX_MIN_ABSTRACT_WORDS <= n <= SCIREX_MAX_ABSTRACT_WORDS:
        return None
    return title, abstract


def name_like(words: list[str], start: int, end: int, sentence_starts: set[int]) -> bool:
    """A gold mention written like a name: an upper-case letter (the capital of a sentence-initial word
    does not count) or a word mixing letters and digits. Reads only the gold text."""
    for i in range(start, end):
        word = words[i]
        letters = word[1:] if i == start and i in sentence_starts else word
        if any(ch.isupper() for ch in letters):
            return True
        if any(ch.isalpha() for ch in word) and any(ch.isdigit() for ch in word):
            return True
    return False


def scirex_doc(doc: dict) -> ExternalDoc | None:
    """A SciREX document as title + abstract with the gold mentions inside them, or None."""
    spans = scirex_title_abstract(doc)
    if spans is None:
        return None
    words = doc["words"]
    (ts, te), (as_, ae) = spans
    sentence_starts = {s for s, _ in doc["sentences"]} | {ts, as_}
    datasets, names, methods = [], [], []
    for start, end, label in doc["ner"]:
        if not (ts <= start and end <= te or as_ <= start and end <= ae):
            continue
        text = " ".join(words[start:end])
        if label == "Material":
            datasets.append(text)
            if name_like(words, start, end, sentence_starts):
                names.append(text)
        elif label == "Method":
            methods.append(text)
    return ExternalDoc(id=f"scirex:{doc['doc_id']}", title=detokenize(" ".join(words[ts:te])),
                       abstract=detokenize(" ".join(words[as_:ae])),
                       datasets=datasets, methods=methods, dataset_names=names)


def _scirex_sources(root: Path) -> list[tuple[str, list[dict]]]:
    """(split, raw docs) for the release jsonl files present, else for train_docs/*.json."""
    out = []
    for split in ("train", "dev", "test"):
        path = root / f"{split}.jsonl"
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                out.append((split, [json.loads(line) for line in fh if line.strip()]))
    if out:
        return out
    for folder in (root / "train_docs", root / "docs" / "train_docs", root):
        files = sorted(glob.glob(str(folder / "*.json")))
        if files:
            return [("train", [json.loads(Path(f).read_text(encoding="utf-8")) for f in files])]
    raise FileNotFoundError(f"no SciREX data under {root}: expected {{train,dev,test}}.jsonl or train_docs/*.json")


def load_scirex(root: Path, limit: int | None = None) -> list[Split]:
    splits = []
    for split, raw in _scirex_sources(root):
        docs, skipped = [], []
        for doc in sorted(raw, key=lambda d: d["doc_id"]):
            converted = scirex_doc(doc)
            if converted is None:
                skipped.append(doc["doc_id"])
            else:
                docs.append(converted)
        splits.append(Split("SciREX", f"{split} title+abstract", docs[:limit], skipped))
    return splits


# --------------------------------------------------------------------------- the extractor

def run_extractor(papers: list[Paper]) -> list[PaperEntities]:
    """The only call into the extractor: its public corpus API, whatever implements it."""
    from kg.extract.pipeline import extract_papers

    return extract_papers(papers)


# --------------------------------------------------------------------------- evaluation

def score_split(docs: list[ExternalDoc], predictions: list[PaperEntities]) -> dict[str, Any]:
    """All scores of one split given the extractor's output for its documents (same order)."""
    dataset = {k: Score() for k in KEYS}
    names_only = {k: Score() for k in KEYS}
    any_type = {k: Score() for k in KEYS}
    method = {k: Score() for k in KEYS}
    has_names = any(d.dataset_names is not None for d in docs)
    for doc, item in zip(docs, predictions, strict=True):
        ds_entities = entity_strings(item, DATASET_TYPES)
        predicted = [s for strings in ds_entities for s in strings]
        everything = [s for strings in entity_strings(item, None) for s in strings]
        methods = entity_strings(item, METHOD_TYPES)
        for name, key in KEYS.items():
            dataset[name] += set_counts(doc.datasets, predicted, key)
            if doc.dataset_names is not None:
                names_only[name] += set_counts(doc.dataset_names, predicted, key)
            found = set_counts(doc.datasets, everything, key)
            any_type[name] += Score(true_positives=found.true_positives, predicted=0, gold=found.gold)
            method[name] += entity_precision(doc.methods, methods, key)
    result: dict[str, Any] = {
        "docs": len(docs),
        "gold_dataset_mentions": sum(len(d.datasets) for d in docs),
        "gold_method_mentions": sum(len(d.methods) for d in docs),
        "predicted_dataset_entities": sum(len(entity_strings(p, DATASET_TYPES)) for p in predictions),
        "predicted_method_entities": sum(len(entity_strings(p, METHOD_TYPES)) for p in predictions),
        "dataset": {k: c.to_json() for k, c in dataset.items()},
        "dataset_recall_any_type": {k: round(c.recall, 4) for k, c in any_type.items()},
        "method_precision": {k: {"correct": c.true_positives, "predicted": c.predicted,
                                 "precision": round(c.precision, 4)} for k, c in method.items()},
    }
    if has_names:
        result["dataset_names_only"] = {k: c.to_json() for k, c in names_only.items()}
    return result


def combine(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Micro-average of several split results (counts added)."""
    out: dict[str, Any] = {"docs": sum(r["docs"] for r in results)}
    for field_name in ("gold_dataset_mentions", "gold_method_mentions", "predicted_dataset_entities",
                       "predicted_method_entities"):
        out[field_name] = sum(r[field_name] for r in results)
    for block in ("dataset", "dataset_names_only"):
        if all(block in r for r in results):
            out[block] = {}
            for k in KEYS:
                c = Score()
                for r in results:
                    c += Score(r[block][k]["tp"], r[block][k]["predicted"], r[block][k]["gold"])
                out[block][k] = c.to_json()
    out["method_precision"] = {}
    for k in KEYS:
        correct = sum(r["method_precision"][k]["correct"] for r in results)
        predicted = sum(r["method_precision"][k]["predicted"] for r in results)
        out["method_precision"][k] = {"correct": correct, "predicted": predicted,
                                      "precision": round(correct / predicted, 4) if predicted else 0.0}
    return out


def evaluate(split: Split) -> dict[str, Any]:
    papers = [d.paper() for d in split.docs]
    started = time.perf_counter()
    predictions = run_extractor(papers)
    seconds = time.perf_counter() - started
    result = score_split(split.docs, predictions)
    result.update(corpus=split.corpus, split=split.name, skipped_docs=len(split.skipped),
                  words=sum(len((d.title + " " + d.abstract).split()) for d in split.docs),
                  extract_seconds=round(seconds, 2))
    return result


def _row(label: str, r: dict[str, Any]) -> str:
    cells = [label.ljust(28), str(r["docs"]).rjust(5)]
    for block in ("dataset", "dataset_names_only"):
        for k in KEYS:
            s = r.get(block, {}).get(k)
            cells.append(f"{s['precision']:.2f}/{s['recall']:.2f}/{s['f1']:.2f} ({s['gold']:>4})" if s else " " * 21)
    for k in KEYS:
        m = r["method_precision"][k]
        cells.append(f"{m['precision']:.2f} ({m['predicted']:>4})")
    return "  ".join(cells)


def print_table(results: list[dict[str, Any]], combined: dict[str, dict[str, Any]]) -> None:
    head = ["split".ljust(28), "docs".rjust(5), "dataset exact P/R/F1 (gold)".ljust(21),
            "dataset relaxed P/R/F1".ljust(21), "names-only exact".ljust(21), "names-only relaxed".ljust(21),
            "method P exact", "method P relaxed"]
    print("  ".join(head))
    for r in results:
        print(_row(f"{r['corpus']} {r['split']}", r))
    for label, r in combined.items():
        print(_row(label, r))
    print()
    for r in results:
        print(f"{r['corpus']} {r['split']}: {r['docs']} docs ({r['skipped_docs']} skipped), {r['words']} words; "
              f"gold dataset mentions {r['gold_dataset_mentions']}, predicted dataset/benchmark entities "
              f"{r['predicted_dataset_entities']}; gold method mentions {r['gold_method_mentions']}, predicted "
              f"method/model entities {r['predicted_method_entities']}; dataset recall at any type "
              f"{r['dataset_recall_any_type']['exact']:.2f} exact / {r['dataset_recall_any_type']['relaxed']:.2f} "
              f"relaxed; extraction {r['extract_seconds']:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Protocol: see the module docstring and docs/external-eval.md.")
    parser.add_argument("--scier", type=Path, help="SciER release folder (holding LLM/test.jsonl)")
    parser.add_argument("--scier-splits", default="test,test_ood", help="comma-separated (default: test,test_ood)")
    parser.add_argument("--scier-unit", choices=("paper", "sentence"), default="paper",
                        help="one document per SciER paper (default) or per sentence (diagnostic)")
    parser.add_argument("--scirex", type=Path, help="SciREX folder ({train,dev,test}.jsonl or train_docs/*.json)")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N documents of each split")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if not args.scier and not args.scirex:
        parser.error("give --scier DIR and/or --scirex DIR")
    try:
        splits = []
        if args.scier:
            names = [s.strip() for s in args.scier_splits.split(",") if s.strip()]
            splits += [load_scier(args.scier, name, args.limit, args.scier_unit) for name in names]
        if args.scirex:
            splits += load_scirex(args.scirex, args.limit)
    except (OSError, ValueError, KeyError) as exc:
        print(f"eval_external: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    results = [evaluate(split) for split in splits]
    combined = {}
    scier = [r for r in results if r["corpus"] == "SciER"]
    if len(scier) > 1:
        combined["SciER " + "+".join(r["split"] for r in scier)] = combine(scier)
    if args.json:
        json.dump({"results": results, "combined": combined,
                   "total_seconds": round(time.perf_counter() - started, 2),
                   "limit": args.limit}, sys.stdout, indent=2)
        print()
    else:
        print_table(results, combined)
        print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
