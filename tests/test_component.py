"""The entity component between a tagger and the rule layer: which rule names count where the tagger
found nothing, known names a dropped tagger span hid, typed enumerations, and types a title states.
The tagger here is spaCy's entity ruler under the name `ner`, so its spans are chosen by the test;
the keep filter is the shipped one with its threshold set, or a stand-in dropping long names."""

from __future__ import annotations

from collections.abc import Sequence

import spacy
from spacy.language import Language

from kg.extract.component import MLEntities
from kg.extract.enumerations import coordinated_names, enumerated_names
from kg.extract.keep_model import EntityView, KeepModel
from kg.extract.lexicon import LEXICON_DIR, load_lexicon
from kg.extract.pipeline import _tokenizer, build_nlp, extract_papers
from kg.extract.recognizer import EntityRecognizer
from kg.extract.role_model import PaperContext
from kg.extract.shapes import is_fragment
from kg.model import Paper


class DropsLongNames(KeepModel):
    """A keep filter that drops every name of more than one word."""

    def __init__(self) -> None:
        super().__init__([], [], [0.0, 0.0])

    def keeps_many(self, context: PaperContext, entities: Sequence[EntityView]) -> list[bool]:
        return [" " not in entity.name for entity in entities]


def tagged_pipeline(*spans: tuple[str, str]) -> Language:
    """Sentencizer, rule layer, a `ner` that tags exactly `spans` (label, text), the entity component."""
    nlp = spacy.blank("en")
    nlp.tokenizer = _tokenizer(nlp)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("ml_rule_votes")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": label, "pattern": text} for label, text in (*spans, ("MODEL", "Unwritten"))])
    nlp.add_pipe("ml_entities")
    return nlp


def found(nlp: Language, title: str, abstract: str) -> dict[str, str]:
    return {e.name: e.type for e in extract_papers([Paper("c1", title, abstract)], nlp=nlp)[0].entities}


def test_enumerations_after_a_typing_head_noun_give_every_item() -> None:
    text = ("Using four real-world POI datasets (Brightkite, Foursquare, Gowalla, and Yelp), we compare "
            "models such as ZetaLM-7B and Orca Mini. Experiments on benchmarks like KiloQA and MegaQA follow.")
    items = {text[start:end]: kind for start, end, kind in enumerated_names(text)}
    assert items == {"Brightkite": "dataset", "Foursquare": "dataset", "Gowalla": "dataset", "Yelp": "dataset",
                     "ZetaLM-7B": "model", "Orca Mini": "model", "KiloQA": "benchmark", "MegaQA": "benchmark"}
    text = ("Five datasets of HAR (UCI-HAR, WISDM, and PAMAP2) and benchmarks for issue localization, such as "
            "SWE-Bench and LocBench; benchmarks for LLMs (GPT-4o and Llama-3); models from providers (OpenAI and "
            "Meta).")
    items = {text[start:end]: kind for start, end, kind in enumerated_names(text)}
    assert items == {"UCI-HAR": "dataset", "WISDM": "dataset", "PAMAP2": "dataset", "SWE-Bench": "benchmark",
                     "LocBench": "benchmark", "GPT-4o": "model", "Llama-3": "model"}


def test_lists_that_are_not_names_are_not_taken() -> None:
    for text in ("LLMs: Are they Reasoning, Repeating, or Just Biased?",
                 "We train LLMs (0.6B, 1.7B, 4B parameters) on code.",
                 "We compare baselines such as Smith et al. and Jones et al. on the task.",
                 "Across datasets, including those we collected and Reddit, results hold.",
                 "Enhancing Table Recognition with Vision LLMs: A Benchmark and Neighbor-Guided Toolchain Reasoner"):
        assert list(enumerated_names(text)) == [], text
    recognizer = EntityRecognizer(load_lexicon(LEXICON_DIR))
    listed = recognizer.recognize("We report results on tasks (Code, Math, and Reasoning).").listed
    assert listed == []  # common words and generic concepts are not names, even listed
    listed = recognizer.recognize("We use five datasets of HAR (UCI-HAR, OPPORTUNITY, PAMAP2, and WISDM).").listed
    assert "OPPORTUNITY" in {c.text for c in listed}  # but a common word spelled in capitals is


