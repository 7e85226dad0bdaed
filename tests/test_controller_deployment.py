"""Specification of the Deployment controller (k8slab.controllers.deployment), run in virtual time.

The Deployment controller only scales ReplicaSets; something must turn
ReplicaSets into pods and pods into Ready ones. These tests bring two small
stand-ins: `FakeReplicaSetController` (creates and deletes pods to match
spec.replicas, writes the ReplicaSet's status, honours minReadySeconds) and
`FakeKubelet` (marks each new pod Running and Ready a few seconds after it is
created, through the status subresource, as a kubelet would). Every test
runs once with the stand-in ReplicaSet controller and, where this checkout
has it, once more with k8slab's own (`k8slab.controllers.replicaset`).
"""

from __future__ import annotations

import pytest

from k8slab.api.server import APIServer
from k8slab.client import Client, Informer, WorkQueue, key_of, process_next_work_item, split_key
from k8slab.controllers import deployment_util as util
from k8slab.controllers.deployment import DeploymentController, EventLog
from k8slab.sim import Loop
from k8slab.store import Store

READY_AFTER = 5.0  # seconds from a pod's creation until the fake kubelet marks it Ready


# ----------------------------------------------------------------------------- stand-ins


def pod_ready_since(pod: dict) -> str | None:
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready" and condition.get("status") == "True":
            return condition.get("lastTransitionTime")
    return None


class FakeReplicaSetController:
    """Just enough of the ReplicaSet controller: pods to match replicas, and the status counts."""

    def __init__(self, client: Client):
        self.client = client
        self.loop = client.loop
        self.queue = WorkQueue(self.loop, name="replicaset", wake=self.worker)
        self.replica_sets = Informer(client, "replicasets")
        self.pods = Informer(client, "pods")
        self.replica_sets.add_event_handler(
            on_add=lambda rs: self.queue.add(key_of(rs)),
            on_update=lambda old, new: self.queue.add(key_of(new)),
        )
        self.pods.add_event_handler(
            on_add=self.enqueue_owner,
            on_update=lambda old, new: self.enqueue_owner(new),
            on_delete=self.enqueue_owner,
        )

    def run(self) -> None:
        self.replica_sets.run()
        self.pods.run()

    def worker(self) -> None:
        while process_next_work_item(self.queue, self.sync):
            pass

    def enqueue_owner(self, pod: dict) -> None:
        for ref in pod["metadata"].get("ownerReferences") or []:
            if ref.get("kind") == "ReplicaSet":
                self.queue.add(f"{pod['metadata']['namespace']}/{ref['name']}")

    def sync(self, key) -> None:
        namespace, name = split_key(key)
        rs = self.replica_sets.get(key)
        if rs is None:
            return
        uid = rs["metadata"]["uid"]
        # Read pods from the API server itself: always fresh, so no expectations are needed.
        pods = [
            pod
            for pod in self.client.list("pods", namespace)["items"]
            if any(ref.get("uid") == uid for ref in pod["metadata"].get("ownerReferences") or [])
        ]
        wanted = rs["spec"]["replicas"]
        for _ in range(wanted - len(pods)):
            template = rs["spec"]["template"]
            pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "generateName": f"{name}-",
                    "namespace": namespace,
                    "labels": dict(template["metadata"]["labels"]),
                    "ownerReferences": [
                        {
                            "apiVersion": "apps/v1",
                            "kind": "ReplicaSet",
                            "name": name,
                            "uid": uid,
                            "controller": True,
                        }
                    ],
                },
                "spec": template["spec"],
            }
            pods.append(self.client.create(pod))
        if len(pods) > wanted:
            # Not-ready pods go first, then the newest (a short version of upstream's ranking).
            pods.sort(key=lambda p: (pod_ready_since(p) is not None, p["metadata"]["creationTimestamp"]))
            for pod in pods[: len(pods) - wanted]:
                self.client.delete("pods", pod["metadata"]["name"], namespace)
            pods = pods[len(pods) - wanted :]
        min_ready = rs["spec"].get("minReadySeconds", 0)
        ready = [p for p in pods if pod_ready_since(p)]
        available = 0
        for pod in ready:
            since = util.parse_time(pod_ready_since(pod))
            waited = (self.loop.datetime() - since).total_seconds()
            if waited >= min_ready:
                available += 1
            else:
                self.queue.add_after(key, min_ready - waited)
        fresh = self.client.get("replicasets", name, namespace)
        fresh["status"] = {
            "replicas": len(pods),
            "readyReplicas": len(ready),
            "availableReplicas": available,
            "observedGeneration": fresh["metadata"]["generation"],
        }
        self.client.update_status(fresh)


