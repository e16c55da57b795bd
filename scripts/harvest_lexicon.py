"""Harvest canonical ML entity names (+ aliases) from field packages.

Run (from the repo root, in a throwaway venv that has the packages below):

    python -m venv /tmp/lexvenv
    /tmp/lexvenv/bin/pip install --no-deps transformers==4.57.6 timm==1.0.31 \
        lm-eval==0.4.13 mteb==2.26.24 ir_datasets==0.6.3 \
        tensorflow-datasets==4.9.10 torchvision==0.29.2 pyyaml==6.0.3
    /tmp/lexvenv/bin/pip install wordfreq==3.1.1      # (with its deps)
    PYTHONPATH=. /tmp/lexvenv/bin/python scripts/harvest_lexicon.py --out kg/lexicon/harvested.jsonl

Nothing here *imports* the harvested packages (torch / tensorflow are not
needed): their installed source files, READMEs and YAML are located with
importlib.util.find_spec and parsed statically (ast / yaml / regex).
``--no-deps`` is therefore enough.  transformers is pinned to 4.x because
5.x dropped ``MODEL_NAMES_MAPPING`` (the display-name registry).

Sources (each record's "source" names the package==version used):
  * transformers  models/auto/configuration_auto.py MODEL_NAMES_MAPPING  -> models
  * timm          model-module docstrings + @register_model variant names -> models
  * lm-eval       lm_eval/tasks/*/README.md headings                      -> benchmarks
  * mteb          Benchmark(name=...), TaskMetadata(name=...), ModelMeta  -> benchmarks / models
  * ir_datasets   docs/*.yaml pretty_name                                  -> datasets / benchmarks
  * torchvision   torchvision.datasets.__all__ + class docstring link text -> datasets
  * tensorflow-datasets builder dirs (surface form found in README/bib)    -> datasets
                        core/valid_tags.txt ml.task.*                      -> tasks
  * wordfreq      only used as an English-frequency filter (common words are
                  dropped or marked case_sensitive).

Record format (one JSON object per line):
  {"name", "type": model|method|dataset|benchmark|task, "aliases": [...],
   "family"?: str, "case_sensitive"?: true, "source": "pkg==ver ..."}
Records are deduplicated by normalised name (kg.keys.name_key, the key the extractor
uses: casefold, non-alphanumerics stripped); the first source in SOURCE_ORDER wins on type.  curated.jsonl
(hand-made) overrides this file in the extractor.

Nothing is taken from the project's seeds or gold annotations.
"""
from __future__ import annotations

import argparse
import ast
import collections
import importlib.metadata as md
import importlib.util
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from kg.keys import name_key

try:
    import yaml
except ImportError:  # pragma: no cover
    yaml = None
try:
    from wordfreq import zipf_frequency
except ImportError:  # pragma: no cover
    zipf_frequency = None


# --------------------------------------------------------------------------- helpers
def pkg_dir(mod: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(mod)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def installed(mod: str) -> Path | None:
    """The package's directory, or None after saying on stderr that its harvester is skipped."""
    d = pkg_dir(mod)
    if d is None:
        print(f"{mod} not installed; skipped", file=sys.stderr)
    return d


def ver(dist: str) -> str:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return "?"


def zipf(word: str) -> float:
    if zipf_frequency is None:
        return 0.0
    return zipf_frequency(word.lower(), "en")


COMMON = 3.0      # zipf >= this: an ordinary English word
AMBIG = 2.0       # zipf >= this: also a word -> case_sensitive


def word_tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^A-Za-z0-9]+", name) if t]


def is_plain_case(tok: str) -> bool:
    """lower-case or Titlecase token (no internal capitals, no digits)."""
    return tok.isalpha() and (tok.islower() or (tok[0].isupper() and tok[1:].islower()))


def ordinary(name: str) -> bool:
    """All tokens are common English words written in plain case -> junk."""
    toks = word_tokens(name)
    if not toks:
        return True
    return all(is_plain_case(t) and zipf(t) >= COMMON for t in toks)


def ambiguous(name: str) -> bool:
    """Name that is (made of) ordinary words -> only match with its case."""
    toks = word_tokens(name)
    return bool(toks) and all(t.isalpha() and zipf(t) >= AMBIG for t in toks)


def too_short(name: str) -> bool:
    return len(name_key(name)) <= 2


