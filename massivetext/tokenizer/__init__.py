"""The bundled SentencePiece tokenizer (Gopher Section 3 and Appendix A.4; docs/paper.md).

Empty for now: the tokenizer issue fills it. May import :mod:`massivetext.io`.
"""
