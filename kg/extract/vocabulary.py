"""Word lists the rules rely on: generic terms that are never entities, head nouns that type a name,
and the verbs that signal a paper's role. General English/ML knowledge, not corpus-specific names."""

from __future__ import annotations

# Acronyms and words that look like names but denote generic concepts, fields, metrics, hardware,
# organisations or page furniture (compared on canonical keys).
GENERIC_NAMES = frozenset({
    "ai", "agi", "ml", "dl", "nlp", "nlu", "nlg", "cv", "ir", "rl", "llm", "llms", "lm", "lms", "plm", "plms",
    "slm", "slms", "mllm", "mllms", "vlm", "vlms", "lvlm", "lvlms", "nn", "nns", "dnn", "dnns", "ann", "anns",
    "gpu", "gpus", "tpu", "tpus", "cpu", "cpus", "api", "apis", "sota", "url", "pdf", "html", "json", "xml",
    "sql", "faq", "usa", "uk", "eu", "phd", "ceo", "iot", "ui", "ux", "os", "io", "ram", "gb", "tb", "mb",
    "flops", "flop", "tflops", "fps", "ood", "iid", "kl", "mle", "nll", "mse", "mae", "rmse", "auc", "roc",
    "f1", "bleu", "rouge", "meteor", "cider", "bertscore", "em", "mrr", "ndcg", "map", "acc", "ppl", "wer",
    "cer", "cdf", "svd", "pca", "ai2", "ibm", "mit", "nasa", "nih", "who", "un", "llama.cpp",
    "english", "chinese", "hindi", "arabic", "french", "german", "spanish", "japanese", "korean",
    "github", "arxiv", "huggingface", "google", "openai", "meta", "microsoft", "deepmind", "anthropic",
    "nvidia", "amazon", "apple", "baidu", "alibaba", "tencent", "stanford", "berkeley", "cmu",
    "ieee", "acl", "emnlp", "naacl", "neurips", "icml", "iclr", "cvpr", "eccv", "iccv", "aaai", "ijcai",
    "kdd", "sigir", "www", "covid19", "sarscov2", "rgb", "coling", "eacl", "tacl", "jmlr",
    "largelanguagemodel", "largelanguagemodels", "languagemodel", "languagemodels",
    "pretrainedlanguagemodel", "pretrainedlanguagemodels", "neuralnetwork", "neuralnetworks",
    "deeplearning", "machinelearning", "artificialintelligence", "naturallanguageprocessing",
    "naturallanguageunderstanding", "naturallanguagegeneration", "computervision", "reinforcementlearning",
    "deepneuralnetwork", "deepneuralnetworks", "smalllanguagemodel", "smalllanguagemodels",
    "multimodallargelanguagemodel", "multimodallargelanguagemodels", "visionlanguagemodel",
    "visionlanguagemodels", "foundationmodel", "foundationmodels", "generativeai", "finetuning",
    "pretraining", "prompting", "embeddings", "wordembeddings", "attention", "transferlearning",
    "id", "ids", "cls", "sep", "mask", "eos", "bos", "pad", "unk", "npu", "fpga", "asic", "cuda", "ocr",
    "fp64", "fp32", "fp16", "fp8", "fp6", "fp4", "bf16", "tf32", "int32", "int16", "int8", "int6", "int5",
    "int4", "int3", "int2", "nf4", "mxfp4", "mxfp8", "nvfp4",  # number formats
    "v100", "a100", "a100s", "h100", "h100s", "h200", "b200", "gh200", "l40s", "t4", "rtx3090", "rtx4090",
    "mi250", "mi300x", "tpuv4", "tpuv5e", "jetson", "raspberrypi", "rpi4", "rpi5",  # accelerators, boards
    "ours", "baseline", "baselines", "ablation", "table", "figure", "appendix", "section", "i", "ii", "iii",
    "iv", "v", "vi", "we", "our", "it", "this", "these", "they", "a", "an", "the",
})