def variants(name: str) -> list[str]:
    """Punctuation / digit-split surface variants of a name."""
    out = {name}
    if "-" in name:
        out.add(name.replace("-", " "))
    if " " in name:
        out.add(name.replace(" ", "-"))
    # Letters immediately followed by a version number: Qwen2 -> Qwen-2 / Qwen 2
    m = re.fullmatch(r"([A-Za-z]{3,})(\d+(?:\.\d+)?)((?:[- ].*)?)", name)
    if m and m.group(1)[-1] not in "vV":
        out.add(f"{m.group(1)}-{m.group(2)}{m.group(3)}")
        out.add(f"{m.group(1)} {m.group(2)}{m.group(3)}")
    # Letters-digits written with a hyphen: CIFAR-10 -> CIFAR10
    m = re.fullmatch(r"([A-Za-z]+)[- ](\d+(?:\.\d+)?)", name)
    if m:
        out.add(m.group(1) + m.group(2))
    out.discard(name)
    return sorted(out)


class Store:
    def __init__(self):
        self.recs: dict[str, dict] = {}
        self.dropped: collections.Counter = collections.Counter()

    def add(self, name, typ, source, aliases=(), family=None, case_sensitive=None,
            keep_words=False):
        name = re.sub(r"\s+", " ", name).strip(" -_.,:;")
        if not name or too_short(name) or len(name) > 80:
            self.dropped[source.split()[0]] += 1
            return
        if not keep_words and ordinary(name):
            self.dropped[source.split()[0]] += 1
            return
        key = name_key(name)
        als = []
        for a in list(aliases) + variants(name):
            a = re.sub(r"\s+", " ", str(a)).strip()
            if a and a != name and not too_short(a) and a not in als and not ordinary(a):
                als.append(a)
        if key in self.recs:
            r = self.recs[key]
            for a in [name] + als:
                if a != r["name"] and a not in r["aliases"]:
                    r["aliases"].append(a)
            return
        r = {"name": name, "type": typ, "aliases": als}
        if family and name_key(family) != key:
            r["family"] = family
        cs = ambiguous(name) if case_sensitive is None else case_sensitive
        if cs:
            r["case_sensitive"] = True
        r["source"] = source
        self.recs[key] = r

    def finish(self):
        names = set(self.recs)
        for key, r in self.recs.items():
            # an alias that is another record's name is ambiguous: drop it
            r["aliases"] = [a for a in r["aliases"] if name_key(a) == key or name_key(a) not in names]
            # aliases that only differ in punctuation are kept (surface forms)
            if r.get("family") and name_key(r["family"]) not in names:
                # family must point at an existing record
                r.pop("family")
        return sorted(self.recs.values(), key=lambda r: (r["type"], r["name"].casefold()))


def find_surface(key: str, text: str, max_tokens: int = 4) -> str | None:
    """Find the surface form in `text` whose normalisation equals name_key(key)."""
    target = name_key(key)
    if not target:
        return None
    toks = list(re.finditer(r"[A-Za-z0-9][A-Za-z0-9'+&.\-/]*[A-Za-z0-9+]|[A-Za-z0-9]", text))
    cands = collections.Counter()
    for i in range(len(toks)):
        for j in range(i, min(i + max_tokens, len(toks))):
            span = text[toks[i].start():toks[j].end()]
            if "\n" in span:
                break
            n = name_key(span)
            if n == target:
                cands[span] += 1
            if len(n) >= len(target):
                break
    if not cands:
        return None

    def score(s):
        return (any(c.isupper() for c in s), any(c.islower() for c in s), cands[s], -len(s))
    return max(cands, key=score)


# --------------------------------------------------------------------------- transformers
TF_GENERIC = {
    "encoderdecoder", "speechencoderdecoder", "visionencoderdecoder", "visiontextdualencoder",
    "fairseqmachinetranslation", "timeseriestransformer", "tablettransformer", "tabletransformer",
    "auto", "timmbackbone", "timmwrappermodel", "rag", "superglue", "bit", "led", "mvp", "mra",
    "nat", "van", "dac", "csm", "mms", "tvp", "sew", "sewd", "blt", "dia", "doge", "dots1",
    "yoso", "git", "mimi", "textnet", "helium", "bort", "janus", "glpn", "cpm", "cvt",
    "bertgeneration", "bertjapanese", "ariatext", "granitemoemoe", "granitemoesharedmoe",
    "mllama", "deepseekvlhybrid", "edgetamvideo", "instructblipvideo", "cohere2vision",
    "modernbertdecoder", "promptdepthanything", "kyutaispeechtotext", "unispeechsat",
    "graniteSpeech".lower(), "perceptionencoder", "vitposebackbone", "wav2vec2phoneme",
    "maskformerswin", "donutswin", "blenderbotsmall", "lfm2vl", "evolla", "arcee",
    "fastspeech2conformer", "glm4vmoe", "qwen3vlmoe", "qwen3omnimoe", "hunyuandensev1",
    "hunyuanmoev1", "longcatflash", "xcodec", "vits", "cohere", "cohere2", "minimax",
}
TF_SUFFIX = re.compile(
    r"(VisionModel|TextModel|Model|ForCausalLM|ForConditionalGeneration|AudioEncoder|Encoder"
    r"|Backbone|VisionTransformer|Vision|QFormer|HieraDet|Decoder|WithHifiGan)$")
