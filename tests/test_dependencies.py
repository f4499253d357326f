"""The installed package's requirements: what `pip install .` brings, without test or benchmark tools."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
TEST_TOOLS = {"vcrpy", "trustme", "psutil"}
TEST_MODULES = {"vcr", "trustme", "psutil"}


def _project() -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def _names(requirements: object) -> set[str]:
    assert isinstance(requirements, list)
    return {Requirement(line).name.lower() for line in requirements}


def test_runtime_requirements_exclude_test_tools() -> None:
    """A plain `pip install .` installs none of vcrpy, trustme or psutil."""
    assert _names(_project()["dependencies"]) & TEST_TOOLS == set()


def test_test_tools_are_in_the_extras_that_need_them() -> None:
    """`dev` brings all three for the tests and benchmarks; `tls` brings trustme for the org's `--tls`."""
    extras = _project()["optional-dependencies"]
    assert isinstance(extras, dict)
    assert _names(extras["dev"]) >= TEST_TOOLS
    assert "trustme" in _names(extras["tls"])


def test_the_package_imports_no_test_tool_at_module_level() -> None:
    """No module of `service` imports vcrpy, trustme or psutil when it is imported (only inside functions)."""
    offenders = []
    for path in sorted((ROOT / "service").rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = {node.module.split(".")[0]}
            else:
                continue
            offenders += [f"{path.relative_to(ROOT)}: {name}" for name in names & TEST_MODULES]
    assert offenders == []
