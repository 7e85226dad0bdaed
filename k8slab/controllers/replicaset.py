"""The ReplicaSet controller: keep `spec.replicas` pods running that match the selector.

Built in notebook 03 (the controller manager), after the tiny reconcile
loop the learner writes by hand. Upstream: `pkg/controller/replicaset/replica_set.go`;
the method names are upstream's (`syncReplicaSet` -> `sync_replica_set`,
`manageReplicas` -> `manage_replicas`, `claimPods` -> `claim_pods`).

    informers (ReplicaSets, Pods) --handlers--> queue of ReplicaSet keys --worker--> sync_replica_set(key)

sync_replica_set reads only the informers' caches and writes only through
the client:

1. the pods of the namespace that are active (not finished, not being deleted);
2. *claim* them: adopt orphans that match the selector (add an ownerReference),
   release owned pods that stopped matching (remove it), keep the rest;
3. if the expectations are satisfied (no create or delete of ours is still
   on its way back through the watch), create or delete the difference:
   creates in "slow start" batches of 1, 2, 4, ... and at most 500 per sync
   (burstReplicas), deletes chosen by `controller_utils.deletion_rank`;
4. write the status (replicas, readyReplicas, availableReplicas, ...) if it changed.

Simplified, out loud: upstream ranks pods to delete also by the
`controller.kubernetes.io/pod-deletion-cost` annotation and by how many
sibling pods share their node (ActivePodsWithRanks, LogarithmicScaleDown);
here the plain ActivePods order decides. Upstream creates a batch's pods in
parallel goroutines; here one after the other, which the single loop makes
the same thing.
"""

from __future__ import annotations

from typing import Any

from k8slab.api.errors import NotFound, StatusError
from k8slab.api.selectors import selector_from_label_selector
from k8slab.client import Client, Informer, WorkQueue, deep_copy, key_of, process_next_work_item, split_key
from k8slab.controllers.controller_utils import (
    SLOW_START_INITIAL_BATCH_SIZE,
    UIDTrackingControllerExpectations,
    filter_active_pods,
    get_controller_of,
    get_pod_from_template,
    is_pod_available,
    is_pod_ready,
    new_controller_ref,
    pods_to_delete,
)
from k8slab.controllers.events import NORMAL, WARNING, EventRecorder

COMPONENT = "replicaset-controller"

#: At most this many pods are created or deleted in one sync (upstream's BurstReplicas).
BURST_REPLICAS = 500

KIND = "ReplicaSet"
API_VERSION = "apps/v1"


def namespace_index(obj: dict) -> list[str]:
    """client-go's MetaNamespaceIndexFunc: file every object under its namespace."""
    return [obj["metadata"].get("namespace", "")]


def controller_uid_index(obj: dict) -> list[str]:
    """File an object under the uid of its controller (none: not filed)."""
    ref = get_controller_of(obj)
    return [ref["uid"]] if ref is not None and ref.get("uid") else []


def name_of(obj: dict) -> str:
    return obj["metadata"]["name"]


def orphan_index(obj: dict) -> list[str]:
    """File a pod that has no controller under its namespace (the pods a ReplicaSet may adopt)."""
    return [obj["metadata"].get("namespace", "")] if get_controller_of(obj) is None else []


def labels_match(selector: dict | None, obj: dict) -> bool:
    return selector_from_label_selector(selector).matches(obj["metadata"].get("labels") or {})