# Head nouns that say what kind of thing a name is ("the X benchmark", "X: a new dataset ...").
TYPE_HEADS: dict[str, str] = {
    "benchmark": "benchmark", "benchmarks": "benchmark", "suite": "benchmark", "leaderboard": "benchmark",
    "testbed": "benchmark", "test set": "benchmark", "arena": "benchmark",
    "challenge": "benchmark",
    "dataset": "dataset", "datasets": "dataset", "data set": "dataset", "corpus": "dataset",
    "corpora": "dataset", "treebank": "dataset", "collection": "dataset", "knowledge base": "dataset",
    "knowledge graph": "dataset",
    "model": "model", "models": "model", "llm": "model", "llms": "model", "language model": "model",
    "language models": "model", "encoder": "model", "checkpoint": "model", "checkpoints": "model",
    "family": "model", "chatbot": "model", "assistant": "model",
    "method": "method", "methods": "method", "framework": "method", "approach": "method",
    "algorithm": "method", "technique": "method", "architecture": "method", "library": "method",
    "toolkit": "method", "tool": "method", "system": "method", "pipeline": "method", "strategy": "method",
    "objective": "method", "loss": "method", "mechanism": "method", "module": "method", "layer": "method",
    "metric": "method", "probe": "method", "paradigm": "method", "scheme": "method", "agent": "method",
    "network": "method", "optimizer": "method", "protocol": "method", "platform": "method",
    "task": "task", "tasks": "task", "problem": "task", "shared task": "task",
}

# Head nouns after a name that make it hardware, a place or an organisation ("the SpiNNaker 2 Chip",
# "Tsinghua University"): never an ML entity.
NON_ENTITY_HEADS = frozenset({
    "chip", "chips", "processor", "processors", "hardware", "university", "institute", "laboratory",
    "inc", "corporation", "company", "conference", "workshop",
})

# Head nouns of bodies, places and laws ("the World Health Organization", "the European Parliament").
INSTITUTION_HEADS = frozenset({
    "organization", "organisation", "centre", "center", "union", "parliament", "act", "agency", "council",
    "foundation", "ministry", "department", "association", "society", "committee", "commission", "government",
    "republic", "kingdom", "states", "city", "county", "province", "school", "hospital", "court", "office",
    "lab", "labs", "team", "project", "program", "programme", "initiative", "award", "prize",
    "river", "sea", "ocean", "mountain",
})

# Head nouns of measures, results, states and documents, capitalised but never an entity of their own
# ("the Character Error Rate", "the Nash Equilibrium", "the International AI Safety Report").
# Head nouns of measures ("Click-Through Rate", "Matthews Correlation Coefficient"): metrics are never entities.
METRIC_HEADS = frozenset({"error", "accuracy", "f1", "rate", "ratio", "coefficient"})
MEASURE_AND_RESULT_HEADS = METRIC_HEADS | frozenset({
    "factor", "theorem", "lemma", "corollary", "equilibrium", "gap",
    "lesson", "report", "guidelines", "guideline", "exam", "view", "condition",
})

# Head nouns of phenomena and claims, which are not entities ("state collapse", "tokenization bias",
# the "free lunch" hypothesis).
PHENOMENON_HEADS = frozenset({
    "collapse", "bias", "biases", "phenomenon", "phenomena", "effect", "effects", "hypothesis",
    "hypotheses", "law", "laws", "paradox", "curse", "drift", "claim", "conjecture", "illusion",
})

# Modifiers that turn a plural architecture noun into a class of models: "pretrained transformers",
# "decoder-only transformers", "massively multilingual transformers" name no architecture being used.
MODEL_CLASS_MODIFIERS = frozenset({
    "pretrained", "pre-trained", "multilingual", "monolingual", "bidirectional", "unidirectional",
    "autoregressive", "auto-regressive", "decoder-only", "encoder-only", "encoder-decoder", "causal",
    "generative",
})
# Plural architecture nouns that are also the everyday word for the models built on them.
ARCHITECTURE_NOUNS = frozenset({"transformers"})

