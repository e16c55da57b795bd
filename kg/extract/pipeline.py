"""Extract stage: Papers -> PaperEntities with the trained spaCy pipeline, then the corpus pass.

Each paper goes through the pipeline once (tokenizer, sentencizer, the rule votes, the trained tagger,
the entity component); the corpus pass (kg/extract/propagation.py) then links the names papers
introduce across papers without running the pipeline again, and each entity gets one type and one
canonical name across the corpus.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex
from spacy.vectors import Vectors

import kg.extract.component  # noqa: F401  (registers the "ml_entities" factory)
from kg.engine import Engine, InProcess, chunked
from kg.errors import ModelError
from kg.extract.biluo import TAGGER_MODEL  # (importing kg.extract.biluo registers the "biluo_ner" factory)
from kg.extract.lexicon import LEXICON_DIR
from kg.extract.propagation import introduced_names, merge_spellings, propagate, relink
from kg.extract.votes import doc_text  # (importing kg.extract.votes registers the "ml_rule_votes" factory)
from kg.model import TITLE_SEPARATOR, EntityRef, Mention, Paper, PaperEntities

COMPONENT = "ml_entities"
_PIPELINE_TURN = threading.Lock()  # threads of one worker process (Dask's --nthreads) share one pipeline
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "cf.", "Fig.", "Eq.", "approx.", "resp.", "al.")


# A LaTeX command opening a group ("\textbf{", "\emph{"): 6% of arXiv abstracts wrap names in one.
_LATEX_COMMAND = r"\\[A-Za-z]+\{"


def _tokenizer(nlp: Language) -> Tokenizer:
    """English tokenization that also splits at every hyphen and slash, and around a LaTeX group
    ("\\textbf{FooNet}-7B" -> "\\textbf{", "FooNet", "}", "-", "7B"), so names align with tokens."""
    defaults = nlp.Defaults
    infixes = [*defaults.infixes, r"[-–—/}]"]
    rules = dict(defaults.tokenizer_exceptions)
    for abbreviation in _ABBREVIATIONS:
        rules[abbreviation] = [{"ORTH": abbreviation}]
    return Tokenizer(nlp.vocab, rules=rules,
                     prefix_search=compile_prefix_regex([_LATEX_COMMAND, *defaults.prefixes]).search,
                     suffix_search=compile_suffix_regex(defaults.suffixes).search,
                     infix_finditer=compile_infix_regex(infixes).finditer,
                     token_match=defaults.token_match, url_match=defaults.url_match)


MODEL_DIR = Path(__file__).resolve().parent / "model"
TRAIN_COMMAND = "kg train"
# What extraction reads: this package's extraction code with the model inside it, and the word lists.
EXTRACTOR_DIRS = (Path(__file__).resolve().parent, LEXICON_DIR)
_fingerprints: dict[tuple, str] = {}  # file sizes and times -> the hash of their contents


def extractor_fingerprint() -> str:
    """A hash of every file extraction reads (the extraction code, the shipped model, the lexicon). A
    build records it; `kg add` extracts the old papers again when it changed (after `kg train` or an
    upgrade), so that an add still equals a rebuild. Hashed again only when a file's size or time moved."""
    files = [(path, path.relative_to(folder.parent).as_posix(), path.stat()) for folder in EXTRACTOR_DIRS
             for path in sorted(folder.rglob("*")) if path.is_file() and "__pycache__" not in path.parts]
    stamp = tuple((name, status.st_size, status.st_mtime_ns) for _, name, status in files)
    if stamp not in _fingerprints:
        digest = hashlib.sha256()
        for path, name, _ in files:
            digest.update(name.encode() + b"\0" + path.read_bytes())
        _fingerprints.clear()
        _fingerprints[stamp] = digest.hexdigest()[:16]
    return _fingerprints[stamp]


