"""Scoring extraction against gold annotations: precision/recall/F1 typed and untyped, per type and
overall, role accuracy, and pairwise cross-paper linking quality.

A predicted entity matches a gold entity when its name or one of its mention texts equals the gold
name or one of its aliases after `name_key` normalisation; matching is one-to-one (a maximum matching
that, among equal-sized ones, pairs the most names).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import networkx as nx

from kg.errors import InputError
from kg.keys import name_key
from kg.model import ENTITY_TYPES, MISSION_TYPES, PaperEntities
from kg.readers import normalise_title


@dataclass
class GoldEntity:
    name: str
    type: str
    role: str
    aliases: list[str]

    @property
    def keys(self) -> set[str]:
        return {name_key(a) for a in [self.name, *self.aliases]} - {""}


@dataclass
class GoldPaper:
    pid: str
    title: str
    entities: list[GoldEntity]
    abstract: str = ""


@dataclass
class Score:
    """Counts behind precision, recall and F1."""

    true_positives: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.true_positives += other.true_positives
        self.predicted += other.predicted
        self.gold += other.gold

    def __iadd__(self, other: Score) -> Score:
        self.add(other)
        return self

    def to_json(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.true_positives, "predicted": self.predicted, "gold": self.gold}


@dataclass
class Report:
    """Everything `kg eval` prints."""

    papers: int = 0
    missing_papers: list[str] = field(default_factory=list)
    typed: dict[str, Score] = field(default_factory=lambda: {t: Score() for t in ENTITY_TYPES})
    untyped: dict[str, Score] = field(default_factory=lambda: {t: Score() for t in ENTITY_TYPES})
    role_correct: int = 0
    role_total: int = 0
    role_confusion: Counter = field(default_factory=Counter)
    link_same_both: int = 0
    link_same_node: int = 0
    link_same_gold: int = 0
    misses: list[str] = field(default_factory=list)
    false_hits: list[str] = field(default_factory=list)
    type_errors: list[str] = field(default_factory=list)
    role_errors: list[str] = field(default_factory=list)

    def overall(self, typed: bool, types: tuple[str, ...] = MISSION_TYPES) -> Score:
        total = Score()
        for t in types:
            total.add((self.typed if typed else self.untyped)[t])
        return total

    @property
    def role_accuracy(self) -> float:
        return self.role_correct / self.role_total if self.role_total else 0.0

    @property
    def link_precision(self) -> float:
        return self.link_same_both / self.link_same_node if self.link_same_node else 1.0

    @property
    def link_recall(self) -> float:
        return self.link_same_both / self.link_same_gold if self.link_same_gold else 1.0

    def to_json(self) -> dict:
        return {
            "papers": self.papers,
            "typed": {**{t: s.to_json() for t, s in self.typed.items()}, "overall": self.overall(True).to_json()},
            "untyped": {**{t: s.to_json() for t, s in self.untyped.items()}, "overall": self.overall(False).to_json()},
            "role_accuracy": round(self.role_accuracy, 4),
            "linking": {"precision": round(self.link_precision, 4), "recall": round(self.link_recall, 4)},
        }


def read_gold(path: Path) -> list[GoldPaper]:
    """Gold papers from the annotation JSONL."""
    papers = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    record = json.loads(line)
                    papers.append(GoldPaper(record["pid"], record["title"], [
                        GoldEntity(e["name"], e["type"], e["role"], list(e.get("aliases", [])))
                        for e in record["entities"]], record.get("abstract", "")))
                except ValueError as exc:
                    raise InputError(f"{path}:{number}: not JSON ({exc})") from None
                except KeyError as exc:
                    raise InputError(f"{path}:{number}: no {exc.args[0]!r} field") from None
                except (TypeError, AttributeError):
                    raise InputError(f"{path}:{number}: not a gold record (an object with pid, title and "
                                     "entities, each with name, type and role)") from None
    return papers


def _pred_keys(entity) -> set[str]:
    return ({name_key(entity.name)} | {name_key(m.text) for m in entity.mentions}) - {""}


def _match(gold: list[GoldEntity], pred: list, typed: bool) -> dict[int, int]:
    """Maximum one-to-one matching: gold index -> predicted index. Among matchings of equal size, the
    one pairing most predicted names with gold names wins, so ties resolve the same way every run."""
    graph = nx.Graph()
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            if g.keys & _pred_keys(p) and (not typed or g.type == p.type):
                same_name = name_key(p.name) == name_key(g.name)
                graph.add_edge(("g", i), ("p", j), weight=2 if same_name else 1)
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    pairs = sorted(sorted(edge) for edge in matching)  # ("g", i) sorts before ("p", j); gold order
    return {g_node[1]: p_node[1] for g_node, p_node in pairs}


def evaluate(gold_papers: list[GoldPaper], predictions: list[PaperEntities]) -> Report:
    """Score predictions (aligned to gold papers by normalised title) against the gold."""
    by_title = {normalise_title(p.paper.title): p for p in predictions}
    report = Report()
    linked: list[tuple[str, str, str]] = []  # (paper, predicted node id, gold canonical name)
    for gold_paper in gold_papers:
        predicted = by_title.get(normalise_title(gold_paper.title))
        if predicted is None:
            report.missing_papers.append(gold_paper.title)
            continue
        report.papers += 1
        pred = [e for e in predicted.entities if e.type in ENTITY_TYPES]
        gold = gold_paper.entities
        typed = _match(gold, pred, typed=True)
        untyped = _match(gold, pred, typed=False)
        for t in ENTITY_TYPES:
            report.typed[t].add(Score(sum(1 for i in typed if gold[i].type == t),
                                      sum(1 for p in pred if p.type == t), sum(1 for g in gold if g.type == t)))
            # Untyped: a matched prediction counts under its gold entity's type.
            matched_as_t = sum(1 for i in untyped if gold[i].type == t)
            unmatched_t = sum(1 for j, p in enumerate(pred) if p.type == t and j not in untyped.values())
            report.untyped[t].add(Score(matched_as_t, matched_as_t + unmatched_t, sum(1 for g in gold if g.type == t)))
        title = gold_paper.title[:60]
        for i, j in untyped.items():
            g, p = gold[i], pred[j]
            report.role_total += 1
            report.role_correct += g.role == p.role
            report.role_confusion[g.role, p.role] += 1
            linked.append((gold_paper.pid, p.id, name_key(g.name)))
            if g.type != p.type:
                report.type_errors.append(f"TYPE  {g.name}: gold {g.type}, predicted {p.type}  ({title})")
            if g.role != p.role:
                report.role_errors.append(f"ROLE  {g.name} [{g.type}]: gold {g.role}, predicted {p.role}  ({title})")
        matched_pred = set(untyped.values())
        report.misses += [f"MISS  {g.name} [{g.type}] aliases={g.aliases}  ({title})"
                          for i, g in enumerate(gold) if i not in untyped]
        report.false_hits += [f"FALSE {p.name} [{p.type}] {p.mentions[0].rule}  ({title})"
                              for j, p in enumerate(pred) if j not in matched_pred]
    for (paper_a, node_a, gold_a), (paper_b, node_b, gold_b) in combinations(linked, 2):
        if paper_a == paper_b:
            continue
        same_node, same_gold = node_a == node_b, gold_a == gold_b
        report.link_same_node += same_node
        report.link_same_gold += same_gold
        report.link_same_both += same_node and same_gold
    return report