def test_enumerated_names_count_where_the_tagger_found_nothing_and_skip_the_keep_filter() -> None:
    nlp = tagged_pipeline()
    component = nlp.get_pipe("ml_entities")
    shipped = build_nlp().get_pipe("ml_entities").keep_model
    component.keep_model = KeepModel(shipped.features, shipped.coef, shipped.intercept,
                                     meta={**shipped.meta, "threshold": 1.01})  # drops whatever it judges
    names = found(nlp, "Popularity bias in venue recommendation",
                  "Using four datasets (Brightkite, Foursquare, Gowalla, and Yelp), we study popularity bias.")
    assert names == {"Brightkite": "dataset", "Foursquare": "dataset", "Gowalla": "dataset", "Yelp": "dataset"}
    component.trusted_rules = frozenset({"lexicon", "variant"})
    assert found(nlp, "Popularity bias in venue recommendation",
                 "Using four datasets (Brightkite, Foursquare, Gowalla, and Yelp), we study popularity bias.") == {}


def test_a_list_under_a_resource_noun_types_the_names_the_tagger_found() -> None:
    """"the Stanford Background and PASCAL VOC2012 datasets" (SciER) and "baselines, including ...
    HybridContextQA": the head noun moves a name between {model, method} and {dataset, benchmark}. It
    proposes no names of its own, leaves tasks alone, and takes no list without "and"/"or" or a bracket."""
    text = ("We test on the Stanford Background and PASCAL VOC2012 datasets, on Korean, English, and Chinese "
            "datasets and on the MLIR and CLIR benchmarks.")
    assert {text[s:e]: kind for s, e, kind in coordinated_names(text)} == {
        "Stanford Background": "dataset", "PASCAL VOC2012": "dataset", "Korean": "dataset", "English": "dataset",
        "Chinese": "dataset", "MLIR": "benchmark", "CLIR": "benchmark"}
    unfinished = "Applied to datasets such as VisArgs, CRM reveals distinct failure modes."
    assert len(list(enumerated_names(unfinished))) == 2 and list(enumerated_names(unfinished, complete=True)) == []
    nlp = tagged_pipeline(("METHOD", "Stanford Background"), ("DATASET", "ZetaNet"), ("TASK", "MLIR"),
                          ("METHOD", "VisArgs"), ("METHOD", "CRM"))
    names = found(nlp, "Adversarial training for scene parsing", text + " It beats baselines (ZetaNet and U-Net). "
                  "We introduce Contrastive Region Masking (CRM). " + unfinished)
    assert names["Stanford Background"] == "dataset" and names["ZetaNet"] == "method" and names["MLIR"] == "task"
    assert names["Contrastive Region Masking"] == names["VisArgs"] == "method"  # "such as VisArgs, CRM reveals"
    assert not {"Korean", "English", "Chinese"} & set(names)


def test_capitalised_names_after_an_article_are_a_papers_named_components() -> None:
    recognizer = EntityRecognizer(load_lexicon(LEXICON_DIR))
    title = "Weighted graph networks for multi-behaviour recommendation"
    abstract = ("SWGCN introduces two novel components: a Target Preference Weigher, which assigns weights, "
                "and a Synergy Alignment Task. Our proof leverages the Pattern Matrix Method. Data from the "
                "World Health Organization, the Large Language Model, an LLM-based MAS, the Character Error "
                "Rate and the Nash Equilibrium are not names; neither is a Transformer Model, which the lexicon "
                "names.")
    named = recognizer.recognize(f"{title}\n\n{abstract}", len(title)).named
    assert [c.name for c in named] == ["Target Preference Weigher", "Synergy Alignment Task", "Pattern Matrix Method"]
    assert recognizer.recognize("A Query Planner\n\nWe study search.", len("A Query Planner")).named == []  # titles
    listing = "We compare with models (The Graph Reasoner, GPT-4o and Llama-3) on three tasks."
    recognition = recognizer.recognize(f"{title}\n\n{listing}", len(title))  # an enumerated item is one name
    assert recognition.listed[0].name == "The Graph Reasoner" and recognition.named == []
    nlp = tagged_pipeline(("METHOD", "SWGCN"))
    names = found(nlp, title, abstract)
    assert {"SWGCN", "Target Preference Weigher", "Pattern Matrix Method"} <= set(names)
    assert "Graph Reasoner" not in found(nlp, title, listing) and "The Graph Reasoner" in found(nlp, title, listing)
    nlp.get_pipe("ml_entities").trusted_rules -= {"named"}
    assert not {"Target Preference Weigher", "Pattern Matrix Method"} & set(found(nlp, title, abstract))