class FakeKubelet:
    """Marks each new pod Running and Ready `ready_after` seconds after it appears (never, if None)."""

    def __init__(self, client: Client, ready_after: float | None = READY_AFTER):
        self.client = client
        self.ready_after = ready_after
        self.pods = Informer(client, "pods")
        self.pods.add_event_handler(on_add=self.on_add)

    def run(self) -> None:
        self.pods.run()

    def on_add(self, pod: dict) -> None:
        if self.ready_after is not None:
            self.client.loop.call_later(
                self.ready_after, self.mark_ready, pod["metadata"]["namespace"], pod["metadata"]["name"]
            )

    def mark_ready(self, namespace: str, name: str) -> None:
        try:
            pod = self.client.get("pods", name, namespace)
        except Exception:
            return  # deleted meanwhile
        now = self.client.loop.timestamp()
        pod["status"] = {
            **(pod.get("status") or {}),  # keeps qosClass, which the API server set and guards
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now}],
        }
        self.client.update_status(pod)


def real_replica_set_controller(client: Client):
    """k8slab's own ReplicaSet controller (when this checkout has it), with events kept in a list."""
    from k8slab.controllers.replicaset import ReplicaSetController

    return ReplicaSetController(client, EventLog())


def replica_set_controllers() -> list:
    """Every test runs with the stand-in, and again with the real ReplicaSet controller if it exists."""
    try:
        import k8slab.controllers.replicaset  # noqa: F401
    except ImportError:
        return [pytest.param(FakeReplicaSetController, id="fake-rs")]
    return [
        pytest.param(FakeReplicaSetController, id="fake-rs"),
        pytest.param(real_replica_set_controller, id="real-rs"),
    ]


@pytest.fixture(autouse=True, params=replica_set_controllers())
def replica_set_controller(request, monkeypatch):
    monkeypatch.setattr(Lab, "replica_set_controller", staticmethod(request.param))


class Lab:
    """An API server, the Deployment controller, a ReplicaSet controller and a kubelet, on a strict loop."""

    replica_set_controller = staticmethod(FakeReplicaSetController)

    def __init__(self, ready_after: float | None = READY_AFTER):
        self.loop = Loop(strict=True)
        self.api = APIServer(Store(self.loop))
        self.user = Client(self.api)
        self.events = EventLog()
        self.controller = DeploymentController(
            Client(self.api, "system:kube-controller-manager"), self.events
        )
        self.rs_controller = self.replica_set_controller(Client(self.api, "system:kube-controller-manager"))
        self.kubelet = FakeKubelet(Client(self.api, "system:node:node-1"), ready_after)
        self.controller.run()
        self.rs_controller.run()
        self.kubelet.run()

    def run(self, seconds: float) -> None:
        self.loop.run(seconds=seconds)

    def deployment(self, name: str = "web") -> dict:
        return self.user.get("deployments", name, "default")

    def replica_sets(self) -> list[dict]:
        items = self.user.list("replicasets", "default")["items"]
        return util.by_creation_timestamp(items)

    def pods(self) -> list[dict]:
        return [
            p
            for p in self.user.list("pods", "default")["items"]
            if not p["metadata"].get("deletionTimestamp")
        ]

    def set_image(self, image: str, name: str = "web") -> None:
        d = self.deployment(name)
        d["spec"]["template"]["spec"]["containers"][0]["image"] = image
        self.user.update(d)

    def messages(self, reason: str = "ScalingReplicaSet") -> list[str]:
        return [e.message for e in self.events.events if e.reason == reason]


def manifest(
    name: str = "web",
    replicas: int = 3,
    image: str = "nginx:1.26",
    strategy: dict | None = None,
    **spec,
) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "strategy": strategy or {"type": "RollingUpdate"},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": image}]},
            },
            **spec,
        },
    }


def condition(d: dict, type_: str) -> dict:
    return util.get_deployment_condition(d.get("status") or {}, type_) or {}


