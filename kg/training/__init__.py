"""Training the extractor's model: gold annotations -> spaCy examples, the training loop, k-fold
cross-validation split by paper. Used by `kg train` and `kg eval --cv`; not needed at run time."""

SELF_TRAINING_SAMPLE = 1500  # unlabelled corpus papers the first tagger labels for the second (kg train)
PRETRAIN_SAMPLE = 20_000  # unlabelled corpus papers the tagger's encoder is pretrained on (kg train)
KEEP_FOLDS = 3  # folds of the gold papers whose held-out mistakes teach the keep filter (kg train)
