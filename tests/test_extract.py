"""The rule layer (the trained tagger's features, and an extractor on its own) on hard cases written
for these tests (not taken from the seeds), and as a spaCy component in someone else's pipeline."""

from __future__ import annotations

from dataclasses import asdict
from functools import cache

import spacy

from kg.extract.acronyms import find_acronyms
from kg.extract.lexicon import Lexicon, LexiconEntry
from kg.extract.pipeline import extract_papers as extract_with
from kg.extract.pipeline import rules_pipeline
from kg.model import EntityRef, Mention, Paper, PaperEntities


@cache
def rules():
    return rules_pipeline()


def extract_papers(papers: list[Paper]) -> list[PaperEntities]:
    return extract_with(papers, nlp=rules())


def entities(title: str, abstract: str, *others: Paper) -> dict[str, tuple[str, str]]:
    """name -> (type, role) for the first paper, extracted together with `others` as its corpus."""
    corpus = extract_papers([Paper(id="t0", title=title, abstract=abstract), *others])
    return {e.name: (e.type, e.role) for e in corpus[0].entities}


def test_component_works_in_a_plain_blank_pipeline() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("ml_entities")
    doc = nlp("We fine-tune RoBERTa and Llama 2 on SQuAD and compare against GPT-4.")
    found = {span.text: (span.label_, span._.entity_id, span._.rule) for span in doc.spans["ml_entities"]}
    assert found["RoBERTa"][0] == "model" and found["SQuAD"][0] == "benchmark"
    assert found["Llama 2"][1] == "entity:llama2" and found["GPT-4"][2] == "lexicon"
    assert {e.text for e in doc.ents} == set(found)
    start, end = doc.spans["ml_entities"][0]._.char_offsets
    assert doc.text[start:end] == doc.spans["ml_entities"][0].text


def test_schwartz_hearst_acronyms_both_directions() -> None:
    text = ("We study Sparse Mixture-of-Experts Routing (SMER) and compare it to GQA (grouped-query attention). "
            "Values (e.g., 3) and (ii) items are not acronyms.")
    pairs = {(d.short, d.long) for d in find_acronyms(text)}
    assert ("SMER", "Sparse Mixture-of-Experts Routing") in pairs
    assert ("GQA", "grouped-query attention") in pairs
    assert len(pairs) == 2


def test_a_list_in_brackets_a_measurement_and_another_bracket_define_no_acronym() -> None:
    """Definitions the corpus pass once spread to hundreds of papers (112k arXiv abstracts)."""
    for text in ("Across four medical QA benchmarks (MedQA, MedMCQA, PubMedQA, MMLU-Med), it reaches 78.6%.",
                 "ChemAgent achieves performance gains of up to 46% (GPT-4), significantly outperforming others.",
                 "Runs on benchmarks (AIME, MATH, GPQA, etc.) with multiple LLMs (GPT, Llama, and Qwen) show it."):
        assert list(find_acronyms(text)) == [], text
    text = ("Tasks (named entity recognition (NER), relation extraction) use Low-Rank Adaptation (LoRA, Hu et al.) "
            "and the Korean College Scholastic Ability Test (KCSAT; Suneung).")
    assert {(d.short, d.long) for d in find_acronyms(text)} == {
        ("NER", "named entity recognition"), ("LoRA", "Low-Rank Adaptation"),
        ("KCSAT", "Korean College Scholastic Ability Test")}


def test_acronym_and_long_form_are_one_entity_across_spellings() -> None:
    corpus = extract_papers([
        Paper(id="a", title="Grounding answers", abstract="We build on retrieval augmented generation (RAG) for QA."),
        Paper(id="b", title="Another study", abstract="Retrieval-Augmented Generation helps; RAG is popular."),
    ])
    ids = [{e.id for e in item.entities if "RAG" in e.aliases or "retrieval" in e.name.lower()} for item in corpus]
    assert ids[0] == ids[1] == {"entity:retrievalaugmentedgeneration"}


