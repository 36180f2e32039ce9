"""The Gopher model family in JAX (and LLaMA, PaLM blocks) and its trainer.

Empty for now: the model and trainer issues fill it. May import
:mod:`massivetext.data` and :mod:`massivetext.tokenizer`.
"""
