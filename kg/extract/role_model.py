"""A trained role classifier: does a paper propose, use or only mention an entity?

The hand rules of `kg.extract.roles.RoleClassifier` are one feature among many (rules as features):
the classifier is a multinomial logistic regression over sparse, mostly binary features of all the
entity's mentions — the words around each mention and in its sentence, first-person, proposal,
comparison and background cues, title position, number and position of mentions, entity type,
whether the name is known to the lexicon, survey papers, and the rule's own answer.

Inference needs only numpy: the weights are a small JSON file (vocabulary, coefficients,
intercepts). Training (`train_role_model`) needs scikit-learn, from the `train` extra.

Public API (for the spaCy component)::

    from kg.extract.role_model import RoleModel, ModelFileError, DEFAULT_MODEL_PATH, rule_role

    model = RoleModel.from_disk(DEFAULT_MODEL_PATH)        # ModelFileError if missing/corrupt
    role, probability = model.predict(
        text,          # the paper text the extractor sees: title + "\\n\\n" + abstract
        title_end,     # len(title), or None/0 when there is no title
        entity_type,   # "model" | "method" | "dataset" | "benchmark" | "task"
        spans,         # [(start, end), ...] character offsets of every mention of this entity
        rule_role,     # RoleClassifier's answer for this entity ("proposes"|"uses"|"mentions"), or None
        known,         # True if the entity is in the lexicon (Candidate.known of its mentions)
    )
    model.predict_proba(...)  # same arguments -> {"proposes": p, "uses": p, "mentions": p}

For many entities of one paper, build `context = PaperContext(text, title_end)` once and pass
`context=context` to `predict`/`predict_proba` (the text is then tokenised once).
`rule_role(text, title_end, spans, known=..., title_name=..., sentences=...)` applies the hand rules
to one entity's spans exactly as the component does (one RoleClassifier per paper), for callers that
have spans but no Candidates.

The model was trained on oracle spans (every gold alias occurrence) with the rule role computed from
those spans the way the component computes it (its sentences, the recognizer's title names, lexicon
knowledge); in the pipeline, pass the component's own mentions, rule role and `known`.

The shipped weights (`kg/extract/model/ml_entities/roles.json`) are rebuilt from the gold annotations with
`python3 -m kg.training.roles train`; the cross-validation report with
`python3 -m kg.training.roles cv`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import or_
from pathlib import Path

import numpy as np

from kg.extract.linear_model import ModelFileError, SparseLinearModel, fit  # noqa: F401 - ModelFileError re-exported
from kg.extract.roles import RoleClassifier, is_survey
from kg.extract.word_vectors import WordVectors

ROLES = ("proposes", "uses", "mentions")
# The weights ship inside the extraction pipeline, in the folder of its `ml_entities` component.
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "model" / "ml_entities" / "roles.json"
WINDOW = 5  # tokens on each side of a mention read as its context


# --------------------------------------------------------------------------- text handling

_TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")  # on lower-cased text; no backtracking
_SENTENCE_END = re.compile(r"[.!?]+(?=\s)|\n")
_ABBREVIATIONS = frozenset({"e.g", "i.e", "al", "etc", "vs", "cf", "fig", "eq", "approx", "resp", "no"})
_WORD = re.compile(r"[a-z]")


def split_sentences(text: str, title_end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) character ranges of the sentences: the title is one of its own, the abstract is
    split after '.', '!' or '?' followed by white space (not after 'e.g.', 'et al.', ...), and at
    line breaks. Linear time."""
    bounds: list[tuple[int, int]] = []
    offset = 0
    if title_end:
        bounds.append((0, title_end))
        offset = title_end
    start = offset
    for match in _SENTENCE_END.finditer(text, offset):
        if match.group() != "\n":
            low = max(start, match.start() - 8)  # abbreviations are short: look back a bounded distance
            words = text[low:match.start()].split()
            whole = bool(words) and (low == start or len(words) > 1 or text[low:low + 1].isspace())
            if whole and words[-1].lower().lstrip("(") in _ABBREVIATIONS:
                continue
        end = match.end()
        if text[start:end].strip():
            bounds.append((start, end))
        start = end
    if text[start:].strip():
        bounds.append((start, len(text)))
    return bounds or [(0, len(text))]