def revisions(lab: Lab) -> dict[str, str]:
    """ReplicaSet image -> its revision annotation."""
    return {
        rs["spec"]["template"]["spec"]["containers"][0]["image"]: rs["metadata"]["annotations"][
            util.REVISION_ANNOTATION
        ]
        for rs in lab.replica_sets()
    }


# ----------------------------------------------------------------------------- creating


def test_a_new_deployment_gets_a_replica_set_scaled_to_its_replicas():
    lab = Lab()
    lab.user.create(manifest(replicas=3))
    lab.run(30)
    (rs,) = lab.replica_sets()
    pod_template_hash = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{pod_template_hash}"
    assert rs["spec"]["replicas"] == 3
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": pod_template_hash}
    assert rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == pod_template_hash
    (owner,) = rs["metadata"]["ownerReferences"]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("Deployment", "web", True)
    assert rs["metadata"]["annotations"] == {
        util.REVISION_ANNOTATION: "1",
        util.DESIRED_REPLICAS_ANNOTATION: "3",
        util.MAX_REPLICAS_ANNOTATION: "4",
    }
    assert len(lab.pods()) == 3


def test_a_finished_rollout_reports_status_and_conditions_as_upstream():
    lab = Lab()
    lab.user.create(manifest(replicas=3))
    lab.run(30)
    d = lab.deployment()
    (rs,) = lab.replica_sets()
    assert d["metadata"]["annotations"][util.REVISION_ANNOTATION] == "1"
    status = d["status"]
    assert {k: v for k, v in status.items() if k != "conditions"} == {
        "observedGeneration": 1,
        "replicas": 3,
        "updatedReplicas": 3,
        "readyReplicas": 3,
        "availableReplicas": 3,
    }
    assert [c["type"] for c in status["conditions"]] == ["Available", "Progressing"]
    available, progressing = status["conditions"]
    assert (available["status"], available["reason"], available["message"]) == (
        "True",
        "MinimumReplicasAvailable",
        "Deployment has minimum availability.",
    )
    assert (progressing["status"], progressing["reason"], progressing["message"]) == (
        "True",
        "NewReplicaSetAvailable",
        f'ReplicaSet "{rs["metadata"]["name"]}" has successfully progressed.',
    )


def test_scaling_up_is_announced_with_a_scaling_replica_set_event():
    lab = Lab()
    lab.user.create(manifest(replicas=3))
    lab.run(30)
    (rs,) = lab.replica_sets()
    assert lab.messages() == [f"Scaled up replica set {rs['metadata']['name']} from 0 to 3"]
    (event,) = lab.events.events
    assert (event.object_key, event.type) == ("default/web", "Normal")


def test_while_pods_are_not_ready_the_deployment_is_unavailable_and_progressing():
    lab = Lab(ready_after=None)
    lab.user.create(manifest(replicas=2))
    lab.run(10)
    d = lab.deployment()
    assert d["status"]["unavailableReplicas"] == 2
    assert condition(d, "Available")["reason"] == "MinimumReplicasUnavailable"
    assert condition(d, "Available")["message"] == "Deployment does not have minimum availability."
    (rs,) = lab.replica_sets()
    progressing = condition(d, "Progressing")
    assert (progressing["status"], progressing["reason"], progressing["message"]) == (
        "True",
        "ReplicaSetUpdated",
        f'ReplicaSet "{rs["metadata"]["name"]}" is progressing.',
    )


# ----------------------------------------------------------------------------- rolling update


@pytest.mark.parametrize(
    "replicas, surge, unavailable",
    [(10, "25%", "25%"), (4, 1, 0), (4, 0, 1), (5, "50%", "20%")],
)
def test_rolling_update_stays_within_max_surge_and_max_unavailable_at_every_instant(
    replicas, surge, unavailable
):
    lab = Lab()
    rolling = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}
    lab.user.create(manifest(replicas=replicas, strategy=rolling))
    lab.run(30)
    max_surge, max_unavailable = util.resolve_fenceposts(surge, unavailable, replicas)
    lab.set_image("nginx:1.27")
    observed = []
    end = lab.loop.now + 300
    while lab.loop.now < end and lab.loop.step() is not None:
        pods = lab.pods()
        ready = sum(1 for p in pods if pod_ready_since(p))
        observed.append((lab.loop.now, len(pods), ready))
        assert len(pods) <= replicas + max_surge, observed[-5:]
        assert ready >= replicas - max_unavailable, observed[-5:]
    pods = lab.pods()
    assert len(pods) == replicas
    assert all(p["spec"]["containers"][0]["image"] == "nginx:1.27" for p in pods)
    assert max(total for _, total, _ in observed) == replicas + max_surge  # the surge was used