def blank_pipeline(vectors: Vectors | None = None, lexicon_dir: str | None = None) -> Language:
    """The untrained pipeline: fine-grained tokenizer, sentencizer, the rule layer as features, the
    tagger (`biluo_ner` named `ner`, to be trained, reading `vectors` if given), then the entity component."""
    nlp = spacy.blank("en")
    nlp.tokenizer = _tokenizer(nlp)
    if vectors is not None:
        nlp.vocab.vectors = vectors
    model = copy.deepcopy(TAGGER_MODEL)
    model["tok2vec"]["embed"]["include_static_vectors"] = vectors is not None
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("ml_rule_votes", config={"lexicon_dir": lexicon_dir})
    nlp.add_pipe("biluo_ner", name="ner", config={"model": model})
    nlp.add_pipe(COMPONENT)
    return nlp


def rules_pipeline(lexicon_dir: str | None = None) -> Language:
    """The rule layer alone, no trained tagger: what the tagger reads as features, usable on its own."""
    nlp = spacy.blank("en")
    nlp.tokenizer = _tokenizer(nlp)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("ml_rule_votes", config={"lexicon_dir": lexicon_dir})
    nlp.add_pipe(COMPONENT)
    return nlp


_TOKENIZER_FROM_DISK = "paper_kg.tokenizer_from_disk.v1"  # the tokenizer `build_nlp` loads the saved one into


@spacy.registry.tokenizers(_TOKENIZER_FROM_DISK)
def _tokenizer_from_disk() -> Callable[[Language], Tokenizer]:
    """A tokenizer without rules, for a pipeline whose saved tokenizer replaces them all on loading: the
    configured one would first build spaCy's English rules only to drop them."""
    return lambda nlp: Tokenizer(nlp.vocab)


def build_nlp(model_dir: Path = MODEL_DIR) -> Language:
    """The trained pipeline shipped in the package (or another one written by `kg train`), its
    tokenizer read from the model folder."""
    config_file = Path(model_dir) / "config.cfg"
    try:
        return spacy.load(model_dir, config={"nlp": {"tokenizer": {"@tokenizers": _TOKENIZER_FROM_DISK}}})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        reason = "is missing" if not config_file.exists() else f"cannot be read ({type(exc).__name__})"
        raise ModelError(f"{model_dir}: the extraction model {reason}; rebuild it with `{TRAIN_COMMAND}`") from exc


def paper_doc(nlp: Language, paper: Paper) -> Doc:
    """The paper as one doc: title, a blank line, abstract; `doc._.title_end` marks the title."""
    text = paper.title + TITLE_SEPARATOR + paper.abstract
    doc = nlp.make_doc(text)
    doc._.title_end = len(paper.title)
    doc._.text = text  # the tokenizer keeps every character, so this is doc.text
    return doc


def doc_entities(doc: Doc, paper: Paper, spans_key: str = COMPONENT) -> list[EntityRef]:
    """Group a doc's entity spans into one EntityRef per canonical entity, offsets made per field."""
    title_end = len(paper.title)
    abstract_start = title_end + len(TITLE_SEPARATOR)
    text = doc_text(doc)
    refs: dict[str, EntityRef] = {}
    sentences: dict[str, str] = {}  # one string per sentence, shared by its mentions (and when pickled)
    for span in doc.spans[spans_key]:
        found = span._  # one accessor for all the attributes (each `span._` is a new object)
        start, end = found.char_offsets
        field, base = ("title", 0) if start < title_end else ("abstract", abstract_start)
        sentence = sentences.setdefault(found.sentence, found.sentence)
        mention = Mention(text=text[start:end], field=field, start=start - base, end=end - base,
                          sentence=sentence, rule=found.rule, confidence=found.confidence)
        ref = refs.get(found.entity_id)
        if ref is None:
            ref = refs[found.entity_id] = EntityRef(
                id=found.entity_id, name=found.canonical_name, type=span.label_, role=found.role,
                confidence=found.confidence, family=found.family)
        ref.mentions.append(mention)
        ref.confidence = max(ref.confidence, mention.confidence)
    for ref in refs.values():
        ref.aliases = sorted({m.text for m in ref.mentions})
    return list(refs.values())