def test_a_known_mixed_case_name_spelled_out_is_that_name() -> None:
    """"eXtreme Gradient Boosting (XGBoost)": the first letter of an "eXtreme" word, and a lexicon name
    known only by its short form; a task spelled out keeps its own entity ("financial question answering
    (FinQA)" is not the FinQA benchmark), as does a short coinage ("ReRe")."""
    pairs = {(d.short, d.long) for d in find_acronyms(
        "We compare eXtreme Gradient Boosting (XGBoost) and eXplainable AI (XAI) but not the eXtreme (X).")}
    assert pairs == {("XGBoost", "eXtreme Gradient Boosting"), ("XAI", "eXplainable AI")}
    corpus = extract_papers([
        Paper(id="a", title="Churn", abstract="We compare eXtreme Gradient Boosting (XGBoost) with baselines. "
                                             "XGBoost wins."),
        Paper(id="b", title="Credit", abstract="We train XGBoost on loan records."),
        Paper(id="c", title="Finance", abstract="Systems for financial question answering (FinQA) fail at sums."),
        Paper(id="d", title="Views", abstract="We propose Reason, then Re-reason (ReRe), a framework."),
    ])
    ids = [{e.id: e for e in item.entities} for item in corpus]
    assert "entity:xgboost" in ids[0] and "entity:xgboost" in ids[1]
    assert "eXtreme Gradient Boosting" in ids[0]["entity:xgboost"].aliases
    assert "entity:finqa" not in ids[2] and "entity:rere" not in ids[3]

def test_new_names_from_title_and_proposal_are_proposed() -> None:
    found = entities("FlexiRoute: Adaptive Expert Routing for Sparse Models",
                     "We propose FlexiRoute, a routing method. We evaluate it on MMLU with Mixtral 8x7B as backbone.")
    assert found["FlexiRoute"] == ("method", "proposes")
    assert found["MMLU"] == ("benchmark", "uses")


def test_new_benchmark_typed_from_head_noun() -> None:
    found = entities("Measuring tool use", "We introduce the OrbitQA benchmark and release the StarLogs-20K dataset.")
    assert found["OrbitQA"][0] == "benchmark"
    assert found["StarLogs-20K"][0] == "dataset"


def test_sized_variants_link_to_their_family_and_stay_distinct() -> None:
    corpus = extract_papers([Paper(id="v", title="Scaling study",
                                   abstract="We compare LLaMA-2-7B with Llama 2 and with Mistral-7B and BERT-base.")])
    refs = {e.id: e for e in corpus[0].entities}
    variant = refs["entity:llama27b"]
    assert variant.type == "model" and variant.family == "entity:llama2" and "LLaMA-2-7B" in variant.aliases
    assert refs["entity:llama2"].aliases == ["Llama 2"]
    assert refs["entity:bertbase"].family == "entity:bert" and "entity:bert" not in refs
    assert refs["entity:mistral7b"].type == "model"


def test_prefix_sharing_names_are_not_merged() -> None:
    corpus = extract_papers([Paper(id="p", title="Encoders compared",
                                   abstract="We evaluate BERT, RoBERTa, SBERT and DistilBERT on retrieval.")])
    ids = {e.name: e.id for e in corpus[0].entities}
    assert len({ids["BERT"], ids["RoBERTa"], ids["Sentence-BERT"], ids["DistilBERT"]}) == 4


def test_generic_phrases_are_not_entities() -> None:
    found = entities("Thoughts on scale",
                     "Large language models (LLMs) and deep neural networks are trained with fine-tuning and "
                     "prompting on GPUs; we report F1 and BLEU using an API from OpenAI in English.")
    assert not set(found) & {"large language models", "LLMs", "neural networks", "fine-tuning", "prompting",
                             "GPUs", "F1", "BLEU", "API", "OpenAI", "English"}


def test_survey_mentions_and_background_mentions() -> None:
    found = entities("A Survey of Efficient Decoding",
                     "This survey reviews speculative decoding, beam search and contrastive search.")
    assert {role for _, role in found.values()} == {"mentions"} and len(found) == 3


def test_names_inside_urls_and_compounds() -> None:
    found = entities("Code release", "Our BERT-based tagger is at https://github.com/SomeLab/FooNet-X today.")
    assert "BERT" in found
    assert not any("FooNet" in name or "github" in name.lower() for name in found)


