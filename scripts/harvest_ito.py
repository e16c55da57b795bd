"""Harvest model, dataset, benchmark and task names from OpenBioLink/ITO into kg/lexicon/ito.jsonl.

ITO (the Intelligence Task Ontology, https://github.com/OpenBioLink/ITO) is a curated knowledge graph
of AI tasks, benchmarks and results imported from Papers with Code. Its ontology and data exports
are licensed CC-BY-SA 3.0 AT (attribution: Blagec, Barbosa-Silva, Ott, Samwald, "A curated,
ontology-based, large-scale knowledge graph of artificial intelligence tasks and benchmarks",
arXiv:2110.01434, 2021; data partly from Papers with Code, CC-BY-SA). ito.jsonl is a derived work
under the same licence.

Run from the repository root:

    # ITO at commit 8bf11fb2 as a bare git dir (the search tool's fetch) or as a checkout:
    PYTHONPATH=$PWD /tmp/itovenv/bin/python scripts/harvest_ito.py /path/to/ITO \
        --corpus ../shared/corpus/arxiv-cs-2024-2026.jsonl.gz --out kg/lexicon/ito.jsonl

where /tmp/itovenv has `pip install wordfreq==3.1.1` (English word frequencies) and spaCy is
importable (its English stop words). The output is deterministic for a fixed ITO commit, corpus and
wordfreq version.

Every name is taken by rule from the whole source; nothing is chosen by looking at the project's gold
annotations or seeds. The rules (each dropped name is counted under its rule with --report):

  sources   tasks    ai-process.json names (+ hasExactSynonym aliases) and the task / l2 / l3 columns
                     of the SOTA tables; ontology grouping nodes ('... process') are skipped
            datasets dataset columns of the SOTA and SOTA-paper tables and the dataset part of the
                     'DATASET - TASK benchmarking' labels of the benchmark table
            models   'NAME model in \\'PAPER TITLE\\'' rows of sota_ITO_00141.csv and model_label of the
                     trajectories table
  cleaning  trailing citations '[[..]]', trailing parentheticals '(large)', a trailing ' model', and
            data-split suffixes ('dev', 'test', 'test-dev', ...) are cut off
  shape     dropped: keys under 3 characters; more than 5 words (4 for models); any of + ( ) [ ] % = , ;
            : / \\ " ' or '&'; no letter; digits with no letter in a word that is not a version
            ('12', 'C2-50k Segmentation'); an all-lower-case single word
  models    kept only where the paper title names it (the paper introduces it: the name is a whole-word
            part of some ITO paper title) or two or more different papers report it
  common    dropped: names of plain words (lower- or title-case, no digits or inner capitals) that are
            all common English words (wordfreq Zipf >= 3.0, spaCy stop words) -- except tasks, which
            are phrases of ordinary words by nature but must then have two or more words; acronyms
            whose lower-case form is a common word (Zipf >= 3.0: 'CAT', 'MAP'); names in
            scripts/ito_stoplist.txt (generic concepts the annotation guideline excludes and PwC
            placeholder rows: 'Baseline', 'Ours', 'Transfer Learning', ...); single tokens of at most
            4 characters without a lower-case letter (DNN, ECG, HCI, 'A3D' = 'a 3D'), ambiguous across
            fields; a name with '_'; a dataset name carrying a leaderboard setting (' - ', '64x64',
            '5-way', 'sigma25', 'A to B'); a dataset name that extends another dataset name having two
            or more such extensions ('KITTI Cars Moderate'); a model name with a result-row word
            (ensemble, single, with, without, ...) or made of two known names ('SimCSE-RoBERTa-large')
  corpus    with --corpus, on a slice of the unlabelled corpus that is disjoint from the 10,000 papers
            the false-positive check uses (lines 60,000-79,999): a name that the matcher finds in more
            than 0.5% of papers is dropped (a generic phrase: the genuinely common entities are already
            in curated.jsonl), and so is a model/method/dataset name whose lower-case spelling (same
            key, any spacing or hyphens: 'multi-hop', 'encoder-decoder') occurs in >= 0.25% of papers
  existing  a name or alias whose key is a name or alias of harvested.jsonl / curated.jsonl is dropped
            (those files keep their type; ito.jsonl only adds names)
  types     task rows -> task (the lower-case spelling as an alias); dataset rows -> benchmark when the
            name says it is for evaluation (bench, benchmark, leaderboard, challenge, shared task,
            test/eval) else dataset; model rows -> model when the name is a sized or versioned variant
            (7B, -large, -base, v2) or contains the name of a model family the existing lexicon types
            as model (PhoBERT: BERT; ResNeSt200: ResNet is not a substring, so method), else method
            (PwC 'models' are mostly a paper's named system or technique); a name that is a dataset in
            one table and a model in another is dropped as ambiguous
  case      names whose words are all English words (Zipf >= 2.0) get case_sensitive: true
"""
from __future__ import annotations

