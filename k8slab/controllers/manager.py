"""The controller manager: one process that runs many controllers over shared informers.

Built in notebook 03. Upstream's kube-controller-manager
(`cmd/kube-controller-manager/app/controllermanager.go`) keeps a table of
controller names and their start functions, builds one SharedInformerFactory,
starts each enabled controller with it, and only then starts the informers.
This module does the same, on the event loop: a controller's worker is a
loop callback that its workqueue wakes when a key arrives (no threads), so
the same seed gives the same pod names in the same order on every run.

    manager = ControllerManager(Client(api, user="system:kube-controller-manager"))
    manager.start()
    loop.run(seconds=10)

A controller is added by name, without editing this file:

    ControllerManager.register("mycontroller", lambda ctx: MyController(ctx.client, ctx.recorder("my")))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from k8slab.api.server import APIServer
from k8slab.client import Client, Informer
from k8slab.controllers.events import EventRecorder
from k8slab.controllers.garbagecollector import GarbageCollector
from k8slab.controllers.replicaset import ReplicaSetController

USER = "system:kube-controller-manager"


class SharedInformerFactory:
    """One informer per resource, shared by every controller that asks for it (client-go's factory)."""

    def __init__(self, client: Client):
        self.client = client
        self.informers: dict[str, Informer] = {}

    def informer(self, resource: str) -> Informer:
        if resource not in self.informers:
            self.informers[resource] = Informer(self.client, resource)
        return self.informers[resource]

    def start(self) -> None:
        """Start every informer asked for so far, in the order they were asked for (deterministic)."""
        for informer in self.informers.values():
            informer.run()

    def stop(self) -> None:
        for informer in self.informers.values():
            informer.stop()


@dataclass
class ControllerContext:
    """What a controller's start function gets (upstream's ControllerContext)."""

    client: Client
    informer_factory: SharedInformerFactory
    recorders: dict[str, EventRecorder] = field(default_factory=dict)

    def recorder(self, component: str) -> EventRecorder:
        """The EventRecorder of one component ("replicaset-controller"), made once."""
        if component not in self.recorders:
            self.recorders[component] = EventRecorder(self.client, component)
        return self.recorders[component]


ControllerFactory = Callable[[ControllerContext], Any]


def start_replica_set_controller(ctx: ControllerContext) -> ReplicaSetController:
    return ReplicaSetController(
        ctx.client,
        ctx.recorder("replicaset-controller"),
        replica_sets=ctx.informer_factory.informer("replicasets"),
        pods=ctx.informer_factory.informer("pods"),
    )


def start_deployment_controller(ctx: ControllerContext) -> Any:
    """The Deployment controller, if this version of k8slab has it (None otherwise: skipped)."""
    try:
        from k8slab.controllers.deployment import DeploymentController
    except ImportError:
        return None
    return DeploymentController(
        ctx.client,
        ctx.recorder("deployment-controller"),
        deployments=ctx.informer_factory.informer("deployments"),
        replica_sets=ctx.informer_factory.informer("replicasets"),
        pods=ctx.informer_factory.informer("pods"),
    )


def start_garbage_collector(ctx: ControllerContext) -> GarbageCollector:
    return GarbageCollector(ctx.client, informer_factory=ctx.informer_factory)


def start_node_lifecycle_controller(ctx: ControllerContext) -> Any:
    """The node lifecycle controller and its taint eviction; not a default until kubelets heartbeat."""
    from k8slab.controllers.nodelifecycle import NodeLifecycleController

    return NodeLifecycleController(
        ctx.client,
        ctx.recorder("node-controller"),
        nodes=ctx.informer_factory.informer("nodes"),
        pods=ctx.informer_factory.informer("pods"),
        leases=ctx.informer_factory.informer("leases"),
        eviction_recorder=ctx.recorder("taint-eviction-controller"),
    )


def start_endpoint_slice_controller(ctx: ControllerContext) -> Any:
    """The EndpointSlice controller: which pods back each Service, and which of them are ready."""
    from k8slab.controllers import endpointslice

    return endpointslice.start_endpoint_slice_controller(ctx)


def start_pod_gc_controller(ctx: ControllerContext) -> Any:
    """The pod garbage collector: pods bound to nodes that are gone, unscheduled pods stuck terminating."""
    from k8slab.controllers.podgc import start_pod_gc_controller as start

    return start(ctx)


class ControllerManager:
    """Runs the enabled controllers on one client and one set of shared informers.

    `controllers` names which to run, in start order; "*" or None means every
    registered one. A start function that returns None (a controller this
    version does not have) is skipped and listed in `skipped`.
    """

    #: name -> start function; `register` adds to it (upstream's NewControllerDescriptors).
    CONTROLLERS: dict[str, ControllerFactory] = {
        "replicaset": start_replica_set_controller,
        "deployment": start_deployment_controller,
        "garbagecollector": start_garbage_collector,
        "nodelifecycle": start_node_lifecycle_controller,
        "endpointslice": start_endpoint_slice_controller,
        "podgc": start_pod_gc_controller,
    }

    #: What runs when `controllers` is not given. "nodelifecycle" is left out: without kubelets sending
    #: heartbeats it would mark every node Unknown after 40 s (Cluster adds it when its kubelets run).
    DEFAULT_CONTROLLERS = ("replicaset", "deployment", "garbagecollector", "endpointslice", "podgc")

    @classmethod
    def register(cls, name: str, factory: ControllerFactory) -> None:
        """Make a controller available by name: `factory(ctx)` builds it (it must have run() and stop())."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"a controller name must be a non-empty string, got {name!r}")
        if not callable(factory):
            raise TypeError(f"the factory of controller {name!r} must be callable, got {factory!r}")
        cls.CONTROLLERS[name] = factory

    def __init__(
        self,
        client: Client | APIServer,
        controllers: Iterable[str] | None = DEFAULT_CONTROLLERS,
    ):
        if isinstance(client, APIServer):
            client = Client(client, user=USER)
        if not isinstance(client, Client):
            raise TypeError(f"a ControllerManager needs a Client or APIServer, got {type(client).__name__}")
        names = list(self.CONTROLLERS) if controllers is None or controllers == "*" else list(controllers)
        unknown = [name for name in names if name not in self.CONTROLLERS]
        if unknown:
            raise ValueError(
                f"unknown controller(s) {', '.join(map(repr, unknown))}; known: {', '.join(self.CONTROLLERS)}"
            )
        self.client = client
        self.loop = client.loop
        self.names = names
        self.informer_factory = SharedInformerFactory(client)
        self.context = ControllerContext(client, self.informer_factory)
        self.controllers: dict[str, Any] = {}
        self.skipped: list[str] = []
        self.started = False

    def __repr__(self) -> str:
        return f"ControllerManager(controllers={list(self.controllers)}, started={self.started})"

    def start(self) -> None:
        """Build every controller (they register their handlers), then start the shared informers."""
        if self.started:
            return
        for name in self.names:
            controller = self.CONTROLLERS[name](self.context)
            if controller is None:
                self.skipped.append(name)
            else:
                self.controllers[name] = controller
        self.informer_factory.start()
        for controller in self.controllers.values():
            controller.run()
        self.started = True

    def stop(self) -> None:
        for controller in self.controllers.values():
            controller.stop()
        self.informer_factory.stop()
        self.started = False

    def __getitem__(self, name: str) -> Any:
        return self.controllers[name]


__all__ = ["ControllerContext", "ControllerManager", "SharedInformerFactory"]