def harmonise(corpus: list[PaperEntities]) -> None:
    """One type and one canonical name per entity id across the corpus (majority, confidence-weighted)."""
    type_votes: dict[str, Counter] = defaultdict(Counter)
    name_votes: dict[str, Counter] = defaultdict(Counter)
    for item in corpus:
        for ref in item.entities:
            type_votes[ref.id][ref.type] += ref.confidence
            name_votes[ref.id][ref.name] += ref.confidence
    for item in corpus:
        for ref in item.entities:
            ref.type = type_votes[ref.id].most_common(1)[0][0]
            ref.name = name_votes[ref.id].most_common(1)[0][0]


@lru_cache(maxsize=2)
def process_pipeline(model_dir: str) -> Language:
    """The trained pipeline, loaded once per process: a worker keeps it for every chunk it is given."""
    return build_nlp(Path(model_dir))


def own_entities(nlp: Language, papers: list[Paper]) -> list[list[EntityRef]]:
    """Each paper's own entities, before the corpus pass."""
    docs = nlp.pipe(paper_doc(nlp, paper) for paper in papers)
    return [doc_entities(doc, paper) for paper, doc in zip(papers, docs)]


def extract_chunk(papers: list[Paper], model_dir: str | None = None) -> list[list[EntityRef]]:
    """The map stage: `own_entities` with this process's copy of the pipeline in `model_dir` (default:
    the model shipped with the package where the stage runs); threads of one process take turns. Only
    the entities travel back: the caller has the papers."""
    with _PIPELINE_TURN:
        return own_entities(process_pipeline(model_dir or str(MODEL_DIR)), papers)


def link_corpus(corpus: list[PaperEntities], notes: list[str] | None = None) -> None:
    """The corpus pass over every paper's own entities (see kg/extract/propagation.py), then one type
    and one name per entity; `notes` collects what the pass examined and left out."""
    names = introduced_names(corpus)
    relink(corpus, names, merge_spellings(names))
    messages = propagate(corpus, names)
    if notes is not None:
        notes.extend(messages)
    harmonise(corpus)


def extract_own(papers: list[Paper], nlp: Language | None = None, engine: Engine | None = None,
                model_dir: Path | None = None, on_paper: Callable[[], None] | None = None) -> list[PaperEntities]:
    """The map stage over a corpus: on `engine` (default: this process) with the pipeline in `model_dir`
    (default: the shipped model, as installed where the stage runs), or in this process with `nlp` when
    one is given; each paper's own entities, in input order."""
    if nlp is not None and engine is not None and engine.workers > 1:
        raise ValueError("a pipeline object runs in this process only; give worker engines a model_dir")
    stage = partial(own_entities, nlp) if nlp is not None else partial(
        extract_chunk, model_dir=str(model_dir) if model_dir else None)
    chunks = list(chunked(papers))
    corpus: list[PaperEntities] = []
    for chunk, extracted in zip(chunks, (engine or InProcess()).map(stage, chunks), strict=True):
        corpus.extend(PaperEntities(paper, entities) for paper, entities in zip(chunk, extracted, strict=True))
        if on_paper:
            for _ in extracted:
                on_paper()
    return corpus


def extract_papers(papers: list[Paper], nlp: Language | None = None,
                   on_paper: Callable[[], None] | None = None,
                   notes: list[str] | None = None, engine: Engine | None = None,
                   model_dir: Path | None = None) -> list[PaperEntities]:
    """Run the extractor over a corpus (see the module docstring): `extract_own`, then the corpus pass
    (`link_corpus`); `notes` collects what the corpus pass examined and left out."""
    corpus = extract_own(papers, nlp, engine, model_dir, on_paper)
    link_corpus(corpus, notes)
    return corpus
