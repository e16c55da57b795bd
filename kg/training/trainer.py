"""The training loop: gold papers -> the pipeline's tagger, deterministic given a seed."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import srsly
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch
from spacy.vectors import Vectors

from kg.atomic import replace_directory
from kg.extract.keep_model import EntityView, KeepExample, KeepModel, train_keep_model
from kg.extract.pipeline import COMPONENT, blank_pipeline, paper_doc
from kg.extract.role_model import PaperContext, RoleModel, find_mentions, train_role_model
from kg.extract.type_model import TypeExample, TypeModel, train_type_model
from kg.extract.votes import doc_text
from kg.extract.word_vectors import WordVectors
from kg.keys import name_key
from kg.model import TITLE_SEPARATOR, Paper
from kg.training import KEEP_FOLDS, PRETRAIN_SAMPLE, SELF_TRAINING_SAMPLE
from kg.training.data import GoldRecord, fold_of, gold_spans, read_gold_records
from kg.training.pretrain import PRETRAIN_EPOCHS, pretrain_encoder, tagger_encoder
from kg.training.roles import DEFAULT_C as ROLE_C
from kg.training.roles import DEFAULT_CLASS_WEIGHT as ROLE_CLASS_WEIGHT
from kg.training.roles import DEFAULT_MIN_COUNT as ROLE_MIN_COUNT
from kg.training.roles import gold_examples
from kg.training.self_training import corpus_sample, pseudo_records
from kg.training.vectors import train_vectors

DEFAULT_EPOCHS = 12
DEFAULT_SEED = 13
BATCH_SIZE = 16


def training_examples(nlp: Language, records: Sequence[GoldRecord]) -> list[Example]:
    """One Example per paper: the doc with the rule layer's votes as tags, the gold spans as entities."""
    votes = nlp.get_pipe("ml_rule_votes")
    examples = []
    for record in records:
        doc = votes(paper_doc(nlp, record.paper))
        entities = []
        for start, end, label in gold_spans(doc.text, record.entities):
            if doc.char_span(start, end, alignment_mode="strict") is not None:
                entities.append((start, end, label))
        examples.append(Example.from_dict(doc, {"entities": entities}))
    return examples


