"""Specification of the ReplicaSet controller (k8slab.controllers.replicaset), run in virtual time.

No kubelet runs here: pods stay Pending unless a test marks them Running and
Ready itself, through the status subresource, as a kubelet would.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.api.server import APIServer
from k8slab.client import Client, key_of
from k8slab.controllers import controller_utils as utils
from k8slab.controllers.events import EventRecorder
from k8slab.controllers.manager import ControllerManager
from k8slab.controllers.replicaset import ReplicaSetController
from k8slab.sim import Loop
from k8slab.store import Store


def replica_set(name: str = "web", replicas: int = 3, labels: dict | None = None, **spec) -> dict:
    labels = labels or {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            },
            **spec,
        },
    }


def bare_pod(name: str, labels: dict) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": labels},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
    }


class Lab:
    """An API server, an admin client, and a running ReplicaSet controller."""

    def __init__(self, seed: int = 0, start: bool = True):
        self.loop = Loop(seed=seed, strict=True)
        self.api = APIServer(Store(self.loop))
        self.admin = Client(self.api)
        client = Client(self.api, user="system:kube-controller-manager")
        self.controller = ReplicaSetController(client, EventRecorder(client, "replicaset-controller"))
        if start:
            self.controller.run()

    def run(self, seconds: float = 5) -> None:
        self.loop.run(seconds=seconds)

    def pods(self) -> list[dict]:
        return self.admin.list("pods", namespace="default")["items"]

    def pod_names(self) -> list[str]:
        return sorted(pod["metadata"]["name"] for pod in self.pods())

    def rs(self, name: str = "web") -> dict:
        return self.admin.get("replicasets", name, namespace="default")

    def scale(self, replicas: int, name: str = "web") -> None:
        self.admin.update_scale("replicasets", name, replicas, namespace="default")

    def mark_ready(self, pod: dict, node: str = "node-1") -> None:
        """What a kubelet would report once the pod's containers pass their readiness probe."""
        pod = self.admin.get("pods", pod["metadata"]["name"], namespace="default")
        now = self.loop.timestamp()
        pod["status"]["phase"] = "Running"
        pod["status"]["conditions"] = [{"type": "Ready", "status": "True", "lastTransitionTime": now}]
        self.admin.update_status(pod)

    def events(self) -> list[tuple[str, str]]:
        return [(e["reason"], e["message"]) for e in self.admin.list("events", namespace="default")["items"]]


# ----------------------------------------------------------------------------- replicas


def test_creates_pods_up_to_replicas():
    lab = Lab()
    lab.admin.create(replica_set(replicas=3))
    lab.run()
    assert len(lab.pods()) == 3


def test_pods_are_named_from_generate_name_and_owned_by_the_replica_set():
    lab = Lab()
    rs = lab.admin.create(replica_set(replicas=2))
    lab.run()
    for pod in lab.pods():
        assert pod["metadata"]["generateName"] == "web-"
        assert pod["metadata"]["name"].startswith("web-") and len(pod["metadata"]["name"]) == len("web-") + 5
        assert pod["metadata"]["ownerReferences"] == [
            {
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": rs["metadata"]["uid"],
                "controller": True, "blockOwnerDeletion": True,
            }
        ]
        assert pod["metadata"]["labels"] == {"app": "web"}


def test_scale_up_then_down():
    lab = Lab()
    lab.admin.create(replica_set(replicas=2))
    lab.run()
    lab.scale(5)
    lab.run()
    assert len(lab.pods()) == 5
    lab.scale(1)
    lab.run()
    assert len(lab.pods()) == 1


def test_scale_down_deletes_pending_pods_before_ready_ones():
    lab = Lab()
    lab.admin.create(replica_set(replicas=3))
    lab.run()
    pods = lab.pods()
    lab.mark_ready(pods[0])
    lab.run()
    lab.scale(1)
    lab.run()
    assert lab.pod_names() == [pods[0]["metadata"]["name"]]


def test_deleting_a_pod_makes_the_replica_set_create_a_replacement():
    lab = Lab()
    lab.admin.create(replica_set(replicas=3))
    lab.run()
    victim = lab.pods()[0]["metadata"]["name"]
    lab.admin.delete("pods", victim, namespace="default")
    lab.run()
    names = lab.pod_names()
    assert len(names) == 3 and victim not in names


