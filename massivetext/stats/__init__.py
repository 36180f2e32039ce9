"""Run statistics: what each stage took in, kept, removed per reason, skipped and failed.

``keys`` is the one vocabulary every stage counts in (statistics keys and the Beam
counter names made from them); ``model`` the triples of one outcome and the summed
``stats.json`` model with its accounting invariant (input records = kept + removed +
skipped + failed). Printing them is :mod:`massivetext.cli.stats`. Never imports Beam.
"""