def test_a_name_defined_elsewhere_links_to_the_defining_paper() -> None:
    definer = Paper(id="d", title="Routing study", abstract="We propose Gated Token Routing (GaTR) for parsing.")
    user = Paper(id="u", title="Parsing at scale", abstract="We apply GaTR as a baseline; gated token routing "
                                                          "and gatr are spelled otherwise.")
    corpus = extract_papers([definer, user])
    assert {e.id: e.role for e in corpus[0].entities}["entity:gatedtokenrouting"] == "proposes"
    used = {e.id: e for e in corpus[1].entities}
    assert used["entity:gatedtokenrouting"].role == "uses"
    assert used["entity:gatedtokenrouting"].aliases == ["GaTR"]  # only its own case-sensitive spelling


def test_lower_case_architecture_descriptors_are_not_uses() -> None:
    found = entities("Routing prompts", "Any transformer-based LLM works, as do RNN based ones; we fine-tune "
                                        "a BERT-based retriever and a Transformer-based reader.")
    assert found.get("Transformer") == ("method", "uses")  # the capitalised 'Transformer-based' names it
    assert found["BERT"][0] == "model"
    only_generic = entities("Routing prompts", "Any transformer-based LLM can be routed this way, "
                                               "given enough knowledge distillation data.")
    assert "Transformer" not in only_generic and "Knowledge Distillation" not in only_generic
    described = entities("Routing prompts", "We add knowledge distillation data filtering.")  # data is no head here
    assert described["Knowledge Distillation"][0] == "method"
    assert entities("Routing prompts", "We apply knowledge distillation.")["Knowledge Distillation"][0] == "method"


def test_architecture_nouns_naming_a_class_of_models_are_not_uses() -> None:
    classes = entities("Probing Pretrained Transformers", "Decoder-only transformers, like other pretrained "
                       "transformers in use today, forget facts.")
    assert "Transformer" not in classes
    for text in ("We probe pretrained transformer encoders for syntax.", "We probe the transformers we trained.",
                 "We train a small transformer decoder.", "We pretrain a multilingual transformer on CC100."):
        assert entities("Probing encoders", text).get("Transformer") == ("method", "uses"), text


def test_techniques_a_paper_says_it_proposes_are_found_without_a_lexicon() -> None:
    found = entities("Faster decoding for small devices",
                     "We introduce anchor pruning and cache merging to cut latency. We also develop a "
                     "layer-wise draft sampling algorithm that needs no training. We propose a novel framework "
                     "for routing and a simple yet effective approach to batching.")
    assert found["anchor pruning"] == ("method", "proposes")
    assert found["cache merging"] == ("method", "proposes")
    # The canonical name drops the container word; the mention keeps it as evidence.
    assert found["layer-wise draft sampling"] == ("method", "proposes")
    assert not any("framework" in name or "approach" in name for name in found)
    named = entities("Mixing encoders", "We propose a simple feature mixing strategy, named MixEnc, for GLUE-tasks.")
    assert "MixEnc" in named and "feature mixing" not in named  # the name, not its description
    assert "GLUE" in named and "GLUE-tasks" not in named


def test_a_title_presenting_a_capitalised_technique_names_it() -> None:
    assert entities("A Hyperbolic Routing Framework for Sparse Experts", "Routing matters.")[
        "Hyperbolic Routing Framework"] == ("method", "proposes")
    assert entities("Sheaf-Guided Relational Attention for Long Documents", "Attention is costly.")[
        "Sheaf-Guided Relational Attention"] == ("method", "proposes")
    assert entities("An Empirical Comparison of Tokenizers for Code", "Tokenizers matter.") == {}
    opened_by_a_verb = entities("Characterizing Sparse Routing Attention in Experts", "Routing matters.")
    assert "Sparse Routing Attention" not in opened_by_a_verb
    assert all(role != "proposes" for _, role in opened_by_a_verb.values())


def test_new_names_typed_by_the_description_set_beside_them() -> None:
    found = entities("Open models for many languages",
                     "We release ZorBlax, an open-weight vision-language model that reads charts, and "
                     "QuillSet, a multilingual instruction dataset with 2M examples. "
                     "We train both with HexaFlow, a scheduling framework for clusters.")
    assert found["ZorBlax"][0] == "model"
    assert found["QuillSet"][0] == "dataset"
    assert found["HexaFlow"][0] == "method"