def test_one_capitalised_word_between_the_and_a_resource_noun_is_a_name_of_its_type() -> None:
    recognizer = EntityRecognizer(load_lexicon(LEXICON_DIR))
    text = ("Pre-trained on the Hydro dataset, we rank first on the Spring benchmark, on the Finnish dataset, the "
            "Chinese corpus and the Sentiment dataset, and on the MNIST dataset. Other datasets add little.")
    named = recognizer.recognize(text).named
    assert {c.name: c.type for c in named} == {"Hydro": "dataset", "Spring": "benchmark"}
    assert "Hydro" in found(tagged_pipeline(), "Marine segmentation", text)


def test_a_tagged_lower_case_word_is_no_acronym_spelled_with_inner_capitals() -> None:
    """'MetaFlow casts workflow generation as ...': the verb is not TREC CAsT, whose lower-case alias
    "trec-cast" once let any lower-case spelling of its key in (TREC CAsT was in 31 of 10,000 papers)."""
    lexicon = load_lexicon(LEXICON_DIR)
    assert lexicon.lookup("cast") is None and lexicon.lookup("CAsT").name == "TREC CAsT"
    assert lexicon.lookup("trec-cast").name == "TREC CAsT"
    assert lexicon.lookup("transformer").name == "Transformer"  # one capital, at the start: a spelling
    names = found(tagged_pipeline(("DATASET", "casts")), "Workflows",
                  "MetaFlow casts workflow generation as a meta-learning problem.")
    assert "TREC CAsT" not in names


def test_a_known_name_inside_a_dropped_tagger_span_is_judged_on_its_own() -> None:
    nlp = tagged_pipeline(("METHOD", "GSM8K zero-shot evaluation"))
    component = nlp.get_pipe("ml_entities")
    component.keep_model = DropsLongNames()
    names = found(nlp, "Reasoning in small models", "We report GSM8K zero-shot evaluation results.")
    assert names == {"GSM8K": "benchmark"}
    component.keep_model = None  # the span stays, so the name inside it stays hidden
    assert found(nlp, "Reasoning in small models", "We report GSM8K zero-shot evaluation results.") == {
        "GSM8K zero-shot evaluation": "method"}


def test_a_whole_name_with_a_capitalised_resource_head_passes_the_keep_filter() -> None:
    """"Berkeley Segmentation Dataset (BSD)" (SciER) is a name by its head noun, not the filter's call; not
    a part of a longer capitalised name, nor a name the text also writes without its head."""
    abstract = ("Berkeley Segmentation Dataset (BSD) contains 12,000 hand-labeled segmentations. We also use "
                "Air Traffic Control Corpus recordings and the Salinas Dataset; Salinas has 16 classes.")
    nlp = tagged_pipeline(("DATASET", "Berkeley Segmentation Dataset"), ("DATASET", "Traffic Control Corpus"),
                          ("DATASET", "Salinas Dataset"), ("DATASET", "Salinas"))
    nlp.get_pipe("ml_entities").keep_model = DropsLongNames()
    names = found(nlp, "Segmentation of natural images", abstract)
    assert names == {"Berkeley Segmentation Dataset": "dataset", "Salinas": "dataset"}


def test_a_kept_entity_has_both_forms_of_its_definition_as_mentions() -> None:
    """The tagger found "Berkeley Segmentation Dataset" only; the paper's "(BSD)" and its later "BSD" are
    aliases the paper states, added after judging under their own rule."""
    nlp = tagged_pipeline(("DATASET", "Berkeley Segmentation Dataset"))
    abstract = "Berkeley Segmentation Dataset (BSD) has 12,000 segmentations. We train on BSD."
    [entity] = extract_papers([Paper("c1", "Segmentation of natural images", abstract)], nlp=nlp)[0].entities
    assert [(m.text, m.rule) for m in entity.mentions] == [
        ("Berkeley Segmentation Dataset", "model+acronym"), ("BSD", "definition"), ("BSD", "definition")]