class PaperContext:
    """One paper's text tokenised and split into sentences once, for all of its entities."""

    def __init__(self, text: str, title_end: int | None, vectors: WordVectors | None = None) -> None:
        self.text = text
        self.title_end = title_end or 0
        self.vectors = vectors  # static word vectors, for the classifiers' dense features
        self.vector_memo: dict[tuple, dict] = {}  # kg.extract.word_vectors.vector_features, by spans
        matches = list(_TOKEN.finditer(text.lower()))
        self.token_starts = [m.start() for m in matches]
        self.tokens = [m.group() for m in matches]
        self.sentences = split_sentences(text, self.title_end)
        self.sentence_starts = [s for s, _ in self.sentences]
        title = text[:self.title_end]
        self.survey = is_survey(title, text[self.title_end:])
        # Token index ranges of each sentence.
        self.sentence_tokens = [(bisect.bisect_left(self.token_starts, s), bisect.bisect_left(self.token_starts, e))
                                for s, e in self.sentences]

    def sentence_index(self, position: int) -> int:
        return max(0, bisect.bisect_right(self.sentence_starts, position) - 1)

    def token_index(self, position: int) -> int:
        return bisect.bisect_left(self.token_starts, position)


# --------------------------------------------------------------------------- cues

_SELF = frozenset({"we", "our", "us", "ours", "here", "herein"})
_THIS_WORK = frozenset({"paper", "work", "study", "article", "report"})
_PROPOSE_PREFIXES = ("propos", "introduc", "present", "develop", "design", "releas", "construct", "build",
                     "built", "creat", "curat", "devis", "formulat", "establish", "contribut", "unveil",
                     "launch", "offer")
_NAMING = frozenset({"called", "named", "dubbed", "termed", "coined", "namely", "entitled", "dub", "term"})
_OWN = frozenset({"our", "novel", "new", "proposed", "ours"})
_USE_PREFIXES = ("use", "using", "utiliz", "utilis", "employ", "leverag", "adopt", "appl", "fine", "finetun",
                 "train", "evaluat", "benchmark", "experiment", "test", "implement", "initializ", "backbone",
                 "distill", "prompt", "run", "conduct", "deploy", "measur", "assess", "achiev")
_COMPARE_PREFIXES = ("outperform", "compar", "baseline", "surpass", "beat", "than", "versus", "vs",
                     "competitive", "state", "sota", "superior", "better", "exceed", "improv", "gain")
_BACKGROUND_WORDS = frozenset({"previous", "previously", "prior", "existing", "recent", "recently",
                               "traditional", "conventional", "popular", "widely", "including", "like",
                               "al", "such", "typically", "often", "commonly", "standard", "classical",
                               "many", "various", "however", "although", "while", "remain", "remains",
                               "struggle", "struggles", "suffer", "suffers", "limited", "limitations",
                               "has", "have", "been", "became", "become", "emerged", "shown", "powerful",
                               "success", "successful", "advances", "revolutionized", "gained", "attention"})
_EXAMPLE_BEFORE = frozenset({"such", "as", "e", "g", "including", "like", "include", "includes", "."})
_RESULT_WORDS = frozenset({"results", "experiments", "experimental", "show", "shows", "demonstrate",
                           "demonstrates", "achieves", "achieve", "accuracy", "performance", "datasets",
                           "benchmarks", "across", "on"})


# Cue classes a token can belong to, as bits: the cues of some tokens are the union of theirs.
SELF_CUE, PROPOSE_CUE, USE_CUE, COMPARE_CUE, BACKGROUND_CUE, RESULT_CUE = (1 << bit for bit in range(6))


