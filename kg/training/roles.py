"""Train and cross-validate the role model on the gold annotations (needs the `train` extra).

    python3 -m kg.training.roles train [--gold DIR] [--out PATH] [--seed N]
    python3 -m kg.training.roles cv    [--gold DIR] [--folds 5] [--report PATH]
    python3 -m kg.training.roles pipeline-cv   # the same folds on the extractor's own entities

Gold papers (`train.jsonl`, `dev.jsonl`: {pid, title, abstract, entities: [{name, type, role, aliases}]})
become one example per entity: the text the extractor sees (title + "\\n\\n" + abstract), every alias
occurrence as a mention span (oracle spans), and the hand rules' role for those spans computed as the
spaCy component computes it (its sentence splitter, the recognizer's title names, lexicon knowledge).

Cross-validation pools train + dev and splits by paper (a paper's fold is fixed by the SHA-1 of its
pid), so no fold scores a paper it trained on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from kg.extract.role_model import (
    DEFAULT_MODEL_PATH,
    ROLES,
    RoleExample,
    example_features,
    find_mentions,
    rule_role,
    split_sentences,
    train_role_model,
)
from kg.keys import name_key
from kg.model import TITLE_SEPARATOR

GOLD_DIR = Path(__file__).resolve().parents[3] / "shared" / "gold"
DEFAULT_C = 0.1
DEFAULT_CLASS_WEIGHT = "balanced"  # 'mentions' is rare in train.jsonl (7%) but 19% of dev.jsonl
DEFAULT_MIN_COUNT = 3
GRID = tuple((c, w) for w in (None, "balanced") for c in (0.1, 0.25, 0.5))


# --------------------------------------------------------------------------- the component's view

class _ComponentView:
    """Sentence splitting, title names and lexicon knowledge as the extractor computes them; falls
    back to role_model's own splitter and no title names/lexicon if the extractor is unavailable."""

    def __init__(self) -> None:
        self.nlp = None
        self.recognizer = None
        self.lexicon = None
        try:
            import spacy

            nlp = spacy.blank("en")
            try:
                from kg.extract.pipeline import _tokenizer
                nlp.tokenizer = _tokenizer(nlp)
            except Exception:  # noqa: BLE001 - the extractor is being rewritten; keep spaCy's own
                pass
            nlp.add_pipe("sentencizer")
            self.nlp = nlp
        except Exception:  # noqa: BLE001
            self.nlp = None
        try:
            from kg.extract.lexicon import load_lexicon
            from kg.extract.recognizer import EntityRecognizer
            self.lexicon = load_lexicon()
            self.recognizer = EntityRecognizer(self.lexicon)
        except Exception:  # noqa: BLE001
            self.lexicon = self.recognizer = None

    def sentences(self, text: str, title_end: int) -> list[tuple[int, int]]:
        if self.nlp is None:
            return split_sentences(text, title_end)
        doc = self.nlp(text)
        bounds = [(s.start_char, s.end_char) for s in doc.sents]
        split = []
        for start, end in bounds:  # the title is always a sentence of its own (component._sentences)
            if start < title_end < end:
                split.extend([(start, title_end), (title_end, end)])
            else:
                split.append((start, end))
        return split

    def title_names(self, text: str, title_end: int) -> set[str]:
        if self.recognizer is None:
            return set()
        try:
            return set(self.recognizer.recognize(text, title_end).title_names)
        except Exception:  # noqa: BLE001
            return set()

    def known(self, surface: str) -> bool:
        return self.lexicon is not None and self.lexicon.lookup(surface) is not None


# --------------------------------------------------------------------------- gold data

def load_gold(paths: Sequence[Path]) -> list[tuple[str, dict]]:
    """(source file stem, paper) for every paper in the files."""
    papers = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    papers.append((Path(path).stem, json.loads(line)))
    return papers


