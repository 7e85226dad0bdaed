"""Manifests: YAML (or JSON) documents in, API objects out, and back (notebook 02).

`kubectl apply -f` accepts a file, a folder or standard input, each holding
one or more documents separated by `---`; a `kind: List` holds several
objects in `items`. `load_manifests` accepts the same, plus YAML text and
Python dicts, and keeps each document's origin so an error can say which one
failed. `to_yaml` prints an object the way `kubectl get -o yaml` does (keys
sorted, lists flush with their key).
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass
from typing import Any

import yaml

from k8slab.api.errors import BadRequest

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Document:
    """One object from a manifest, with where it came from ("web.yaml", document 2)."""

    object: dict[str, Any]
    source: str
    index: int

    @property
    def origin(self) -> str:
        return f"{self.source} (document {self.index})" if self.index > 1 else self.source


def load_manifests(source: Any, base: pathlib.Path | None = None) -> list[Document]:
    """Every object in `source`: a path (file or folder), YAML/JSON text, a dict, or a list of those."""
    if isinstance(source, dict):
        return _flatten(source, "<object>", 1)
    if isinstance(source, list | tuple):
        documents: list[Document] = []
        for item in source:
            documents.extend(load_manifests(item, base))
        return documents
    if isinstance(source, pathlib.Path) or (isinstance(source, str) and _looks_like_path(source)):
        path = pathlib.Path(source)
        if base is not None and not path.is_absolute():
            path = base / path
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix in MANIFEST_SUFFIXES)
            documents = []
            for file in files:
                documents.extend(
                    _parse(file.read_text(encoding="utf-8"), str(source).rstrip("/") + "/" + file.name)
                )
            return documents
        if not path.exists():
            raise BadRequest(f'the path "{source}" does not exist')
        return _parse(path.read_text(encoding="utf-8"), str(source))
    if isinstance(source, str):
        return _parse(source, "<stdin>")
    raise BadRequest(f"a manifest must be a path, YAML text or a dict, got {type(source).__name__}")


def _looks_like_path(text: str) -> bool:
    return (
        text.strip() != ""  # Path("") is the current folder: empty text is no documents, not every file here
        and "\n" not in text
        and ":" not in text
        and (text.endswith(MANIFEST_SUFFIXES) or pathlib.Path(text).exists())
    )


def _parse(text: str, source: str) -> list[Document]:
    try:
        raw = list(yaml.safe_load_all(text))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        problem = go_yaml_words(problem)
        raise BadRequest(
            f"error parsing {source}: error converting YAML to JSON: yaml: {where}{problem}"
        ) from None
    documents: list[Document] = []
    for index, item in enumerate(raw, start=1):
        if item is None:
            continue  # an empty document (a stray ---) is skipped, as kubectl does
        if not isinstance(item, dict):
            raise BadRequest(
                f"error parsing {source} (document {index}): a manifest document must be a mapping, got "
                f"{type(item).__name__}"
            )
        documents.extend(_flatten(json.loads(json.dumps(item, default=str)), source, index))
    return documents


def go_yaml_words(problem: str) -> str:
    """PyYAML's words for the commonest mistakes, as go-yaml (which kubectl uses) words them."""
    if problem == "mapping values are not allowed here":  # a key indented one space too far
        return "mapping values are not allowed in this context"
    if problem.startswith("found character") and problem.endswith("that cannot start any token"):  # a tab
        return "found character that cannot start any token"
    return problem


def _flatten(obj: dict, source: str, index: int) -> list[Document]:
    if obj.get("kind") == "List" or (str(obj.get("kind", "")).endswith("List") and "items" in obj):
        return [Document(item, source, index) for item in obj.get("items") or []]
    return [Document(obj, source, index)]


class _KubectlDumper(yaml.SafeDumper):
    """PyYAML's safe dumper, printing multi-line strings as `|` blocks as kubectl's YAML library does."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = None
    if "\n" in text and not any(c in text for c in "\t\r"):
        style = "|"
    elif text == "" or dumper.resolve(yaml.ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str":
        style = '"'  # a string that would read back as a number, date or bool: quoted as kubectl quotes it
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_KubectlDumper.add_representer(str, _represent_str)


def to_yaml(obj: Any) -> str:
    """YAML as `kubectl get -o yaml` prints it: keys sorted, lists flush with their key."""
    return yaml.dump(
        obj, Dumper=_KubectlDumper, sort_keys=True, default_flow_style=False, allow_unicode=True, width=10_000
    )


def to_json(obj: Any) -> str:
    """JSON as `kubectl get -o json` prints it: four-space indent, keys sorted."""
    return json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False)