# Head nouns that say only "some kind of method": stripped from a name when a technical word precedes.
CONTAINER_HEADS = frozenset({
    "mechanism", "algorithm", "method", "approach", "technique", "strategy", "scheme", "module", "procedure",
    "framework", "paradigm", "process", "mechanisms", "algorithms", "methods", "approaches", "techniques",
    "strategies", "schemes", "modules", "procedures", "frameworks", "paradigms", "processes",
})

# Final words of a multi-word concept that mark it as a task ("named entity recognition").
TASK_HEAD_WORDS = frozenset({
    "recognition", "answering", "translation", "classification", "detection", "summarization",
    "summarisation", "extraction", "segmentation", "parsing", "labeling", "labelling", "tagging", "linking",
    "prediction", "forecasting", "completion", "captioning", "recommendation", "retrieval", "resolution",
    "identification", "comprehension", "similarity", "inference", "generation", "reasoning", "search",
    "matching", "ranking", "reranking", "re-ranking", "correction", "simplification", "synthesis",
    "verification", "understanding", "analysis", "imputation", "localization", "estimation", "tracking",
})

# Final words of a multi-word concept that mark it as a method.
METHOD_HEAD_WORDS = frozenset({
    "learning", "training", "tuning", "optimization", "optimisation", "modeling", "modelling",
    "distillation", "decoding", "sampling", "attention", "encoding", "embedding", "alignment",
    "regularization", "normalization", "quantization", "pruning", "augmentation", "prompting",
    "network", "networks", "transformer", "transformers", "autoencoder", "autoencoders", "machine",
    "descent", "propagation", "algorithm", "method", "framework", "mechanism", "architecture", "cache",
    "memory", "model", "objective", "loss", "estimation", "tokenization", "tokenizer", "adaptation",
    "decoder", "interpreter",
})

# Verbs and phrases after which "we ..." introduces the paper's own contribution.
PROPOSE_TRIGGERS = (
    "propose", "proposes", "proposed", "introduce", "introduces", "introduced", "present", "presents",
    "presented", "develop", "develops", "developed", "design", "designs", "designed", "release", "releases",
    "released", "construct", "constructs", "constructed", "build", "builds", "built", "create", "creates",
    "created", "curate", "curated", "collect", "collected", "devise", "devised", "formulate", "establish",
    "contribute", "offer", "unveil", "launch", "open-source", "open source",
)
NAMING_TRIGGERS = ("called", "named", "dubbed", "termed", "coined", "namely", "entitled")

# Verbs and phrases that say the paper's own work applies an entity.
USE_TRIGGERS = (
    "use", "uses", "used", "using", "employ", "employs", "employed", "employing", "utilize", "utilizes",
    "utilized", "utilizing", "utilise", "leverage", "leverages", "leveraged", "leveraging", "adopt",
    "adopts", "adopted", "apply", "applies", "applied", "applying", "fine-tune", "fine-tunes",
    "fine-tuned", "fine-tuning", "finetune", "finetuned", "train", "trains", "trained", "training",
    "evaluate", "evaluates", "evaluated", "evaluating", "evaluation", "benchmark", "benchmarked",
    "compare", "compares", "compared", "comparing", "comparison", "outperform", "outperforms",
    "outperformed", "outperforming", "surpass", "surpasses", "beats", "than", "based on", "built on",
    "on top of", "build upon", "builds upon", "built upon", "backbone", "baseline", "baselines",
    "experiment", "experiments", "experimental", "results", "achieve", "achieves", "achieved",
    "test", "tested", "testing", "run", "ran", "implemented", "implement", "initialize", "initialized",
    "combine", "combines", "combined", "integrate", "integrates", "integrated", "incorporate",
    "incorporates", "extend", "extends", "extended", "augment", "augmented", "via", "with",
    "analyze", "analyse", "analyzed", "analysed", "investigate", "investigated", "study", "studied",
    "probe", "probed", "show", "shows", "demonstrate", "demonstrates", "measure", "measured",
)