def gold_examples(papers: Sequence[tuple[str, dict]], view: _ComponentView | None = None) -> list[RoleExample]:
    """One RoleExample per gold entity that occurs in its paper's text."""
    view = view or _ComponentView()
    examples = []
    for source, paper in papers:
        title, abstract = paper.get("title") or "", paper.get("abstract") or ""
        text = title + TITLE_SEPARATOR + abstract if title else abstract
        title_end = len(title)
        entities = paper.get("entities", [])
        spans_per_entity = find_mentions(text, [e.get("aliases") or [e["name"]] for e in entities])
        sentences = view.sentences(text, title_end)
        title_names = view.title_names(text, title_end)
        for entity, spans in zip(entities, spans_per_entity, strict=True):
            if not spans or entity.get("role") not in ROLES:
                continue
            surfaces = {text[s:e] for s, e in spans}
            known = any(view.known(s) for s in surfaces)
            keys = {name_key(s) for s in surfaces} | {name_key(entity["name"])}
            rule = rule_role(text, title_end, spans, known=known, title_name=bool(keys & title_names),
                             sentences=sentences)
            examples.append(RoleExample(text, title_end, entity["type"], spans, rule, known, entity["role"],
                                        pid=f"{source}:{paper['pid']}", name=entity["name"]))
    return examples


def assign_folds(pids: Sequence[str], folds: int) -> dict[str, int]:
    """Deterministic folds: papers sorted by the SHA-1 of their pid, dealt round-robin."""
    ordered = sorted(set(pids), key=lambda p: hashlib.sha1(p.encode("utf-8")).hexdigest())
    return {pid: i % folds for i, pid in enumerate(ordered)}


# --------------------------------------------------------------------------- evaluation

def confusion(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, int]]:
    table = {g: {p: 0 for p in ROLES} for g in ROLES}
    for g, p in zip(gold, predicted, strict=True):
        table[g][p] += 1
    return table


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(1, len(gold))


def cross_validate(examples: Sequence[RoleExample], folds: int = 5, c: float = DEFAULT_C,
                   min_count: int = DEFAULT_MIN_COUNT, seed: int = 0, use_rule: bool = True,
                   class_weight=DEFAULT_CLASS_WEIGHT, rows: list[dict[str, float]] | None = None,
                   nested_grid: Sequence[tuple[float, str | None]] | None = None) -> list[str]:
    """Out-of-fold predictions for every example (split by paper). With `nested_grid`, each outer
    fold picks (C, class weight) by an inner cross-validation on its own training papers only."""
    fold = assign_folds([ex.pid for ex in examples], folds)
    rows = rows if rows is not None else example_features(examples, use_rule)
    predicted = [""] * len(examples)
    for k in range(folds):
        train_idx = [i for i, ex in enumerate(examples) if fold[ex.pid] != k]
        test_idx = [i for i, ex in enumerate(examples) if fold[ex.pid] == k]
        train_examples = [examples[i] for i in train_idx]
        train_rows = [rows[i] for i in train_idx]
        if nested_grid:
            inner = {}
            for inner_c, inner_weight in nested_grid:
                inner_predicted = cross_validate(train_examples, folds - 1, inner_c, min_count, seed, use_rule,
                                                 inner_weight, train_rows)
                inner[(inner_c, inner_weight)] = accuracy([ex.role for ex in train_examples], inner_predicted)
            c, class_weight = max(nested_grid, key=lambda config: inner[config])
            print(f"  outer fold {k}: inner CV picks C={c}, class_weight={class_weight} "
                  f"({inner[(c, class_weight)]:.3f})", file=sys.stderr, flush=True)
        model = train_role_model(train_examples, use_rule=use_rule, c=c, min_count=min_count, seed=seed,
                                 class_weight=class_weight, features=train_rows)
        for i in test_idx:
            predicted[i] = ROLES[int(model.scores(rows[i]).argmax())]
    return predicted


def _format_confusion(table: dict[str, dict[str, int]]) -> list[str]:
    lines = ["| gold \\ predicted | " + " | ".join(ROLES) + " |", "|---|" + "---|" * len(ROLES)]
    for g in ROLES:
        lines.append(f"| {g} | " + " | ".join(str(table[g][p]) for p in ROLES) + " |")
    return lines


