"""The garbage collector: delete what nobody owns any more, in the order the owner's deletion asked.

Built in notebook 03, after the ReplicaSet controller gives pods owners.
Upstream: `pkg/controller/garbagecollector/` (graph_builder.go, garbagecollector.go).

Every object may name its owners in `metadata.ownerReferences`. The garbage
collector watches every kind it knows and keeps a graph, owner -> dependents,
keyed by uid. When something changes it asks one of two questions:

* **attempt to delete** (a dependent): are all my owners gone? Then I go
  too (*background* propagation: the owner went first, dependents follow).
  An owner is gone when no object of that kind, name and *uid* exists, so a
  dependent of an owner that never existed, or was recreated with a new
  uid, is deleted as well ("absent owner").
* **attempt to orphan** (an owner deleted with propagationPolicy=Orphan, so it
  carries the `orphan` finalizer): remove the owner from its dependents'
  ownerReferences, then remove the finalizer so the owner goes alone.

*Foreground* propagation: the owner carries the `foregroundDeletion`
finalizer and stays (with a deletionTimestamp) while its dependents are
deleted; once none with `blockOwnerDeletion: true` is left, the collector
removes the finalizer and the API server removes the owner.

Simplified, out loud: upstream discovers every resource of the API server
and has a cache of absent owners; here the resources are a fixed list, and
an owner named only in a reference is checked with one GET.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from k8slab.api.errors import NotFound
from k8slab.api.kinds import KINDS
from k8slab.client import Client, Informer, WorkQueue, deep_copy, process_next_work_item

#: The resources whose objects can be owners or dependents among the modelled ones.
MONITORED_RESOURCES = (
    "deployments", "replicasets", "pods", "services", "endpointslices",
    "configmaps", "secrets", "nodes", "leases",  # a node's Lease is owned by its Node
)

ORPHAN = "orphan"
FOREGROUND_DELETION = "foregroundDeletion"

_INFO_BY_KIND = {(info.api_version, info.kind): info for info in KINDS}


@dataclass(frozen=True)
class ObjectReference:
    """Who an object is: what an ownerReference names, plus the namespace (objectReference)."""

    api_version: str
    kind: str
    name: str
    uid: str
    namespace: str = ""


@dataclass(eq=False)
class Node:
    """One object in the graph: its owners (from its ownerReferences) and its dependents (uids)."""

    identity: ObjectReference
    owners: list[dict] = field(default_factory=list)
    dependents: dict[str, None] = field(default_factory=dict)  # uid -> None: an ordered set
    #: True for an owner known only from someone's ownerReference, not yet seen by a watch.
    virtual: bool = False
    being_deleted: bool = False
    deleting_dependents: bool = False


def identity_of(obj: dict) -> ObjectReference:
    meta = obj["metadata"]
    namespace = meta.get("namespace", "")
    return ObjectReference(obj["apiVersion"], obj["kind"], meta["name"], meta["uid"], namespace)


def has_finalizer(obj: dict, finalizer: str) -> bool:
    return finalizer in (obj["metadata"].get("finalizers") or [])


class GarbageCollector:
    """Watches owners and dependents; deletes dependents whose owners are gone.

        gc = GarbageCollector(client)
        gc.run()
        client.loop.run(seconds=5)
    """

    def __init__(
        self,
        client: Client,
        resources: tuple[str, ...] = MONITORED_RESOURCES,
        informer_factory: Any = None,
    ):
        self.client = client
        self.loop = client.loop
        self.uid_to_node: dict[str, Node] = {}
        self.attempt_to_delete = WorkQueue(self.loop, name="garbage_collector_attempt_to_delete",
                                           wake=self.run_attempt_to_delete_worker)
        self.attempt_to_orphan = WorkQueue(self.loop, name="garbage_collector_attempt_to_orphan",
                                           wake=self.run_attempt_to_orphan_worker)
        self.informers: list[Informer] = []
        for resource in resources:
            informer = informer_factory.informer(resource) if informer_factory else Informer(client, resource)
            informer.add_event_handler(on_add=self.on_add, on_update=self.on_update, on_delete=self.on_delete)
            self.informers.append(informer)

    def run(self) -> None:
        for informer in self.informers:
            informer.run()

    def stop(self) -> None:
        for informer in self.informers:
            informer.stop()
        self.attempt_to_delete.shutdown()
        self.attempt_to_orphan.shutdown()

    def dependents_of(self, uid: str) -> list[ObjectReference]:
        """Who the graph says depends on the object with this uid (for learners and tests)."""
        node = self.uid_to_node.get(uid)
        if node is None:
            return []
        return [self.uid_to_node[dep].identity for dep in node.dependents if dep in self.uid_to_node]

    # -- the graph builder: keep the graph as the watches report -----------------------------

    def on_add(self, obj: dict) -> None:
        self.on_update(None, obj)

    def on_update(self, old: dict | None, obj: dict) -> None:
        uid = obj["metadata"]["uid"]
        node = self.uid_to_node.get(uid)
        owners = [dict(ref) for ref in obj["metadata"].get("ownerReferences") or []]
        if node is None or node.virtual:
            if node is None:
                node = Node(identity_of(obj))
                self.uid_to_node[uid] = node
            node.identity = identity_of(obj)
            node.virtual = False
            node.owners = owners
            for ref in owners:
                self.add_dependent_to_owner(node, ref)
        else:
            old_owners, node.owners = node.owners, owners
            added = [ref for ref in owners if ref not in old_owners]
            removed = [ref for ref in old_owners if ref not in owners]
            for ref in removed:
                owner = self.uid_to_node.get(ref["uid"])
                if owner is not None:
                    owner.dependents.pop(uid, None)
                    if owner.deleting_dependents:
                        self.attempt_to_delete.add(owner.identity.uid)  # it may be waiting for this one
            for ref in added:
                self.add_dependent_to_owner(node, ref)
            for ref in owners:  # blockOwnerDeletion may have changed: a waiting owner looks again
                owner = self.uid_to_node.get(ref["uid"])
                if owner is not None and owner.deleting_dependents:
                    self.attempt_to_delete.add(owner.identity.uid)
        self.process_transitions(node, obj)

    def add_dependent_to_owner(self, node: Node, ref: dict) -> None:
        owner = self.uid_to_node.get(ref["uid"])
        if owner is None:
            # Known only from this reference: a virtual node, checked against the API server.
            identity = ObjectReference(
                ref["apiVersion"], ref["kind"], ref["name"], ref["uid"], self._owner_namespace(node, ref)
            )
            owner = Node(identity, virtual=True)
            self.uid_to_node[ref["uid"]] = owner
            self.attempt_to_delete.add(ref["uid"])
        owner.dependents[node.identity.uid] = None
        if owner.deleting_dependents:
            self.attempt_to_delete.add(node.identity.uid)  # a new dependent of an owner deleted in foreground

    def process_transitions(self, node: Node, obj: dict) -> None:
        """An owner starts being deleted: `orphan` frees its dependents, `foregroundDeletion` deletes them."""
        deleting = bool(obj["metadata"].get("deletionTimestamp"))
        node.being_deleted = deleting
        if deleting and has_finalizer(obj, ORPHAN):
            self.attempt_to_orphan.add(node.identity.uid)
        if deleting and has_finalizer(obj, FOREGROUND_DELETION):
            if not node.deleting_dependents:
                node.deleting_dependents = True
                for dependent in node.dependents:
                    self.attempt_to_delete.add(dependent)
            self.attempt_to_delete.add(node.identity.uid)

    def on_delete(self, obj: dict) -> None:
        """An object is gone for real: its dependents must check whether they still have an owner."""
        self.remove_node(obj["metadata"]["uid"])

    def remove_node(self, uid: str) -> None:
        node = self.uid_to_node.pop(uid, None)
        if node is None:
            return
        for ref in node.owners:
            owner = self.uid_to_node.get(ref["uid"])
            if owner is not None:
                owner.dependents.pop(uid, None)
                if owner.deleting_dependents:
                    self.attempt_to_delete.add(owner.identity.uid)  # one fewer to wait for
        for dependent in node.dependents:
            self.attempt_to_delete.add(dependent)

    # -- workers ---------------------------------------------------------------------------

    def run_attempt_to_delete_worker(self) -> None:
        while process_next_work_item(self.attempt_to_delete, self.attempt_to_delete_item):
            pass

    def run_attempt_to_orphan_worker(self) -> None:
        while process_next_work_item(self.attempt_to_orphan, self.attempt_to_orphan_item):
            pass

    def attempt_to_delete_item(self, uid: str) -> None:
        """attemptToDeleteItem: delete the object if none of its owners is left, in the way they asked."""
        node = self.uid_to_node.get(uid)
        if node is None:
            return
        latest = self.get_object(node.identity)
        if latest is None or latest["metadata"]["uid"] != uid:
            # Absent: an owner that never existed, or was recreated with another uid. Treat it as deleted.
            self.remove_node(uid)
            return
        if node.virtual:
            return  # it exists after all; its watch will fill the node in
        if node.deleting_dependents:
            self.process_deleting_dependents_item(node, latest)
            return
        owner_refs = latest["metadata"].get("ownerReferences") or []
        if not owner_refs:
            return
        solid, dangling, waiting = self.classify_references(node, owner_refs)
        if solid:
            if dangling or waiting:
                self.remove_owner_references(latest, [ref["uid"] for ref in dangling + waiting])
            return  # a live owner still holds it
        if waiting and node.dependents:
            # An owner waits for us in foreground, and we have dependents of our own: delete them first too.
            self.delete_object(latest, "Foreground")
            return
        if has_finalizer(latest, ORPHAN):
            policy = "Orphan"
        elif has_finalizer(latest, FOREGROUND_DELETION):
            policy = "Foreground"
        else:
            policy = "Background"
        self.delete_object(latest, policy)

    def classify_references(self, node: Node, refs: list[dict]) -> tuple[list[dict], list[dict], list[dict]]:
        """Split owner references: solid (owner exists), dangling (absent), waiting (owner in foreground)."""
        solid, dangling, waiting = [], [], []
        for ref in refs:
            owner = self.get_object(
                ObjectReference(ref["apiVersion"], ref["kind"], ref["name"], ref["uid"],
                                self._owner_namespace(node, ref))
            )
            if owner is None or owner["metadata"]["uid"] != ref["uid"]:
                dangling.append(ref)
            elif owner["metadata"].get("deletionTimestamp") and has_finalizer(owner, FOREGROUND_DELETION):
                waiting.append(ref)
            else:
                solid.append(ref)
        return solid, dangling, waiting

    def process_deleting_dependents_item(self, node: Node, owner: dict) -> None:
        """Foreground: delete the dependents that block the owner; when none is left, let the owner go."""
        blocking = []
        for dep_uid in node.dependents:
            dependent = self.uid_to_node.get(dep_uid)
            if dependent is None:
                continue
            for ref in dependent.owners:
                if ref.get("uid") == node.identity.uid and ref.get("blockOwnerDeletion"):
                    blocking.append(dependent)
                    break
        if not blocking:
            self.remove_finalizer(owner, FOREGROUND_DELETION)
            return
        for dependent in blocking:
            if not dependent.being_deleted:
                self.attempt_to_delete.add(dependent.identity.uid)

    def attempt_to_orphan_item(self, uid: str) -> None:
        """attemptToOrphan: free the dependents of an owner deleted with Orphan, then remove the finalizer."""
        node = self.uid_to_node.get(uid)
        if node is None:
            return
        for dep_uid in list(node.dependents):
            dependent = self.uid_to_node.get(dep_uid)
            if dependent is None:
                continue
            latest = self.get_object(dependent.identity)
            if latest is not None and latest["metadata"]["uid"] == dep_uid:
                self.remove_owner_references(latest, [uid])
        owner = self.get_object(node.identity)
        if owner is not None and owner["metadata"]["uid"] == uid:
            self.remove_finalizer(owner, ORPHAN)

    # -- writes through the API --------------------------------------------------------------

    def get_object(self, identity: ObjectReference) -> dict | None:
        """A live GET (not the cache): the collector must not delete on stale news. None if absent."""
        info = _INFO_BY_KIND.get((identity.api_version, identity.kind))
        if info is None:
            return {"metadata": {"uid": identity.uid}}  # a kind we cannot look up: assume it exists
        try:
            return self.client.get(info.resource, identity.name, namespace=identity.namespace or None)
        except NotFound:
            return None

    def delete_object(self, obj: dict, policy: str) -> None:
        info = _INFO_BY_KIND[(obj["apiVersion"], obj["kind"])]
        try:
            self.client.delete(
                info.resource, obj["metadata"]["name"], namespace=obj["metadata"].get("namespace"),
                propagation_policy=policy,
            )
        except NotFound:
            pass  # gone already

    def remove_owner_references(self, obj: dict, owner_uids: list[str]) -> None:
        """Remove the references to these owners (a strategic merge patch deleting list items by uid)."""
        info = _INFO_BY_KIND[(obj["apiVersion"], obj["kind"])]
        refs = [{"$patch": "delete", "uid": owner_uid} for owner_uid in owner_uids]
        patch = {"metadata": {"ownerReferences": refs, "uid": obj["metadata"]["uid"]}}
        try:
            self.client.patch(info.resource, obj["metadata"]["name"], patch,
                              namespace=obj["metadata"].get("namespace"))
        except NotFound:
            pass

    def remove_finalizer(self, obj: dict, finalizer: str) -> None:
        """Remove one finalizer; the API server removes the object once it has none left."""
        updated = deep_copy(obj)
        finalizers = updated["metadata"].get("finalizers") or []
        updated["metadata"]["finalizers"] = [name for name in finalizers if name != finalizer]
        try:
            self.client.update(updated)  # carries the resourceVersion read: a stale copy fails with Conflict
        except NotFound:
            pass

    @staticmethod
    def _owner_namespace(node: Node, ref: dict) -> str:
        """A namespaced dependent's owners live in its namespace; cluster-wide kinds have none."""
        info = _INFO_BY_KIND.get((ref.get("apiVersion"), ref.get("kind")))
        return node.identity.namespace if info is None or info.namespaced else ""


__all__ = ["GarbageCollector", "MONITORED_RESOURCES", "Node", "ObjectReference"]