@lru_cache(maxsize=1 << 16)
def _token_cues(token: str) -> int:
    """The cue classes of one (lower-case) token."""
    return ((SELF_CUE if token in _SELF else 0) | (PROPOSE_CUE if token.startswith(_PROPOSE_PREFIXES) else 0)
            | (USE_CUE if token.startswith(_USE_PREFIXES) else 0)
            | (COMPARE_CUE if token.startswith(_COMPARE_PREFIXES) else 0)
            | (BACKGROUND_CUE if token in _BACKGROUND_WORDS else 0) | (RESULT_CUE if token in _RESULT_WORDS else 0))


@lru_cache(maxsize=1 << 16)
def _word_feature(token: str) -> str | None:
    """The sentence-word feature of a token ('S:model'), None for a token that is no word."""
    return f"S:{token}" if _WORD.match(token) else None


def _shape(surface: str) -> str:
    letters = [c for c in surface if c.isalpha()]
    if not letters:
        return "noalpha"
    if all(c.isupper() for c in letters):
        return "upper"
    if all(c.islower() for c in letters):
        return "lower"
    if " " in surface.strip() and all(w[:1].isupper() for w in surface.split() if w[:1].isalpha()):
        return "title"
    if any(c.isupper() for c in letters[1:]):
        return "mixed"
    return "capitalised"


# --------------------------------------------------------------------------- features