def test_a_terminating_pod_is_replaced_at_once_without_waiting_for_its_kubelet():
    lab = Lab()
    lab.admin.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}})
    lab.admin.create(replica_set(replicas=2))
    lab.run()
    victim = lab.pods()[0]["metadata"]["name"]
    lab.admin.bind("default", victim, "node-1")
    lab.admin.delete("pods", victim, namespace="default")  # on a node: graceful, it stays Terminating
    lab.run()
    pods = lab.pods()
    terminating = [p["metadata"]["name"] for p in pods if p["metadata"].get("deletionTimestamp")]
    assert terminating == [victim] and len(pods) == 3
    assert lab.rs()["status"]["replicas"] == 2


def test_expectations_prevent_over_creation_before_the_watch_delivers_the_creates():
    lab = Lab(start=False)
    lab.admin.create(replica_set(replicas=3))
    lab.controller.run()  # the informers list now; their watch events come only when the loop runs
    key = "default/web"
    lab.controller.sync_replica_set(key)
    lab.controller.sync_replica_set(key)  # the cache still shows no pods, but 3 creates are in flight
    assert len(lab.pods()) == 3
    assert not lab.controller.expectations.satisfied_expectations(key)
    lab.run()  # the watch delivers the 3 pods: each one lowers the expectations
    assert len(lab.pods()) == 3
    assert lab.controller.expectations.satisfied_expectations(key)


def test_expectations_expire_after_five_minutes():
    lab = Lab(start=False)
    expectations = lab.controller.expectations
    expectations.expect_creations("default/web", 2)
    assert not expectations.satisfied_expectations("default/web")
    lab.loop.run(seconds=utils.EXPECTATIONS_TIMEOUT + 1)
    assert expectations.satisfied_expectations("default/web")


def test_creates_at_most_burst_replicas_per_sync():
    lab = Lab(start=False)
    lab.controller.burst_replicas = 5
    lab.admin.create(replica_set(replicas=7))
    lab.controller.run()
    lab.controller.sync_replica_set("default/web")
    assert len(lab.pods()) == 5
    lab.run()
    assert len(lab.pods()) == 7


def test_slow_start_creates_in_batches_of_1_2_4():
    lab = Lab(start=False)
    batches = []
    created, error = lab.controller.slow_start_batch(7, 1, lambda: batches.append(len(batches)))
    assert (created, error, len(batches)) == (7, None, 7)


def test_a_failing_create_stops_the_slow_start_after_its_batch():
    lab = Lab(start=False)
    calls = []

    def fail():
        from k8slab.api.errors import Forbidden

        calls.append(1)
        raise Forbidden("exceeded quota")

    created, error = lab.controller.slow_start_batch(10, 1, fail)
    assert created == 0 and len(calls) == 1 and "exceeded quota" in str(error)


# ----------------------------------------------------------------------------- claiming pods


def test_adopts_a_matching_orphan_instead_of_creating_a_pod():
    lab = Lab()
    lab.admin.create(bare_pod("lonely", {"app": "web"}))
    rs = lab.admin.create(replica_set(replicas=2))
    lab.run()
    names = lab.pod_names()
    assert len(names) == 2 and "lonely" in names
    lonely = lab.admin.get("pods", "lonely", namespace="default")
    assert utils.get_controller_of(lonely)["uid"] == rs["metadata"]["uid"]


def test_releases_a_pod_whose_labels_stop_matching_and_replaces_it():
    lab = Lab()
    lab.admin.create(replica_set(replicas=2))
    lab.run()
    pod = lab.pods()[0]
    name = pod["metadata"]["name"]
    lab.admin.patch("pods", name, {"metadata": {"labels": {"app": "debug"}}}, namespace="default")
    lab.run()
    released = lab.admin.get("pods", name, namespace="default")
    assert not released["metadata"].get("ownerReferences")
    assert len(lab.pods()) == 3  # the released pod stays; a new one took its place


def test_does_not_touch_pods_owned_by_another_controller():
    lab = Lab()
    lab.admin.create(replica_set("web", replicas=2, labels={"app": "web"}))
    lab.run()
    lab.admin.create(replica_set("web2", replicas=1, labels={"app": "web"}))  # overlapping selector
    lab.run()
    owners = sorted(utils.get_controller_of(pod)["name"] for pod in lab.pods())
    assert owners == ["web", "web", "web2"]


