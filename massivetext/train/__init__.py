"""The Gopher model family in JAX (with the LLaMA and PaLM blocks) and its trainer.

- ``configs``: one frozen dataclass per published size (Gopher Table 1, LLaMA, PaLM).
- ``model``: the Transformer in Flax NNX, read top to bottom; parameter counts.
- ``flops``: training FLOPs per token (PaLM Appendix B), the peak table, MFU.
- ``sharding``: logical axis names -> the (data, fsdp, tensor) device mesh, declared once.

May import :mod:`massivetext.data` and :mod:`massivetext.tokenizer`; never Beam.
"""
