"""Training sequences read straight from curated shards (Gopher Appendix A.1.2, Table 2).

What the trainer uses (docs/sequences.md says why each choice was made):

- ``Mixture.load(path)``: a TOML or JSON file naming each subset's curated output
  directory and, optionally, its weight (default: Table 2's); ``Mixture.from_run(dir)``
  takes every subset of one run. Weights are renormalised over the subsets given.
- ``SequenceLoader(mixture, tokenizer, seq_len=2048, batch_size=..., seed=0,
  process_index=0, process_count=1, worker_count=0)``: an endless iterator of
  ``{"tokens": int32 [batch_size // process_count, seq_len], "doc_ids": int64 [same]}``;
  ``doc_ids`` holds each token's document number, ``loader.document(number)`` names it.
  ``get_state()`` is a small JSON value, ``set_state(state)`` continues the exact stream;
  the processes' shares of a batch are disjoint and together make the one-process
  batch; ``worker_count`` tokeniser threads do not change the stream. The loader is a
  ``grain.DatasetIterator`` (Grain's Orbax checkpoint handler saves it).

Modules: ``mixture`` (the mixture file), ``documents`` (random access to a subset's
documents, a Grain data source), ``crops`` (crop bounds), ``groups`` (crops ->
BOS/EOS -> rows), ``sequences`` (lanes, batches, state).
"""

from massivetext.data.mixture import TABLE2_WEIGHTS, Mixture
from massivetext.data.sequences import DEFAULT_SEQ_LEN, SequenceLoader

__all__ = ["DEFAULT_SEQ_LEN", "TABLE2_WEIGHTS", "Mixture", "SequenceLoader"]