import argparse
import ast
import csv
import gzip
import io
import itertools
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

from kg.keys import name_key

try:
    from wordfreq import zipf_frequency
except ImportError:  # pragma: no cover
    sys.exit("harvest_ito.py needs wordfreq (pip install wordfreq==3.1.1 in a throwaway venv)")
try:
    from spacy.lang.en.stop_words import STOP_WORDS
except ImportError:  # pragma: no cover
    sys.exit("harvest_ito.py needs spaCy (for its English stop words)")

REPO_ROOT = Path(__file__).resolve().parent.parent
LEXICON_DIR = REPO_ROOT / "kg" / "lexicon"
STOPLIST = Path(__file__).resolve().parent / "ito_stoplist.txt"
EXISTING = ("harvested.jsonl", "curated.jsonl")
ITO_COMMIT = "8bf11fb2"

F_PROCESS = "ai-process.json"
F_SOTA = "notebooks/global_dynamics/data/sota_ITO_00141.csv"
F_SOTA_PAPERS = ("notebooks/global_dynamics/data/sota_papers_ITO_00101.csv",
                 "notebooks/global_dynamics/data/sota_papers_ITO_00141.csv")
F_BENCHMARKS = "notebooks/performance_metrics_analysis/data/number_of_different_submetrics_per_benchmark.csv"
F_TRAJECTORIES = "notebooks/adriano_trajectories_notebooks/get_ratio_df_all_per_global_all.csv"

COMMON_ZIPF = 3.0
ACRONYM_ZIPF = 3.5
ENGLISH_ZIPF = 2.0
MAX_WORDS = {"model": 4, "method": 4}
CORPUS_SLICE = (60_000, 20_000)
MAX_SHARE = 0.005  # of the filter slice's papers: a new name matched more often is a generic phrase
LOWER_WORD_SHARE = 0.0025
_LOWER_RUN = re.compile(r"(?<![\w])[a-z0-9]+(?:[ -][a-z0-9]+)*(?![\w])")

_BAD_CHARS = re.compile(r"[+()\[\]%=,;:/\\\"'&|<>{}#*@?!]")
_CITATION = re.compile(r"\s*\[\[.*?\]\]\s*$")
_PAREN_TAIL = re.compile(r"\s*\([^()]*\)\s*$")
_SPLIT_TAIL = re.compile(r"[\s_-]+(?:dev|test|val|valid|validation|train|test-dev|test-std|test-challenge|"
                         r"dev-test|testa|testb|test set|dev set|validation set|eval)$", re.I)
_MODEL_ROW = re.compile(r"^(?P<name>.*?) model in \\?'(?P<title>.*)\\?'$", re.S)
_BENCHMARK_LABEL = re.compile(r"^(?P<dataset>.*) - (?P<task>[^-]*) benchmarking$")
_EVALUATION = re.compile(r"bench|leaderboard|\bchallenge\b|shared task|\btest\b|\beval\b|evaluation", re.I)
_SIZED = re.compile(r"(?:\b|-)(?:\d+(?:\.\d+)?[BMK]|base|large|small|tiny|xl|xxl|mini|medium|huge)$|"
                    r"(?:\b|[-_ ])v\d+(?:\.\d+)?$", re.I)