def test_rolling_update_scales_new_up_and_old_down_step_by_step():
    lab = Lab()
    rolling = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    lab.user.create(manifest(replicas=3, strategy=rolling))
    lab.run(30)
    (old,) = lab.replica_sets()
    lab.set_image("nginx:1.27")
    lab.run(60)
    old_name = old["metadata"]["name"]
    new_name = next(rs["metadata"]["name"] for rs in lab.replica_sets() if rs["metadata"]["name"] != old_name)
    assert lab.messages()[1:] == [
        f"Scaled up replica set {new_name} from 0 to 1",
        f"Scaled down replica set {old_name} from 3 to 2",
        f"Scaled up replica set {new_name} from 1 to 2",
        f"Scaled down replica set {old_name} from 2 to 1",
        f"Scaled up replica set {new_name} from 2 to 3",
        f"Scaled down replica set {old_name} from 1 to 0",
    ]
    d = lab.deployment()
    assert d["metadata"]["annotations"][util.REVISION_ANNOTATION] == "2"
    assert revisions(lab) == {"nginx:1.26": "1", "nginx:1.27": "2"}
    assert condition(d, "Progressing")["reason"] == "NewReplicaSetAvailable"


def test_old_replicas_that_never_became_available_are_scaled_down_first():
    lab = Lab(ready_after=None)  # the old version never gets ready: a broken release being replaced
    lab.user.create(manifest(replicas=4))  # 25%/25%: surge 1, unavailable 1
    lab.run(10)
    lab.set_image("nginx:1.27")
    lab.run(10)
    old, new = lab.replica_sets()
    # Removing an unavailable pod costs no availability, so the rollout is not stuck behind them.
    assert f"Scaled down replica set {old['metadata']['name']} from 4 to 3" in lab.messages()
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (3, 2)


def test_min_ready_seconds_holds_back_the_rollout():
    lab = Lab()
    rolling = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    lab.user.create(manifest(replicas=2, strategy=rolling, minReadySeconds=20))
    lab.run(60)
    lab.set_image("nginx:1.27")
    start = lab.loop.now
    lab.run(READY_AFTER + 10)  # the new pod is Ready, but not yet for 20 s: nothing old may go
    assert [rs["spec"]["replicas"] for rs in lab.replica_sets()] == [2, 1]
    lab.run(start + 120 - lab.loop.now)
    assert [rs["spec"]["replicas"] for rs in lab.replica_sets()] == [0, 2]
    (new,) = [rs for rs in lab.replica_sets() if rs["spec"]["replicas"]]
    assert new["spec"]["minReadySeconds"] == 20


# ----------------------------------------------------------------------------- recreate


def test_recreate_removes_every_old_pod_before_creating_new_ones():
    lab = Lab()
    lab.user.create(manifest(replicas=3, strategy={"type": "Recreate"}))
    lab.run(30)
    lab.set_image("nginx:1.27")
    images_seen = []
    end = lab.loop.now + 60
    while lab.loop.now < end and lab.loop.step() is not None:
        images = {p["spec"]["containers"][0]["image"] for p in lab.pods()}
        assert len(images) <= 1, "old and new pods never run together"
        images_seen.append(images)
    assert set() in images_seen  # a moment with no pods at all: the price of Recreate
    assert {p["spec"]["containers"][0]["image"] for p in lab.pods()} == {"nginx:1.27"}
    assert len(lab.pods()) == 3
    old_name, new_name = (rs["metadata"]["name"] for rs in lab.replica_sets())
    assert lab.messages()[1:] == [
        f"Scaled down replica set {old_name} from 3 to 0",
        f"Scaled up replica set {new_name} from 0 to 3",
    ]


# ----------------------------------------------------------------------------- paused


