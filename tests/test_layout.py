"""The core (massivetext/, filters/) never imports Apache Beam, however it imports.

Two checks: every import statement and every ``importlib.import_module`` /
``__import__`` with a literal name is read from the source with ``ast``; then every
core module, and every core subcommand through the real command dispatcher, is
imported in a fresh interpreter that reports whether ``apache_beam`` got loaded.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Source folder -> the package it installs as (setup.py's package_dir).
CORE = {"massivetext": "massivetext", "filters": "massivetext.filters"}
BEAM_WORLD = ("apache_beam", "massivetext.pipelines")
# The one place that imports a name only known at run time: the subcommand dispatcher,
# whose names come from setup.py's entry points (checked below by running it).
DYNAMIC_IMPORTERS = {"massivetext.cli.main"}


def core_modules() -> dict[str, Path]:
    modules = {}
    for folder, package in CORE.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((package, *parts))] = path
    return modules


def _imported_names(tree: ast.AST) -> tuple[list[str], list[int]]:
    """(module names imported, line numbers of imports whose name is not a literal)."""
    names, dynamic = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.append(node.module or "")
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_module", "__import__"):
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.append(first.value)
                else:
                    dynamic.append(node.lineno)
    return names, dynamic


def test_the_walk_finds_the_whole_core():
    modules = core_modules()
    assert {"massivetext.io.warc", "massivetext.cli.main", "massivetext.filters.quality",
            "massivetext.stats.keys", "massivetext.dedup.survivors"} <= modules.keys()
    assert not any(name.startswith("massivetext.pipelines") for name in modules)


def test_no_core_module_names_beam():
    offenders = []
    for module, path in core_modules().items():
        names, dynamic = _imported_names(ast.parse(path.read_text(encoding="utf-8")))
        offenders += [f"{module} imports {name}" for name in names
                      if name.startswith(BEAM_WORLD)]
        if dynamic and module not in DYNAMIC_IMPORTERS:
            offenders.append(f"{module} imports a run-time name at lines {dynamic}")
    assert offenders == []


def test_the_ast_reading_sees_every_kind_of_import():
    source = ("import apache_beam as beam\nfrom massivetext.pipelines import x\n"
              "importlib.import_module('apache_beam.io')\n__import__(name)\n")
    names, dynamic = _imported_names(ast.parse(source))
    assert names == ["apache_beam", "massivetext.pipelines", "apache_beam.io"]
    assert dynamic == [4]


_PROBE = """
import importlib, importlib.util, json, sys
from massivetext.cli import main
loaded = {}
for module in sys.argv[1:]:
    importlib.import_module(module)
    loaded[module] = "apache_beam" in sys.modules
    if loaded[module]:
        break
for name, module in main.subcommands().items():
    # (an entry point whose module is not in this tree yet is not the core's to judge)
    if not module.startswith("massivetext.pipelines") and importlib.util.find_spec(module):
        main.build_parser([name])  # imports the subcommand, as `massivetext NAME` does
        loaded["command " + name] = "apache_beam" in sys.modules
print(json.dumps(loaded))
"""


def test_importing_every_core_module_and_command_loads_no_beam():
    modules = sorted(core_modules())
    result = subprocess.run([sys.executable, "-c", _PROBE, *modules], capture_output=True,
                            text=True, check=True, cwd=ROOT / "tests")
    loaded = json.loads(result.stdout)
    assert [name for name, beam in loaded.items() if beam] == []
    assert len(loaded) > len(modules)  # every module, then the core subcommands