class ReplicaSetController:
    """Creates and deletes pods so that each ReplicaSet has `spec.replicas` of them.

        controller = ReplicaSetController(client)
        controller.run()              # start the informers; the loop does the rest
        client.loop.run(seconds=5)

    A controller manager passes shared informers (`replica_sets=`, `pods=`)
    so that every controller reads one cache; by default it makes its own.
    """

    def __init__(
        self,
        client: Client,
        recorder: Any = None,
        replica_sets: Informer | None = None,
        pods: Informer | None = None,
        burst_replicas: int = BURST_REPLICAS,
    ):
        self.client = client
        self.loop = client.loop
        self.recorder = recorder if recorder is not None else EventRecorder(client, COMPONENT)
        self.burst_replicas = burst_replicas
        self.expectations = UIDTrackingControllerExpectations(self.loop)
        self.queue = WorkQueue(self.loop, name="replicaset", wake=self.worker)
        self.replica_sets = replica_sets if replica_sets is not None else Informer(client, "replicasets")
        self.pods = pods if pods is not None else Informer(client, "pods")
        self.replica_sets.add_event_handler(
            on_add=self.add_rs, on_update=self.update_rs, on_delete=self.delete_rs
        )
        self.pods.add_event_handler(on_add=self.add_pod, on_update=self.update_pod, on_delete=self.delete_pod)
        for informer, name, index in (
            (self.replica_sets, "namespace", namespace_index),
            (self.pods, "controllerUID", controller_uid_index),
            (self.pods, "orphans", orphan_index),
        ):
            try:
                informer.add_index(name, index)
            except ValueError:
                pass  # a shared informer that already keeps this index

    def run(self) -> None:
        """Start the informers (each lists, then watches; one already running is left as it is)."""
        for informer in (self.replica_sets, self.pods):
            informer.run()

    def stop(self) -> None:
        for informer in (self.replica_sets, self.pods):
            informer.stop()
        self.queue.shutdown()

    def worker(self) -> None:
        """Reconcile keys until the queue is empty (the loop wakes us when a key arrives)."""
        while process_next_work_item(self.queue, self.sync_replica_set):
            pass

    # -- event handlers: every change becomes the key of the ReplicaSet it concerns ----------

    def enqueue(self, rs: dict) -> None:
        self.queue.add(key_of(rs))

    def add_rs(self, rs: dict) -> None:
        self.enqueue(rs)

    def update_rs(self, old: dict, new: dict) -> None:
        if old["metadata"].get("uid") != new["metadata"].get("uid"):
            self.delete_rs(old)  # deleted and recreated under the same name while we looked away
        self.enqueue(new)

    def delete_rs(self, rs: dict) -> None:
        self.expectations.delete_expectations(key_of(rs))
        self.enqueue(rs)

    def add_pod(self, pod: dict) -> None:
        """A pod appeared: one of our creates arrived (lower the expectations), or an orphan to adopt."""
        if pod["metadata"].get("deletionTimestamp"):
            self.delete_pod(pod)  # a restarted controller may see a pod already being deleted
            return
        ref = get_controller_of(pod)
        if ref is not None:
            rs = self.resolve_controller_ref(pod["metadata"].get("namespace", ""), ref)
            if rs is not None:
                self.expectations.creation_observed(key_of(rs))
                self.enqueue(rs)
            return
        for rs in self.get_pod_replica_sets(pod):  # an orphan: wake whoever may adopt it
            self.enqueue(rs)

    def update_pod(self, old: dict, new: dict) -> None:
        if old["metadata"].get("resourceVersion") == new["metadata"].get("resourceVersion"):
            return  # a resync: nothing changed
        labels_changed = old["metadata"].get("labels") != new["metadata"].get("labels")
        if new["metadata"].get("deletionTimestamp"):
            self.delete_pod(new)  # graceful deletion: treat it as gone now, do not wait for the kubelet
            if labels_changed:
                self.delete_pod(old)
            return
        namespace = new["metadata"].get("namespace", "")
        old_ref, new_ref = get_controller_of(old), get_controller_of(new)
        if old_ref is not None and old_ref != new_ref:
            rs = self.resolve_controller_ref(namespace, old_ref)  # the old controller lost a pod
            if rs is not None:
                self.enqueue(rs)
        if new_ref is not None:
            rs = self.resolve_controller_ref(namespace, new_ref)
            if rs is not None:
                self.enqueue(rs)
                min_ready = rs["spec"].get("minReadySeconds", 0)
                if min_ready > 0 and not is_pod_ready(old) and is_pod_ready(new):
                    # It becomes available minReadySeconds from now: look again then.
                    self.queue.add_after(key_of(rs), min_ready + 1)
            return
        if labels_changed or old_ref != new_ref:
            for rs in self.get_pod_replica_sets(new):
                self.enqueue(rs)

    def delete_pod(self, pod: dict) -> None:
        ref = get_controller_of(pod)
        if ref is None:
            return  # nobody controlled it: nobody cares
        rs = self.resolve_controller_ref(pod["metadata"].get("namespace", ""), ref)
        if rs is None:
            return
        self.expectations.deletion_observed(key_of(rs), key_of(pod))
        self.enqueue(rs)

    def resolve_controller_ref(self, namespace: str, ref: dict) -> dict | None:
        """The ReplicaSet an ownerReference names, if it is one we know (same uid), else None."""
        if ref.get("kind") != KIND:
            return None
        rs = self.replica_sets.get(f"{namespace}/{ref['name']}")
        if rs is None or rs["metadata"].get("uid") != ref.get("uid"):
            return None  # the owner is gone, or was recreated under the same name
        return rs

    def get_pod_replica_sets(self, pod: dict) -> list[dict]:
        """The ReplicaSets of the pod's namespace whose selector matches it (candidates to adopt it)."""
        namespace = pod["metadata"].get("namespace", "")
        return [
            rs
            for rs in self.replica_sets.by_index("namespace", namespace)
            if rs["spec"].get("selector") and labels_match(rs["spec"]["selector"], pod)
        ]

    # -- the reconcile -----------------------------------------------------------------------

    def sync_replica_set(self, key: str) -> None:
        """syncReplicaSet: make the pods of one ReplicaSet what its spec asks, then report its status."""
        namespace, _ = split_key(key)
        rs = self.replica_sets.get(key)
        if rs is None:
            self.expectations.delete_expectations(key)  # deleted: forget what we waited for
            return
        rs_needs_sync = self.expectations.satisfied_expectations(key)
        selector = rs["spec"].get("selector")
        all_pods = self.candidate_pods(rs, namespace)
        filtered_pods = self.claim_pods(rs, selector, filter_active_pods(all_pods))
        manage_error: StatusError | None = None
        if rs_needs_sync and not rs["metadata"].get("deletionTimestamp"):
            manage_error = self.manage_replicas(filtered_pods, rs)
        rs = self.update_replica_set_status(rs, self.calculate_status(rs, filtered_pods, manage_error))
        min_ready = rs["spec"].get("minReadySeconds", 0)
        status = rs.get("status", {})
        if (
            manage_error is None
            and min_ready > 0
            and status.get("readyReplicas", 0) == rs["spec"].get("replicas", 1)
            and status.get("availableReplicas", 0) != rs["spec"].get("replicas", 1)
        ):
            self.queue.add_after(key, min_ready)  # pods ready but not yet available: look again then
        if manage_error is not None:
            raise manage_error  # the workqueue retries the key with back-off

    def candidate_pods(self, rs: dict, namespace: str) -> list[dict]:
        """The pods a claim can keep or adopt: the ones this ReplicaSet controls, and the orphans.

        Upstream lists every pod of the namespace and lets the claim skip
        those another controller owns; asking two indexes for the only pods
        the claim can use gives the same answer without scanning a namespace
        of 100,000 pods on every sync.
        """
        owned = self.pods.by_index("controllerUID", rs["metadata"]["uid"])
        orphans = self.pods.by_index("orphans", namespace)
        return owned + orphans

    def claim_pods(self, rs: dict, selector: dict | None, pods: list[dict]) -> list[dict]:
        """ClaimPods: the pods this ReplicaSet owns after adopting matching orphans and releasing strays.

        A pod owned by another controller is never touched. A ReplicaSet being
        deleted adopts nothing and releases nothing.
        """
        uid = rs["metadata"]["uid"]
        deleting = bool(rs["metadata"].get("deletionTimestamp"))
        parsed = selector_from_label_selector(selector) if selector else None  # parsed once, used per pod
        claimed = []
        fresh_checked = False
        for pod in pods:
            ref = get_controller_of(pod)
            matches = parsed is not None and parsed.matches(pod["metadata"].get("labels") or {})
            if ref is not None:
                if ref.get("uid") != uid:
                    continue  # someone else's
                if matches:
                    claimed.append(pod)
                elif not deleting:
                    self.release_pod(rs, pod)
                continue
            if deleting or not matches or pod["metadata"].get("deletionTimestamp"):
                continue
            if not fresh_checked:
                # canAdopt: read the ReplicaSet from the API server, not the cache, before adopting
                # anything: if it was deleted meanwhile, adopting would only make new orphans.
                fresh = self.client.get("replicasets", name_of(rs), namespace=rs["metadata"]["namespace"])
                if fresh["metadata"]["uid"] != uid or fresh["metadata"].get("deletionTimestamp"):
                    return claimed
                fresh_checked = True
            adopted = self.adopt_pod(rs, pod)
            if adopted is not None:
                claimed.append(adopted)
        return claimed

    def adopt_pod(self, rs: dict, pod: dict) -> dict | None:
        """Add this ReplicaSet's controller ownerReference to an orphan (a strategic merge patch by uid)."""
        ref = new_controller_ref(rs, API_VERSION, KIND)
        patch = {"metadata": {"ownerReferences": [ref], "uid": pod["metadata"]["uid"]}}
        try:
            return self.client.patch("pods", name_of(pod), patch, namespace=pod["metadata"]["namespace"])
        except NotFound:
            return None  # gone already: nothing to adopt

    def release_pod(self, rs: dict, pod: dict) -> None:
        """Remove this ReplicaSet's ownerReference from a pod whose labels stopped matching."""
        delete_ref = {"$patch": "delete", "uid": rs["metadata"]["uid"]}
        patch = {"metadata": {"ownerReferences": [delete_ref], "uid": pod["metadata"]["uid"]}}
        try:
            self.client.patch("pods", name_of(pod), patch, namespace=pod["metadata"]["namespace"])
        except NotFound:
            pass  # gone already: nothing to release

    def manage_replicas(self, filtered_pods: list[dict], rs: dict) -> StatusError | None:
        """manageReplicas: create or delete pods to reach spec.replicas; returns the first error, if any."""
        key = key_of(rs)
        diff = len(filtered_pods) - rs["spec"].get("replicas", 1)
        if diff < 0:
            diff = min(-diff, self.burst_replicas)
            # Say what we expect *before* creating: the watch may deliver a pod before create() returns.
            self.expectations.expect_creations(key, diff)
            successful, error = self.slow_start_batch(
                diff, SLOW_START_INITIAL_BATCH_SIZE, lambda: self.create_pod(rs)
            )
            skipped = diff - successful
            for _ in range(skipped):
                self.expectations.creation_observed(key)  # creates that never happened will never be seen
            return error
        if diff > 0:
            diff = min(diff, self.burst_replicas)
            victims = pods_to_delete(filtered_pods, diff)
            self.expectations.expect_deletions(key, [key_of(pod) for pod in victims])
            first_error = None
            for pod in victims:
                error = self.delete_pod_of(rs, pod)
                if error is not None:
                    self.expectations.deletion_observed(key, key_of(pod))  # that deletion will never be seen
                    first_error = first_error or error
            return first_error
        return None

    def slow_start_batch(self, count: int, initial_batch_size: int, fn) -> tuple[int, StatusError | None]:
        """Call fn() count times in batches of 1, 2, 4, ...; stop after a batch with a failure.

        A ReplicaSet whose pods are all refused (a quota, a bad template) then
        costs one failed request per sync, not 500.
        """
        successes = 0
        remaining = count
        batch_size = min(remaining, initial_batch_size)
        while batch_size > 0:
            errors = []
            for _ in range(batch_size):
                try:
                    fn()
                except StatusError as error:
                    errors.append(error)
            successes += batch_size - len(errors)
            if errors:
                return successes, errors[0]
            remaining -= batch_size
            batch_size = min(2 * batch_size, remaining)
        return successes, None

    def create_pod(self, rs: dict) -> dict:
        """Create one pod from the template, owned by the ReplicaSet (CreatePodsWithControllerRef)."""
        pod = get_pod_from_template(rs["spec"]["template"], rs, new_controller_ref(rs, API_VERSION, KIND))
        try:
            created = self.client.create(pod)
        except StatusError as error:
            self.recorder.event(rs, WARNING, "FailedCreate", f"Error creating: {error}")
            raise
        self.recorder.event(rs, NORMAL, "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")
        return created

    def delete_pod_of(self, rs: dict, pod: dict) -> StatusError | None:
        """Delete one pod; a pod already gone is not an error."""
        name = pod["metadata"]["name"]
        try:
            self.client.delete("pods", name, namespace=pod["metadata"]["namespace"])
        except NotFound:
            return None  # someone else deleted it first: what we wanted
        except StatusError as error:
            self.recorder.event(rs, WARNING, "FailedDelete", f"Error deleting: {error}")
            return error
        self.recorder.event(rs, NORMAL, "SuccessfulDelete", f"Deleted pod: {name}")
        return None

    # -- status ------------------------------------------------------------------------------

    def calculate_status(self, rs: dict, filtered_pods: list[dict], manage_error: StatusError | None) -> dict:
        """calculateStatus: count the pods, and say ReplicaFailure while creates or deletes fail."""
        template_labels = rs["spec"]["template"].get("metadata", {}).get("labels") or {}
        template_selector = selector_from_label_selector({"matchLabels": template_labels})
        now = self.loop.datetime()
        min_ready = rs["spec"].get("minReadySeconds", 0)
        status = deep_copy(rs.get("status") or {})
        status["replicas"] = len(filtered_pods)
        status["fullyLabeledReplicas"] = sum(
            1 for pod in filtered_pods if template_selector.matches(pod["metadata"].get("labels") or {})
        )
        status["readyReplicas"] = sum(1 for pod in filtered_pods if is_pod_ready(pod))
        status["availableReplicas"] = sum(1 for pod in filtered_pods if is_pod_available(pod, min_ready, now))
        conditions = [c for c in status.get("conditions") or [] if c.get("type") != "ReplicaFailure"]
        failure = next((c for c in status.get("conditions") or [] if c.get("type") == "ReplicaFailure"), None)
        if manage_error is not None:
            diff = len(filtered_pods) - rs["spec"].get("replicas", 1)
            reason = "FailedCreate" if diff < 0 else "FailedDelete"
            if failure is None:
                failure = {
                    "type": "ReplicaFailure", "status": "True", "lastTransitionTime": self.loop.timestamp()
                }
            failure.update(reason=reason, message=str(manage_error))
            conditions.append(failure)
        if conditions:
            status["conditions"] = conditions
        else:
            status.pop("conditions", None)
        return status

    def update_replica_set_status(self, rs: dict, new_status: dict) -> dict:
        """Write the status through the status subresource, only if something changed."""
        generation = rs["metadata"].get("generation", 1)
        old_status = rs.get("status") or {}
        if new_status == old_status and old_status.get("observedGeneration") == generation:
            return rs  # nothing new to say: no write
        new_status["observedGeneration"] = generation
        updated = deep_copy(rs)
        updated["status"] = new_status
        try:
            return self.client.update_status(updated)
        except StatusError:
            # A stale copy (Conflict): read it once more and try again (upstream's statusUpdateRetries = 1).
            fresh = self.client.get("replicasets", name_of(rs), namespace=rs["metadata"]["namespace"])
            fresh["status"] = new_status
            return self.client.update_status(fresh)


__all__ = ["BURST_REPLICAS", "COMPONENT", "ReplicaSetController"]
