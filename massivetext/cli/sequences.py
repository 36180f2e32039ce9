"""``massivetext sequences``: show the training sequences a mixture gives, decoded.

Prints the mixture (weights renormalised over the subsets given), then ``--show`` rows
of the first batches with every crop's source marked: ``[subset document-id]`` where
the tokens of a new document begin, ``<s>`` and ``</s>`` for the BOS and EOS around
each crop (a row that starts without ``<s>`` continues a crop of the previous row of
its lane). ``--mixture`` takes a mixture file; ``--data`` a run directory read at the
Table 2 weights.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from massivetext.data.mixture import Mixture
from massivetext.data.sequences import DEFAULT_SEQ_LEN, SequenceLoader
from massivetext.tokenizer import Tokenizer


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--mixture", help="a mixture file (TOML or JSON)")
    source.add_argument("--data", help="a pipeline output directory, at Table 2 weights")
    parser.add_argument("--tokenizer", required=True, help="the tokenizer file")
    parser.add_argument("--show", type=int, default=3, help="rows to print (default 3)")
    parser.add_argument("--seq-len", type=int, default=DEFAULT_SEQ_LEN,
                        help=f"tokens per row (default {DEFAULT_SEQ_LEN})")
    parser.add_argument("--batch-size", type=int, default=8, help="rows per batch (default 8)")
    parser.add_argument("--seed", type=int, default=0)


def format_row(loader: SequenceLoader, tokens: np.ndarray, doc_ids: np.ndarray) -> str:
    """The row decoded, with document starts and BOS/EOS marked."""
    tokenizer, parts = loader.tokenizer, []
    starts = [0] + [i for i in range(1, len(tokens))
                    if doc_ids[i] != doc_ids[i - 1] or tokens[i] == tokenizer.bos_id]
    for start, stop in zip(starts, starts[1:] + [len(tokens)], strict=True):
        subset, document_id = loader.document(int(doc_ids[start]))
        segment = tokens[start:stop]
        opened = segment[0] == tokenizer.bos_id
        closed = len(segment) > 1 and segment[-1] == tokenizer.eos_id
        body = tokenizer.decode(segment[int(opened):len(segment) - int(closed)])
        parts.append(f"[{subset} {document_id}]" + ("<s>" if opened else "") + body
                     + ("</s>" if closed else ""))
    return "".join(parts)


def main(args: argparse.Namespace) -> int:
    try:
        mixture = Mixture.load(args.mixture) if args.mixture else Mixture.from_run(args.data)
        tokenizer = Tokenizer.load(args.tokenizer)
        loader = SequenceLoader(mixture, tokenizer, seq_len=args.seq_len,
                                batch_size=args.batch_size, seed=args.seed)
        print(mixture.describe())
        shown = 0
        while shown < args.show:
            batch = next(loader)
            for tokens, doc_ids in zip(batch["tokens"], batch["doc_ids"], strict=True):
                if shown == args.show:
                    break
                documents = len(np.unique(doc_ids))
                print(f"\n--- batch {loader.batches - 1}, row {shown % args.batch_size}: "
                      f"{len(tokens)} tokens from {documents} document(s)")
                print(format_row(loader, tokens, doc_ids))
                shown += 1
    except (FileNotFoundError, ValueError) as error:
        print(f"massivetext sequences: {error}", file=sys.stderr)
        return 2
    return 0
