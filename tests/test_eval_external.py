"""scripts/eval_external.py: keys, matching and scoring on tiny hand-made examples (no external data)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from kg.model import EntityRef, Mention, Paper, PaperEntities

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "eval_external.py"


@pytest.fixture(scope="module")
def ee():
    spec = importlib.util.spec_from_file_location("eval_external", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_external"] = module
    spec.loader.exec_module(module)
    return module


def entity(name: str, type_: str, *mentions: str) -> EntityRef:
    return EntityRef(id=f"entity:{name}", name=name, type=type_, role="uses", confidence=1.0,
                     mentions=[Mention(text=m, field="abstract", start=0, end=len(m), sentence="")
                               for m in (mentions or (name,))])


def predicted(*entities: EntityRef) -> PaperEntities:
    return PaperEntities(Paper(id="p", title=""), list(entities))


def test_keys(ee):
    assert ee.exact_key("CIFAR - 1 0 0") == ee.exact_key("CIFAR-100") == "cifar100"
    assert ee.exact_key("the COCO dataset") != ee.exact_key("COCO")
    assert ee.relaxed_key("the COCO dataset") == ee.relaxed_key("COCO") == "coco"
    assert ee.relaxed_key("ImageNet data set") == "imagenet"
    assert ee.relaxed_key("Stanford Natural Language Inference corpus") == "stanfordnaturallanguageinference"
    # only leading articles and trailing heads go: inner words and other heads stay
    assert ee.relaxed_key("Penn Treebank") == "penntreebank"
    assert ee.relaxed_key("Dataset Distillation") == "datasetdistillation"
    assert ee.relaxed_key("A2D Sentences") == "a2dsentences"
    # nothing but generic words: no key at all
    assert ee.relaxed_key("the dataset") == ""
    assert ee.key_set(["the dataset", "data", "MNIST"], ee.relaxed_key) == {"mnist"}


def test_set_counts_dedupe_and_no_partial_match(ee):
    c = ee.set_counts(["CIFAR - 10", "CIFAR-10", "ImageNet"], ["CIFAR-100", "CIFAR-10", "MNIST"], ee.exact_key)
    # gold {cifar10, imagenet}; predicted {cifar100, cifar10, mnist}: CIFAR-100 is not CIFAR-10
    assert (c.true_positives, c.predicted, c.gold) == (1, 3, 2)
    assert c.precision == pytest.approx(1 / 3) and c.recall == pytest.approx(1 / 2)
    assert c.f1 == pytest.approx(0.4)


def test_relaxed_only_matches_head_variants(ee):
    gold, pred = ["the COCO dataset", "SQuAD"], ["COCO", "SQuAD 2.0"]
    exact = ee.set_counts(gold, pred, ee.exact_key)
    relaxed = ee.set_counts(gold, pred, ee.relaxed_key)
    assert exact.true_positives == 0
    assert (relaxed.true_positives, relaxed.predicted, relaxed.gold) == (1, 2, 2)  # "SQuAD 2.0" stays a different name


def test_entity_precision(ee):
    entities = [["ResNet", "ResNet-50"], ["BERT"], ["our method"]]
    c = ee.entity_precision(["ResNet - 5 0", "transformer"], entities, ee.exact_key)
    assert (c.true_positives, c.predicted) == (1, 3)  # a mention text is enough; one match per entity at most
    both = ee.entity_precision(["ResNet-50", "ResNet"], [["ResNet", "ResNet-50"]], ee.exact_key)
    assert (both.true_positives, both.predicted) == (1, 1)
    # "model" is no generic head
    assert ee.entity_precision(["the BERT model"], [["BERT"]], ee.relaxed_key).true_positives == 0


def doc(ee, datasets, methods=(), names=None):
    return ee.ExternalDoc(id="d", title="", abstract="", datasets=list(datasets), methods=list(methods),
                          dataset_names=names)


def test_score_split_types_and_per_document_micro(ee):
    docs = [doc(ee, ["MNIST"], ["LeNet"]), doc(ee, ["SVHN"], ["LeNet"])]
    preds = [
        predicted(entity("MNIST", "dataset"), entity("GLUE", "benchmark"), entity("LeNet", "model"),
                  entity("dropout", "method")),
        # MNIST is gold in doc 1 only: predicting it in doc 2 is a false positive there.
        # SVHN typed as a model is no dataset prediction (but counts for 'any type' recall).
        predicted(entity("MNIST", "dataset"), entity("SVHN", "model")),
    ]
    r = ee.score_split(docs, preds)
    d = r["dataset"]["exact"]
    assert (d["tp"], d["predicted"], d["gold"]) == (1, 3, 2)
    assert d["precision"] == pytest.approx(1 / 3, abs=1e-4) and d["recall"] == pytest.approx(0.5)
    assert r["dataset_recall_any_type"]["exact"] == pytest.approx(1.0)
    m = r["method_precision"]["exact"]
    assert (m["correct"], m["predicted"]) == (1, 3)  # LeNet yes; dropout, SVHN (doc 2 has no SVHN method) no
    assert "dataset_names_only" not in r
    assert r["predicted_dataset_entities"] == 3 and r["docs"] == 2


def test_score_split_uses_names_and_mention_texts(ee):
    docs = [doc(ee, ["Stanford Question Answering Dataset", "SQuAD"], names=["SQuAD"])]
    preds = [predicted(entity("SQuAD", "dataset", "Stanford Question Answering Dataset (SQuAD)", "SQuAD"))]
    r = ee.score_split(docs, preds)
    exact = r["dataset"]["exact"]
    # the name and mention texts give keys squad and stanfordquestionansweringdatasetsquad
    assert (exact["tp"], exact["predicted"], exact["gold"]) == (1, 2, 2)
    names = r["dataset_names_only"]["exact"]
    assert (names["tp"], names["gold"]) == (1, 1)


def test_combine_adds_counts(ee):
    a = ee.score_split([doc(ee, ["MNIST"])], [predicted(entity("MNIST", "dataset"))])
    b = ee.score_split([doc(ee, ["SVHN", "KITTI"])], [predicted(entity("COCO", "dataset"))])
    c = ee.combine([a, b])["dataset"]["exact"]
    assert (c["tp"], c["predicted"], c["gold"]) == (1, 2, 3)
    assert c["f1"] == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3), abs=1e-4)


def test_detokenize(ee):
    scier = "on CIFAR - 1 0 0 and RCV 1 ( HTC ) , in 2 0 1 8 [ 1 6 ] , OntoNotes v 5 . 0 in Table 1 ; the model 's"
    assert ee.detokenize(scier, split_digits=True) == (
        "on CIFAR-100 and RCV1 (HTC), in 2018 [16], OntoNotes v5.0 in Table 1; the model's")
    assert ee.detokenize("sizes 10 20 and state - of - the - art", split_digits=False) == (
        "sizes 10 20 and state-of-the-art")


def test_load_scier_groups_sentences_per_document(ee, tmp_path):
    rows = [
        {"doc_id": "1", "sentence": "We use MNIST .", "ner": [["MNIST", "Dataset"]]},
        {"doc_id": "2", "sentence": "We train LeNet .", "ner": [["LeNet", "Method"], ["digit recognition", "Task"]]},
        {"doc_id": "1", "sentence": "And SVHN .", "ner": [["SVHN", "Dataset"]]},
    ]
    (tmp_path / "LLM").mkdir()
    (tmp_path / "LLM" / "test.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    split = ee.load_scier(tmp_path, "test")
    assert [d.id for d in split.docs] == ["scier:1", "scier:2"]
    first, second = split.docs
    assert first.abstract == "We use MNIST. And SVHN." and first.title == ""
    assert first.datasets == ["MNIST", "SVHN"] and first.methods == []
    assert second.datasets == [] and second.methods == ["LeNet"]
    assert [d.id for d in ee.load_scier(tmp_path, "test", limit=1).docs] == ["scier:1"]
    per_sentence = ee.load_scier(tmp_path, "test", unit="sentence")
    assert [(d.abstract, d.datasets) for d in per_sentence.docs] == [
        ("We use MNIST.", ["MNIST"]), ("And SVHN.", ["SVHN"]), ("We train LeNet.", [])]


def scirex_raw(words: str, sections, sentences, ner, doc_id="x"):
    return {"doc_id": doc_id, "words": words.split(), "sections": sections, "sentences": sentences, "ner": ner}


def test_scirex_cut_with_document_header(ee):
    words = ("document : Deep Nets for Digits "  # 0-5: header + title (sentence 0)
             "Images of digits are hard . We use MNIST and in - the - wild photos with text8 . "  # 6-24
             "section : Introduction MNIST again .")  # 25-30
    raw = scirex_raw(words, [[0, 25], [25, 31]], [[0, 6], [6, 12], [12, 25], [25, 31]],
                     [[2, 4, "Method"], [6, 7, "Material"], [14, 15, "Material"], [16, 22, "Material"],
                      [23, 24, "Material"], [28, 29, "Material"]])
    ee.SCIREX_MIN_ABSTRACT_WORDS, old = 5, ee.SCIREX_MIN_ABSTRACT_WORDS
    try:
        d = ee.scirex_doc(raw)
    finally:
        ee.SCIREX_MIN_ABSTRACT_WORDS = old
    assert d.title == "Deep Nets for Digits"
    assert d.abstract == "Images of digits are hard. We use MNIST and in-the-wild photos with text8."
    assert d.methods == ["Deep Nets"]
    # the Introduction's MNIST is outside title+abstract
    assert d.datasets == ["Images", "MNIST", "in - the - wild photos", "text8"]
    # names only: a sentence-initial capital is no name; lower case is none; letters+digits are one
    assert d.dataset_names == ["MNIST", "text8"]


def test_scirex_cut_with_abstract_section_and_unusable_docs(ee):
    abstract = " ".join(["word"] * 25)
    raw = scirex_raw(f"A Title section : Abstract {abstract} section : Introduction more", [[0, 2], [2, 30], [30, 34]],
                     [[0, 2], [2, 30], [30, 34]], [])
    title, abs_span = ee.scirex_title_abstract(raw)
    assert (title, abs_span) == ((0, 2), (5, 30))
    # no section structure at all (one section for the whole paper): cannot delimit, skipped
    assert ee.scirex_title_abstract(scirex_raw(abstract, [[0, 25]], [[0, 25]], [])) is None
    # section 0 is a bare abstract followed by a headed section: abstract without title
    bare = scirex_raw(f"{abstract} section : Introduction more", [[0, 25], [25, 29]], [[0, 25], [25, 29]], [])
    assert ee.scirex_title_abstract(bare) == ((0, 0), (0, 25))
    # an "abstract" too long to be one is skipped
    long_doc = scirex_raw(" ".join(["w"] * 700) + " section : Introduction x", [[0, 700], [700, 704]],
                          [[0, 700], [700, 704]], [])
    assert ee.scirex_title_abstract(long_doc) is None


def test_main_json_with_a_stub_extractor(ee, tmp_path, monkeypatch, capsys):
    (tmp_path / "LLM").mkdir()
    row = {"doc_id": "1", "sentence": "We use MNIST and LeNet .", "ner": [["MNIST", "Dataset"], ["LeNet", "Method"]]}
    (tmp_path / "LLM" / "test.jsonl").write_text(json.dumps(row) + "\n")
    seen = []

    def stub(papers):
        seen.extend(papers)
        return [predicted(entity("MNIST", "dataset"), entity("LeNet", "model")) for _ in papers]

    monkeypatch.setattr(ee, "run_extractor", stub)
    assert ee.main(["--scier", str(tmp_path), "--scier-splits", "test", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    [result] = out["results"]
    assert [p.abstract for p in seen] == ["We use MNIST and LeNet."]
    assert result["dataset"]["exact"]["f1"] == 1.0 and result["method_precision"]["exact"]["precision"] == 1.0
    assert ee.main(["--scier", str(tmp_path / "missing")]) == 2