def role_features(text: str, title_end: int | None, entity_type: str, spans: Sequence[tuple[int, int]],
                  rule_role: str | None = None, known: bool | None = None,
                  context: PaperContext | None = None) -> dict[str, float]:
    """Sparse features of one entity in one paper: name -> value (mostly 1.0)."""
    ctx = context if context is not None and context.title_end == (title_end or 0) and context.text == text \
        else PaperContext(text, title_end)
    spans = sorted({(int(s), int(e)) for s, e in spans if 0 <= s < e <= len(text)})
    f: dict[str, float] = {}

    def add(name: str, value: float = 1.0) -> None:
        f[name] = value

    add(f"type={entity_type}")
    if rule_role is not None:
        add(f"rule={rule_role}")
        add(f"rule*type={rule_role}|{entity_type}")
    if known is not None:
        add("known" if known else "new")
        add(f"known*type={bool(known)}|{entity_type}")
        if rule_role is not None:
            add(f"rule*known={rule_role}|{bool(known)}")
    if ctx.survey:
        add("survey")
        add(f"survey*type={entity_type}")
        if rule_role is not None:
            add(f"survey*rule={rule_role}")
    if not spans:
        add("no_mentions")
        return f

    n = len(spans)
    add(f"n_mentions={min(n, 4)}")
    add("log_mentions", float(np.log1p(n)))
    surfaces = {text[s:e] for s, e in spans}
    add(f"n_surfaces={min(len(surfaces), 3)}")
    first_surface = text[spans[0][0]:spans[0][1]]
    add(f"shape={_shape(first_surface)}")
    add(f"shape*type={_shape(first_surface)}|{entity_type}")
    if any(c.isdigit() for c in first_surface):
        add("has_digit")
    if len(first_surface.split()) > 1:
        add("multiword")

    in_title = [s < ctx.title_end for s, _ in spans]
    if any(in_title):
        add("in_title")
        add(f"in_title*type={entity_type}")
        colon = text.find(":", 0, ctx.title_end)
        if colon >= 0 and any(s < colon for s, _ in spans):
            add("title_head")  # "FooNet: a ..." names the paper's own contribution
        if known is not None:
            add(f"in_title*known={bool(known)}")
        if ctx.survey:
            add("in_title*survey")
    if all(in_title):
        add("title_only")
    abstract = [(s, e) for s, e in spans if s >= ctx.title_end]
    n_sentences = max(1, len(ctx.sentences) - (1 if ctx.title_end else 0))
    if abstract:
        first_sentence = ctx.sentence_index(abstract[0][0]) - (1 if ctx.title_end else 0)
        last_sentence = ctx.sentence_index(abstract[-1][0]) - (1 if ctx.title_end else 0)
        relative = first_sentence / n_sentences
        if first_sentence == 0:
            add("first_in_s1")
        elif first_sentence == 1:
            add("first_in_s2")
        add(f"first_pos={min(int(relative * 4), 3)}")
        add(f"last_pos={min(int(last_sentence / n_sentences * 4), 3)}")
        if last_sentence == n_sentences - 1:
            add("in_last_sentence")
        add("spread", (last_sentence - first_sentence) / n_sentences)
        sentence_count = len({ctx.sentence_index(s) for s, _ in abstract})
        add(f"n_sentences_with={min(sentence_count, 4)}")

    cue_counts: dict[str, int] = {}
    seen_sentences: set[int] = set()
    for mention_number, (start, end) in enumerate(spans):
        first = mention_number == 0
        i0 = ctx.token_index(start)
        i1 = ctx.token_index(end)
        si = ctx.sentence_index(start)
        s_tok0, s_tok1 = ctx.sentence_tokens[si]
        left = ctx.tokens[max(s_tok0, i0 - WINDOW):i0]
        right = ctx.tokens[i1:min(s_tok1, i1 + WINDOW)]
        sentence_before = ctx.tokens[s_tok0:i0]
        sentence_after = ctx.tokens[i1:s_tok1]
        sentence = sentence_before + sentence_after
        cues_before = reduce(or_, map(_token_cues, sentence_before), 0)
        sentence_cues = cues_before | reduce(or_, map(_token_cues, sentence_after), 0)
        in_title_sentence = start < ctx.title_end

        for t in left:
            add(f"L:{t}")
        for t in right:
            add(f"R:{t}")
        add(f"L1:{left[-1] if left else '<s>'}")
        add(f"R1:{right[0] if right else '</s>'}")
        if len(left) >= 2:
            add(f"L2:{left[-2]}_{left[-1]}")
        if len(right) >= 2:
            add(f"R2:{right[0]}_{right[1]}")
        if si not in seen_sentences and not in_title_sentence:
            seen_sentences.add(si)
            word_features = [*map(_word_feature, sentence)]
            f.update(dict.fromkeys(filter(None, word_features), 1.0))
            f.update(dict.fromkeys([f"SB:{a}_{b}" for a, b, a_word, b_word
                                    in zip(sentence, sentence[1:], word_features, word_features[1:])
                                    if a_word and b_word], 1.0))

        cues = []
        self_cue = bool(sentence_cues & SELF_CUE) or ("this" in sentence and any(
            a == "this" and b in _THIS_WORK for a, b in zip(sentence, sentence[1:])))
        if self_cue:
            cues.append("self")
        if cues_before & SELF_CUE:
            cues.append("self_before")
        if cues_before & PROPOSE_CUE:
            cues.append("propose_before")
        if sentence_cues & PROPOSE_CUE:
            cues.append("propose_in_sentence")
        if self_cue and cues_before & PROPOSE_CUE:
            cues.append("self_propose_before")
        if any(t in _NAMING for t in left) or (left and left[-1] in (":", "\"", "'")):
            cues.append("naming_before")
        if any(t in _OWN for t in left[-4:]):
            cues.append("own_before")
        if any(t in _OWN or t == "newly" for t in sentence_before[-8:]):
            cues.append("own_near_before")
        if sentence_cues & USE_CUE:
            cues.append("use")
        if self_cue and sentence_cues & USE_CUE:
            cues.append("self_use")
        if sentence_cues & COMPARE_CUE:
            cues.append("compare")
        if sentence_cues & BACKGROUND_CUE:
            cues.append("background")
        if sentence_cues & BACKGROUND_CUE and not self_cue:
            cues.append("background_not_self")
        if sentence_cues & RESULT_CUE:
            cues.append("result")
        if left[-3:] and (("such" in left[-3:] and "as" in left[-3:]) or left[-1] in ("including", "like")
                          or left[-3:] == ["e", ".", "g"] or left[-4:-1] == ["e", ".", "g"]):
            cues.append("example_before")
            if not self_cue:
                cues.append("example_not_self")
        if "al" in right and "et" in right:
            cues.append("etal_after")
        if left and left[-1] == "(":
            cues.append("in_parens")
        if right and right[0] == "(":
            cues.append("defines")
        if (left and left[-1] in (",", "and", "or")) or (right and right[0] in (",", "and", "or")):
            cues.append("listed")
        if in_title_sentence:
            cues.append("title")
        for cue in cues:
            cue_counts[cue] = cue_counts.get(cue, 0) + 1
            if first:
                add(f"first:{cue}")
    for cue, count in cue_counts.items():
        add(f"any:{cue}")
        if count == n:
            add(f"all:{cue}")
        add(f"frac:{cue}", count / n)
    for cue in ("self", "background_not_self", "propose_before", "compare", "use"):
        if f"any:{cue}" in f:
            add(f"any:{cue}*type={entity_type}")
    return f