def test_context_typing_does_not_reach_across_sentences_or_into_definitions() -> None:
    found = entities("Vortex: Steering Decoding toward Facts",
                     "Language models hallucinate. Temporal knowledge grounding (TKG) is hard, and every TKG "
                     "model we tried fails. Causal Token Models (CTMs) are one answer.")
    assert found["Vortex"][0] == "method"  # not a model because the abstract starts with "Language models"
    assert found["Temporal knowledge grounding"][0] != "model"  # "a TKG model" is a model for the concept


def test_names_of_hardware_and_organisations_are_not_entities() -> None:
    found = entities("Spiking inference on a NeuroMesh 3 Neuromorphic Chip",
                     "We run LSTM models on NeuroMesh 3 and compare with BERT.")
    assert not any("NeuroMesh" in name for name in found)
    assert "BERT" in found


def test_english_word_endings_of_camel_case_names_are_not_known_models() -> None:
    # ALIGN is a known model; "DeepAlign" ends in the English word, not that name.
    assert entities("DeepAlign: preference steering at inference", "We study DeepAlign.")["DeepAlign"][0] == "method"


def test_capitalised_generic_classes_defined_as_acronyms_are_not_entities() -> None:
    found = entities("Explaining generators", "Feature attribution methods (FAs), such as gradients, explain "
                                             "predictions. We compare FAs on GPT-2.")
    assert "FAs" not in str(found) and "Feature attribution methods" not in found
    assert found["GPT-2"][0] == "model"


def test_quoted_coined_terms_and_techniques_named_as_the_means() -> None:
    found = entities("Sharing weights across depth",
                     'We revisit "block looping" for small models, with checkpoints merged by anchor averaging, '
                     "and train with a progressive knowledge distillation recipe. "
                     'It reports "state-of-the-art results".')
    assert found["block looping"][0] == "method"
    assert found["anchor averaging"][0] == "method"
    assert not any("state-of-the-art" in name for name in found)
    # A qualified known technique where the paper applies it: its own entity, a variant of the known one.
    assert found["progressive knowledge distillation"][0] == "method"


def test_spellings_with_symbols_are_not_matched_as_the_words_around_them() -> None:
    """"🤗 Datasets" is not the word "datasets", nor "∞-gram" or "a+gram" the word "gram"; the same holds
    for the ASCII symbols + < = > | ~ and for symbols outside ASCII."""
    lexicon = Lexicon([LexiconEntry("Hugging Face Datasets", "dataset", aliases=["🤗 Datasets"]),
                       LexiconEntry("Infini-gram", "model", aliases=["∞-gram", "a+gram", "a|gram"]),
                       LexiconEntry("Gram-Net", "method", aliases=["a-gram"])])
    assert lexicon.lookup("Datasets") is None and lexicon.lookup("Hugging Face Datasets") is not None
    assert lexicon.lookup("gram") is None and lexicon.lookup("agram").name == "Gram-Net"
    assert not lexicon.may_extend("datasets") and lexicon.may_extend("hugging")


def test_ordinary_words_are_not_names_spelled_with_odd_capitals() -> None:
    found = entities("Zero-Shot transfer with a neural codec",
                     "We study Zero-Shot transfer, train with ZeRO, compress audio with a codec, and "
                     "define Sparse Sheaf Routing (S^2R) for experts. S^2R is fast.")
    assert [name for name in found if name in ("ZeRO", "CODEC")] == ["ZeRO"]
    recased = entities("Small encoders", "We distil Bert-Mini with N-Gram masking.")
    assert "BERT" in recased and "Infini-gram" not in recased  # 'Bert' is BERT; '∞-gram' is no 'Gram'
    assert "MultiPL-E" not in entities("OCR of Multiple Languages", "Multiple scripts are read.")
    assert "MultiPL-E" in entities("Code models", "We evaluate on MultiPL-E and on MULTIPLE.")
    assert found["Sparse Sheaf Routing"][0] == "method"  # 'S^2' stands for two words starting with S
    corpus = extract_papers([Paper(id="s", title="Routing",
                                   abstract="We define Sparse Sheaf Routing (S^2R). S^2R is fast.")])
    assert "S^2R" in corpus[0].entities[0].aliases


