"""Manifests: what `kubectl apply -f` reads, and how `kubectl get -o yaml` prints.

`load_manifests` takes a file, a folder, YAML or JSON text, a dict, or a list
of those, and keeps each document's origin so that an error can name it.
`to_yaml` and `to_json` print as kubectl does.
"""

from __future__ import annotations

import json
import pathlib

import pytest
import yaml

from k8slab.api.errors import BadRequest
from k8slab.api.manifests import Document, load_manifests, to_json, to_yaml

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: b\n"


def configmap_yaml(name: str) -> str:
    return CONFIGMAP.format(name=name)


def names(documents: list[Document]) -> list[str]:
    return [document.object["metadata"]["name"] for document in documents]


# ---------------------------------------------------------------------------------------------------------
# Documents in text
# ---------------------------------------------------------------------------------------------------------


def test_one_document_becomes_one_object():
    (document,) = load_manifests(configmap_yaml("a"))
    assert document.object == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "a"},
        "data": {"a": "b"},
    }


def test_documents_separated_by_three_dashes_become_one_object_each():
    text = "---\n".join(configmap_yaml(name) for name in ("a", "b", "c"))
    assert names(load_manifests(text)) == ["a", "b", "c"]


def test_each_document_knows_its_place():
    text = configmap_yaml("a") + "---\n" + configmap_yaml("b")
    assert [(d.source, d.index, d.origin) for d in load_manifests(text)] == [
        ("<stdin>", 1, "<stdin>"),
        ("<stdin>", 2, "<stdin> (document 2)"),
    ]


def test_empty_documents_are_skipped():
    text = "---\n" + configmap_yaml("a") + "---\n---\n# only a comment\n---\n" + configmap_yaml("b") + "---\n"
    assert names(load_manifests(text)) == ["a", "b"]


def test_a_document_after_empty_ones_is_numbered_by_its_place_in_the_file():
    text = configmap_yaml("a") + "---\n---\n" + configmap_yaml("b")
    assert load_manifests(text)[1].origin == "<stdin> (document 3)"


@pytest.mark.parametrize("text", ["", "   ", "---\n", "# nothing here\n"])
def test_text_without_documents_gives_no_objects(text):
    assert load_manifests(text) == []


def test_json_text_is_yaml_too():
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}
    assert load_manifests(json.dumps(obj))[0].object == obj


def test_a_kind_list_gives_its_items():
    text = yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "List",
            "items": [yaml.safe_load(configmap_yaml("a")), yaml.safe_load(configmap_yaml("b"))],
        }
    )
    assert names(load_manifests(text)) == ["a", "b"]


def test_a_typed_list_gives_its_items():
    listed = {"apiVersion": "v1", "kind": "ConfigMapList", "items": [yaml.safe_load(configmap_yaml("a"))]}
    assert names(load_manifests(listed)) == ["a"]


def test_an_empty_list_gives_no_objects():
    assert load_manifests({"apiVersion": "v1", "kind": "List", "items": []}) == []


def test_values_yaml_reads_as_dates_stay_strings():
    (document,) = load_manifests(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  day: 2024-01-01\n"
    )
    assert document.object["data"] == {"day": "2024-01-01"}


# ---------------------------------------------------------------------------------------------------------
# Dicts and lists
# ---------------------------------------------------------------------------------------------------------


def test_a_dict_is_one_object():
    obj = yaml.safe_load(configmap_yaml("a"))
    assert load_manifests(obj) == [Document(obj, "<object>", 1)]


def test_a_list_mixes_dicts_and_text():
    assert names(load_manifests([yaml.safe_load(configmap_yaml("a")), configmap_yaml("b")])) == ["a", "b"]


@pytest.mark.parametrize("source", [5, None, 1.5])
def test_anything_else_is_a_bad_request(source):
    with pytest.raises(BadRequest, match="^a manifest must be a path, YAML text or a dict, got "):
        load_manifests(source)


# ---------------------------------------------------------------------------------------------------------
# Files and folders
# ---------------------------------------------------------------------------------------------------------