def test_title_names_count_without_the_tagger_and_keep_the_type_the_title_states() -> None:
    nlp = tagged_pipeline(("METHOD", "KestrelSet"))
    names = found(nlp, "KestrelSet: A Multilingual Dataset of Fact-Checked Claims",
                  "We release KestrelSet with claims in forty languages and evaluate retrieval on it.")
    assert names["KestrelSet"] == "dataset"  # the tagger said method; the title says dataset
    untagged = found(tagged_pipeline(), "GannetBench: A Benchmark for Table Reasoning",
                     "GannetBench holds 3,000 tables. We test ten models on GannetBench.")
    assert untagged["GannetBench"] == "benchmark"
    nlp = tagged_pipeline(("METHOD", "PETREL"), ("METHOD", "V-FAT"))
    names = found(nlp, "PETREL Benchmark: Multi-Agent LLM Bias Uncovered",
                  "We present PETREL, a novel benchmark developed to assess bias.")
    assert names["PETREL"] == "benchmark"  # the title's "PETREL Benchmark" types the name alone too
    names = found(nlp, "V-FAT: Benchmarking Visual Fidelity Against Text-bias",
                  "To quantify this effect, we introduce V-FAT, a diagnostic set of 4,026 VQA instances.")
    assert names["V-FAT"] == "benchmark"
    recognizer = EntityRecognizer(load_lexicon(LEXICON_DIR))
    title = "Service, Solidarity, and Self-Help: A Comparative Topic Model"
    assert "service" not in recognizer.recognize(title + "\n\nText.", len(title)).title_names


def test_the_component_class_is_the_registered_factory() -> None:
    assert isinstance(tagged_pipeline().get_pipe("ml_entities"), MLEntities)


def test_tagger_spans_stop_at_sentence_breaks_dashes_and_unclosed_brackets() -> None:
    nlp = tagged_pipeline(("METHOD", "Exploitation-oriented Policy Alignment(EPA"),
                          ("MODEL", "ZetaLM-8B. ZetaLM-Chat"), ("METHOD", "KiteGate -- an encoder-agnostic gate"))
    names = found(nlp, "Aligning policies", "We define Exploitation-oriented Policy Alignment(EPA) for "
                  "ZetaLM-8B. ZetaLM-Chat follows. KiteGate -- an encoder-agnostic gate -- helps.")
    assert {"Exploitation-oriented Policy Alignment", "ZetaLM-8B", "KiteGate"} <= set(names)
    assert not [name for name in names if "(" in name or ". " in name or " -- " in name]


def test_a_version_after_a_known_benchmark_or_dataset_is_a_variant_of_it() -> None:
    """"ViDoRe V2", "PASCAL VOC 2012": versioned resources are their own entities (the guideline), linked
    to their family and of its type, whatever the tagger calls them; a score after a name is no version."""
    recognizer = EntityRecognizer(load_lexicon(LEXICON_DIR))
    text = "We evaluate on ViDoRe V2 and PASCAL VOC 2012, and reach SVHN 0.96 and GSM8K 50 times."
    variants = {c.text: c.family for c in recognizer.recognize(text).candidates if c.rule == "variant"}
    assert variants.keys() == {"ViDoRe V2", "PASCAL VOC 2012"} and all(variants.values())
    nlp = tagged_pipeline(("MODEL", "ViDoRe V2"), ("METHOD", "PASCAL VOC 2012"))
    names = found(nlp, "Visual document retrieval", text)
    assert names["ViDoRe V2"] == "benchmark" and names["PASCAL VOC 2012"] == "dataset"


def test_tagger_spans_lose_a_final_hyphen_and_pieces_of_names_are_dropped() -> None:
    """"MISALIGNTRADE-based" tagged without "based" is MISALIGNTRADE; "2.5 Flash" of "Gemini 2.5 Flash",
    "3.1-8b" of "Llama 3.1-8b" and "7B--8B parameters" are pieces of names, not names."""
    assert all(is_fragment(text) for text in ("4o", "2.5 Flash", "3.1-8b", "7B--8B parameters", "1B-32B", "35B-A3B",
                                              "v2", "V3.1"))
    assert not any(is_fragment(text) for text in ("3D Gaussian Splatting", "2WikiMultiHopQA", "20 Newsgroups",
                                                  "1D-CNN", "6G-Bench", "V2X", "Vicuna"))
    nlp = tagged_pipeline(("DATASET", "KestrelTrade-"), ("MODEL", "2.5 Flash"), ("MODEL", "7B--8B parameters"))
    names = found(nlp, "Trading agents", "We build KestrelTrade-based prompts for Gemini 2.5 Flash and models "
                  "of 7B--8B parameters.")
    assert "KestrelTrade" in names and not {"KestrelTrade-", "2.5 Flash", "7B--8B parameters"} & set(names)