def test_a_paused_deployment_does_not_roll_out_but_still_scales():
    lab = Lab()
    lab.user.create(manifest(replicas=2))
    lab.run(30)
    d = lab.deployment()
    d["spec"]["paused"] = True
    lab.user.update(d)
    lab.run(5)
    assert condition(lab.deployment(), "Progressing")["reason"] == "DeploymentPaused"
    assert condition(lab.deployment(), "Progressing")["status"] == "Unknown"
    lab.set_image("nginx:1.27")
    lab.run(30)
    assert len(lab.replica_sets()) == 1
    d = lab.deployment()
    d["spec"]["replicas"] = 4
    lab.user.update(d)
    lab.run(30)
    (rs,) = lab.replica_sets()
    assert rs["spec"]["replicas"] == 4
    assert {p["spec"]["containers"][0]["image"] for p in lab.pods()} == {"nginx:1.26"}
    d = lab.deployment()
    d["spec"]["paused"] = False
    lab.user.update(d)
    lab.run(120)
    assert {p["spec"]["containers"][0]["image"] for p in lab.pods()} == {"nginx:1.27"}
    assert condition(lab.deployment(), "Progressing")["reason"] == "NewReplicaSetAvailable"


# ----------------------------------------------------------------------------- rollback and history


def test_rollback_reuses_the_old_replica_set_with_the_next_revision():
    from k8slab.kubectl.commands import Kubectl

    lab = Lab()
    lab.user.create(manifest(replicas=2))
    lab.run(30)
    lab.set_image("nginx:1.27")
    lab.run(60)
    assert revisions(lab) == {"nginx:1.26": "1", "nginx:1.27": "2"}
    kubectl = Kubectl(lab.api)
    assert kubectl.run("rollout undo deployment/web") == "deployment.apps/web rolled back\n"
    lab.run(60)
    assert revisions(lab) == {"nginx:1.26": "3", "nginx:1.27": "2"}
    assert len(lab.replica_sets()) == 2  # no new ReplicaSet: the old one came back
    v1 = next(
        rs for rs in lab.replica_sets() if rs["metadata"]["annotations"][util.REVISION_ANNOTATION] == "3"
    )
    assert v1["metadata"]["annotations"][util.REVISION_HISTORY_ANNOTATION] == "1"
    assert {p["spec"]["containers"][0]["image"] for p in lab.pods()} == {"nginx:1.26"}
    assert lab.deployment()["metadata"]["annotations"][util.REVISION_ANNOTATION] == "3"
    history = kubectl.run("rollout history deployment/web")
    assert "2         <none>" in history and "3         <none>" in history
    assert kubectl.run("rollout status deployment/web") == 'deployment "web" successfully rolled out\n'


def test_old_replica_sets_beyond_the_revision_history_limit_are_deleted():
    lab = Lab()
    lab.user.create(manifest(replicas=1, revisionHistoryLimit=2))
    lab.run(30)
    for version in range(27, 31):
        lab.set_image(f"nginx:1.{version}")
        lab.run(60)
    images = sorted(rs["spec"]["template"]["spec"]["containers"][0]["image"] for rs in lab.replica_sets())
    assert images == ["nginx:1.28", "nginx:1.29", "nginx:1.30"]  # the new one and 2 old ones
    assert revisions(lab) == {"nginx:1.28": "3", "nginx:1.29": "4", "nginx:1.30": "5"}


# ----------------------------------------------------------------------------- scaling mid-rollout


def test_replicas_changed_mid_rollout_are_shared_proportionally():
    lab = Lab(ready_after=None)  # nothing becomes ready: the rollout stays half-way
    rolling = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}}
    lab.user.create(manifest(replicas=10, strategy=rolling))
    lab.run(5)
    for pod in lab.pods():  # make the first ReplicaSet's pods ready by hand
        lab.kubelet.mark_ready("default", pod["metadata"]["name"])
    lab.run(5)
    lab.set_image("nginx:1.27")
    lab.run(5)
    assert [rs["spec"]["replicas"] for rs in lab.replica_sets()] == [8, 5]  # 13 = 10 + surge 3
    d = lab.deployment()
    d["spec"]["replicas"] = 20  # max replicas 13 -> 23
    lab.user.update(d)
    lab.run(5)
    sizes = [rs["spec"]["replicas"] for rs in lab.replica_sets()]
    assert sizes == [14, 9]  # 8 * 23/13 = 14.15 -> 14; 5 * 23/13 = 8.8 -> 9
    assert all(
        rs["metadata"]["annotations"][util.DESIRED_REPLICAS_ANNOTATION] == "20" for rs in lab.replica_sets()
    )


