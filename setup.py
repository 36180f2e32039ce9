"""MassiveText: the Gopher paper's data-curation pipeline on Apache Beam.

Dataflow workers install the pipeline through this file (``--setup_file``), so the
three packages and every runtime dependency are declared here.
"""

from pathlib import Path

from setuptools import find_packages, setup

README = Path(__file__).with_name("README.md")

CORE_REQUIRES = [
    "apache-beam>=2.60,<3",
    "trafilatura>=2.0,<3",
    # html_clean: trafilatura imports lxml_html_clean (lxml 5.2 split it out).
    "lxml[html_clean]>=5.2,<7",
    "langdetect>=1.0.9,<2",
    "pyarrow>=14,<27",
    "numpy>=1.26,<3",
    "xxhash>=3.4,<5",
    "charset-normalizer>=3.3,<4",
    "mwparserfromhell>=0.6.6,<0.8",
    "jinja2>=3.1,<4",  # the HTML report's templates
    "plotly>=5.22,<8",  # the HTML report's plots (its plotly.min.js is inlined)
    "tomli>=2.0,<3; python_version < '3.11'",
]

# `massivetext NAME` runs MODULE.main (massivetext/cli/main.py reads this group).
COMMANDS = {
    "ablate": "massivetext.cli.ablate",
    "corpus": "massivetext.pipelines.corpus_command",
    "evaluate": "massivetext.cli.evaluate",
    "extract": "massivetext.cli.extract",
    "model": "massivetext.cli.model",
    "report": "massivetext.cli.report",
    "run": "massivetext.pipelines.run_command",
    "sample": "massivetext.cli.sample",
    "score": "massivetext.cli.score",
    "sequences": "massivetext.cli.sequences",
    "stats": "massivetext.cli.stats",
    "tokenizer": "massivetext.cli.tokenizer",
    "train": "massivetext.cli.train",
}

EXTRAS_REQUIRE = {
    "gcp": ["apache-beam[gcp]>=2.60,<3"],
    "train": [
        "jax>=0.4.30,<0.13",
        "sentencepiece>=0.2,<0.3",
        "grain>=0.2.12,<0.3",
        "flax>=0.12,<0.13",
        "optax>=0.2.5,<0.3",
        "orbax-checkpoint>=0.11,<0.13",
        "tqdm>=4.66,<5",
        "tensorboardX>=2.6,<3",  # TensorBoard event files of the run metrics
    ],
    "dev": [
        "pytest>=8,<10",
        "pytest-xdist>=3.5,<4",
        "hypothesis>=6.100,<7",
        "ruff>=0.6,<1",
        "datasketch>=1.6,<3",
        "scipy>=1.11,<2",
        "warcio>=1.7,<2",
        "datasets>=2.19,<6",
        "websocket-client>=1.7,<2",  # the report's browser test drives Chromium over CDP
        "tokenizers>=0.19,<1",
    ],
}

setup(
    name="massivetext",
    version="0.1.0",
    description="Web-scale data curation as in the Gopher paper: extraction, filters, dedup.",
    long_description=README.read_text(encoding="utf-8") if README.exists() else "",
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    # filters/ and pipelines/ are top-level folders in the tree but install as
    # massivetext.filters and massivetext.pipelines: nothing generic in site-packages.
    packages=find_packages(include=["massivetext", "massivetext.*"])
    + ["massivetext.filters", "massivetext.pipelines"],
    package_dir={"massivetext.filters": "filters", "massivetext.pipelines": "pipelines"},
    include_package_data=True,
    package_data={"massivetext.report": ["templates/*.html", "assets/*.css", "assets/*.js"]},
    install_requires=CORE_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
    entry_points={
        "console_scripts": ["massivetext=massivetext.cli.main:main"],
        "massivetext.commands": [f"{name}={module}" for name, module in COMMANDS.items()],
    },
)