def cv_report(examples: Sequence[RoleExample], folds: int = 5, seed: int = 0,
              grid: Sequence[tuple[float, str | None]] = GRID) -> str:
    gold = [ex.role for ex in examples]
    sources = {"dev": [i for i, ex in enumerate(examples) if ex.pid.startswith("dev:")],
               "train": [i for i, ex in enumerate(examples) if not ex.pid.startswith("dev:")],
               "all": list(range(len(examples)))}
    rows = {True: example_features(examples, True), False: example_features(examples, False)}
    default = f"C={DEFAULT_C}, class_weight={DEFAULT_CLASS_WEIGHT}"
    systems: dict[str, list[str]] = {"rules (RoleClassifier)": [ex.rule_role or "mentions" for ex in examples]}
    systems[f"model + rule feature ({default})"] = cross_validate(examples, folds, seed=seed, rows=rows[True])
    systems[f"model, no rule feature ({default})"] = cross_validate(examples, folds, seed=seed, use_rule=False,
                                                                    rows=rows[False])
    systems["model + rule feature, C and class weight chosen by nested CV"] = cross_validate(
        examples, folds, seed=seed, rows=rows[True], nested_grid=grid)
    sweep = {}
    for c, weight in grid:
        for use_rule in (True, False):
            predicted = cross_validate(examples, folds, c, seed=seed, use_rule=use_rule, class_weight=weight,
                                       rows=rows[use_rule])
            sweep[(c, weight, use_rule)] = {name: accuracy([gold[i] for i in idx], [predicted[i] for i in idx])
                                            for name, idx in sources.items()}
    counts = Counter(ex.pid.split(":")[0] for ex in examples)
    papers = Counter(pid.split(":")[0] for pid in {ex.pid for ex in examples})
    lines = [f"# Role classifier: {folds}-fold cross-validation split by paper (train + dev pooled)", "",
             f"Gold entities with at least one alias in the text, oracle spans: dev {counts['dev']} entities "
             f"in {papers['dev']} papers, train {counts['train']} in {papers['train']} papers. Seed {seed}.", "",
             "| system | dev papers | train papers | all |", "|---|---|---|---|"]
    for name, predicted in systems.items():
        cells = [f"{accuracy([gold[i] for i in idx], [predicted[i] for i in idx]):.3f}"
                 for idx in sources.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "Majority class ('uses') for comparison: " + " | ".join(
        f"{name} {accuracy([gold[i] for i in idx], ['uses'] * len(idx)):.3f}" for name, idx in sources.items()), ""]
    for name, predicted in systems.items():
        for part in ("dev", "train"):
            idx = sources[part]
            lines += [f"### {name}: {part} papers", "",
                      *_format_confusion(confusion([gold[i] for i in idx], [predicted[i] for i in idx])), ""]
    lines += ["### Sweep (same folds; choosing a setting from this table is optimistic, see the nested row)",
              "", "| C | class weight | rule feature | dev | train | all |", "|---|---|---|---|---|---|"]
    for (c, weight, use_rule), scores in sweep.items():
        lines.append(f"| {c} | {weight or 'none'} | {'yes' if use_rule else 'no'} | {scores['dev']:.3f} | "
                     f"{scores['train']:.3f} | {scores['all']:.3f} |")
    return "\n".join(lines) + "\n"