# --------------------------------------------------------------------------- the model

class RoleModel(SparseLinearModel):
    """Multinomial logistic regression over sparse role features; numpy-only inference."""

    FORMAT = "paper-kg-role-model"
    KIND = "role model"
    CLASSES = ROLES

    def __init__(self, features: list[str], coef: np.ndarray, intercept: np.ndarray,
                 classes: Sequence[str] = ROLES, uses_rule: bool = True, meta: dict | None = None) -> None:
        super().__init__(features, coef, intercept, classes, meta)
        self.uses_rule = uses_rule

    def predict_proba(self, text: str, title_end: int | None, entity_type: str,
                      spans: Sequence[tuple[int, int]], rule_role: str | None = None, known: bool | None = None,
                      context: PaperContext | None = None) -> dict[str, float]:
        """Probability of each role for one entity of one paper."""
        features = role_features(text, title_end, entity_type, spans,
                                 rule_role if self.uses_rule else None, known, context)
        return dict(zip(self.classes, (float(p) for p in self.scores(features))))

    def predict(self, text: str, title_end: int | None, entity_type: str, spans: Sequence[tuple[int, int]],
                rule_role: str | None = None, known: bool | None = None,
                context: PaperContext | None = None) -> tuple[str, float]:
        """(role, probability) of the most probable role."""
        return self.predict_many(text, title_end, [(entity_type, spans, rule_role, known)], context)[0]

    def predict_many(self, text: str, title_end: int | None,
                     entities: Sequence[tuple[str, Sequence[tuple[int, int]], str | None, bool | None]],
                     context: PaperContext | None = None) -> list[tuple[str, float]]:
        """`predict` for many (type, spans, rule role, known) entities of one paper, scored together."""
        if not entities:
            return []
        probabilities = self.scores_many([
            role_features(text, title_end, entity_type, spans, rule_role if self.uses_rule else None, known, context)
            for entity_type, spans, rule_role, known in entities])
        best = probabilities.argmax(axis=1)
        return [(self.classes[int(i)], float(row[i])) for i, row in zip(best, probabilities)]

    def extra_fields(self) -> dict:
        return {"uses_rule": self.uses_rule}

    @classmethod
    def from_dict(cls, data: dict) -> RoleModel:
        model = super().from_dict(data)
        model.uses_rule = bool(data.get("uses_rule", True))
        return model


# --------------------------------------------------------------------------- rules and mentions

@dataclass
class _Mention:
    """What RoleClassifier reads of a Candidate."""

    start: int
    end: int
    key: str
    known: bool = False