_WORD = re.compile(r"[A-Za-z]+")
# A PwC leaderboard's setting written into the dataset name: 'ImageNet - 1-shot', 'KTH 64x64 cond10',
# 'McMaster sigma75', 'BDD100k to Cityscapes', 'CUB-200-2011 5-way'.
_SETTING = re.compile(r" - |\d+ ?x ?\d+|\bx\d+\b|\d+-(?:shot|way|fold)\b|\bsigma\d+|\b(?:cond|pred)\d+|"
                      r"\bto\b|-to-|\b(?:easy|medium|hard|moderate)\b", re.I)
# Result-row qualifiers in a model column: 'DeBERTa-Ensemble', 'BERT single', 'X w/o Y'.
_ROW_WORDS = {"ensemble", "single", "baseline", "ours", "finetuned", "pretrained", "with", "without",
              "only", "fusion", "full", "reproduced", "reimplementation", "our"}
LANGUAGES = {
    "english", "german", "french", "spanish", "italian", "portuguese", "dutch", "russian", "chinese",
    "japanese", "korean", "arabic", "hindi", "turkish", "czech", "romanian", "finnish", "estonian",
    "latvian", "lithuanian", "polish", "hungarian", "bulgarian", "greek", "swedish", "danish",
    "norwegian", "icelandic", "ukrainian", "kazakh", "gujarati", "tamil", "nepali", "sinhala",
    "vietnamese", "thai", "indonesian", "malay", "hebrew", "persian", "urdu", "bengali", "croatian",
    "serbian", "slovenian", "slovak", "basque", "catalan", "galician", "irish", "welsh", "pashto",
    "khmer", "burmese", "swahili", "yoruba", "zulu", "xhosa", "amharic", "somali", "hausa", "igbo",
    "filipino", "tagalog", "mongolian", "uzbek", "azerbaijani", "georgian", "armenian", "maltese",
    "afrikaans", "albanian", "macedonian", "belarusian", "bosnian", "esperanto", "latin", "sanskrit",
    "marathi", "telugu", "kannada", "malayalam", "punjabi", "odia", "assamese", "sindhi",
}
_PAIR_TAIL = re.compile(r"[\s_]+([A-Za-z]+)\s*(?:-|–|to|→)\s*([A-Za-z]+)$")