def pipeline_report(papers: Sequence[tuple[str, dict]], examples: Sequence[RoleExample], folds: int = 5,
                    seed: int = 0) -> str:
    """End-to-end preview: the extractor's own entities, mentions and rule roles, re-labelled by the
    model of the fold that did not train on the paper; role accuracy on the extracted entities that
    match a gold entity (a name or mention equal to a gold alias after normalisation)."""
    from collections import defaultdict

    from kg.extract.pipeline import build_nlp, paper_doc  # the current extractor
    from kg.extract.role_model import PaperContext
    from kg.model import Paper

    fold = assign_folds([ex.pid for ex in examples], folds)
    rows = example_features(examples, True)
    models = {}
    for k in range(folds):
        idx = [i for i, ex in enumerate(examples) if fold[ex.pid] != k]
        models[k] = train_role_model([examples[i] for i in idx], c=DEFAULT_C, class_weight=DEFAULT_CLASS_WEIGHT,
                                     min_count=DEFAULT_MIN_COUNT, seed=seed, features=[rows[i] for i in idx])
    nlp = build_nlp()
    stats: Counter = Counter()
    for source, paper in papers:
        pid = f"{source}:{paper['pid']}"
        if pid not in fold:
            continue
        doc = nlp(paper_doc(nlp, Paper(id=paper["pid"], title=paper["title"], abstract=paper["abstract"])))
        title_end = len(paper["title"])
        context = PaperContext(doc.text, title_end)
        gold_by_key: dict[str, dict] = {}
        for entity in paper["entities"]:
            for alias in [entity["name"], *entity.get("aliases", [])]:
                gold_by_key.setdefault(name_key(alias), entity)
        groups = defaultdict(list)
        for span in doc.spans["ml_entities"]:
            groups[span._.entity_id].append(span)
        matched: set[int] = set()
        for spans in groups.values():
            keys = {name_key(s.text) for s in spans} | {name_key(spans[0]._.canonical_name)}
            gold = next((gold_by_key[k] for k in sorted(keys) if k in gold_by_key), None)
            if gold is None or id(gold) in matched:
                continue
            matched.add(id(gold))
            rule = spans[0]._.role
            known = any(s._.rule == "lexicon" for s in spans)
            role, _ = models[fold[pid]].predict(doc.text, title_end, spans[0].label_,
                                                [s._.char_offsets for s in spans], rule, known, context=context)
            stats[(source, "n")] += 1
            stats[(source, "rules")] += rule == gold["role"]
            stats[(source, "model")] += role == gold["role"]
    lines = ["| papers | matched entities | rules | model (held-out fold) |", "|---|---|---|---|"]
    for source in ("dev", "train"):
        n = max(1, stats[(source, "n")])
        lines.append(f"| {source} | {stats[(source, 'n')]} | {stats[(source, 'rules')] / n:.3f} | "
                     f"{stats[(source, 'model')] / n:.3f} |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- entry point

def _gold_paths(directory: Path) -> list[Path]:
    paths = [directory / "train.jsonl", directory / "dev.jsonl"]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise SystemExit(f"gold file(s) not found: {', '.join(missing)} (pass --gold DIR)")
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m kg.training.roles", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("train", "cv", "pipeline-cv"))
    parser.add_argument("--gold", type=Path, default=GOLD_DIR, help="directory with train.jsonl and dev.jsonl")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH, help="weights file to write (train)")
    parser.add_argument("--report", type=Path, default=None, help="write the CV report here too (cv)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--c", type=float, default=DEFAULT_C)
    parser.add_argument("--class-weight", default=DEFAULT_CLASS_WEIGHT,
                        type=lambda v: None if v.lower() == "none" else v, help="balanced | none")
    parser.add_argument("--min-count", type=int, default=DEFAULT_MIN_COUNT)
    parser.add_argument("--no-rule", action="store_true", help="train without the rule feature")
    args = parser.parse_args(argv)
    examples = gold_examples(load_gold(_gold_paths(args.gold)))
    if args.command == "train":
        model = train_role_model(examples, use_rule=not args.no_rule, c=args.c, min_count=args.min_count,
                                 seed=args.seed, class_weight=args.class_weight)
        model.to_disk(args.out)
        print(f"wrote {args.out}: {len(model.features)} features, {len(examples)} examples, "
              f"{args.out.stat().st_size / 1024:.0f} KiB")
    elif args.command == "pipeline-cv":
        print(pipeline_report(load_gold(_gold_paths(args.gold)), examples, args.folds, args.seed))
    else:
        report = cv_report(examples, args.folds, args.seed)
        print(report)
        if args.report:
            args.report.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
