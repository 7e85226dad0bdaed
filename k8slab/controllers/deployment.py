"""The Deployment controller: rollouts as ReplicaSets scaled up and down (notebook 03).

Our copy of upstream's `pkg/controller/deployment/` (deployment_controller.go,
sync.go, rolling.go, recreate.go, progress.go), with the same function names
in snake_case. A Deployment never touches a pod. It owns ReplicaSets, one per
pod template it has run, and changes only their `spec.replicas`; the
ReplicaSet controller makes the pods. A rolling update is therefore a
sequence of small scalings:

    web-7c5ddbdf54 (old template)   3 -> 3 -> 2 -> 2 -> 1 -> 1 -> 0
    web-5d4f7c9b8  (new template)   0 -> 1 -> 1 -> 2 -> 2 -> 3 -> 3
                                         ^ maxSurge lets one extra pod in
                                              ^ a new pod became available: one old may go

Each `sync_deployment(key)` looks at what the informers show now and takes
the next step, exactly as upstream's syncDeployment:

1. Claim the Deployment's ReplicaSets (adopt orphans its selector matches,
   release those it no longer matches).
2. Paused, or only `replicas` changed? Then just scale (`sync`), no rollout.
3. Otherwise roll out with the strategy: `rollout_rolling` (new up within
   maxSurge, old down within maxUnavailable) or `rollout_recreate` (old to 0,
   wait until their pods are gone, then new up).
4. Write status: counts, the Available and Progressing conditions, and a
   timer to look again when the progress deadline would pass.

What differs from upstream, on purpose:

* Our API server's status subresource keeps metadata as it was (upstream's
  keeps annotation changes), so the Deployment's revision annotation is
  written with an ordinary update just before the status write.
* After each write we keep the resourceVersion the API server returned, so
  two writes in one sync do not conflict with each other (upstream sometimes
  gets a Conflict there and simply retries the key).
* Left out: the old `rollbackTo` API (apps/v1 rollbacks are done by
  `kubectl rollout undo`, which rewrites the template: the controller only
  sees a template equal to an old ReplicaSet's and re-uses that ReplicaSet),
  the ReplicaFailure condition (copied from a ReplicaSet's own
  ReplicaFailure), the DeploymentPodReplacementPolicy feature gate and
  status.terminatingReplicas, and metrics. Proportional scaling is upstream's
  whole algorithm (`scale`).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from k8slab.api.errors import AlreadyExists, NotFound
from k8slab.client import Client, Informer, WorkQueue, deep_copy, key_of, process_next_work_item
from k8slab.controllers import deployment_util as util
from k8slab.controllers.controller_utils import get_controller_of, new_controller_ref
from k8slab.controllers.events import EventRecorder

# The same indexes the ReplicaSet controller keeps: on shared informers, each is kept once.
from k8slab.controllers.replicaset import controller_uid_index, labels_match, namespace_index

#: The name this controller's events and requests carry (kube-controller-manager's).
COMPONENT = "deployment-controller"


# ----------------------------------------------------------------------------- events


@dataclass
class RecordedEvent:
    """One event the controller emitted (what `kubectl describe deployment` lists at the bottom)."""

    object_key: str
    type: str
    reason: str
    message: str


@dataclass
class EventLog:
    """A recorder that keeps events in a list instead of writing Event objects (for tests and notebooks).

    It has the same `event(obj, type, reason, message)` as the controller
    manager's EventRecorder, which the controller uses by default.
    """

    events: list[RecordedEvent] = field(default_factory=list)

    def event(self, obj: dict, type: str, reason: str, message: str) -> None:
        self.events.append(RecordedEvent(key_of(obj), type, reason, message))


# ----------------------------------------------------------------------------- the controller


class DeploymentController:
    """Watches Deployments, ReplicaSets and Pods; rolls Deployments out by scaling their ReplicaSets.

        controller = DeploymentController(client)
        controller.run()            # start the informers; the loop does the rest
        client.loop.run(seconds=30)

    `recorder` receives the controller's events (`ScalingReplicaSet`, ...);
    by default the controller manager's EventRecorder. A controller manager
    may pass informers it shares between controllers (upstream's
    NewDeploymentController takes them the same way); by default the
    controller makes its own.
    """

    def __init__(
        self,
        client: Client,
        recorder: Any = None,
        deployments: Informer | None = None,
        replica_sets: Informer | None = None,
        pods: Informer | None = None,
    ):
        self.client = client
        self.loop = client.loop
        self.recorder = recorder if recorder is not None else EventRecorder(client, COMPONENT)
        self.queue = WorkQueue(self.loop, name="deployment", wake=self.worker)
        self.deployments = deployments if deployments is not None else Informer(client, "deployments")
        self.replica_sets = replica_sets if replica_sets is not None else Informer(client, "replicasets")
        self.pods = pods if pods is not None else Informer(client, "pods")
        self.deployments.add_event_handler(
            on_add=self.add_deployment, on_update=self.update_deployment, on_delete=self.delete_deployment
        )
        self.replica_sets.add_event_handler(
            on_add=self.add_replica_set, on_update=self.update_replica_set, on_delete=self.delete_replica_set
        )
        self.pods.add_event_handler(on_delete=self.delete_pod)
        # Indexes, so that a sync reads only its own namespace and its own pods, not the whole cluster's.
        for informer, name, index in (
            (self.deployments, "namespace", namespace_index),
            (self.replica_sets, "namespace", namespace_index),
            (self.pods, "controllerUID", controller_uid_index),
        ):
            try:
                informer.add_index(name, index)
            except ValueError:
                pass  # a shared informer that already keeps this index

    def run(self) -> None:
        """Start the informers (each lists, then watches; one already running is left as it is)."""
        for informer in (self.deployments, self.replica_sets, self.pods):
            informer.run()

    def stop(self) -> None:
        for informer in (self.deployments, self.replica_sets, self.pods):
            informer.stop()
        self.queue.shutdown()

    def worker(self) -> None:
        """Reconcile keys until the queue is empty (the loop wakes us when a key arrives)."""
        while process_next_work_item(self.queue, self.sync_deployment):
            pass

    # -- event handlers: turn every change into the key of the Deployment it concerns ----

    def enqueue(self, deployment: dict) -> None:
        self.queue.add(key_of(deployment))

    def add_deployment(self, deployment: dict) -> None:
        self.enqueue(deployment)

    def update_deployment(self, old: dict, new: dict) -> None:
        self.enqueue(new)

    def delete_deployment(self, deployment: dict) -> None:
        self.enqueue(deployment)

    def add_replica_set(self, rs: dict) -> None:
        """A new ReplicaSet: wake its Deployment, or, for an orphan, every Deployment that may adopt it."""
        if rs["metadata"].get("deletionTimestamp"):
            self.delete_replica_set(rs)
            return
        ref = get_controller_of(rs)
        if ref is not None:
            deployment = self.resolve_controller_ref(rs["metadata"].get("namespace", ""), ref)
            if deployment is not None:
                self.enqueue(deployment)
            return
        for deployment in self.get_deployments_for_replica_set(rs):
            self.enqueue(deployment)

    def update_replica_set(self, old: dict, new: dict) -> None:
        if old["metadata"].get("resourceVersion") == new["metadata"].get("resourceVersion"):
            return  # a resync: nothing changed
        namespace = new["metadata"].get("namespace", "")
        old_ref, new_ref = get_controller_of(old), get_controller_of(new)
        if old_ref is not None and old_ref != new_ref:
            # The controller changed: the old one must learn it lost a ReplicaSet.
            deployment = self.resolve_controller_ref(namespace, old_ref)
            if deployment is not None:
                self.enqueue(deployment)
        if new_ref is not None:
            deployment = self.resolve_controller_ref(namespace, new_ref)
            if deployment is not None:
                self.enqueue(deployment)
            return
        if old["metadata"].get("labels") != new["metadata"].get("labels") or old_ref != new_ref:
            for deployment in self.get_deployments_for_replica_set(new):
                self.enqueue(deployment)

    def delete_replica_set(self, rs: dict) -> None:
        ref = get_controller_of(rs)
        if ref is None:
            return  # an orphan's deletion concerns nobody
        deployment = self.resolve_controller_ref(rs["metadata"].get("namespace", ""), ref)
        if deployment is not None:
            self.enqueue(deployment)

    def delete_pod(self, pod: dict) -> None:
        """A pod is gone: a Recreate rollout waits for exactly this, once its old pods are all gone."""
        deployment = self.get_deployment_for_pod(pod)
        if deployment is None or util.strategy_of(deployment).get("type") != "Recreate":
            return
        replica_sets = self.list_replica_sets(deployment)
        if not any(self.get_pod_map_for_deployment(deployment, replica_sets).values()):
            self.enqueue(deployment)

    def resolve_controller_ref(self, namespace: str, ref: dict) -> dict | None:
        """The Deployment a controller reference names, if it is in the cache with that uid."""
        if ref.get("kind") != "Deployment":
            return None
        deployment = self.deployments.get(f"{namespace}/{ref.get('name')}")
        if deployment is None or deployment["metadata"].get("uid") != ref.get("uid"):
            return None
        return deployment

    def get_deployments_for_replica_set(self, rs: dict) -> list[dict]:
        """The Deployments in the ReplicaSet's namespace whose selector matches its labels."""
        namespace = rs["metadata"].get("namespace", "")
        return [
            d
            for d in self.deployments.by_index("namespace", namespace)
            if (d.get("spec") or {}).get("selector") and labels_match(d["spec"]["selector"], rs)
        ]

    def get_deployment_for_pod(self, pod: dict) -> dict | None:
        """The Deployment controlling the ReplicaSet controlling this pod (pod -> RS -> Deployment)."""
        ref = get_controller_of(pod)
        if ref is None or ref.get("kind") != "ReplicaSet":
            return None
        namespace = pod["metadata"].get("namespace", "")
        rs = self.replica_sets.get(f"{namespace}/{ref.get('name')}")
        if rs is None or rs["metadata"].get("uid") != ref.get("uid"):
            return None
        rs_ref = get_controller_of(rs)
        return self.resolve_controller_ref(namespace, rs_ref) if rs_ref is not None else None

    def list_replica_sets(self, deployment: dict) -> list[dict]:
        """The cached ReplicaSets this Deployment controls."""
        uid = deployment["metadata"].get("uid")
        namespace = deployment["metadata"].get("namespace", "")
        return [
            rs
            for rs in self.replica_sets.by_index("namespace", namespace)
            if (get_controller_of(rs) or {}).get("uid") == uid
        ]

    # -- syncDeployment ------------------------------------------------------------------

    def sync_deployment(self, key: Hashable) -> None:
        """Reconcile one Deployment ("namespace/name"): upstream's syncDeployment, step by step.

        Every decision is made on the informers' caches; every change goes
        through the API client. An error (a 409 Conflict, say) sends the key
        back to the queue, to be tried again on fresher data.
        """
        cached = self.deployments.get(str(key))
        if cached is None:
            return  # deleted: the garbage collector removes its ReplicaSets
        d = deep_copy(cached)
        spec = d.setdefault("spec", {})
        if not spec.get("selector"):
            self.recorder.event(
                d,
                "Warning",
                "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required.",
            )
            status = d.setdefault("status", {})
            if int(status.get("observedGeneration") or 0) < int(d["metadata"].get("generation") or 0):
                status["observedGeneration"] = d["metadata"]["generation"]
                self.update_deployment_status(d)
            return
        replica_sets = self.get_replica_sets_for_deployment(d)
        if d["metadata"].get("deletionTimestamp"):
            self.sync_status_only(d, replica_sets)
            return
        self.check_paused_conditions(d)
        if spec.get("paused"):
            self.sync(d, replica_sets)
            return
        if self.is_scaling_event(d, replica_sets):
            self.sync(d, replica_sets)
            return
        strategy = util.strategy_of(d).get("type", "RollingUpdate")
        if strategy == "Recreate":
            self.rollout_recreate(d, replica_sets)
        elif strategy == "RollingUpdate":
            self.rollout_rolling(d, replica_sets)
        else:
            raise ValueError(f"unexpected deployment strategy type: {strategy}")

    def get_replica_sets_for_deployment(self, d: dict) -> list[dict]:
        """ClaimReplicaSets: the ReplicaSets this Deployment controls, after adopting and releasing.

        An orphan the selector matches is adopted (it gets our controller
        reference); one we control that the selector no longer matches is
        released. Someone else's ReplicaSet is never touched.
        """
        namespace = d["metadata"].get("namespace", "")
        uid = d["metadata"]["uid"]
        deleting = bool(d["metadata"].get("deletionTimestamp"))
        claimed: list[dict] = []
        for rs in self.replica_sets.by_index("namespace", namespace):
            ref = get_controller_of(rs)
            selected = labels_match(d["spec"]["selector"], rs)
            if ref is not None:
                if ref.get("uid") != uid:
                    continue  # another controller's
                if selected:
                    claimed.append(rs)
                elif not deleting:
                    self.release_replica_set(rs, uid)
                continue
            if deleting or not selected or rs["metadata"].get("deletionTimestamp"):
                continue
            adopted = self.adopt_replica_set(d, rs)
            if adopted is not None:
                claimed.append(adopted)
        return claimed

    def adopt_replica_set(self, d: dict, rs: dict) -> dict | None:
        """Put our controller reference on an orphan, if the Deployment (read fresh) is still ours to give."""
        try:
            fresh = self.client.get("deployments", d["metadata"]["name"], d["metadata"].get("namespace"))
        except NotFound:
            return None
        if fresh["metadata"]["uid"] != d["metadata"]["uid"] or fresh["metadata"].get("deletionTimestamp"):
            return None  # RecheckDeletionTimestamp: do not adopt for a Deployment on its way out
        copy = deep_copy(rs)
        copy["metadata"]["ownerReferences"] = [
            *(copy["metadata"].get("ownerReferences") or []),
            new_controller_ref(d, "apps/v1", "Deployment"),
        ]
        try:
            return self.client.update(copy)
        except NotFound:
            return None

    def release_replica_set(self, rs: dict, uid: str) -> None:
        copy = deep_copy(rs)
        refs = [ref for ref in copy["metadata"].get("ownerReferences") or [] if ref.get("uid") != uid]
        copy["metadata"]["ownerReferences"] = refs
        if not refs:
            del copy["metadata"]["ownerReferences"]
        try:
            self.client.update(copy)
        except NotFound:
            pass  # already gone: nothing to release

    def get_pod_map_for_deployment(self, d: dict, replica_sets: list[dict]) -> dict[str, list[dict]]:
        """The Deployment's pods grouped by the uid of the ReplicaSet that controls them."""
        return {
            rs["metadata"]["uid"]: [
                pod
                for pod in self.pods.by_index("controllerUID", rs["metadata"]["uid"])
                if labels_match(d["spec"]["selector"], pod)
            ]
            for rs in replica_sets
        }

    def check_paused_conditions(self, d: dict) -> None:
        """Progressing becomes Unknown/DeploymentPaused on pause, Unknown/DeploymentResumed on resume."""
        if not util.has_progress_deadline(d):
            return
        status = d.setdefault("status", {})
        condition = util.get_deployment_condition(status, util.DEPLOYMENT_PROGRESSING)
        if condition is not None and condition.get("reason") == util.TIMED_OUT_REASON:
            return  # a reported lack of progress is not overwritten by "paused"
        paused_exists = condition is not None and condition.get("reason") == util.PAUSED_DEPLOY_REASON
        now = self.loop.timestamp()
        if d["spec"].get("paused") and not paused_exists:
            util.set_deployment_condition(
                status,
                util.new_deployment_condition(
                    util.DEPLOYMENT_PROGRESSING,
                    "Unknown",
                    util.PAUSED_DEPLOY_REASON,
                    "Deployment is paused",
                    now,
                ),
            )
        elif not d["spec"].get("paused") and paused_exists:
            util.set_deployment_condition(
                status,
                util.new_deployment_condition(
                    util.DEPLOYMENT_PROGRESSING,
                    "Unknown",
                    util.RESUMED_DEPLOY_REASON,
                    "Deployment is resumed",
                    now,
                ),
            )
        else:
            return
        self.update_deployment_status(d)

    def is_scaling_event(self, d: dict, replica_sets: list[dict]) -> bool:
        """isScalingEvent: did spec.replicas change? (An active ReplicaSet remembers other desired counts.)"""
        new_rs, old_replica_sets = self.get_all_replica_sets_and_sync_revision(d, replica_sets, False)
        for rs in util.filter_active_replica_sets([*old_replica_sets, new_rs]):
            desired = util.int_annotation(rs, util.DESIRED_REPLICAS_ANNOTATION)
            if desired is not None and desired != util.replicas_of(d):
                return True
        return False

    # -- sync.go: scaling, new ReplicaSets, history, status -------------------------------

    def sync(self, d: dict, replica_sets: list[dict]) -> None:
        """Scale without rolling out (paused, or replicas changed); when paused, also prune history."""
        new_rs, old_replica_sets = self.get_all_replica_sets_and_sync_revision(d, replica_sets, False)
        self.scale(d, new_rs, old_replica_sets)
        if d["spec"].get("paused"):
            self.cleanup_deployment(old_replica_sets, d)
        self.sync_deployment_status([*old_replica_sets, new_rs], new_rs, d)

    def sync_status_only(self, d: dict, replica_sets: list[dict]) -> None:
        """A Deployment being deleted: report status, change nothing."""
        new_rs, old_replica_sets = self.get_all_replica_sets_and_sync_revision(d, replica_sets, False)
        self.sync_deployment_status([*old_replica_sets, new_rs], new_rs, d)

    def get_all_replica_sets_and_sync_revision(
        self, d: dict, replica_sets: list[dict], create_if_not_existed: bool
    ) -> tuple[dict | None, list[dict]]:
        """(the new ReplicaSet or None, every old ReplicaSet); creates the new one if asked."""
        _, all_old = util.find_old_replica_sets(d, replica_sets)
        new_rs = self.get_new_replica_set(d, replica_sets, all_old, create_if_not_existed)
        return new_rs, all_old

    def get_new_replica_set(
        self, d: dict, replica_sets: list[dict], old_replica_sets: list[dict], create_if_not_existed: bool
    ) -> dict | None:
        """getNewReplicaSet: the ReplicaSet of the current template (annotations synced), created if need be.

        Its revision is one more than the highest old revision. A ReplicaSet
        found again after `kubectl rollout undo` gets that new number, and its
        old number goes to revision-history.
        """
        existing = util.find_new_replica_set(d, replica_sets)
        new_revision = str(util.max_revision(old_replica_sets) + 1)
        if existing is not None:
            return self.sync_new_replica_set(d, existing, new_revision)
        if not create_if_not_existed:
            return None
        return self.create_new_replica_set(d, old_replica_sets, new_revision)

    def sync_new_replica_set(self, d: dict, existing: dict, new_revision: str) -> dict:
        """The new ReplicaSet exists: sync its annotations and minReadySeconds, then the revision."""
        rs = deep_copy(existing)
        annotations_updated = util.set_new_replica_set_annotations(d, rs, new_revision, True)
        min_ready_seconds = d["spec"].get("minReadySeconds", 0)
        if annotations_updated or rs["spec"].get("minReadySeconds", 0) != min_ready_seconds:
            rs["spec"]["minReadySeconds"] = min_ready_seconds
            return self.client.update(rs)  # the Deployment's revision follows on the next sync
        status = d.setdefault("status", {})
        needs_update = util.set_deployment_revision(
            d, rs["metadata"]["annotations"].get(util.REVISION_ANNOTATION, "")
        )
        if (
            util.has_progress_deadline(d)
            and util.get_deployment_condition(status, util.DEPLOYMENT_PROGRESSING) is None
        ):
            # A Deployment that never had a Progressing condition: start counting from now.
            message = f'Found new replica set "{rs["metadata"]["name"]}"'
            util.set_deployment_condition(status, self.progressing("True", util.FOUND_NEW_RS_REASON, message))
            needs_update = True
        if needs_update:
            self.update_deployment_status(d)
        return rs

    def create_new_replica_set(self, d: dict, old_replica_sets: list[dict], new_revision: str) -> dict:
        """Create the ReplicaSet of the Deployment's template, named and labelled with its hash."""
        status = d.setdefault("status", {})
        template = deep_copy(d["spec"]["template"])
        pod_template_hash = util.compute_hash(template, status.get("collisionCount"))
        template.setdefault("metadata", {})["labels"] = util.template_hash_label(
            (d["spec"]["template"].get("metadata") or {}).get("labels"), pod_template_hash
        )
        new_rs = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"{d['metadata']['name']}-{pod_template_hash}",  # deterministic: a retry finds it
                "namespace": d["metadata"].get("namespace", "default"),
                "ownerReferences": [new_controller_ref(d, "apps/v1", "Deployment")],
                "labels": dict(template["metadata"]["labels"]),
            },
            "spec": {
                "replicas": 0,
                "minReadySeconds": d["spec"].get("minReadySeconds", 0),
                "selector": util.selector_with_hash(d["spec"]["selector"], pod_template_hash),
                "template": template,
            },
        }
        new_replicas = util.new_rs_new_replicas(d, [*old_replica_sets, new_rs], new_rs)
        new_rs["spec"]["replicas"] = new_replicas
        util.set_new_replica_set_annotations(d, new_rs, new_revision, False)
        already_exists = False
        try:
            created = self.client.create(new_rs)
        except AlreadyExists:
            # A slow cache, or a hash collision with a ReplicaSet that is not ours.
            already_exists = True
            created = self.replica_sets.get(key_of(new_rs))
            if created is None:
                raise
            ref = get_controller_of(created)
            if not (
                ref is not None
                and ref.get("uid") == d["metadata"]["uid"]
                and util.equal_ignore_hash(d["spec"]["template"], created["spec"]["template"])
            ):
                # A collision: bump collisionCount (a different hash next time) and retry the key.
                status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
                self.update_deployment_status(d)
                raise
            created = deep_copy(created)
        except Exception as error:
            message = f'Failed to create new replica set "{new_rs["metadata"]["name"]}": {error}'
            if util.has_progress_deadline(d):
                util.set_deployment_condition(
                    status, self.progressing("False", util.FAILED_RS_CREATE_REASON, message)
                )
                try:
                    self.update_deployment_status(d)
                except Exception:  # noqa: BLE001 - the bigger problem is reported below
                    pass
            self.recorder.event(d, "Warning", util.FAILED_RS_CREATE_REASON, message)
            raise
        name = created["metadata"]["name"]
        if not already_exists and new_replicas > 0:
            self.recorder.event(
                d, "Normal", "ScalingReplicaSet", f"Scaled up replica set {name} from 0 to {new_replicas}"
            )
        needs_update = util.set_deployment_revision(d, new_revision)
        if not already_exists and util.has_progress_deadline(d):
            message = f'Created new replica set "{name}"'
            util.set_deployment_condition(status, self.progressing("True", util.NEW_RS_REASON, message))
            needs_update = True
        if needs_update:
            self.update_deployment_status(d)
        return created

    def progressing(self, status: str, reason: str, message: str) -> dict:
        """A Progressing condition stamped with the virtual clock's now."""
        return util.new_deployment_condition(
            util.DEPLOYMENT_PROGRESSING, status, reason, message, self.loop.timestamp()
        )

    def scale(self, d: dict, new_rs: dict | None, old_replica_sets: list[dict]) -> None:
        """Bring the ReplicaSets' total to replicas (+ maxSurge during a rolling update), proportionally.

        One active ReplicaSet (or none): it simply gets spec.replicas. A
        saturated new ReplicaSet: the old ones go to 0. Otherwise (a rollout
        in progress and replicas changed), each active ReplicaSet gets its
        share of the difference, the largest first, and the leftover of the
        rounding goes to the largest.
        """
        active_or_latest = util.find_active_or_latest(new_rs, old_replica_sets)
        replicas = util.replicas_of(d)
        if active_or_latest is not None:
            if util.replicas_of(active_or_latest) != replicas:
                self.scale_replica_set_and_record_event(active_or_latest, replicas, d)
            return
        if util.is_saturated(d, new_rs):
            for old in util.filter_active_replica_sets(old_replica_sets):
                self.scale_replica_set_and_record_event(old, 0, d)
            return
        if not util.is_rolling_update(d):
            return
        active = util.filter_active_replica_sets([*old_replica_sets, new_rs])
        allowed_size = replicas + util.max_surge(d) if replicas > 0 else 0
        to_add = allowed_size - util.get_replica_count(active)
        if to_add > 0:
            active, operation = util.by_size_newer(active), "up"
        elif to_add < 0:
            active, operation = util.by_size_older(active), "down"
        else:
            operation = ""
        added = 0
        sizes: dict[str, int] = {}
        for rs in active:
            if to_add != 0:
                proportion = util.get_replica_set_proportion(rs, d, to_add, added)
                sizes[rs["metadata"]["name"]] = util.replicas_of(rs) + proportion
                added += proportion
            else:
                sizes[rs["metadata"]["name"]] = util.replicas_of(rs)
        for index, rs in enumerate(active):
            name = rs["metadata"]["name"]
            if index == 0 and to_add != 0:
                sizes[name] = max(0, sizes[name] + to_add - added)  # the leftover goes to the largest
            self.scale_replica_set(rs, sizes[name], d, operation)

    def scale_replica_set_and_record_event(self, rs: dict, new_scale: int, d: dict) -> tuple[bool, dict]:
        if util.replicas_of(rs) == new_scale:
            return False, rs
        operation = "up" if util.replicas_of(rs) < new_scale else "down"
        return self.scale_replica_set(rs, new_scale, d, operation)

    def scale_replica_set(self, rs: dict, new_scale: int, d: dict, operation: str) -> tuple[bool, dict]:
        """Write the new spec.replicas (and replicas annotations); emit ScalingReplicaSet if it changed."""
        size_needs_update = util.replicas_of(rs) != new_scale
        max_replicas = util.replicas_of(d) + util.max_surge(d)
        annotations_need_update = util.replicas_annotations_need_update(rs, util.replicas_of(d), max_replicas)
        if not (size_needs_update or annotations_need_update):
            return False, rs
        old_scale = util.replicas_of(rs)
        copy = deep_copy(rs)
        copy["spec"]["replicas"] = new_scale
        util.set_replicas_annotations(copy, util.replicas_of(d), max_replicas)
        updated = self.client.update(copy)
        if size_needs_update:
            self.recorder.event(
                d,
                "Normal",
                "ScalingReplicaSet",
                f"Scaled {operation} replica set {updated['metadata']['name']} "
                f"from {old_scale} to {new_scale}",
            )
        return size_needs_update, updated

    def cleanup_deployment(self, old_replica_sets: list[dict], d: dict) -> None:
        """Delete the oldest old ReplicaSets beyond revisionHistoryLimit, if scaled to 0 and settled."""
        if not util.has_revision_history_limit(d):
            return
        cleanable = [
            rs for rs in old_replica_sets if rs is not None and not rs["metadata"].get("deletionTimestamp")
        ]
        diff = len(cleanable) - int(d["spec"]["revisionHistoryLimit"])
        if diff <= 0:
            return
        for rs in util.by_revision(cleanable)[:diff]:
            if (
                int((rs.get("status") or {}).get("replicas") or 0) != 0
                or util.replicas_of(rs) != 0
                or int(rs["metadata"].get("generation") or 0)
                > int((rs.get("status") or {}).get("observedGeneration") or 0)
            ):
                continue  # it still has pods, or its controller has not caught up yet
            try:
                self.client.delete("replicasets", rs["metadata"]["name"], rs["metadata"].get("namespace"))
            except NotFound:
                pass

    def calculate_status(self, all_replica_sets: list[dict | None], new_rs: dict | None, d: dict) -> dict:
        """calculateStatus: the counts from the ReplicaSets' status, and the Available condition.

        Zero counts are left out, as Go's `omitempty` leaves them out of the JSON.
        """
        available = util.get_available_replica_count(all_replica_sets)
        total = util.get_replica_count(all_replica_sets)
        old_status = d.get("status") or {}
        counts = {
            "observedGeneration": int(d["metadata"].get("generation") or 0),
            "replicas": util.get_actual_replica_count(all_replica_sets),
            "updatedReplicas": util.get_actual_replica_count([new_rs]),
            "readyReplicas": util.get_ready_replica_count(all_replica_sets),
            "availableReplicas": available,
            "unavailableReplicas": max(0, total - available),  # negative while scaling down: report 0
        }
        status: dict[str, Any] = {key: value for key, value in counts.items() if value}
        if old_status.get("conditions"):
            status["conditions"] = [dict(c) for c in old_status["conditions"]]
        if old_status.get("collisionCount") is not None:
            status["collisionCount"] = old_status["collisionCount"]
        now = self.loop.timestamp()
        if available >= util.replicas_of(d) - util.max_unavailable(d):
            condition = util.new_deployment_condition(
                util.DEPLOYMENT_AVAILABLE,
                "True",
                util.MINIMUM_REPLICAS_AVAILABLE,
                "Deployment has minimum availability.",
                now,
            )
        else:
            condition = util.new_deployment_condition(
                util.DEPLOYMENT_AVAILABLE,
                "False",
                util.MINIMUM_REPLICAS_UNAVAILABLE,
                "Deployment does not have minimum availability.",
                now,
            )
        util.set_deployment_condition(status, condition)
        return status

    def sync_deployment_status(
        self, all_replica_sets: list[dict | None], new_rs: dict | None, d: dict
    ) -> None:
        new_status = self.calculate_status(all_replica_sets, new_rs, d)
        if new_status == (d.get("status") or {}):
            return
        d["status"] = new_status
        self.update_deployment_status(d)

    def update_deployment_status(self, d: dict) -> None:
        """Write d's status (and, first, its annotations if they changed: see the module docstring)."""
        cached = self.deployments.get(key_of(d)) or {}
        if (cached.get("metadata") or {}).get("annotations") != d["metadata"].get("annotations"):
            written = self.client.update(deep_copy(d))
            d["metadata"]["resourceVersion"] = written["metadata"]["resourceVersion"]
        written = self.client.update_status(deep_copy(d))
        d["metadata"]["resourceVersion"] = written["metadata"]["resourceVersion"]

    # -- rolling.go ----------------------------------------------------------------------

    def rollout_rolling(self, d: dict, replica_sets: list[dict]) -> None:
        """One step of a rolling update: scale the new ReplicaSet up if we can, else the old ones down."""
        new_rs, old_replica_sets = self.get_all_replica_sets_and_sync_revision(d, replica_sets, True)
        assert new_rs is not None
        all_replica_sets = [*old_replica_sets, new_rs]
        scaled_up, new_rs = self.reconcile_new_replica_set(all_replica_sets, new_rs, d)
        all_replica_sets = [*old_replica_sets, new_rs]
        if scaled_up:
            self.sync_rollout_status(all_replica_sets, new_rs, d)
            return
        scaled_down = self.reconcile_old_replica_sets(
            all_replica_sets, util.filter_active_replica_sets(old_replica_sets), new_rs, d
        )
        if scaled_down:
            self.sync_rollout_status(all_replica_sets, new_rs, d)
            return
        if util.deployment_complete(d, d.get("status") or {}):
            self.cleanup_deployment(old_replica_sets, d)
        self.sync_rollout_status(all_replica_sets, new_rs, d)

    def reconcile_new_replica_set(
        self, all_replica_sets: list[dict], new_rs: dict, d: dict
    ) -> tuple[bool, dict]:
        """Scale the new ReplicaSet toward replicas, as far as maxSurge allows."""
        replicas = util.replicas_of(d)
        if util.replicas_of(new_rs) == replicas:
            return False, new_rs
        if util.replicas_of(new_rs) > replicas:
            return self.scale_replica_set_and_record_event(new_rs, replicas, d)
        new_replicas = util.new_rs_new_replicas(d, all_replica_sets, new_rs)
        return self.scale_replica_set_and_record_event(new_rs, new_replicas, d)

    def reconcile_old_replica_sets(
        self, all_replica_sets: list[dict], old_replica_sets: list[dict], new_rs: dict, d: dict
    ) -> bool:
        """Scale old ReplicaSets down as far as maxUnavailable allows; unhealthy replicas go first.

        maxScaledDown = all pods - minAvailable - new pods not yet available:
        pods we may remove without dropping below replicas - maxUnavailable,
        even if none of the new pods ever becomes available.
        """
        old_pods = util.get_replica_count(old_replica_sets)
        if old_pods == 0:
            return False  # nothing left to scale down
        all_pods = util.get_replica_count(all_replica_sets)
        min_available = util.replicas_of(d) - util.max_unavailable(d)
        new_rs_unavailable = util.replicas_of(new_rs) - int(
            (new_rs.get("status") or {}).get("availableReplicas") or 0
        )
        max_scaled_down = all_pods - min_available - new_rs_unavailable
        if max_scaled_down <= 0:
            return False
        try:
            old_replica_sets, cleaned_up = self.cleanup_unhealthy_replicas(
                old_replica_sets, d, max_scaled_down
            )
        except InvalidScaleDown:
            return False  # as upstream: no scaling this time; the ReplicaSet's status will catch up
        scaled_down = self.scale_down_old_replica_sets_for_rolling_update(
            [*old_replica_sets, new_rs], old_replica_sets, d
        )
        return cleaned_up + scaled_down > 0

    def cleanup_unhealthy_replicas(
        self, old_replica_sets: list[dict], d: dict, max_cleanup_count: int
    ) -> tuple[list[dict], int]:
        """Scale old ReplicaSets down by their unavailable replicas: removing those costs no availability.

        Without this, old pods that never become ready would block the rollout
        until it times out (kubernetes/kubernetes#16737).
        """
        old_replica_sets = util.by_creation_timestamp(old_replica_sets)
        total = 0
        for index, rs in enumerate(old_replica_sets):
            if total >= max_cleanup_count:
                break
            replicas = util.replicas_of(rs)
            available = int((rs.get("status") or {}).get("availableReplicas") or 0)
            if replicas == 0 or replicas == available:
                continue
            count = min(max_cleanup_count - total, replicas - available)
            if count < 0:
                # More available than asked for: the status is from before a scale-down. Do not "clean
                # up" by scaling it back up.
                raise InvalidScaleDown(
                    "when cleaning up unhealthy replicas, got invalid request to scale down "
                    f"{key_of(rs)} {replicas} -> {replicas - count}"
                )
            _, updated = self.scale_replica_set_and_record_event(rs, replicas - count, d)
            total += count
            old_replica_sets[index] = updated
        return old_replica_sets, total

    def scale_down_old_replica_sets_for_rolling_update(
        self, all_replica_sets: list[dict], old_replica_sets: list[dict], d: dict
    ) -> int:
        """Scale the oldest ReplicaSets down by the available pods above replicas - maxUnavailable."""
        min_available = util.replicas_of(d) - util.max_unavailable(d)
        available = util.get_available_replica_count(all_replica_sets)
        if available <= min_available:
            return 0
        to_scale_down = available - min_available
        total = 0
        for rs in util.by_creation_timestamp(old_replica_sets):
            if total >= to_scale_down:
                break
            if util.replicas_of(rs) == 0:
                continue
            count = min(util.replicas_of(rs), to_scale_down - total)
            self.scale_replica_set_and_record_event(rs, util.replicas_of(rs) - count, d)
            total += count
        return total

    # -- recreate.go ---------------------------------------------------------------------

    def rollout_recreate(self, d: dict, replica_sets: list[dict]) -> None:
        """Recreate: every old pod goes first; the new ReplicaSet is created and scaled up only after."""
        new_rs, old_replica_sets = self.get_all_replica_sets_and_sync_revision(d, replica_sets, False)
        all_replica_sets = [*old_replica_sets, new_rs]
        if self.scale_down_old_replica_sets_for_recreate(
            util.filter_active_replica_sets(old_replica_sets), d
        ):
            self.sync_rollout_status(all_replica_sets, new_rs, d)
            return
        pod_map = self.get_pod_map_for_deployment(d, replica_sets)
        if old_pods_running(new_rs, old_replica_sets, pod_map):
            self.sync_rollout_status(all_replica_sets, new_rs, d)
            return
        if new_rs is None:
            new_rs, old_replica_sets = self.get_all_replica_sets_and_sync_revision(d, replica_sets, True)
            all_replica_sets = [*old_replica_sets, new_rs]
        assert new_rs is not None
        self.scale_replica_set_and_record_event(new_rs, util.replicas_of(d), d)
        if util.deployment_complete(d, d.get("status") or {}):
            self.cleanup_deployment(old_replica_sets, d)
        self.sync_rollout_status(all_replica_sets, new_rs, d)

    def scale_down_old_replica_sets_for_recreate(self, old_replica_sets: list[dict], d: dict) -> bool:
        scaled = False
        for rs in old_replica_sets:
            if util.replicas_of(rs) == 0:
                continue
            did_scale, _ = self.scale_replica_set_and_record_event(rs, 0, d)
            scaled = scaled or did_scale
        return scaled

    # -- progress.go ---------------------------------------------------------------------

    def sync_rollout_status(self, all_replica_sets: list[dict | None], new_rs: dict | None, d: dict) -> None:
        """Status plus the Progressing condition: progressing, complete, or past its deadline."""
        new_status = self.calculate_status(all_replica_sets, new_rs, d)
        if not util.has_progress_deadline(d):
            util.remove_deployment_condition(new_status, util.DEPLOYMENT_PROGRESSING)
        current = util.get_deployment_condition(d.get("status") or {}, util.DEPLOYMENT_PROGRESSING)
        is_complete_deployment = (
            new_status.get("replicas", 0) == new_status.get("updatedReplicas", 0)
            and current is not None
            and current.get("reason") == util.NEW_RS_AVAILABLE_REASON
        )
        name = d["metadata"]["name"]
        subject = (
            f'ReplicaSet "{new_rs["metadata"]["name"]}"' if new_rs is not None else f'Deployment "{name}"'
        )
        now = self.loop.timestamp()
        if util.has_progress_deadline(d) and not is_complete_deployment:
            if util.deployment_complete(d, new_status):
                util.set_deployment_condition(
                    new_status,
                    util.new_deployment_condition(
                        util.DEPLOYMENT_PROGRESSING,
                        "True",
                        util.NEW_RS_AVAILABLE_REASON,
                        f"{subject} has successfully progressed.",
                        now,
                    ),
                )
            elif util.deployment_progressing(d, new_status):
                condition = util.new_deployment_condition(
                    util.DEPLOYMENT_PROGRESSING,
                    "True",
                    util.REPLICA_SET_UPDATED_REASON,
                    f"{subject} is progressing.",
                    now,
                )
                # Progress moves lastUpdateTime even with the same reason (the deadline counts from it).
                if current is not None:
                    if current["status"] == "True":
                        condition["lastTransitionTime"] = current["lastTransitionTime"]
                    util.remove_deployment_condition(new_status, util.DEPLOYMENT_PROGRESSING)
                util.set_deployment_condition(new_status, condition)
            elif util.deployment_timed_out(d, new_status, self.loop.datetime()):
                util.set_deployment_condition(
                    new_status,
                    util.new_deployment_condition(
                        util.DEPLOYMENT_PROGRESSING,
                        "False",
                        util.TIMED_OUT_REASON,
                        f"{subject} has timed out progressing.",
                        now,
                    ),
                )
        if new_status == (d.get("status") or {}):
            self.requeue_stuck_deployment(d, new_status)
            return
        d["status"] = new_status
        self.update_deployment_status(d)

    def requeue_stuck_deployment(self, d: dict, new_status: dict) -> float:
        """Look at the Deployment again when its progress deadline would pass (-1: no need)."""
        current = util.get_deployment_condition(d.get("status") or {}, util.DEPLOYMENT_PROGRESSING)
        if not util.has_progress_deadline(d) or current is None:
            return -1
        if util.deployment_complete(d, new_status) or current.get("reason") == util.TIMED_OUT_REASON:
            return -1
        last_update = util.parse_time(current.get("lastUpdateTime"))
        if last_update is None:
            return -1
        deadline = int(d["spec"]["progressDeadlineSeconds"])
        after = (last_update - self.loop.datetime()).total_seconds() + deadline
        if after < 1:
            self.queue.add_rate_limited(key_of(d))
            return 0
        # One second more, so the check lands after the deadline, not on it (kubernetes#39785).
        self.queue.add_after(key_of(d), after + 1)
        return after


class InvalidScaleDown(Exception):
    """A scale-down that would scale up (computed from a ReplicaSet status that lags its spec)."""


def old_pods_running(
    new_rs: dict | None, old_replica_sets: list[dict], pod_map: dict[str, list[dict]]
) -> bool:
    """oldPodsRunning: does any pod of an old ReplicaSet still exist in a non-terminal phase?"""
    if util.get_actual_replica_count(old_replica_sets) > 0:
        return True
    new_uid = new_rs["metadata"]["uid"] if new_rs is not None else None
    for uid, pods in pod_map.items():
        if uid == new_uid:
            continue
        for pod in pods:
            if (pod.get("status") or {}).get("phase") not in ("Failed", "Succeeded"):
                return True
    return False


__all__ = ["DeploymentController", "EventLog", "RecordedEvent", "old_pods_running"]