TF_FIX = {"OpenAI GPT-2": "GPT-2", "OpenAI GPT": "GPT", "mamba2": "Mamba-2", "myt5": "MyT5",
          "StableLm": "StableLM", "BioGpt": "BioGPT", "GptOss": "gpt-oss",
          "Llama2": "Llama 2", "Llama3": "Llama 3", "Llama4": "Llama 4",
          "ConvNeXT": "ConvNeXt", "ConvNeXTV2": "ConvNeXt V2", "MT5": "mT5", "Hubert": "HuBERT",
          "LLaVa": "LLaVA", "LLaVa-NeXT-Video": "LLaVA-NeXT-Video", "LLaVA-Onevision": "LLaVA-OneVision",
          "DeepseekVL": "DeepSeek-VL", "CodeLlama": "Code Llama", "OpenLlama": "OpenLLaMA",
          "VideoLlava": "Video-LLaVA", "VipLlava": "ViP-LLaVA", "OLMo2": "OLMo 2", "Olmo3": "OLMo 3",
          "Shieldgemma2": "ShieldGemma 2", "PLBart": "PLBART", "T5v1.1": "T5 v1.1",
          "Phimoe": "PhiMoE", "TimesFm": "TimesFM", "Lfm2": "LFM2", "Starcoder2": "StarCoder2",
          "SeedOss": "Seed-OSS", "JetMoe": "JetMoE", "SwitchTransformers": "Switch Transformer",
          "Qwen2VL": "Qwen2-VL", "Qwen2MoE": "Qwen2-MoE", "Qwen3VL": "Qwen3-VL",
          "Qwen3MoE": "Qwen3-MoE", "Qwen2Audio": "Qwen2-Audio", "Qwen2_5Omni": "Qwen2.5-Omni",
          "Qwen2_5_VL": "Qwen2.5-VL", "Glm4MoE": "GLM-4-MoE", "GLM4": "GLM-4", "GLM4V": "GLM-4V",
          "Phi3": "Phi-3", "Phi4Multimodal": "Phi-4-multimodal", "Gemma2": "Gemma 2",
          "Gemma3ForCausalLM": "Gemma 3", "Gemma3nForCausalLM": "Gemma 3n", "Mistral3": "Mistral 3",
          "Falcon3": "Falcon 3", "FalconH1": "Falcon-H1",
          "Ernie4_5": "ERNIE 4.5", "Ernie4_5_MoE": "ERNIE 4.5 MoE", "Emu3": "Emu3",
          "Nyströmformer": "Nyströmformer", "SmolLM3": "SmolLM3",
          "GPTBigCode": "StarCoder", "Data2VecText": "data2vec", "Data2VecAudio": "data2vec-audio",
          "Data2VecVision": "data2vec-vision", "Wav2Vec2": "wav2vec 2.0", "Florence2": "Florence-2",
          "Ovis2": "Ovis2", "SigLIP2": "SigLIP 2", "SAM2": "SAM 2", "Zamba2": "Zamba2",
          "GraniteMoeHybrid": "Granite 4.0", "Qwen3Next": "Qwen3-Next", "Mamba": "Mamba"}
TF_ALIAS = {"Nyströmformer": ["Nystromformer"], "wav2vec 2.0": ["Wav2Vec2", "wav2vec2"],
            "StarCoder": ["GPTBigCode"], "Gemma 3": ["Gemma3"], "Code Llama": ["CodeLlama"]}


