"""The manifests in data/: every broken one is refused in Kubernetes' words, every real one applies.

data/bad-manifests/expected.yaml records, for each broken manifest, the
reason, the HTTP code and the exact message the API server answers with. A
new broken manifest needs an entry there. The real manifests in
data/manifests apply unchanged, with no unknown-field warnings.
"""

from __future__ import annotations

import pathlib

import pytest
import yaml

from k8slab.api.errors import StatusError
from k8slab.api.manifests import load_manifests
from k8slab.api.server import APIServer
from k8slab.sim import Loop
from k8slab.store import Store

ROOT = pathlib.Path(__file__).resolve().parent.parent
BAD = ROOT / "data" / "bad-manifests"
GOOD = ROOT / "data" / "manifests"
EXPECTED = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
BAD_FILES = sorted(path.name for path in BAD.glob("*.yaml") if path.name != "expected.yaml")
GOOD_FILES = sorted(path.name for path in GOOD.glob("*.yaml"))


def fresh_api() -> APIServer:
    return APIServer(Store(Loop(seed=0, strict=True)))


def fingerprint(api: APIServer) -> tuple:
    store = api.store
    return store.revision, tuple(store.items()), tuple(store.events()), frozenset(api.service_ips.allocated)


def apply(api: APIServer, relative_path: str) -> list[dict]:
    """What `kubectl create -f` does: load the file's documents, create each in turn."""
    return [api.create(document.object) for document in load_manifests(relative_path, base=ROOT)]


def refusal(name: str) -> tuple[StatusError, APIServer, tuple]:
    api = fresh_api()
    before = fingerprint(api)
    with pytest.raises(StatusError) as caught:
        apply(api, f"data/bad-manifests/{name}")
    return caught.value, api, before


def test_every_broken_manifest_has_an_expected_answer():
    assert sorted(EXPECTED) == BAD_FILES


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_broken_manifest_is_refused_with_its_reason(name):
    error, _, _ = refusal(name)
    assert (error.reason, error.code) == (EXPECTED[name]["reason"], EXPECTED[name]["code"])
    assert type(error).__name__ == EXPECTED[name]["reason"]


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_broken_manifest_is_refused_with_kubernetes_message(name):
    error, _, _ = refusal(name)
    assert error.message == EXPECTED[name]["message"]


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_broken_manifest_changes_nothing(name):
    _, api, before = refusal(name)
    assert fingerprint(api) == before


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_broken_manifest_says_what_is_wrong_in_its_first_comment(name):
    first_line = (BAD / name).read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# ") and len(first_line) > 20


@pytest.mark.parametrize("name", BAD_FILES)
def test_the_server_keeps_working_after_a_broken_manifest(name):
    _, api, _ = refusal(name)
    assert apply(api, "data/manifests/configmap.yaml")[0]["metadata"]["name"] == "game-demo"


@pytest.mark.parametrize("name", GOOD_FILES)
def test_a_real_manifest_applies_cleanly(name):
    api = fresh_api()
    created = apply(api, f"data/manifests/{name}")
    assert created
    assert all(obj["metadata"]["uid"] for obj in created)
    assert api.warnings == []


def test_all_real_manifests_apply_together_in_one_cluster():
    api = fresh_api()
    created = [api.create(document.object) for document in load_manifests(GOOD)]
    assert sorted(f"{obj['kind']}/{obj['metadata']['name']}" for obj in created) == [
        "ConfigMap/game-demo",
        "Deployment/nginx-deployment",
        "Namespace/development",
        "Pod/bad-image",
        "Pod/cpu-demo",
        "Pod/crashloop",
        "Pod/hello",
        "Pod/init-demo",
        "Pod/liveness-exec",
        "Pod/liveness-http",
        "Pod/memory-demo-2",
        "Pod/oops",
        "Pod/web-ready",
        "Service/nginx",
    ]
    assert api.warnings == []


def test_a_misspelt_field_would_be_warned_about():
    """The check above means something: a typo in a field name is warned about, as kubectl warns."""
    api = fresh_api()
    text = (
        (GOOD / "pod-probes.yaml").read_text(encoding="utf-8").replace("periodSeconds: 5", "periodSecond: 5")
    )
    api.create(load_manifests(text)[0].object)
    assert api.warnings == ['unknown field "spec.containers[0].readinessProbe.periodSecond"']