# Words in a title or opening sentence that mark a survey: it mentions what it reviews.
SURVEY_WORDS = ("survey", "review", "overview", "tutorial", "primer", "systematic literature")

# Second parts of hyphenated compounds that are not part of a name ("BERT-based", "GPT-4-generated").
COMPOUND_SUFFIXES = frozenset({
    "based", "style", "like", "generated", "powered", "driven", "only", "specific", "related", "free",
    "aware", "level", "sized", "scale", "size", "type", "derived", "enhanced", "guided", "centric",
    "augmented", "assisted", "produced", "annotated", "labeled", "labelled", "trained", "tuned", "finetuned",
    "inspired", "family", "series", "class", "equivalent", "compatible", "friendly", "native", "agnostic",
    "independent", "dependent", "oriented", "focused", "task", "tasks", "as", "to", "and", "or", "of",
})

# Size and version suffixes of model variants ("LLaMA-2-7B", "GPT-2-small", "T5-base").
VARIANT_SUFFIX_PATTERN = (
    r"(?:\d+(?:\.\d+)?[BMKTbmkt]|\d+x\d+[BMbm]|small|medium|base|large|xl|xxl|mini|tiny|nano|micro|huge|"
    r"giant|instruct|chat|it|hf|v\d+(?:\.\d+)*|[A-Z]?\d+k)"
)

# Head words of technical concept phrases ("rejection sampling", "tool retrieval") worth discovering.
CONCEPT_HEADS: dict[str, str] = {
    **{w: "task" for w in (
        "answering", "classification", "recognition", "translation", "identification", "completion",
        "detection", "segmentation", "summarization", "summarisation", "retrieval", "forecasting", "linking",
        "parsing", "tagging", "labeling", "labelling", "captioning", "recommendation", "imputation",
        "induction", "extraction", "matching", "calling", "simplification", "verification", "enhancement",
        "unlearning", "following", "localization", "reranking", "generation")},
    **{w: "method" for w in (
        "pruning", "sampling", "distillation", "tokenization", "fusion", "decoding", "exiting", "sharing",
        "tying", "batching", "averaging", "expansion", "prompting", "quantization", "regularization",
        "normalization", "attention", "search", "estimation", "merging", "scaling", "upscaling", "healing",
        "self-play", "pseudo-labeling", "finetuning", "fine-tuning", "tuning", "heads", "encoding")},
}

# Words that never start or fill a concept phrase: function words and evaluative adjectives.
NON_CONCEPT_WORDS = frozenset("""
a an the this that these those our their its his her we they it them us you your my of for in on at to
by with from into onto over under about as and or but nor not no than then so such via per each every
all any some many much more most less least few several various other another same different new novel
existing current recent previous prior traditional conventional standard typical common popular simple
efficient effective better best good strong weak high low large small big long short fast slow full
overall final initial further additional extensive comprehensive robust accurate scalable faster
improved enhanced proposed based using used given general specific key main major minor important
significant substantial considerable remarkable promising superior inferior competitive state art
downstream upstream end real time way ways one two three four first second third both either only also
which while where when what who how whose whom can could may might will would should must is are was
were be been being has have had do does did across between within without among through during after
before against toward towards up down out off""".split())

# First words of title prefixes that open a phrase or question rather than name a contribution.
TITLE_OPENERS = frozenset("""
a an the how why what when where which who whose is are do does can could should will would on towards
toward beyond from into less more lessons position survey surveys review note notes case study studies
rethinking revisiting understanding exploring evaluating improving scaling leveraging harnessing unveiling
unlocking enhancing boosting bridging learning mind all attention everything just not no yes one two
""".split())