def harvest_transformers(st: Store):
    d = installed("transformers")
    if d is None:
        return
    src = f"transformers=={ver('transformers')} MODEL_NAMES_MAPPING"
    tree = ast.parse((d / "models/auto/configuration_auto.py").read_text())
    mapping = None
    for node in tree.body:
        tgt = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if getattr(tgt, "id", None) == "MODEL_NAMES_MAPPING":
            mapping = [(k, v) for k, v in ast.literal_eval(node.value.args[0])]
    if mapping is None:
        print("MODEL_NAMES_MAPPING not found (transformers>=5?)", file=sys.stderr)
        return
    displays = {}
    for mtype, disp in mapping:
        if disp in TF_FIX:
            disp = TF_FIX[disp]
        elif re.sub(r"(\d)_(\d)", r"\1.\2", disp) in TF_FIX:
            disp = TF_FIX[re.sub(r"(\d)_(\d)", r"\1.\2", disp)]
        if (TF_SUFFIX.search(disp) and not disp.endswith(("Transformer",))) \
                or disp.endswith("VisionTransformer"):
            continue
        if name_key(disp) in TF_GENERIC or name_key(mtype) in TF_GENERIC:
            continue
        disp = re.sub(r"(\d)_(\d)", r"\1.\2", disp).replace("_", "-")
        displays.setdefault(disp, set()).add(mtype)
    keys = {name_key(x) for x in displays}
    # family stems shared by >= 2 versioned names become family records (Qwen2, Qwen3 -> Qwen)
    stem_re = re.compile(r"([A-Za-z]{3,}?)[- ]?(?:v?\d[\d.]*n?|V\d+)(?:[- ]\w+)*$")
    stems = collections.Counter()
    for disp in displays:
        m = stem_re.match(disp)
        if m and not ordinary(m.group(1)):
            stems[m.group(1)] += 1
    for stem, n in stems.items():
        if n >= 2 and name_key(stem) not in keys:
            st.add(stem, "model", src + " (family of versioned names)", keep_words=True)
            keys.add(name_key(stem))
    famname = {name_key(x): x for x in list(displays) + list(stems)}
    for disp, mtypes in displays.items():
        aliases = []
        for mt in sorted(mtypes):
            a = re.sub(r"(\d)_(\d)", r"\1.\2", mt).replace("_", "-")
            if any(c.isdigit() for c in a) or "-" in a:   # e.g. gpt-neox, qwen2-moe
                aliases.append(a)
        aliases += TF_ALIAS.get(disp, [])
        fam = None
        m = stem_re.match(disp)
        if m and name_key(m.group(1)) in keys and name_key(m.group(1)) != name_key(disp):
            fam = famname.get(name_key(m.group(1)))
        # model names from the registry are real names; keep even if they are words
        st.add(disp, "model", src, aliases, family=fam, keep_words=True)


# --------------------------------------------------------------------------- timm
TIMM_FIX = {"Densenet": "DenseNet", "CspNet": "CSPNet", "Inception-Resnet-V2": "Inception-ResNet-v2",
            "MaxVit": "MaxViT", "RegNet X": "RegNet", "NasNet-A": "NASNet",
            "Poolformer from MetaFormer is Actually What You Need for Vision": "PoolFormer"}
TIMM_SKIP = {"factory", "features", "fx_features", "helpers", "hub", "registry",
             "byoanet", "byobnet", "xception"}


def _clean_doc_name(line: str) -> tuple[str | None, list[str]]:
    line = re.sub(r"https?://\S+", "", line).strip()
    line = re.sub(r"\b(in PyTorch|PyTorch implementation( of)?|Pytorch impl of|implementation"
                  r"( w/ tweaks)?|architecture|Models?|models for image classification)\b\.?",
                  "", line, flags=re.I)
    line = re.sub(r"^(An|PyTorch|Pytorch|The|Implementation of)\s+", "", line).strip(" .:-")
    line = re.sub(r"\s+(Family|for image classification)\b.*$", "", line)
    line = re.sub(r"\s*\((by |V\d|RTMDet)[^)]*\)", "", line)
    line = re.split(r",| and | & ", line)[0].strip()
    if "Vision Transformer" in line and not line.startswith(("Vision", "Pyramid", "Pooling",
                                                              "Multi-Scale", "Global")):
        return None, []
    aliases = []
    m = re.match(r"^(.*?)\s*\(([A-Za-z][\w\-.]+)\)\s*(.*)$", line)
    if m and m.group(1):
        aliases.append(m.group(1).strip())
        line = m.group(2)
    elif ":" in line:          # "BEiT: <paper title>" -> keep the name only
        line = line.split(":", 1)[0]
    elif " - " in line:
        line = line.split(" - ", 1)[0]
    line = line.strip(" .")
    return (line or None), [a for a in aliases if 0 < len(a) < 60]


