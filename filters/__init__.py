"""The paper's document filters, installed as ``massivetext.filters``.

Content (English, optional URL blocklist), quality and repetition filters (Gopher
Appendix A.1.1, Table A1; docs/paper.md). Each filter is a frozen dataclass of
thresholds with a ``judge(text)`` that returns every failed rule and every signal
(``base``). May import the core (:mod:`massivetext.dedup.hashing`); never Beam.
"""
