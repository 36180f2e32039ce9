"""Training sequences read from curated shards (Gopher Appendix A.1.2, Table 2 mixture).

Empty for now: the tokenizer and sequences issue fills it. May import
:mod:`massivetext.io` and :mod:`massivetext.tokenizer`.
"""