_TIMM_SIZES = {"tiny": "T", "small": "S", "base": "B", "large": "L", "huge": "H", "giant": "g"}
# (timm registered name pattern, the variant name papers use from its groups, the family name)
_TIMM_VARIANTS: tuple[tuple[str, Callable[[re.Match], str], str], ...] = (
    (r"resnet(18|26|34|50|101|152|200)", lambda m: f"ResNet-{m[1]}", "ResNet"),
    (r"resnext(50|101)_(\d+x\d+d)", lambda m: f"ResNeXt-{m[1]}", "ResNeXt"),
    (r"wide_resnet(50|101)_2", lambda m: f"WRN-{m[1]}-2", "Wide ResNet"),
    (r"vgg(11|13|16|19)", lambda m: f"VGG-{m[1]}", "VGG"),
    (r"densenet(121|161|169|201)", lambda m: f"DenseNet-{m[1]}", "DenseNet"),
    (r"efficientnet_(b[0-8]|l2)", lambda m: f"EfficientNet-{m[1].upper()}", "EfficientNet"),
    (r"vit_(tiny|small|base|large|huge|giant)_patch(\d+)_\w+", lambda m: f"ViT-{_TIMM_SIZES[m[1]]}/{m[2]}", "ViT"),
    (r"convnext_(tiny|small|base|large)", lambda m: f"ConvNeXt-{_TIMM_SIZES[m[1]]}", "ConvNeXt"),
    (r"swin_(tiny|small|base|large)_patch4_window7_224", lambda m: f"Swin-{_TIMM_SIZES[m[1]]}", "Swin Transformer"),
    (r"deit_(tiny|small|base)_patch16_224", lambda m: f"DeiT-{_TIMM_SIZES[m[1]]}", "DeiT"),
)


def _timm_variant(fn: str) -> tuple[str, str] | None:
    """Map a timm registered model name to the (variant, family) names papers use."""
    for pattern, variant, family in _TIMM_VARIANTS:
        if m := re.fullmatch(pattern, fn):
            return variant(m), family
    return None


def harvest_timm(st: Store):
    d = installed("timm")
    if d is None:
        return
    src = f"timm=={ver('timm')}"
    variants_seen = {}
    for f in sorted((d / "models").glob("*.py")):
        stem = f.stem
        if stem.startswith("_") or stem in TIMM_SKIP:
            continue
        text = f.read_text(encoding="utf-8", errors="replace")
        tree = ast.parse(text)
        doc = (ast.get_docstring(tree) or "").strip()
        first = doc.splitlines()[0] if doc else ""
        name, aliases = _clean_doc_name(first)
        name = TIMM_FIX.get(name, name)
        # accept only if the name matches the module (guards against prose first lines)
        mod = name_key(re.sub(r"(_v\d|_mit|_msra|_cr|_hybrid|_relpos|_sam|_aligned)$", "", stem))
        if name and (name_key(name).startswith(mod[:5]) or mod.startswith(name_key(name)[:5])) \
                and len(name.split()) <= 4:
            st.add(name, "model", f"{src} model docstrings", aliases, keep_words=True)
        for fn in re.findall(r"@register_model\s*\ndef\s+(\w+)\s*\(", text):
            v = _timm_variant(fn)
            if v and v[0] not in variants_seen:
                variants_seen[v[0]] = v[1]
    for fam in sorted(set(variants_seen.values())):
        st.add(fam, "model", f"{src} @register_model (family)", [], keep_words=True)
    for v, fam in variants_seen.items():
        st.add(v, "model", f"{src} @register_model", [], family=fam, keep_words=True)


# --------------------------------------------------------------------------- lm-eval
LMEVAL_BAD = re.compile(r"^(task-name|changelog|paper|evaluation example|leaderboard.*|"
                        r"translation tasks|.*benchmark datasets)$", re.I)


LMEVAL_SKIP = {"bangla", "arithmetic", "arabculture", "translation"}


def _clean_header(h: str) -> tuple[str | None, list[str]]:
    h = re.sub(r"^#+\s*", "", h).strip()
    h = re.sub(r"^[^\w]+", "", h)             # emoji / flags
    if not h or LMEVAL_BAD.match(h):
        return None, []
    aliases = []
    m = re.match(r"^(.*?)\s*\(([^)]+)\)\s*$", h)
    if m:
        inner, outer = m.group(2), m.group(1)
        if re.fullmatch(r"[A-Z][\w\-+.]*", inner) and len(outer.split()) >= 2:
            return inner, [outer]                 # "Long Name (ABBR)"
        h, aliases = outer, ([inner] if len(inner.split()) >= 2 else [])
    if ":" in h:
        head, tail = h.split(":", 1)
        if len(head.split()) <= 3:
            h = head
    h = re.split(r" - | – ", h)[0]
    h = re.sub(r"\s+(Dataset|Benchmark|Datasets)$", "", h).strip()
    if re.search(r"[_]", h) or h.islower():   # identifier-like heading
        return None, []
    if len(h.split()) > 5:
        return None, []
    return h, aliases


