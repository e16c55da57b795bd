"""ito.jsonl (Papers-with-Code names via OpenBioLink/ITO) is loaded, trusted less than curated, and adds
names only: it never retypes or shadows a name of harvested.jsonl or curated.jsonl."""

import json

from kg.extract.lexicon import LEXICON_DIR, LEXICON_FILES, load_lexicon, read_lexicon_file
from kg.keys import name_key


def test_ito_is_loaded_first_and_trusted_least():
    assert LEXICON_FILES[0] == "ito.jsonl"
    lexicon = load_lexicon()
    entry = lexicon.lookup("BioELECTRA")
    assert entry is not None and entry.source.startswith("ito@") and entry.confidence == 0.8
    task = lexicon.lookup("video understanding")  # tasks match in lower case through their alias
    assert task is not None and task.type == "task"


def test_ito_only_adds_names():
    others = {name_key(s) for f in LEXICON_FILES[1:] for e in read_lexicon_file(LEXICON_DIR / f)
              for s in e.surfaces}
    records = [json.loads(line) for line in (LEXICON_DIR / "ito.jsonl").read_text().splitlines() if line]
    assert len(records) > 3000
    clashes = [s for r in records for s in [r["name"], *r["aliases"]] if name_key(s) in others]
    assert clashes == []


def test_ito_drops_generic_rows():
    lexicon = load_lexicon()
    for word in ("Baseline", "Ours", "Ensemble", "DNN", "Complex reasoning", "GitHub"):
        entry = lexicon.lookup(word)
        assert entry is None or not entry.source.startswith("ito@"), word


def test_generated_records_named_by_a_generic_concept_are_left_out():
    """tfds's "Covid-19", ITO's "arXiv" and "Alibaba" datasets name the disease, the archive and the company
    in an abstract; curated records keep their generic aliases ("PCA" of Principal Component Analysis)."""
    lexicon = load_lexicon()
    for word in ("Covid-19", "COVID-19", "arXiv", "Alibaba", "SARS-COV-2"):
        assert lexicon.lookup(word) is None, word
    assert lexicon.lookup("PCA").name == "Principal Component Analysis"
    assert lexicon.lookup("CORD-19") is not None


def test_known_names_that_are_english_words_match_only_as_written():
    lexicon = load_lexicon()
    for word, name in (("Zero", "ZeRO"), ("Align", "ALIGN"), ("Records", "ReCoRD"), ("Record", "ReCoRD")):
        assert lexicon.lookup(word) is None, word
        assert lexicon.lookup(name).name == name
