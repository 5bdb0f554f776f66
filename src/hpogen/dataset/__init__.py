"""Stage 1 of the flow: what the dataset is.

DatasetSpec (the facts every decision is made from), the sources of those facts (flags, a
spec file, a data file, an embedded set) and the loaders that read real data.
"""