def harvest_lm_eval(st: Store):
    d = installed("lm_eval")
    if d is None:
        return
    src = f"lm-eval=={ver('lm_eval')} tasks README"
    tasks = d / "tasks"
    for readme in sorted(list(tasks.glob("*/README.md")) + list(tasks.glob("*/*/README.md"))):
        text = readme.read_text(encoding="utf-8", errors="replace")
        head = next((line for line in text.splitlines() if line.startswith("#")), "")
        name, aliases = _clean_header(head)
        dirname = readme.parent.name
        if name is None:
            # fall back: the directory id written as a proper name somewhere in the README
            name = find_surface(dirname.replace("_", ""), text)
            if name is None or name.islower() or "_" in name:
                continue
        if name_key(name) in LMEVAL_SKIP:
            continue
        st.add(name, "benchmark", src, aliases)


# --------------------------------------------------------------------------- mteb
MTEB_SUFFIX = re.compile(
    r"(?:(?:Multilabel|ZeroShot|Pair)?Classification|(?:Instruction)?Retrieval|Clustering"
    r"(?:P2P|S2S)?|(?:Instruction)?Reranking|BitextMining|Summarization|STS|Regression|"
    r"VisualSTS|ImageClassification|MultiChoice|Any2Any\w*|I2I\w*|T2I\w*|I2T\w*|P2P|S2S)"
    r"(?:\.v\d+)?$")


MTEB_SKIP = {"quora", "stackexchange", "arxiv", "biorxiv", "medrxiv", "reddit", "twitter"}
# benchmarks whose member tasks are harvested (English text + IR suites: widely cited names)
MTEB_MAIN = {"MTEB(eng, v1)", "MTEB(eng, v2)", "BEIR", "BRIGHT", "LongEmbed", "CoIR", "FollowIR",
             "RAR-b", "MTEB(Multilingual, v2)"}


def _kwargs(call: ast.Call) -> dict:
    out = {}
    for kw in call.keywords:
        try:
            out[kw.arg] = ast.literal_eval(kw.value)
        except Exception:
            pass
    return out


def harvest_mteb(st: Store, phase: str):
    d = installed("mteb")
    if d is None:
        return
    v = ver("mteb")
    if phase == "benchmarks":
        for f in (d / "benchmarks/benchmarks").glob("*.py"):
            for node in ast.walk(ast.parse(f.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "").endswith("Benchmark"):
                    kw = _kwargs(node)
                    name = kw.get("name")
                    if not isinstance(name, str):
                        continue
                    base = re.sub(r"\s*\(.*$", "", name).strip()
                    st.add(base, "benchmark", f"mteb=={v} Benchmark", [], case_sensitive=None)
        return
    if phase == "tasks":
        wanted = set()
        for f in (d / "benchmarks/benchmarks").glob("*.py"):
            for node in ast.walk(ast.parse(f.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "").endswith("Benchmark"):
                    kw = _kwargs(node)
                    if kw.get("name") not in MTEB_MAIN:
                        continue
                    for sub in ast.walk(node):
                        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                            wanted.add(sub.value)
        for f in sorted((d / "tasks").rglob("*.py")):
            text = f.read_text(encoding="utf-8", errors="replace")
            if "TaskMetadata(" not in text:
                continue
            for node in ast.walk(ast.parse(text)):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "TaskMetadata"):
                    continue
                kw = _kwargs(node)
                name, desc = kw.get("name"), kw.get("description") or ""
                if not isinstance(name, str) or kw.get("adapted_from") or name not in wanted:
                    continue
                if re.search(r"(Decontaminated|HardNegatives|Instruct|Lite|Mini|Nano|Fa$|PL$|NL$|"
                             r"VN$|\.v\d)", name):
                    continue
                base = MTEB_SUFFIX.sub("", name)
                base = MTEB_SUFFIX.sub("", base)
                if base != name and len(base) < 4:
                    continue
                pretty = find_surface(base, desc) or base
                if pretty[:1].islower() or name_key(pretty) in MTEB_SKIP or pretty.endswith("Hierarchical"):
                    continue
                st.add(pretty, "benchmark", f"mteb=={v} TaskMetadata",
                       [base] if base != pretty else [])
        return
    if phase == "models":
        for f in sorted((d / "models/model_implementations").glob("*.py")):
            text = f.read_text(encoding="utf-8", errors="replace")
            for node in ast.walk(ast.parse(text)):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ModelMeta"):
                    continue
                name = _kwargs(node).get("name")
                if not isinstance(name, str) or "/" not in name:
                    continue
                org, mid = name.split("/", 1)
                mid = re.sub(r"\s*\(.*$", "", mid).strip()
                if org == "mteb" or len(mid) < 5 or not re.search(r"[-\d]", mid):
                    continue
                first = re.split(r"[-_]", mid)[0]
                fam = first if name_key(first) in st.recs and name_key(first) != name_key(mid) else None
                if fam:
                    fam = st.recs[name_key(first)]["name"]
                st.add(mid, "model", f"mteb=={v} ModelMeta", [name], family=fam, keep_words=True,
                       case_sensitive=False)


# --------------------------------------------------------------------------- ir_datasets
def harvest_ir_datasets(st: Store):
    d = pkg_dir("ir_datasets")
    if not d or yaml is None:
        print("ir_datasets/pyyaml not installed; skipped", file=sys.stderr)
        return
    src = f"ir_datasets=={ver('ir_datasets')} docs pretty_name"
    for f in sorted((d / "docs").glob("*.yaml")):
        try:
            doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        except Exception:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("_"), dict):
            continue
        pretty = str(doc["_"].get("pretty_name") or "").strip()
        if not pretty:
            continue
        typ = "benchmark" if "benchmark" in pretty.lower() else "dataset"
        aliases = [f.stem]
        m = re.match(r"^(.*?)\s*\((.*)\)\s*$", pretty)
        if m:
            pretty, inner = m.group(1), m.group(2)
            if inner[:1].isupper() and "benchmark" not in inner.lower() and len(inner.split()) >= 2:
                aliases.append(inner)
        if ":" in pretty:
            pretty = pretty.split(":", 1)[0]
        if pretty == "Beir":
            pretty = "BEIR"
        if name_key(pretty) in {"gov", "sara", "vaswani", "csl"}:   # too generic / a person's name
            continue
        st.add(pretty, typ, src, aliases)
        # sub-collections described as "A version of the X dataset"
        for key, val in doc.items():
            if key == "_" or not isinstance(val, dict):
                continue
            desc = re.sub(r"<[^>]+>", " ", str(val.get("desc") or ""))
            m = re.search(r"(?:version|subset) of the ([A-Z][\w\-.]*(?: [A-Z0-9][\w\-.]*){0,3}) "
                          r"(?:dataset|collection|benchmark|corpus)", desc)
            if m:
                st.add(m.group(1), "dataset", src, [])


