"""The two ways to install k8slab stay in step.

`pip install -e ".[test]"` (what `make lab` and `make test` do) reads
pyproject.toml; conda and Binder read environment.yml (and apt.txt). A package
added to one and forgotten in the other breaks only the route nobody tried, so
these tests compare them.
"""

from __future__ import annotations

import pathlib
import re
import tomllib

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent

# conda-forge names whose PyPI name differs; None means "no PyPI counterpart".
CONDA_TO_PYPI: dict[str, str | None] = {
    "python-graphviz": "graphviz",  # the Python bindings PyPI calls "graphviz"
    "graphviz": None,  # the `dot` program itself, which pip cannot install
    "python": None,
    "pip": None,
}

SPEC = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*?)\s*$")


def normalize(name: str) -> str:
    """PEP 503 normal form, so `PyYAML`, `pyyaml` and `py_yaml`-style spellings compare equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split_spec(spec: str) -> tuple[str, str]:
    """'jupyterlab>=4.0' -> ('jupyterlab', '>=4.0'); conda's 'name 1.2' form is not used here."""
    match = SPEC.match(spec)
    assert match, f"cannot read the package spec {spec!r}"
    return normalize(match.group(1)), match.group(2).replace(" ", "")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def pyproject_requirements() -> dict[str, str]:
    """Every PyPI requirement: the runtime dependencies plus the `test` extra."""
    project = pyproject()["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(split_spec(spec) for spec in specs)


def conda_specs() -> list[str]:
    return [dep for dep in environment()["dependencies"] if isinstance(dep, str)]


def pip_section() -> list[str]:
    sections = [dep["pip"] for dep in environment()["dependencies"] if isinstance(dep, dict) and "pip" in dep]
    return [line for section in sections for line in section]


def environment_requirements_as_pypi() -> dict[str, str]:
    """environment.yml's packages under their PyPI names, skipping the conda-only ones."""
    result = {}
    for spec in conda_specs():
        name, version = split_spec(spec)
        pypi_name = CONDA_TO_PYPI.get(name, name)
        if pypi_name is not None:
            result[normalize(pypi_name)] = version
    for line in pip_section():
        if not line.startswith("-"):  # `-e .` is k8slab itself
            name, version = split_spec(line)
            result[name] = version
    return result


def test_environment_yml_lists_the_same_packages_as_pyproject():
    in_pyproject = set(pyproject_requirements())
    in_environment = set(environment_requirements_as_pypi())
    assert in_environment - in_pyproject == set(), "in environment.yml but not in pyproject.toml"
    assert in_pyproject - in_environment == set(), "in pyproject.toml but not in environment.yml"


def test_environment_yml_asks_for_the_same_minimum_versions_as_pyproject():
    assert environment_requirements_as_pypi() == pyproject_requirements()


def test_environment_yml_asks_for_the_python_that_pyproject_requires():
    requires_python = pyproject()["project"]["requires-python"]
    assert f"python{requires_python}" in conda_specs()


def test_environment_yml_installs_k8slab_itself_with_pip():
    assert "-e ." in pip_section()


def test_environment_yml_installs_the_graphviz_dot_program():
    assert "graphviz" in [split_spec(spec)[0] for spec in conda_specs()]


def test_environment_yml_takes_packages_from_conda_forge_and_is_named_k8slab():
    env = environment()
    assert env["channels"] == ["conda-forge"]
    assert env["name"] == "k8slab"


def test_apt_txt_installs_graphviz_for_binder():
    packages = (ROOT / "apt.txt").read_text().split()
    assert "graphviz" in packages


def test_make_test_checks_notebooks_with_strict_nbval_only():
    makefile = (ROOT / "Makefile").read_text()
    assert "--nbval " in makefile
    assert "--nbval-lax" not in makefile