def test_replicas_lowered_mid_rollout_are_taken_proportionally_older_first():
    lab = Lab(ready_after=None)
    rolling = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}}
    lab.user.create(manifest(replicas=10, strategy=rolling))
    lab.run(5)
    for pod in lab.pods():
        lab.kubelet.mark_ready("default", pod["metadata"]["name"])
    lab.run(5)
    lab.set_image("nginx:1.27")
    lab.run(5)
    old, new = (rs["metadata"]["name"] for rs in lab.replica_sets())
    before = len(lab.messages())
    d = lab.deployment()
    d["spec"]["replicas"] = 5  # max replicas 13 -> 8
    lab.user.update(d)
    lab.run(5)
    assert lab.messages()[before : before + 2] == [  # 8 * 8/13 = 4.9 -> 5; 5 * 8/13 = 3.1 -> 3
        f"Scaled down replica set {old} from 8 to 5",
        f"Scaled down replica set {new} from 5 to 3",
    ]
    # The old ReplicaSet's status still counts 8 available for a moment: that must not read as
    # "3 too few unhealthy" and scale it back up.
    assert not any(m.startswith(f"Scaled up replica set {old}") for m in lab.messages()[before:])
    # Then the rollout goes on from there, within the new bounds (5 + 3 surge).
    assert sum(rs["spec"]["replicas"] for rs in lab.replica_sets()) == 8


# ----------------------------------------------------------------------------- progress deadline


def test_a_rollout_without_progress_exceeds_its_deadline_after_600_virtual_seconds():
    lab = Lab(ready_after=None)
    lab.user.create(manifest(replicas=2))
    lab.run(599)
    assert condition(lab.deployment(), "Progressing")["status"] == "True"
    lab.run(10)  # the controller looks again one second after the deadline
    progressing = condition(lab.deployment(), "Progressing")
    (rs,) = lab.replica_sets()
    assert (progressing["status"], progressing["reason"], progressing["message"]) == (
        "False",
        "ProgressDeadlineExceeded",
        f'ReplicaSet "{rs["metadata"]["name"]}" has timed out progressing.',
    )
    from k8slab.kubectl.commands import Kubectl

    output = Kubectl(lab.api).run("rollout status deployment/web")
    assert output.stderr == 'error: deployment "web" exceeded its progress deadline\n'


# ----------------------------------------------------------------------------- ownership


def test_an_orphan_replica_set_matching_the_selector_is_adopted():
    lab = Lab()
    lab.user.create(
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": "stray", "namespace": "default", "labels": {"app": "web"}},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "busybox"}]},
                },
            },
        }
    )
    lab.user.create(manifest(replicas=2))
    lab.run(60)
    stray = lab.user.get("replicasets", "stray", "default")
    assert stray["metadata"]["ownerReferences"][0]["name"] == "web"
    assert stray["spec"]["replicas"] == 0  # an old ReplicaSet now: scaled away by the rollout


def test_a_deployment_selecting_everything_is_refused_with_a_warning():
    lab = Lab()
    d = manifest()
    d["metadata"].update(uid="u", generation=1)
    d["spec"]["selector"] = {}
    d["status"] = {"observedGeneration": 1}
    # The API server's validation keeps such a Deployment out, so it goes straight into the cache.
    lab.controller.deployments._items["default/web"] = d
    lab.controller.sync_deployment("default/web")
    assert lab.messages("SelectingAll") == [
        "This deployment is selecting all pods. A non-empty selector is required."
    ]
    assert lab.replica_sets() == []


def test_a_replica_set_that_no_longer_matches_the_selector_is_released():
    lab = Lab()
    lab.user.create(manifest(replicas=1))
    lab.run(30)
    (rs,) = lab.replica_sets()
    rs["metadata"]["labels"] = {"app": "other"}
    lab.user.update(rs)
    lab.run(30)
    released = lab.user.get("replicasets", rs["metadata"]["name"], "default")
    assert "ownerReferences" not in released["metadata"]
    assert len(lab.replica_sets()) == 2  # the Deployment made itself a new one