def test_a_replica_set_being_deleted_creates_nothing():
    lab = Lab()
    rs = replica_set(replicas=2)
    rs["metadata"]["finalizers"] = ["example.com/hold"]
    lab.admin.create(rs)
    lab.run()
    lab.admin.delete("replicasets", "web", namespace="default")  # stays, with a deletionTimestamp
    lab.admin.delete("pods", lab.pods()[0]["metadata"]["name"], namespace="default")
    lab.run()
    assert len(lab.pods()) == 1


# ----------------------------------------------------------------------------- status and events


def test_status_counts_ready_and_available_pods():
    lab = Lab()
    lab.admin.create(replica_set(replicas=3))
    lab.run()
    for pod in lab.pods()[:2]:
        lab.mark_ready(pod)
    lab.run()
    status = lab.rs()["status"]
    assert status == {
        "replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 2, "availableReplicas": 2,
        "observedGeneration": 1,
    }


def test_available_waits_for_min_ready_seconds():
    lab = Lab()
    lab.admin.create(replica_set(replicas=1, minReadySeconds=10))
    lab.run()
    lab.mark_ready(lab.pods()[0])
    lab.run(seconds=2)
    assert lab.rs()["status"]["readyReplicas"] == 1 and lab.rs()["status"]["availableReplicas"] == 0
    lab.run(seconds=15)
    assert lab.rs()["status"]["availableReplicas"] == 1


def test_status_is_written_only_when_it_changed():
    lab = Lab()
    lab.admin.create(replica_set(replicas=1))
    lab.run()
    version = lab.rs()["metadata"]["resourceVersion"]
    lab.controller.queue.add("default/web")
    lab.run()
    assert lab.rs()["metadata"]["resourceVersion"] == version


def test_events_say_which_pods_were_created_and_deleted():
    lab = Lab()
    lab.admin.create(replica_set(replicas=2))
    lab.run()
    lab.scale(1)
    lab.run()
    events = lab.events()
    created = [message for reason, message in events if reason == "SuccessfulCreate"]
    deleted = [message for reason, message in events if reason == "SuccessfulDelete"]
    assert sorted(created) == sorted(f"Created pod: {name}" for name in created_names(lab, created))
    assert len(created) == 2 and len(deleted) == 1 and deleted[0].startswith("Deleted pod: web-")


def created_names(lab: Lab, messages: list[str]) -> list[str]:
    return [message.removeprefix("Created pod: ") for message in messages]


def test_failed_creates_are_a_warning_event_and_a_replica_failure_condition():
    lab = Lab()
    lab.api.admission.add_validating("quota", lambda request: "exceeded quota", operations=("CREATE",),
                                     kinds=("Pod",))
    lab.admin.create(replica_set(replicas=3))
    lab.run()
    assert lab.pods() == []
    reasons = [reason for reason, _ in lab.events()]
    assert reasons and set(reasons) == {"FailedCreate"}
    (failed,) = [e for e in lab.admin.list("events", namespace="default")["items"]]
    assert failed["type"] == "Warning" and failed["count"] >= 2  # retried with back-off, one Event counted up
    (condition,) = lab.rs()["status"]["conditions"]
    assert condition["type"] == "ReplicaFailure" and condition["reason"] == "FailedCreate"


# ----------------------------------------------------------------------------- determinism


def test_same_seed_same_pod_names_in_the_same_order():
    def scenario(seed: int) -> list[str]:
        loop = Loop(seed=seed, strict=True)
        api = APIServer(Store(loop))
        manager = ControllerManager(api, controllers=("replicaset", "garbagecollector"))
        manager.start()
        Client(api).create(replica_set(replicas=4))
        loop.run(seconds=5)
        return [pod["metadata"]["name"] for pod in Client(api).list("pods")["items"]]

    assert scenario(7) == scenario(7)
    assert scenario(7) != scenario(8)


# ----------------------------------------------------------------------------- deletion rank

TIMES = [None, "2024-01-01T00:00:00Z", "2024-01-01T00:00:05Z", "2024-01-01T00:01:00Z"]


@st.composite
def random_pod(draw, index: int = 0) -> dict:
    ready = draw(st.booleans())
    conditions = [{"type": "Ready", "status": "True" if ready else "False",
                   "lastTransitionTime": draw(st.sampled_from(TIMES))}]
    pod = {
        "metadata": {"name": f"pod-{draw(st.integers(0, 10**6))}"},
        "spec": {"nodeName": draw(st.sampled_from(["", "node-1"]))},
        "status": {
            "phase": draw(st.sampled_from(["Pending", "Unknown", "Running"])),
            "conditions": conditions,
            "containerStatuses": [{"restartCount": draw(st.integers(0, 3))}],
        },
    }
    created = draw(st.sampled_from(TIMES))
    if created:
        pod["metadata"]["creationTimestamp"] = created
    return pod


