"""ML entity lexicon: harvested (from field packages) + curated names."""