# --------------------------------------------------------------------------- reading the source
class Source:
    """ITO files, from a checkout directory or from a bare git directory (read at HEAD)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.git = not (path / F_PROCESS).exists()
        self.commit = ITO_COMMIT
        if self.git:
            self.commit = subprocess.run(["git", "--git-dir", str(path), "rev-parse", "--short=8", "HEAD"],
                                         capture_output=True, text=True, check=True).stdout.strip()

    def text(self, name: str) -> str:
        if not self.git:
            return (self.path / name).read_text(encoding="utf-8")
        return subprocess.run(["git", "--git-dir", str(self.path), "show", f"HEAD:{name}"],
                              capture_output=True, text=True, check=True).stdout

    def rows(self, name: str, delimiter: str = ",") -> list[dict]:
        return list(csv.DictReader(io.StringIO(self.text(name)), delimiter=delimiter))


class Candidate:
    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind  # task | dataset | model (the source table's column)
        self.aliases: set[str] = set()
        self.files: set[str] = set()
        self.papers: set[str] = set()
        self.titled = False  # a paper title names it


def clean(name: str) -> str:
    name = " ".join(name.replace("\\'", "'").split())
    for _ in range(3):
        before = name
        name = _CITATION.sub("", name)
        name = _PAREN_TAIL.sub("", name)
        name = re.sub(r"\s+model$", "", name)
        name = _SPLIT_TAIL.sub("", name)
        pair = _PAIR_TAIL.search(name)
        if pair and {pair.group(1).lower(), pair.group(2).lower()} <= LANGUAGES:
            name = name[:pair.start()]  # 'WMT 2018 Finnish-English' -> 'WMT 2018'
        name = name.strip(" -_.")
        if name == before:
            break
    return name


def process_names(source: Source) -> list[tuple[str, list[str]]]:
    """Task names of the AI-process hierarchy with their exact synonyms; grouping nodes skipped."""
    found = []

    def walk(node: dict, depth: int) -> None:
        name = node["name"].strip()
        synonyms = []
        if node.get("hasExactSynonym"):
            synonyms = [s.strip() for s in ast.literal_eval(node["hasExactSynonym"])]
        if depth >= 2 and not name.lower().endswith("process"):
            found.append((name, synonyms))
        for child in node.get("children", []):
            walk(child, depth + 1)

    walk(json.loads(source.text(F_PROCESS)), 0)
    return found


def collect(source: Source) -> tuple[dict[tuple[str, str], Candidate], list[str]]:
    """All candidate names, keyed by (kind, name key), and every ITO paper title."""
    found: dict[tuple[str, str], Candidate] = {}
    titles: list[str] = []

    def add(kind: str, raw: str, file: str, paper: str | None = None, aliases: list[str] = ()) -> None:
        name = clean(raw)
        key = name_key(name)
        if not key:
            return
        cand = found.get((kind, key))
        if cand is None:
            cand = found[(kind, key)] = Candidate(name, kind)
        cand.files.add(file)
        cand.aliases.update(clean(a) for a in aliases)
        if paper:
            cand.papers.add(paper)

    for name, synonyms in process_names(source):
        add("task", name, F_PROCESS, aliases=synonyms)
    for row in source.rows(F_SOTA):
        for column in ("l2", "l3", "task"):
            add("task", row[column], F_SOTA)
        add("dataset", row["dataset"], F_SOTA)
        match = _MODEL_ROW.match(row["model"])
        if match:
            title = match.group("title").replace("\\'", "'")
            titles.append(title)
            add("model", match.group("name"), F_SOTA, paper=title)
    for file in F_SOTA_PAPERS:
        for row in source.rows(file):
            add("dataset", row["dataset_label"], file)
            titles.append(row["paper_label"])
    for row in source.rows(F_BENCHMARKS):
        match = _BENCHMARK_LABEL.match(row["benchmark_label"])
        if match:
            add("dataset", match.group("dataset"), F_BENCHMARKS)
    for row in source.rows(F_TRAJECTORIES):
        add("task", row["task"], F_TRAJECTORIES)
        add("dataset", row["ds"], F_TRAJECTORIES)
        add("model", row["model_label"], F_TRAJECTORIES)
    return found, sorted(set(titles))


# --------------------------------------------------------------------------- filters
def zipf(word: str) -> float:
    return zipf_frequency(word.lower(), "en")


def plain(name: str) -> bool:
    """Only words in plain lower or title case: no digits, no inner capitals."""
    return all(w.islower() or (w[0].isupper() and w[1:].islower()) or w.isalpha() and len(w) == 1
               for w in re.split(r"[\s-]+", name) if w)


def name_shaped(name: str) -> bool:
    """One token written as a name: inner capitals after a lower-case letter ('RippleNet', 'DeepMCP',
    'AraBERTv1') -- a spelling no English word has."""
    return " " not in name and bool(re.search(r"[a-z][A-Z]", name)) and len(name_key(name)) >= 4


def common_words(name: str) -> bool:
    words = [w for w in re.split(r"[\s-]+", name) if w]
    return all(w.lower() in STOP_WORDS or (w.isalpha() and zipf(w) >= COMMON_ZIPF) for w in words)


def shape_problem(name: str, kind: str) -> str | None:
    words = name.split()
    if len(name_key(name)) < 3:
        return "short"
    if len(words) > MAX_WORDS.get(kind, 5):
        return "long"
    if _BAD_CHARS.search(name):
        return "punctuation"
    if not re.search(r"[A-Za-z]", name):
        return "no letter"
    if "_" in name:
        return "identifier"
    if kind != "task" and _SETTING.search(name):
        return "leaderboard setting"
    if kind == "model" and any(w.lower() in _ROW_WORDS for w in re.split(r"[\s-]+", name)):
        return "result-row qualifier"
    if any(re.fullmatch(r"[\d.,]+[kK]?", w) for w in words) and kind == "model" and len(words) > 1 \
            and not re.search(r"\d(?:\.\d+)?[BM]\b", name):
        return "number word"
    if len(words) == 1 and len(name) <= 4 and not re.search(r"[a-z]", name):
        return "short acronym"  # DNN, ECG, HCI, A3D ('a 3D'): ambiguous across fields
    if len(words) == 1 and name.islower() and kind != "task":
        return "lower-case word"
    if len(words) == 1 and kind == "task" and name.islower() and "-" not in name:
        return "lower-case word"
    return None


def read_stoplist(path: Path) -> set[str]:
    keys = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            keys.add(name_key(line))
    return keys


def existing_surfaces() -> dict[str, str]:
    """Key -> type of every name and alias of the committed non-ITO lexicon files."""
    known: dict[str, str] = {}
    for filename in EXISTING:
        for line in (LEXICON_DIR / filename).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                for surface in [record["name"], *record.get("aliases", [])]:
                    known[name_key(surface)] = record["type"]
    return known


def model_families(known_records: list[dict]) -> list[str]:
    """Names (>= 3 characters, with a capital) of families the existing lexicon types as model."""
    names = set()
    for record in known_records:
        if record["type"] == "model":
            for surface in [record.get("family") or record["name"]]:
                if len(surface) >= 3 and any(c.isupper() for c in surface) and " " not in surface:
                    names.add(surface)
    return sorted(names, key=len, reverse=True)


def in_some_title(name: str, titles_index: dict[str, list[str]]) -> bool:
    """Whether a paper title contains the name as whole words, spelled as written."""
    first = _WORD.search(name)
    pattern = re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w])")
    candidates = titles_index.get(first.group().lower(), []) if first else []
    return any(pattern.search(t) for t in candidates)


def entity_type(cand: Candidate, families: list[str]) -> str:
    if cand.kind == "task":
        return "task"
    if cand.kind == "dataset":
        return "benchmark" if _EVALUATION.search(cand.name) else "dataset"
    if _SIZED.search(cand.name):
        return "model"
    compact = cand.name.replace(" ", "").replace("-", "")
    for family in families:
        if family.replace(" ", "").replace("-", "") in compact:
            return "model"
    return "method"


# --------------------------------------------------------------------------- corpus check
def corpus_counts(entries: list[dict], corpus: Path) -> tuple[Counter, Counter]:
    """Papers (of the filter slice) in which the matcher finds each entry, and in which the lower-case
    form of each single capitalised word occurs."""
    import catalogue  # the matcher's recognizer needs no spaCy pipeline; keep entry points quiet
    catalogue.Registry.get_entry_points = lambda self: {}
    from kg.extract.lexicon import Lexicon, read_lexicon_file
    from kg.extract.recognizer import EntityRecognizer

    tmp = Path("/tmp/ito_candidates.jsonl")
    tmp.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    lexicon = Lexicon(read_lexicon_file(tmp))
    recognizer = EntityRecognizer(lexicon)
    lower_keys = {name_key(e["name"]) for e in entries if e["type"] != "task"}
    longest = max((len(e["name"].replace("-", " ").split()) for e in entries), default=1) + 2
    found: Counter = Counter()
    lowered: Counter = Counter()
    start, n = CORPUS_SLICE
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, start, start + n):
            record = json.loads(line)
            text = record.get("title", "") + "\n\n" + record.get("abstract", "")
            keys = {c.key for c in recognizer._scan(text, Lexicon()) if c.rule == "lexicon"}
            found.update(keys)
            keys_here = set()
            for run in _LOWER_RUN.findall(text):  # all-lower-case word runs: 'multi-hop', 'encoder-decoder'
                words = re.split(r"[ -]", run)
                for i in range(len(words)):
                    key = ""
                    for word in words[i:i + longest]:
                        key += word
                        if key in lower_keys:
                            keys_here.add(key)
            lowered.update(keys_here)
    return found, lowered


# --------------------------------------------------------------------------- main
DROPPED: list[tuple[str, str]] = []


def drop(report: Counter, rule: str, name: str) -> None:
    report[rule] += 1
    DROPPED.append((rule, name))


def harvest(source: Source, corpus: Path | None, report: Counter) -> list[dict]:
    found, titles = collect(source)
    titles_index: dict[str, list[str]] = defaultdict(list)
    for title in titles:
        for word in {w.lower() for w in _WORD.findall(title)}:
            titles_index[word].append(title)
    stoplist = read_stoplist(STOPLIST)
    known = existing_surfaces()
    known_records = [json.loads(line) for f in EXISTING
                     for line in (LEXICON_DIR / f).read_text(encoding="utf-8").splitlines() if line.strip()]
    families = model_families(known_records)

    kinds_of_key: dict[str, set[str]] = defaultdict(set)
    for kind, key in found:
        kinds_of_key[key].add(kind)

    # 'KITTI Cars Moderate', 'ShapeNet Car': a dataset name extended by words, where the shorter name is
    # itself a dataset with two or more such extensions, is one leaderboard's slice of that dataset
    data_keys = {key for kind, key in found if kind == "dataset"} | {
        k for k, t in known.items() if t in ("dataset", "benchmark")}
    extensions: Counter = Counter()
    for kind, key in found:
        if kind == "dataset":
            words = found[(kind, key)].name.split()
            extensions.update({name_key(" ".join(words[:i])) for i in range(1, len(words))})
    system_keys = {key for kind, key in found if kind == "model"} | set(known)

    def variant_of_dataset(name: str) -> bool:
        words = name.split()
        return any(name_key(" ".join(words[:i])) in data_keys and extensions[name_key(" ".join(words[:i]))] >= 2
                   for i in range(1, len(words)))

    def composite(name: str) -> bool:
        parts = [name_key(p) for p in re.split(r"[\s-]+", name)]
        return sum(1 for p in parts if len(p) >= 3 and p in system_keys) >= 2

    entries: dict[str, dict] = {}
    for (kind, key), cand in sorted(found.items(), key=lambda item: (item[0][1], item[0][0])):
        name = cand.name
        problem = shape_problem(name, kind)
        if problem:
            drop(report, f"{kind}: {problem}", name)
            continue
        if kind == "dataset" and variant_of_dataset(name):
            drop(report, f"{kind}: a slice of another dataset", name)
            continue
        if kind == "model" and composite(name):
            drop(report, f"{kind}: combines two known names", name)
            continue
        if key in stoplist:
            drop(report, f"{kind}: stoplist", name)
            continue
        if {"dataset", "model"} <= kinds_of_key[key]:
            # a model row named like a dataset is mostly PwC naming the pre-training data ("ImageNet");
            # it is the model only where a paper title names it
            model_titled = in_some_title(found[("model", key)].name, titles_index)
            if (kind == "model") != model_titled:
                drop(report, f"{kind}: dataset and model", name)
                continue
        if kind == "task" and "task" in kinds_of_key[key] and len(kinds_of_key[key]) > 1:
            drop(report, f"{kind}: also a dataset or model", name)
            continue
        if kind != "task" and "task" in kinds_of_key[key]:
            drop(report, f"{kind}: also a task", name)
            continue
        if kind != "task" and plain(name) and common_words(name):
            drop(report, f"{kind}: common words", name)
            continue
        if kind == "task" and (len(name.split()) < 2 and "-" not in name) and common_words(name):
            drop(report, f"{kind}: one common word", name)
            continue
        if name.isalpha() and name.isupper() and zipf(name) >= ACRONYM_ZIPF:
            drop(report, f"{kind}: acronym is a common word", name)
            continue
        if kind == "model" and not (name_shaped(name) or len(cand.papers) >= 2
                                    or in_some_title(name, titles_index)):
            drop(report, f"{kind}: not named in a title nor by two papers", name)
            continue
        if key in known:
            drop(report, f"{kind}: already in the lexicon", name)
            continue
        entry_type = entity_type(cand, families)
        aliases = set()
        for alias in cand.aliases:
            if alias and name_key(alias) != key and not shape_problem(alias, kind) \
                    and name_key(alias) not in known and name_key(alias) not in stoplist:
                aliases.add(alias)
        if entry_type == "task" and name.lower() != name:
            aliases.add(name.lower())
        for alias in list(aliases):
            if entry_type == "task" and alias.lower() != alias:
                aliases.add(alias.lower())
        record = {"name": name, "type": entry_type, "aliases": sorted(aliases)}
        words = _WORD.findall(name)
        if entry_type != "task" and words and all(zipf(w) >= ENGLISH_ZIPF for w in words) and not name.isupper():
            record["case_sensitive"] = True
        record["source"] = f"ito@{source.commit} " + " ".join(sorted(cand.files))
        entries[key] = record

    # aliases that are another record's name, or shared by two records, are dropped
    alias_owner: Counter = Counter(name_key(a) for e in entries.values() for a in e["aliases"])
    for record in entries.values():
        own = name_key(record["name"])
        record["aliases"] = [a for a in record["aliases"] if name_key(a) == own
                             or (name_key(a) not in entries and alias_owner[name_key(a)] == 1)]

    result = sorted(entries.values(), key=lambda e: (e["type"], e["name"].casefold(), e["name"]))
    if corpus is not None:
        found_in, lowered = corpus_counts(result, corpus)
        n = CORPUS_SLICE[1]
        kept = []
        for record in result:
            key = name_key(record["name"])
            if found_in[key] > MAX_SHARE * n:
                drop(report, f"{record['type']}: corpus share > {MAX_SHARE:.1%}", record["name"])
                continue
            if record["type"] != "task" and lowered[key] >= LOWER_WORD_SHARE * n:
                drop(report, f"{record['type']}: ordinary lower-case words in the corpus", record["name"])
                continue
            kept.append(record)
        result = kept
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ito", type=Path, help="ITO checkout directory or bare git directory")
    ap.add_argument("--corpus", type=Path, help="unlabelled corpus (.jsonl.gz) for the frequency filter")
    ap.add_argument("--out", type=Path, default=LEXICON_DIR / "ito.jsonl")
    ap.add_argument("--report", action="store_true", help="print how many names each rule dropped")
    ap.add_argument("--dropped", type=Path, help="write every dropped name with its rule (TSV)")
    args = ap.parse_args()
    report: Counter = Counter()
    records = harvest(Source(args.ito), args.corpus, report)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    counts = Counter(r["type"] for r in records)
    print(f"{len(records)} records -> {args.out}: " + ", ".join(f"{t} {c}" for t, c in sorted(counts.items())))
    if args.dropped:
        args.dropped.write_text("".join(f"{rule}\t{name}\n" for rule, name in sorted(DROPPED)), encoding="utf-8")
    if args.report:
        for rule, count in sorted(report.items()):
            print(f"  dropped {count:5d}  {rule}")


if __name__ == "__main__":
    main()
