"""MassiveText: the Gopher paper's data-curation pipeline, tokenizer and trainer.

The core library lives in subpackages, one per concept (see docs/architecture.md):
``io`` (reading and writing records and shards), ``extract`` (HTML to text),
``dedup`` (hashing, MinHash, LSH), ``testsets`` (evaluation-set loaders), ``stats``
(run statistics), ``sample`` (the synthetic crawl), ``cli`` (the command line),
``tokenizer``, ``data`` (training sequences) and ``train`` (the JAX model and trainer).
``document`` holds the records every stage passes on. The document filters install
as ``massivetext.filters`` and the Beam pipelines as ``massivetext.pipelines``; the
core never imports Apache Beam, so it runs anywhere a Beam worker or a notebook does.
"""