def test_a_file_is_named_as_given(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(configmap_yaml("a") + "---\n" + configmap_yaml("b"))
    assert [d.origin for d in load_manifests(str(path))] == [str(path), f"{path} (document 2)"]


def test_a_path_object_works_as_well_as_a_string(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(configmap_yaml("a"))
    assert names(load_manifests(path)) == ["a"]


def test_a_relative_path_is_read_from_the_base_folder(tmp_path):
    (tmp_path / "a.yaml").write_text(configmap_yaml("a"))
    (document,) = load_manifests("a.yaml", base=tmp_path)
    assert (document.object["metadata"]["name"], document.source) == ("a", "a.yaml")


def test_a_folder_gives_the_documents_of_its_manifest_files_in_name_order(tmp_path):
    (tmp_path / "b.yml").write_text(configmap_yaml("from-b"))
    (tmp_path / "a.yaml").write_text(configmap_yaml("from-a") + "---\n" + configmap_yaml("from-a2"))
    (tmp_path / "c.json").write_text(json.dumps(yaml.safe_load(configmap_yaml("from-c"))))
    (tmp_path / "notes.txt").write_text("not a manifest")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.yaml").write_text(configmap_yaml("from-sub"))
    documents = load_manifests(str(tmp_path))
    assert names(documents) == ["from-a", "from-a2", "from-b", "from-c"]
    assert documents[1].origin == f"{tmp_path}/a.yaml (document 2)"


def test_the_lab_s_own_manifests_folder_loads():
    documents = load_manifests(DATA / "manifests")
    assert {d.object["kind"] for d in documents} == {"ConfigMap", "Namespace", "Pod", "Deployment", "Service"}


def test_a_missing_path_is_a_bad_request():
    with pytest.raises(BadRequest, match='^the path "nowhere.yaml" does not exist$'):
        load_manifests("nowhere.yaml")


# ---------------------------------------------------------------------------------------------------------
# Broken YAML
# ---------------------------------------------------------------------------------------------------------


def test_broken_yaml_names_the_file_and_the_line():
    with pytest.raises(BadRequest) as caught:
        load_manifests(str(DATA / "bad-manifests" / "broken-yaml.yaml"))
    assert caught.value.message == (
        f"error parsing {DATA / 'bad-manifests' / 'broken-yaml.yaml'}: error converting YAML to JSON: yaml: "
        "line 9: mapping values are not allowed in this context"
    )


def test_a_tab_in_the_indentation_is_named_as_kubectl_names_it():
    with pytest.raises(BadRequest, match="yaml: line 2: found character that cannot start any token$"):
        load_manifests("metadata:\n\tname: a\n")


def test_broken_yaml_in_text_names_stdin():
    with pytest.raises(BadRequest) as caught:
        load_manifests("kind: ConfigMap\nmetadata:\n  name: a\n   namespace: b\n")
    assert caught.value.message == (
        "error parsing <stdin>: error converting YAML to JSON: yaml: line 4: "
        "mapping values are not allowed in this context"
    )


def test_a_document_that_is_not_a_mapping_is_named():
    with pytest.raises(BadRequest) as caught:
        load_manifests(configmap_yaml("a") + "---\n- just\n- a list\n")
    assert caught.value.message == (
        "error parsing <stdin> (document 2): a manifest document must be a mapping, got list"
    )


def test_a_broken_file_in_a_folder_is_named(tmp_path):
    (tmp_path / "a.yaml").write_text(configmap_yaml("a"))
    (tmp_path / "b.yaml").write_text("a: b\n  c: d\n")
    with pytest.raises(BadRequest, match=f"^error parsing {tmp_path}/b.yaml: "):
        load_manifests(tmp_path)


# ---------------------------------------------------------------------------------------------------------
# Printing: kubectl get -o yaml / -o json
# ---------------------------------------------------------------------------------------------------------


def test_to_yaml_sorts_keys_as_kubectl_does():
    obj = {"metadata": {"name": "a", "labels": {"z": "1", "a": "2"}}, "kind": "ConfigMap", "apiVersion": "v1"}
    assert to_yaml(obj) == (
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    a: "2"\n    z: "1"\n  name: a\n'
    )


def test_to_yaml_puts_list_items_flush_with_their_key():
    assert to_yaml({"spec": {"containers": [{"name": "web", "image": "nginx"}]}}) == (
        "spec:\n  containers:\n  - image: nginx\n    name: web\n"
    )


def test_to_yaml_prints_the_kubernetes_io_configmap_as_kubectl_does():
    (document,) = load_manifests(DATA / "manifests" / "configmap.yaml")
    assert to_yaml(document.object) == (
        "apiVersion: v1\n"
        "data:\n"
        "  game.properties: |\n"
        "    enemy.types=aliens,monsters\n"
        "    player.maximum-lives=5\n"
        '  player_initial_lives: "3"\n'
        "  ui_properties_file_name: user-interface.properties\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        "  name: game-demo\n"
    )


@pytest.mark.parametrize(
    ("value", "printed"), [("", '""'), ("true", '"true"'), ("1.5", '"1.5"'), ("null", '"null"')]
)
def test_to_yaml_quotes_strings_that_would_read_back_as_something_else(value, printed):
    assert to_yaml({"v": value}) == f"v: {printed}\n"


def test_to_yaml_does_not_wrap_long_lines():
    long = "x" * 300
    assert to_yaml({"v": long}) == f"v: {long}\n"


def test_to_yaml_reads_back_as_the_same_object():
    for document in load_manifests(DATA / "manifests"):
        assert yaml.safe_load(to_yaml(document.object)) == document.object


def test_to_json_indents_four_spaces_with_sorted_keys():
    assert to_json({"b": 1, "a": [1]}) == '{\n    "a": [\n        1\n    ],\n    "b": 1\n}'


def test_to_json_keeps_non_ascii_text():
    assert to_json({"a": "café"}) == '{\n    "a": "café"\n}'