def test_acronyms_defined_inside_a_known_name_and_verb_uses_of_techniques() -> None:
    found = entities("Smaller caches", "The Key-Value (KV) cache grows with context. We study completely "
                                        "pruning attention heads and compare pruning methods on n-grams.")
    assert "Key-Value" not in found and "KV Cache" in found
    assert "Network Pruning" in found  # "pruning methods" names the technique ...
    corpus = extract_papers([Paper(id="v", title="Smaller caches", abstract="We try pruning attention heads.")])
    assert not any(e.name == "Network Pruning" for e in corpus[0].entities)  # ... "pruning heads" does it
    assert "n-gram Language Model" not in found  # an n-gram is a unit, not the model


def test_new_rules_leave_known_names_and_ordinary_sentences_alone() -> None:
    spelled_out = entities("Benchmarks", "Massive Multitask Language Understanding (MMLU) benchmark. MMLU is hard.")
    assert spelled_out == {"MMLU": ("benchmark", "uses")}
    found = entities("Adam Optimizer Variants for Training",
                     "The GeoLLaMA foundation model runs FooAttn GPU kernels. Pruning reduces cost.")
    assert "Adam" in found and not any("Variants" in name for name in found)
    assert found["GeoLLaMA"][0] == "model" and "FooAttn" in found  # "foundation"/"GPU" are not organisations
    assert "Network Pruning" in found  # a subject, not a verb on an object


def test_once_used_acronyms_the_paper_presents_and_names_after_a_gerund_title() -> None:
    found = entities("Mining Rationales: Graph-to-Text Interpreter for Molecule Captions",
                     "We present QRX, a curated test set of 900 questions. Others use ABC once.")
    assert found["QRX"][0] == "benchmark"
    assert "ABC" not in found  # a lone acronym the paper itself does not present or use
    assert found["Graph-to-Text Interpreter"] == ("method", "proposes")


def test_plural_words_inside_a_known_name_still_spell_it() -> None:
    found = entities("Faster lookups", "We speed up nearest neighbors search and compare with a "
                                       "nearest-neighbors language model.")
    assert found["k-Nearest Neighbors"][0] == "method"
    assert found["kNN-LM"][0] == "model"


def test_phenomena_and_claims_are_not_entities() -> None:
    found = entities("Echoes in Reward Models", "We study Gradient Starvation Collapse (GSC) and a \"reward echo\" "
                     "effect, a phenomenon we term \"anchor drift\". To fix GSC we propose \"echo damping\".")
    assert not any("collapse" in name.lower() or "GSC" in name for name in found)
    assert "reward echo" not in found and "anchor drift" not in found
    assert found["echo damping"][0] == "method"
    named = entities("GateNorm", "We propose GateNorm and study the GateNorm effect, the JurisQA law dataset "
                                 "and FairLens bias scores.")
    assert {"GateNorm", "JurisQA", "FairLens"} <= set(named)  # a following word is no head of a name


def test_a_family_written_with_a_list_of_sizes_is_the_family() -> None:
    found = entities("Scaling probes", "We evaluate ZetaVL-1.5-2B/9B/27B and Llama-2-7B/13B, and Qwen2-VL-7B alone.")
    assert found["ZetaVL-1.5"][0] == "model"
    assert found["Llama 2"][0] == "model" and "Llama-2-7B" not in found
    assert found["Qwen2-VL-7B"][0] == "model"
    others = entities("Scaling probes", "We evaluate Nova-7B/13B and train on SynthQA-10k/50k, as ViT-B/16 does.")
    assert "Nova-7B" in others and "SynthQA-10k" in others  # an ordinary-word family; data sizes


def test_a_lower_case_description_is_not_a_model_name() -> None:
    found = entities("Chemistry with language models", "We train a generative pre-trained transformer on "
                     "molecules and compare it with GPT-2 and word2vec embeddings.")
    assert "GPT" not in found
    assert found["GPT-2"][0] == "model" and found["word2vec"][0] == "model"
    spelled = entities("Code models", "We fine-tune starcoder, gemma-3 and code llama.")
    assert {"StarCoder", "Gemma 3", "Code Llama"} <= set(spelled)