def train(records: Sequence[GoldRecord], epochs: int = DEFAULT_EPOCHS, seed: int = DEFAULT_SEED,
          vectors: Vectors | None = None, encoder: bytes | None = None,
          on_epoch: Callable[[int, Language, dict], None] | None = None) -> Language:
    """A pipeline whose tagger is trained on `records` (reading static `vectors` if given, starting from
    a pretrained `encoder` if given); `on_epoch(epoch, nlp, losses)` after each epoch."""
    fix_random_seed(seed)
    nlp = blank_pipeline(vectors)
    examples = training_examples(nlp, records)
    optimizer = nlp.initialize(get_examples=lambda: examples)
    if encoder is not None:
        tagger_encoder(nlp).from_bytes(encoder)
    order = random.Random(seed)
    batch_size = max(1, min(BATCH_SIZE, len(examples) // 4))  # a tiny set still gets several updates an epoch
    for epoch in range(1, epochs + 1):
        order.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=batch_size):
            nlp.update(batch, drop=0.2, sgd=optimizer, losses=losses)
        if on_epoch:
            on_epoch(epoch, nlp, losses)
    return nlp


def train_extractor(records: Sequence[GoldRecord], epochs: int = DEFAULT_EPOCHS, seed: int = DEFAULT_SEED,
                    vectors: Vectors | None = None, sample: Sequence[Paper] = (),
                    keep_folds: int = KEEP_FOLDS, on_step: Callable[[str], None] | None = None,
                    encoder: bytes | None = None) -> Language:
    """The tagger and the classifiers trained on `records`; with a `sample` of unlabelled papers, the
    tagger is then trained again on the records and its own labels of the sample (self-training). The
    keep filter learns from `keep_folds` taggers, each trained without one part of the records and run
    over it (fewer than 2: no filter). Every tagger starts from the pretrained `encoder`, if given."""
    say = on_step or (lambda message: None)
    say("role and type classifiers")
    classifiers = train_roles(records, seed), train_types(records, seed, vectors)
    keep_model = None
    if keep_folds > 1:
        say(f"keep filter: taggers trained on {keep_folds - 1} of {keep_folds} folds, run over the other")
        keep_model = train_keep(records, keep_folds, partial(trained_pipeline, epochs=epochs, seed=seed,
                                                             vectors=vectors, encoder=encoder, say=say), seed)
    final = partial(trained_pipeline, epochs=epochs, seed=seed, vectors=vectors, encoder=encoder,
                    classifiers=classifiers, keep_model=keep_model, say=say)
    nlp = final(list(records))
    if sample:
        say(f"self-training: the tagger labels {len(sample)} corpus papers and is trained again with them")
        nlp = final([*records, *pseudo_records(nlp, list(sample))])
    return nlp


def trained_pipeline(records: Sequence[GoldRecord], epochs: int, seed: int, vectors: Vectors | None,
                     classifiers: tuple[RoleModel, TypeModel] | None = None, keep_model: KeepModel | None = None,
                     say: Callable[[str], None] = lambda message: None, encoder: bytes | None = None) -> Language:
    """A pipeline whose tagger (from the pretrained `encoder`, if any) is trained on `records`, with the
    role and type `classifiers` (default: trained on the same records) and the `keep_model` filter, if any."""
    say(f"tagger on {len(records)} papers, {epochs} epochs")
    nlp = train(records, epochs=epochs, seed=seed, vectors=vectors, encoder=encoder,
                on_epoch=lambda epoch, _, losses: say(f"epoch {epoch}: loss {losses.get('ner', 0.0):.1f}"))
    component = nlp.get_pipe("ml_entities")
    role_model, type_model = classifiers or (train_roles(records, seed), train_types(records, seed, vectors))
    component.role_model, component.type_model, component.keep_model = role_model, type_model, keep_model
    return nlp


def train_keep(records: Sequence[GoldRecord], folds: int, extractor: Callable[[list[GoldRecord]], Language],
               seed: int = DEFAULT_SEED) -> KeepModel | None:
    """The keep filter, fitted on the entities that `extractor`s trained on all folds but one find in
    that fold's papers (the mistakes a model makes on papers it never saw), labelled by the gold."""
    examples = []
    for fold in range(folds):
        held = [r for r in records if fold_of(r.paper.id, folds) == fold]
        training = [r for r in records if fold_of(r.paper.id, folds) != fold]
        if not held or not training:
            continue
        nlp = extractor(training)
        vectors = WordVectors.of(nlp.vocab.vectors)
        for record, doc in zip(held, nlp.pipe(paper_doc(nlp, r.paper) for r in held), strict=True):
            context = PaperContext(doc_text(doc), doc._.title_end, vectors)
            gold = {(name_key(alias), entity["type"]) for entity in record.entities
                    for alias in [entity["name"], *entity.get("aliases", [])]}
            for view in entity_views(doc):
                names = {view.name, *(context.text[start:end] for start, end, _ in view.mentions)}
                examples.append(KeepExample(context, view, any((name_key(name), view.entity_type) in gold
                                                               for name in names)))
    return train_keep_model(examples, seed=seed)


def entity_views(doc: Doc) -> list[EntityView]:
    """The entities the pipeline's component put in `doc`, one view each."""
    views: dict[str, EntityView] = {}
    for span in doc.spans[COMPONENT]:
        found = span._
        view = views.setdefault(found.entity_id, EntityView(found.canonical_name, span.label_, found.role, []))
        view.mentions.append((*found.char_offsets, found.rule))
    return list(views.values())


def build_model(gold_files: Sequence[Path], out_dir: Path, corpus: Path | None = None,
                corpus_limit: int | None = None, epochs: int = DEFAULT_EPOCHS, seed: int = DEFAULT_SEED,
                self_training: int = SELF_TRAINING_SAMPLE, keep_folds: int = KEEP_FOLDS,
                pretrain: int = PRETRAIN_SAMPLE, on_step: Callable[[str], None] | None = None) -> Language:
    """`kg train`: static vectors from the unlabelled `corpus` (if given), the tagger's encoder pretrained
    on `pretrain` of its papers and self-training on `self_training` of them, the tagger and classifiers
    (the keep filter from `keep_folds` folds) trained on every gold file, written to `out_dir` (a new
    directory swapped in whole, so a cut-off run leaves the previous model intact)."""
    say = on_step or (lambda message: None)
    records = [record for path in gold_files for record in read_gold_records(path)]
    vectors, sample, encoder = None, [], None
    if corpus is not None:
        say(f"word vectors from {corpus}")
        vectors = train_vectors(blank_pipeline(), corpus, limit=corpus_limit, seed=seed)
        gold_titles = [r.paper.title for r in records]
        sample = corpus_sample(corpus, self_training, seed, gold_titles, corpus_limit)
        encoder = corpus_encoder(corpus, vectors, pretrain, seed, gold_titles, corpus_limit, say)
    nlp = train_extractor(records, epochs, seed, vectors, sample, keep_folds, on_step, encoder)
    nlp.meta.update({"name": "paper_kg_extractor", "version": "1.0.0",
                     "description": "ML entities (model, method, dataset, benchmark, task) in paper abstracts",
                     "sources": [Path(p).name for p in gold_files] + ([Path(corpus).name] if corpus else []),
                     "seed": seed, "epochs": epochs, "self_training": len(sample), "keep_folds": keep_folds,
                     "pretrained_on": pretrain if encoder is not None else 0})
    replace_directory(out_dir, partial(write_model, nlp))
    return nlp


def corpus_encoder(corpus: Path, vectors: Vectors, papers: int, seed: int, gold_titles: Sequence[str],
                   corpus_limit: int | None = None, say: Callable[[str], None] = lambda message: None) -> bytes | None:
    """The tagger's encoder pretrained on `papers` random corpus papers (never a gold paper); None for 0."""
    if papers <= 0:
        return None
    say(f"pretraining the tagger's encoder on {papers:,} corpus papers, {PRETRAIN_EPOCHS} epochs")
    return pretrain_encoder(corpus_sample(corpus, papers, seed, gold_titles, corpus_limit), vectors, seed=seed,
                            on_epoch=lambda epoch, loss: say(f"pretraining epoch {epoch}: loss {loss:.3f}"))


def write_model(nlp: Language, folder: Path) -> None:
    """`nlp.to_disk(folder)`, the sentencizer's punctuation sorted: spaCy writes that set in the order
    of the process's string hashes, so a seed would not otherwise give the same bytes twice."""
    nlp.to_disk(folder)
    path = Path(folder) / "sentencizer.json"
    settings = srsly.read_json(path)
    settings["punct_chars"] = sorted(settings["punct_chars"])
    srsly.write_json(path, settings)


def train_types(records: Sequence[GoldRecord], seed: int = DEFAULT_SEED, vectors: Vectors | None = None) -> TypeModel:
    """The type classifier on every gold entity's mentions (every verbatim alias occurrence), reading
    the static `vectors` the pipeline will have, if any."""
    lookup = WordVectors.of(vectors)
    examples = []
    for record in records:
        paper = record.paper
        context = PaperContext(paper.title + TITLE_SEPARATOR + paper.abstract, len(paper.title), lookup)
        mentions = find_mentions(context.text, [entity.get("aliases") or [entity["name"]]
                                                for entity in record.entities])
        examples.extend(TypeExample(context, spans, entity["type"])
                        for entity, spans in zip(record.entities, mentions, strict=True) if spans)
    return train_type_model(examples, seed=seed)


def train_roles(records: Sequence[GoldRecord], seed: int = DEFAULT_SEED) -> RoleModel:
    """The role classifier (proposes / uses / mentions) on every gold entity's mentions."""
    papers = [("gold", {"pid": r.paper.id, "title": r.paper.title, "abstract": r.paper.abstract,
                        "entities": r.entities}) for r in records]
    return train_role_model(gold_examples(papers), c=ROLE_C, class_weight=ROLE_CLASS_WEIGHT,
                            min_count=ROLE_MIN_COUNT, seed=seed)

