"""Run statistics: what each stage took in, kept, removed per reason, skipped and failed.

``model`` holds the counting vocabulary every stage reports in and the summed
``stats.json`` model with its accounting invariant (input records = kept + removed +
skipped + failed). Printing them is :mod:`massivetext.cli.stats`. Never imports Beam.
"""