def test_generic_concepts_the_tagger_finds_are_dropped_as_the_rules_drop_them() -> None:
    found = entities("Grounding VLM agents", "We evaluate a VLM with reinforcement learning and fine-tune "
                                             "Qwen2-VL with LoRA on ScienceQA.")
    names = set(found)
    assert not {"VLM", "reinforcement learning", "Reinforcement Learning"} & names
    assert {"Qwen2-VL", "Low-Rank Adaptation", "ScienceQA"} <= names


def test_a_lower_case_name_used_as_a_compound_adjective_is_not_an_entity_of_the_paper() -> None:
    described = entities("Extracting actors from posts", "We compare transformer-based models with "
                         "instruction-tuned LLMs on German Telegram posts.")
    assert not {"Transformer", "Instruction Tuning"} & set(described)
    named = entities("Extracting actors from posts", "We train a transformer and compare it with "
                     "BERT-based taggers and an energy-based model.")
    assert {"Transformer", "BERT"} <= set(named)


def test_a_papers_record_holds_every_mention_field_and_reads_back() -> None:
    mention = Mention("BERT", "abstract", 12, 16, "We fine-tune BERT.", "lexicon", 0.9)
    assert mention.to_json() == asdict(mention) and list(mention.to_json()) == list(asdict(mention))
    item = PaperEntities(Paper("p1", "A title", "We fine-tune BERT."),
                         [EntityRef("entity:bert", "BERT", "model", "uses", 0.9, [mention])])
    assert PaperEntities.from_json(item.to_json()) == item


def test_names_wrapped_in_latex_groups_are_found() -> None:
    """6% of arXiv abstracts mark names up ("we propose \\textbf{FooNet}"); the token must be the name."""
    from kg.extract.pipeline import build_nlp

    nlp = build_nlp()
    assert [t.text for t in nlp.make_doc("We propose \\textbf{FooNet}-7B.")][2:6] == ["\\textbf{", "FooNet", "}", "-"]
    # the loaded tokenizer has the saved one's special cases (English and its own), not an empty set
    assert [t.text for t in nlp.make_doc("It can't, e.g. here.")] == ["It", "ca", "n't", ",", "e.g.", "here", "."]
    paper = Paper(id="t0", title="FooNet for graphs",
                  abstract="We propose \\textbf{FooNet}, a graph model, and evaluate it on \\emph{KiloQA} and "
                           "\\textit{MMLU}.")
    found = {e.name: [m.text for m in e.mentions] for e in extract_with([paper], nlp=nlp)[0].entities}
    assert {"FooNet", "KiloQA", "MMLU"} <= found.keys() and "FooNet" in found["FooNet"]


def test_measures_a_text_defines_are_no_entities() -> None:
    """"Click-Through Rate (CTR)", "Matthews Correlation Coefficient (MCC)": metrics, however the tagger or a
    lexicon reads them ("ASR" is speech recognition only where the text does not define it as a rate)."""
    item, = extract_with([Paper(id="m", title="Attacks on ranking", abstract=(
        "We raise the Click-Through Rate (CTR) of DeepFM and the attack success rate (ASR) on GPT-4. The "
        "Matthews Correlation Coefficient (MCC) and attack success rates both rise; CTR too."))])
    names = {e.name for e in item.entities}
    assert {"DeepFM", "GPT-4"} <= names
    assert not names & {"Click-Through Rate", "CTR", "attack success rate", "attack success rates", "ASR",
                        "speech recognition", "Matthews Correlation Coefficient", "MCC"}, names


def test_an_appositive_with_a_type_head_names_a_thing_of_that_type() -> None:
    """"Anomalib, a deep-learning library", "Ranking Companion, a visual analytics approach": kept whatever
    the keep filter says; not a sentence adverb, a number, a class of things or the end of a longer name."""
    item, = extract_with([Paper(id="a", title="Anomalies in radar images", abstract=(
        "In conjunction with Anomalib, a deep-learning library for anomaly detection, we present Ranking "
        "Companion, a visual analytics approach. However, a core challenge remains at temperature 0.5, a common "
        "setting. LLM Agents, a popular framework, fail. We propose the Code Abstraction and Reasoning "
        "Challenge, a new evaluation framework."))])
    found = {e.name: e.type for e in item.entities}
    assert found.get("Anomalib") == "method" and found.get("Ranking Companion") == "method", found
    assert not {"However", "0.5", "LLM Agents", "Reasoning Challenge"} & set(found), found