def test_a_hash_collision_bumps_collision_count_and_picks_another_name():
    lab = Lab()
    d = manifest(replicas=1)
    taken = util.compute_hash(lab.user.create(d)["spec"]["template"])
    lab.user.delete("deployments", "web", "default")
    squatter = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": f"web-{taken}", "namespace": "default", "labels": {"app": "squatter"}},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"app": "squatter"}},
            "template": {
                "metadata": {"labels": {"app": "squatter"}},
                "spec": {"containers": [{"name": "web", "image": "busybox"}]},
            },
        },
    }
    lab.user.create(squatter)
    lab.user.create(manifest(replicas=1))
    lab.run(30)
    assert lab.deployment()["status"]["collisionCount"] == 1
    ours = [rs for rs in lab.replica_sets() if rs["metadata"]["name"] != f"web-{taken}"]
    (rs,) = ours
    assert rs["metadata"]["labels"]["pod-template-hash"] == util.compute_hash(
        lab.deployment()["spec"]["template"], 1
    )
    assert rs["spec"]["replicas"] == 1


def test_the_same_inputs_give_the_same_names_events_and_timestamps():
    def scenario() -> tuple:
        lab = Lab()
        lab.user.create(manifest(replicas=4))
        lab.run(30)
        lab.set_image("nginx:1.27")
        lab.run(60)
        return (
            [(rs["metadata"]["name"], rs["metadata"]["annotations"]) for rs in lab.replica_sets()],
            lab.messages(),
            lab.deployment()["status"],
        )

    assert scenario() == scenario()


def test_the_controller_can_share_informers_with_other_controllers():
    loop = Loop(strict=True)
    api = APIServer(Store(loop))
    client = Client(api, "system:kube-controller-manager")
    pods = Informer(client, "pods")
    replica_sets = Informer(client, "replicasets")
    controller = DeploymentController(client, EventLog(), replica_sets=replica_sets, pods=pods)
    DeploymentController(client, EventLog(), replica_sets=replica_sets, pods=pods)  # indexes kept once
    pods.run()  # the manager may start a shared informer before the controllers
    controller.run()
    assert controller.pods is pods
    Client(api).create(manifest(replicas=2))
    loop.run(seconds=5)
    (rs,) = replica_sets.list()
    assert rs["spec"]["replicas"] == 2


def test_kubectl_rollout_restart_pause_and_resume_drive_the_controller():
    from k8slab.kubectl.commands import Kubectl

    lab = Lab()
    kubectl = Kubectl(lab.api)
    lab.user.create(manifest(replicas=2))
    lab.run(30)
    assert kubectl.run("rollout pause deployment/web") == "deployment.apps/web paused\n"
    lab.run(5)
    assert kubectl.run("rollout restart deployment/web").exit_code == 1  # kubectl refuses while paused
    assert kubectl.run("rollout resume deployment/web") == "deployment.apps/web resumed\n"
    assert kubectl.run("rollout restart deployment/web") == "deployment.apps/web restarted\n"
    lab.run(60)
    assert len(lab.replica_sets()) == 2  # the restart's template annotation made a new ReplicaSet
    assert [util.revision_of(rs) for rs in lab.replica_sets()] == [1, 2]
    assert kubectl.run("rollout status deployment/web") == 'deployment "web" successfully rolled out\n'


# ----------------------------------------------------------------------------- the real controller manager


def test_a_rolling_update_under_the_controller_manager_with_the_real_replica_set_controller():
    manager_module = pytest.importorskip("k8slab.controllers.manager")
    loop = Loop(strict=True)
    api = APIServer(Store(loop))
    user = Client(api)
    manager = manager_module.ControllerManager(
        Client(api, "system:kube-controller-manager"), controllers=("replicaset", "deployment")
    )
    manager.start()
    FakeKubelet(Client(api, "system:node:node-1")).run()
    user.create(manifest(replicas=4))
    loop.run(seconds=30)
    d = user.get("deployments", "web", "default")
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
    user.update(d)
    max_surge, max_unavailable = 1, 1  # 25% of 4, rounded up and down
    end = loop.now + 120
    while loop.now < end and loop.step() is not None:
        pods = [
            p for p in user.list("pods", "default")["items"] if not p["metadata"].get("deletionTimestamp")
        ]
        assert len(pods) <= 4 + max_surge
        assert sum(1 for p in pods if pod_ready_since(p)) >= 4 - max_unavailable
    d = user.get("deployments", "web", "default")
    assert d["status"]["updatedReplicas"] == d["status"]["availableReplicas"] == 4
    assert condition(d, "Progressing")["reason"] == "NewReplicaSetAvailable"
    events = user.list("events", "default")["items"]
    scaling = [e for e in events if e["reason"] == "ScalingReplicaSet"]
    assert scaling and all(e["involvedObject"]["kind"] == "Deployment" for e in scaling)