def rule_role(text: str, title_end: int | None, spans: Sequence[tuple[int, int]], known: bool = False,
              title_name: bool = False, sentences: list[tuple[int, int]] | None = None,
              survey: bool | None = None) -> str:
    """The hand rules' role for one entity given its mention spans, applied as the component applies
    RoleClassifier. `title_name`: the recognizer reads this entity as the title's own name.
    `sentences`: the pipeline's sentence ranges (default: `split_sentences`)."""
    title_end = title_end or 0
    if survey is None:
        survey = is_survey(text[:title_end], text[title_end:])
    classifier = RoleClassifier(text, sentences or split_sentences(text, title_end), title_end, survey)
    mentions = [_Mention(s, e, "entity", known) for s, e in sorted(spans)]
    if not mentions:
        return "mentions"
    return classifier.role(mentions, {"entity"} if title_name else set())  # type: ignore[arg-type]


def find_mentions(text: str, entities: Sequence[Sequence[str]]) -> list[list[tuple[int, int]]]:
    """Character spans of every alias occurrence, per entity (a list of alias strings each): word-boundary
    aligned, longest alias first, non-overlapping across all the entities. An entity whose aliases
    only occur inside longer names keeps those inner occurrences."""
    occurrences = []
    for index, aliases in enumerate(entities):
        for alias in set(aliases):
            if not alias:
                continue
            start = text.find(alias)
            while start >= 0:
                end = start + len(alias)
                before_ok = start == 0 or not (text[start - 1].isalnum() and alias[0].isalnum())
                after_ok = end == len(text) or not (text[end].isalnum() and alias[-1].isalnum())
                if before_ok and after_ok:
                    occurrences.append((-(end - start), start, end, index))
                start = text.find(alias, start + 1)
    occurrences.sort()
    taken = bytearray(len(text))
    result: list[list[tuple[int, int]]] = [[] for _ in entities]
    for _, start, end, index in occurrences:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        result[index].append((start, end))
    for index, _ in enumerate(entities):
        if not result[index]:  # only inside longer names: keep those occurrences
            result[index] = sorted({(s, e) for _, s, e, i in occurrences if i == index})
    return [sorted(spans) for spans in result]


# --------------------------------------------------------------------------- training

@dataclass
class RoleExample:
    """One entity of one paper with everything the features need, and its gold role."""

    text: str
    title_end: int
    entity_type: str
    spans: list[tuple[int, int]]
    rule_role: str | None
    known: bool | None
    role: str
    pid: str = ""
    name: str = ""


def example_features(examples: Sequence[RoleExample], use_rule: bool = True) -> list[dict[str, float]]:
    contexts: dict[int, PaperContext] = {}
    rows = []
    for ex in examples:
        ctx = contexts.get(id(ex.text))
        if ctx is None or ctx.text is not ex.text:
            ctx = contexts[id(ex.text)] = PaperContext(ex.text, ex.title_end)
        rows.append(role_features(ex.text, ex.title_end, ex.entity_type, ex.spans,
                                  ex.rule_role if use_rule else None, ex.known, ctx))
    return rows


def train_role_model(examples: Sequence[RoleExample], use_rule: bool = True, c: float = 0.5,
                     min_count: int = 2, seed: int = 0, class_weight: dict | str | None = None,
                     features: list[dict[str, float]] | None = None) -> RoleModel:
    """Fit the logistic regression (scikit-learn, from the `train` extra). Features seen in fewer than
    `min_count` training entities are dropped; so are weights that end up (near) zero. Deterministic."""
    rows = features if features is not None else example_features(examples, use_rule)
    kept, coef, intercept = fit(rows, [ex.role for ex in examples], ROLES, c, min_count, seed, class_weight)
    meta = {"c": c, "min_count": min_count, "seed": seed, "examples": len(examples),
            "class_weight": class_weight if not isinstance(class_weight, dict) else "custom"}
    return RoleModel(kept, coef, intercept, ROLES, uses_rule=use_rule, meta=meta)
