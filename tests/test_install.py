"""The wheel holds the whole product under one namespace and imports from a fresh venv."""

import json
import subprocess
import sys
import zipfile

import pytest

from tests.install_env import copy_source, fresh_environment, pip_install, run_isolated

_IMPORT_ALL = """
import importlib, json, sys
from importlib.metadata import distribution
failures, outside = {}, []
for module in sys.argv[1:]:
    try:
        loaded = importlib.import_module(module)
    except Exception as error:
        failures[module] = repr(error)
        continue
    if not loaded.__file__.startswith(sys.prefix):
        outside.append(loaded.__file__)
commands = sorted(point.name for point in distribution("massivetext").entry_points
                  if point.group == "massivetext.commands")
print(json.dumps({"failures": failures, "outside": outside, "commands": commands}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    source = copy_source(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", "-w", str(out), str(source)],
                   check=True, capture_output=True)
    (path,) = out.glob("massivetext-*.whl")
    return path


def _modules(names):
    modules = []
    for name in names:
        if name.endswith(".py"):
            parts = name[:-3].split("/")
            modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(modules)


def test_the_wheel_puts_nothing_generic_in_site_packages(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {
        "massivetext", next(n.split("/")[0] for n in names if ".dist-info/" in n)}
    modules = _modules(names)
    assert {"massivetext.filters.quality", "massivetext.pipelines.massiveweb",
            "massivetext.cli.main", "massivetext.io.warc"} <= set(modules)
    assert any(name.startswith("massivetext/report/templates/") for name in names)


def test_every_module_imports_from_the_installed_wheel(wheel, tmp_path):
    python = fresh_environment(tmp_path / "venv")
    pip_install(python, str(wheel))
    modules = _modules(zipfile.ZipFile(wheel).namelist())
    result = run_isolated([str(python), "-c", _IMPORT_ALL, *modules], check=True,
                          cwd=tmp_path)  # not the source tree
    report = json.loads(result.stdout)
    assert report["failures"] == {}
    assert report["outside"] == []  # every module came from the wheel, none from the tree
    assert {"run", "score", "stats"} <= set(report["commands"])
