"""The ``massivetext`` command line: every subcommand's help, and options nobody reads."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from importlib.metadata import distribution, packages_distributions

import pytest
from packaging.requirements import Requirement

from massivetext.cli.main import main, subcommands
from massivetext.extract.extractor import EXTRACTORS

# Every installed subcommand, so one added to setup.py's COMMANDS is covered as well.
COMMANDS = sorted(subcommands())


def test_the_entry_points_name_every_subcommand():
    assert {"extract", "run", "sample", "score", "stats"} <= set(COMMANDS)


@pytest.mark.parametrize("flag", ["--help", "-h"])
@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_prints_its_help(command, flag, capsys):
    module = subcommands()[command]
    if importlib.util.find_spec(module) is None:  # declared by a branch not landed yet
        pytest.skip(f"setup.py declares {command} = {module}, which is not in this tree")
    with pytest.raises(SystemExit) as done:
        main([command, flag])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: massivetext {command}")
    assert "__" not in out.split("options:")[0]  # readable metavars, not dest names


def test_threshold_help_keeps_its_percent_signs(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "(Gopher Sec. A.1.1: 90%)" in out
    assert "--quality-max-bullet-line-frac FRAC" in out


@pytest.mark.parametrize("typo, suggestion", [
    ("--quality-min-word-cout", "--quality-min-word-count"),
    ("--direct_num_worker", "--direct_num_workers"),
    ("--overwite", "--overwrite"),
])
def test_a_mistyped_option_is_an_error_naming_the_closest(tmp_path, capsys, typo, suggestion):
    page = tmp_path / "in.warc"
    page.write_bytes(b"WARC/1.0\r\n")
    code = main(["run", "--input", str(page), "--output", str(tmp_path / "out"),
                 typo, "100000"])
    err = capsys.readouterr().err
    assert code == 2
    assert typo in err and f"did you mean {suggestion}?" in err
    assert not (tmp_path / "out").exists()


def _core_closure() -> set[str]:
    """Normalised names of the distributions the core requirements pull in (no extras
    of massivetext itself; extras named in a requirement are followed)."""
    def norm(name: str) -> str:
        return name.lower().replace("_", "-").replace(".", "-")

    seen: set[str] = set()
    todo = [(Requirement(text), "") for text in distribution("massivetext").requires or []
            if Requirement(text).marker is None]
    while todo:
        requirement, _ = todo.pop()
        name = norm(requirement.name)
        extras = requirement.extras
        key = name + "[" + ",".join(sorted(extras)) + "]"
        if key in seen:
            continue
        seen.add(key)
        seen.add(name)
        try:
            requires = distribution(requirement.name).requires or []
        except Exception:
            continue
        for text in requires:
            child = Requirement(text)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if child.marker is None or any(child.marker.evaluate(env) for env in environments):
                todo.append((child, name))
    return {key for key in seen if "[" not in key}


@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_every_builtin_extractor_needs_only_core_dependencies(extractor):
    # issue 9, item 12: trafilatura imports lxml_html_clean, once only an extra's.
    # Modules loaded at start-up (site hooks) aside, and so are namespace packages
    # (no file, or a package none of whose modules was loaded: a probe for an optional
    # module such as backports.zstd).
    script = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        "from massivetext.extract.extractor import get_extractor\n"
        f"get_extractor({extractor!r})('<html><body><p>' + 'word ' * 80 + '</p></body></html>',"
        " 'http://example.com/')\n"
        "new = {n: m for n, m in sys.modules.items() if n not in before}\n"
        "print(json.dumps(sorted({n.split('.')[0] for n, m in new.items()"
        " if getattr(m, '__file__', None) and ('.' in n or not hasattr(m, '__path__')"
        " or any(o.startswith(n + '.') for o in new))})))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=True)
    modules = json.loads(done.stdout.splitlines()[-1])
    providers = packages_distributions()
    closure = _core_closure() | {"massivetext"}
    # A namespace package (google) has many providers: one from the closure is enough.
    outside = [module for module in modules if providers.get(module) and not any(
        dist.lower().replace("_", "-").replace(".", "-") in closure
        for dist in providers[module])]
    assert not outside, f"{extractor} loads modules of no core dependency: {outside}"