# --------------------------------------------------------------------------- torchvision
TV_SKIP = {"LSUNClass", "ImageFolder", "DatasetFolder", "FakeData", "VisionDataset",
           "wrap_dataset_for_transforms_v2", "PhotoTour", "SBDataset", "CarlaStereo",
           "Middlebury2014Stereo", "SceneFlowStereo", "SintelStereo", "ETH3DStereo",
           "Kitti2012Stereo", "Kitti2015Stereo", "CREStereo", "LFWPairs", "KittiFlow",
           "CocoCaptions", "CocoDetection", "VOCSegmentation", "VOCDetection"}


def harvest_torchvision(st: Store):
    d = installed("torchvision")
    if d is None:
        return
    src = f"torchvision=={ver('torchvision')} torchvision.datasets.__all__"
    ddir = d / "datasets"
    allv = []
    for node in ast.parse((ddir / "__init__.py").read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__":
            allv = ast.literal_eval(node.value)
    docs = {}
    for f in ddir.glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                docs[node.name] = (ast.get_docstring(node) or "").strip()
    for cls in allv:
        if cls in TV_SKIP:
            continue
        doc = docs.get(cls, "")
        m = re.match(r"`([^<`]+?)\s*<", doc)
        if not m:
            continue
        disp = m.group(1).strip()
        disp = re.sub(r"^(The|Generic)\s+|\s+(Data Set|Dataset|Entities)$", "", disp).strip()
        aliases = [cls]
        m2 = re.match(r"^(.*?)\s*\((\w+)\)\s*(?:Dataset)?$", disp)
        if m2:
            aliases.append(m2.group(1))
            disp = m2.group(2)
        if disp == "MS Coco Captions":
            disp = "COCO Captions"
        st.add(disp, "dataset", src, aliases, keep_words=True)


# --------------------------------------------------------------------------- tensorflow-datasets
TFDS_TASK_SKIP = {"parsing", "stemming", "reinforcementlearning", "languagemodeling",
                  "languagemodelling", "sequencemodeling", "naturallanguageunderstanding",
                  "textbreaking", "textclassificationtoxicityprediction", "corefresolution",
                  "sequencetosequencelanguagemodeling", "sequencetosequencelanguagemodelling",
                  "densityestimation"}
TFDS_SKIP = {"datasets", "datasetbuilder", "gpt3", "trec", "voc", "atari", "asimov", "ted",
             "radon", "pass", "passdataset", "cyclegan", "yesno", "libsvmrankingparser",
             "beedataset", "rlu", "rlds", "dmlab", "cifar"}
TFDS_SKIP_DIRS = {"core", "scripts", "testing", "proto", "__pycache__", "dataset_collections"}


def _prose(py: Path) -> str:
    """Docstrings and module-level _DESCRIPTION/_CITATION-like strings of a builder module."""
    try:
        tree = ast.parse(py.read_text(encoding="utf-8", errors="replace"))
    except SyntaxError:
        return ""
    out = [ast.get_docstring(tree) or ""]
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            tid = getattr(node.targets[0], "id", "")
            if re.search(r"DESCRIPTION|CITATION|HOMEPAGE", tid):
                out.append(node.value.value)
        if isinstance(node, ast.ClassDef):
            out.append(ast.get_docstring(node) or "")
    return "\n".join(out)


def harvest_tfds(st: Store, phase: str):
    d = installed("tensorflow_datasets")
    if d is None:
        return
    v = ver("tensorflow-datasets")
    if phase == "tasks":
        tags = d / "core/valid_tags.txt"
        if tags.exists():
            for line in tags.read_text().splitlines():
                m = re.match(r"ml\.task\.([\w\-]+)\s*#\s*Relates to (.+?), a machine learning task", line)
                if not m or name_key(m.group(1)) in TFDS_TASK_SKIP:
                    continue
                disp = re.sub(r"\s*\(.*\)", "", m.group(2))
                disp = " ".join(w if w.isupper() else w.lower() for w in disp.split())
                st.add(disp, "task", f"tensorflow-datasets=={v} valid_tags ml.task",
                       [m.group(1).replace("-", " ")], keep_words=True, case_sensitive=False)
        return
    src = f"tensorflow-datasets=={v} builders"
    builders = {}   # name -> text
    for sub in sorted(p for p in d.iterdir() if p.is_dir() and p.name not in TFDS_SKIP_DIRS):
        for p in sorted(sub.iterdir()):
            if p.name.startswith(("_", ".")) or p.name.endswith("_test.py"):
                continue
            if p.is_dir():
                txt = ""
                for fn in ("README.md", "CITATIONS.bib"):
                    if (p / fn).exists():
                        txt += (p / fn).read_text(encoding="utf-8", errors="replace") + "\n"
                for py in p.glob("*.py"):
                    if not py.name.endswith("_test.py"):
                        txt += _prose(py) + "\n"
                builders.setdefault(p.name, txt)
            elif p.suffix == ".py":
                builders.setdefault(p.stem, _prose(p))
    for bname, text in sorted(builders.items()):
        text = re.sub(r"https?://\S+", " ", text)
        parts = bname.split("_")
        found = None
        for k in range(len(parts), 0, -1):        # ag_news_subset -> ag_news -> ag
            cand = "_".join(parts[:k])
            if len(name_key(cand)) < 3:
                break
            found = find_surface(cand, text)
            if found:
                break
        if not found or found.islower() or found.startswith("_"):
            continue
        if re.search(r"[_/{}()]", found) or name_key(found) in TFDS_SKIP or name_key(bname) in TFDS_SKIP:
            continue
        st.add(found, "dataset", src, [bname])


# --------------------------------------------------------------------------- main
SOURCE_ORDER = [
    harvest_transformers,
    harvest_timm,
    lambda st: harvest_mteb(st, "benchmarks"),
    harvest_lm_eval,
    harvest_ir_datasets,
    harvest_torchvision,
    lambda st: harvest_mteb(st, "tasks"),
    lambda st: harvest_tfds(st, "tasks"),
    lambda st: harvest_tfds(st, "datasets"),
    lambda st: harvest_mteb(st, "models"),
]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="kg/lexicon/harvested.jsonl")
    args = ap.parse_args(argv)
    if zipf_frequency is None:
        print("warning: wordfreq not installed; common-word filter disabled", file=sys.stderr)
    st = Store()
    for fn in SOURCE_ORDER:
        fn(st)
    recs = st.finish()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    by = collections.Counter((r["type"], r["source"].split()[0]) for r in recs)
    for (t, s), n in sorted(by.items()):
        print(f"{t:10s} {s:32s} {n}", file=sys.stderr)
    print(f"wrote {len(recs)} records to {args.out}; dropped {dict(st.dropped)}", file=sys.stderr)


if __name__ == "__main__":
    main()
