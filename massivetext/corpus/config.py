"""The ``massivetext corpus`` configuration file: which subsets, from which inputs.

A TOML file (paths relative to it, unless absolute or a URI)::

    [corpus]
    test_sets = ["evalsets/lambada.jsonl"]   # every subset is filtered against these
    tokenizer = "tokenizer/sample.model"     # optional: tokens per subset in the summary
    cross_subset_dedup = false               # the default: the paper dedups per subset
    seed = 0

    [subsets.wikipedia]
    input = ["dumps/enwiki-*-pages-articles*.xml.bz2"]

    [subsets.github]
    input = "repos.tar.gz"
    weight = 3                               # the mixture weight; Table 2's by default
    input-format = "code-archive"            # any `massivetext run` option, by its name
    dedup-threshold = 0.8

Every key of a subset besides ``input``, ``weight`` and ``test_sets`` is a
``massivetext run`` option (``--`` dropped; ``_`` and ``-`` alike): ``true`` gives the
flag, ``false`` its ``--no-`` form, a list its comma-joined values. So threshold
overrides use the option names ``massivetext run --help`` lists, and a typo is an
error that names the subset.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

SUBSET_KEYS = ("input", "weight", "test_sets")
CORPUS_KEYS = ("test_sets", "tokenizer", "cross_subset_dedup", "seed")


class ConfigError(ValueError):
    """A corpus configuration that cannot be run, with what is wrong and where."""


def _resolve(base: str, path: str) -> str:
    return path if "://" in path or os.path.isabs(path) else os.path.normpath(
        os.path.join(base, path))


def _paths(value, where: str, base: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
        raise ConfigError(f"{where}: expected a path or a list of paths, got {value!r}")
    return tuple(_resolve(base, item) for item in values)


def _option_arguments(name: str, key: str, value) -> list[str]:
    option = "--" + key.replace("_", "-")
    if isinstance(value, bool):
        return [option if value else "--no-" + option[2:]]
    if isinstance(value, list):
        return [option, ",".join(str(item) for item in value)]
    if isinstance(value, dict):
        raise ConfigError(f"subset {name!r}: option {key!r} cannot be a table")
    return [option, str(value)]


@dataclass(frozen=True)
class SubsetConfig:
    name: str
    inputs: tuple[str, ...]
    test_sets: tuple[str, ...]
    weight: float | None
    options: tuple[tuple[str, object], ...]

    def run_arguments(self, output: str, seed: int) -> list[str]:
        """The ``massivetext run`` arguments of this subset, writing under ``output``."""
        arguments = ["--subset", self.name, "--input", ",".join(self.inputs),
                     "--output", output, "--seed", str(seed)]
        if self.test_sets:
            arguments += ["--test-sets", ",".join(self.test_sets)]
        for key, value in self.options:
            arguments += _option_arguments(self.name, key, value)
        return arguments


@dataclass(frozen=True)
class CorpusConfig:
    path: str
    subsets: tuple[SubsetConfig, ...]
    tokenizer: str | None = None
    cross_subset_dedup: bool = False
    seed: int = 0

    @classmethod
    def load(cls, path: str) -> CorpusConfig:
        try:
            with open(path, "rb") as file:
                data = tomllib.load(file)
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"{path}: {error}") from None
        return cls.parse(data, path)

    @classmethod
    def parse(cls, data: dict, path: str) -> CorpusConfig:
        base = os.path.dirname(os.path.abspath(path))
        corpus = data.get("corpus", {})
        unknown = set(data) - {"corpus", "subsets"} | set(corpus) - set(CORPUS_KEYS)
        if unknown:
            raise ConfigError(f"{path}: unknown keys {sorted(unknown)} (the file has a "
                              f"[corpus] table with {', '.join(CORPUS_KEYS)} and "
                              "[subsets.<name>] tables)")
        test_sets = _paths(corpus.get("test_sets", []), f"{path} [corpus] test_sets", base)
        entries = data.get("subsets")
        if not isinstance(entries, dict) or not entries:
            raise ConfigError(f"{path}: no [subsets.<name>] table: nothing to curate")
        subsets = []
        for name, entry in entries.items():
            where = f"{path} [subsets.{name}]"
            if not isinstance(entry, dict) or "input" not in entry:
                raise ConfigError(f"{where}: needs an input")
            weight = entry.get("weight")
            if weight is not None and (isinstance(weight, bool)
                                       or not isinstance(weight, int | float) or weight <= 0):
                raise ConfigError(f"{where}: weight must be a number > 0, not {weight!r}")
            own_tests = entry.get("test_sets")
            subsets.append(SubsetConfig(
                name=name, inputs=_paths(entry["input"], f"{where} input", base),
                test_sets=(test_sets if own_tests is None
                           else _paths(own_tests, f"{where} test_sets", base)),
                weight=None if weight is None else float(weight),
                options=tuple((key, value) for key, value in entry.items()
                              if key not in SUBSET_KEYS)))
        tokenizer = corpus.get("tokenizer")
        seed = corpus.get("seed", 0)
        cross = corpus.get("cross_subset_dedup", False)
        if not isinstance(seed, int) or not isinstance(cross, bool):
            raise ConfigError(f"{path} [corpus]: seed is an integer, cross_subset_dedup "
                              "true or false")
        return cls(path=path, subsets=tuple(subsets),
                   tokenizer=_resolve(base, tokenizer) if tokenizer else None,
                   cross_subset_dedup=cross, seed=seed)
