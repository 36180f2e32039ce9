"""HTML to main text, by the paper's tree method (Gopher Appendix A.1.1, docs/paper.md).

``tree`` parses untrusted HTML into a bounded lxml tree, ``index`` measures every
element's text in one pass, ``blocks`` finds the group of same-level siblings that
holds the main text, ``render`` turns it into text keeping meaningful formatting, and
``extractor`` puts these together behind the named backends (``tree``,
``tree-with-title``, ``trafilatura``). May import :mod:`massivetext.io`; never Beam.
"""