@settings(max_examples=200, deadline=None)
@given(st.lists(random_pod(), min_size=2, max_size=8))
def test_deletion_rank_is_a_total_order_that_agrees_with_upstream_active_pods_less(pods):
    ranked = sorted(pods, key=utils.deletion_rank)
    for earlier, later in zip(ranked, ranked[1:], strict=False):
        assert not utils.active_pods_less(later, earlier)  # never out of upstream's order
        assert utils.deletion_rank(earlier) <= utils.deletion_rank(later)
    for a in pods:
        for b in pods:
            if utils.active_pods_less(a, b):
                assert utils.deletion_rank(a) < utils.deletion_rank(b)


def test_deletion_rank_follows_upstream_rules_one_by_one():
    def pod(name, node="node-1", phase="Running", ready=True, ready_at="2024-01-01T00:00:00Z", restarts=0,
            created="2024-01-01T00:00:00Z"):
        return {
            "metadata": {"name": name, "creationTimestamp": created},
            "spec": {"nodeName": node},
            "status": {
                "phase": phase,
                "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                "lastTransitionTime": ready_at}],
                "containerStatuses": [{"restartCount": restarts}],
            },
        }

    base = pod("base")
    pods = [
        base,
        pod("unassigned", node="", phase="Pending", ready=False),
        pod("pending", phase="Pending", ready=False),
        pod("unknown", phase="Unknown", ready=False),
        pod("not-ready", ready=False),
        pod("ready-recently", ready_at="2024-01-01T00:05:00Z"),
        pod("restarted", restarts=4),
        pod("newer", created="2024-01-01T00:09:00Z"),
    ]
    order = [p["metadata"]["name"] for p in utils.pods_to_delete(pods, len(pods))]
    assert order == ["unassigned", "pending", "unknown", "not-ready", "ready-recently", "restarted", "newer",
                     "base"]


def test_pods_to_delete_takes_the_first_ones_by_rank():
    pods = [{"metadata": {"name": n}, "spec": {"nodeName": node}, "status": {"phase": "Running"}}
            for n, node in (("a", "node-1"), ("b", ""), ("c", "node-1"))]
    assert [p["metadata"]["name"] for p in utils.pods_to_delete(pods, 1)] == ["b"]
    assert key_of({"metadata": {"namespace": "default", "name": "b"}}) == "default/b"


# ----------------------------------------------------------------------------- the controller manager


def test_the_manager_runs_deployments_down_to_pods_over_shared_informers():
    loop = Loop(strict=True)
    api = APIServer(Store(loop))
    manager = ControllerManager(Client(api, user="system:kube-controller-manager"))
    manager.start()
    deployment = replica_set(replicas=2)
    deployment["kind"] = "Deployment"
    Client(api).create(deployment)
    loop.run(seconds=5)
    assert len(Client(api).list("pods")["items"]) == 2
    assert manager["replicaset"].pods is manager["deployment"].pods  # one cache of pods for both


def test_the_manager_starts_a_controller_registered_by_name():
    started = []

    class Hello:
        def __init__(self, ctx):
            self.ctx = ctx

        def run(self):
            started.append(self.ctx.client.user)

        def stop(self):
            pass

    ControllerManager.register("hello", Hello)
    try:
        loop = Loop(strict=True)
        manager = ControllerManager(APIServer(Store(loop)), controllers=("replicaset", "hello"))
        manager.start()
        assert started == ["system:kube-controller-manager"]
        assert list(manager.controllers) == ["replicaset", "hello"]
    finally:
        del ControllerManager.CONTROLLERS["hello"]


def test_the_manager_skips_a_controller_whose_factory_returns_none():
    ControllerManager.register("missing", lambda ctx: None)
    try:
        manager = ControllerManager(APIServer(Store(Loop(strict=True))), controllers=("missing",))
        manager.start()
        assert manager.skipped == ["missing"] and manager.controllers == {}
    finally:
        del ControllerManager.CONTROLLERS["missing"]


def test_the_manager_refuses_an_unknown_controller_name():
    with pytest.raises(ValueError, match="unknown controller"):
        ControllerManager(APIServer(Store(Loop())), controllers=("replicaset", "nope"))
