"""The facade every notebook and test uses: one object that wires the layers together.

    from k8slab import Cluster

    cluster = Cluster(nodes=3, seed=0)        # node-1..node-3, zones spread, default capacity
    cluster.apply("data/manifests/web.yaml")  # a path, YAML text (multi-document) or dicts
    cluster.run(seconds=30)                   # advance virtual time; every component acts
    cluster.kubectl("get pods -o wide")       # the text real kubectl would print
    cluster.get("pods")                       # a pandas DataFrame of the same
    cluster.fail_node("node-2")               # stop its kubelet, kube-proxy and heartbeats
    cluster.request("http://<ip>/")           # a request through LB -> kube-proxy -> pod, with a trace
    cluster.view()                            # the live dashboard
    cluster.api, cluster.store, cluster.now   # the layers underneath, and virtual time

The cluster grows with the series: notebook 02 gives it an API server in front
of the store and registers its nodes; the controller manager, the scheduler,
the kubelets and kube-proxy join in the notebooks that build them. Until a
layer exists, the objects that layer would act on simply wait (a pod stays
Pending with no node), exactly as they would in a real cluster with that
component stopped.
"""

from __future__ import annotations

import ipaddress
import pathlib
from typing import Any

import pandas as pd

from k8slab.api.server import APIServer
from k8slab.sim import Loop
from k8slab.store import Store

ZONES = ("zone-a", "zone-b", "zone-c")
#: The control-plane components a Cluster starts on the API server.
CONTROL_PLANE = ("controller-manager", "scheduler", "cloud-controller-manager")
#: Everything a Cluster runs by default: the control plane (with the cloud's load balancers), a kubelet
#: (with its cAdvisor) and a kube-proxy on every node, metrics-server and the cluster DNS. Pass
#: components=() for the API server alone (notebook 02 does); a cluster without kubelets registers its
#: nodes itself, and pods bound to its nodes stay Pending.
COMPONENTS = (*CONTROL_PLANE, "kubelet", "cadvisor", "metrics-server", "kube-proxy", "coredns")
DEFAULT_NODE = {"cpu": "4", "memory": "16Gi", "pods": "110", "ephemeral-storage": "100Gi"}
KUBELET_VERSION = "v1.31.0"


def node_object(index: int, spec: dict[str, Any]) -> dict:
    """A Node as a kubelet registers it: labels, capacity, addresses, Ready condition."""
    name = spec.get("name") or f"node-{index}"
    zone = spec.get("zone") or ZONES[(index - 1) % len(ZONES)]
    capacity = {
        "cpu": str(spec.get("cpu", DEFAULT_NODE["cpu"])),
        "ephemeral-storage": DEFAULT_NODE["ephemeral-storage"],
        "memory": str(spec.get("memory", DEFAULT_NODE["memory"])),
        "pods": str(spec.get("pods", DEFAULT_NODE["pods"])),
    }
    labels = {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "topology.kubernetes.io/zone": zone,
    }
    labels.update(spec.get("labels") or {})
    node: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": {"podCIDR": pod_cidr(index), "podCIDRs": [pod_cidr(index)]},
        "status": {
            "capacity": capacity,
            "allocatable": dict(capacity),
            "conditions": [
                _condition(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                _condition(
                    "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"
                ),
                _condition(
                    "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"
                ),
                _condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [
                {"type": "InternalIP", "address": str(ipaddress.ip_address("10.0.0.10") + index)},
                {"type": "Hostname", "address": name},
            ],
            "nodeInfo": {
                "architecture": "amd64",
                "containerRuntimeVersion": "k8slab://0.1.0",
                "kernelVersion": "6.1.0-k8slab",
                "kubeProxyVersion": KUBELET_VERSION,
                "kubeletVersion": KUBELET_VERSION,
                "operatingSystem": "linux",
                "osImage": "k8slab simulated node",
            },
        },
    }
    if spec.get("taints"):
        node["spec"]["taints"] = list(spec["taints"])
    if spec.get("unschedulable"):
        node["spec"]["unschedulable"] = True
    return node


def pod_cidr(index: int) -> str:
    """Node `index`'s pod range: a /24 of 10.244.0.0/16 (kubeadm's and flannel's default) for the
    first 255 nodes, then of 10.128.0.0/9, which a cluster of Kubernetes' 5,000-node limit needs."""
    if index < 256:
        return f"10.244.{index}.0/24"
    return str(ipaddress.ip_network("10.128.0.0/24").network_address + 256 * index) + "/24"


def _condition(kind: str, status: str, reason: str, message: str) -> dict:
    return {
        "type": kind,
        "status": status,
        "reason": reason,
        "message": message,
        "lastHeartbeatTime": "2024-01-01T00:00:00Z",
        "lastTransitionTime": "2024-01-01T00:00:00Z",
    }


class Cluster:
    """A whole simulated cluster on one deterministic event loop."""

    def __init__(
        self,
        nodes: int | list[dict[str, Any]] = 3,
        seed: int = 0,
        service_cidr: str = "10.96.0.0/12",
        workdir: str | pathlib.Path | None = None,
        components: tuple[str, ...] | list[str] | None = None,
    ):
        if isinstance(nodes, bool) or not isinstance(nodes, int | list):
            raise TypeError(f"nodes must be a number or a list of node shapes, got {nodes!r}")
        if isinstance(nodes, int) and nodes < 0:
            raise ValueError(f"nodes must be >= 0, got {nodes}")
        self.seed = seed
        self.loop = Loop(seed=seed)
        self.store = Store(self.loop)
        self.api = APIServer(self.store, service_cidr=service_cidr)
        self.workdir = pathlib.Path(workdir) if workdir is not None else None
        shapes = [{} for _ in range(nodes)] if isinstance(nodes, int) else nodes
        names = COMPONENTS if components is None else tuple(components)
        for name in names:
            if name not in COMPONENTS:
                raise ValueError(f"unknown component {name!r}; the cluster runs: {', '.join(COMPONENTS)}")
        if "cadvisor" in names and "kubelet" not in names:
            raise ValueError("cadvisor runs inside the kubelet: add 'kubelet' to components")
        if "metrics-server" in names and "cadvisor" not in names:
            raise ValueError("metrics-server scrapes the kubelets' cAdvisor: add 'kubelet' and 'cadvisor'")
        from k8slab.kubectl import Kubectl, magic

        self._kubectl = Kubectl(self.api, cwd=self.workdir)  # one kubectl, so its current namespace persists
        magic.set_current(self)
        self.components: dict[str, Any] = {}
        #: The kubelet of each node, by node name (empty when the cluster runs no kubelets).
        self.kubelets: dict[str, Any] = {}
        #: cAdvisor of each node, by node name (it lives inside the kubelet in a real cluster).
        self.cadvisors: dict[str, Any] = {}
        #: kube-proxy of each node, by node name.
        self.proxies: dict[str, Any] = {}
        self._proxies_on = "kube-proxy" in names
        self.load_balancers = None
        if "cloud-controller-manager" in names:
            from k8slab.client import Client
            from k8slab.net.loadbalancer import LoadBalancerController

            self.load_balancers = LoadBalancerController(
                Client(self.api, user="system:cloud-controller-manager"))
        self._kubelets_on = "kubelet" in names
        self._cadvisor_on = "cadvisor" in names
        self.images = None
        self.metrics = None
        if self._kubelets_on:
            from k8slab.kubelet import ImageRegistry

            self.images = ImageRegistry()  # the images every node can pull; notebooks register more
            self.api.logs = self._logs
            self.api.exec = self._exec
        if "metrics-server" in names:
            from k8slab.cadvisor import MetricsServer
            from k8slab.client import Client

            user = "system:serviceaccount:kube-system:metrics-server"
            self.metrics = MetricsServer(self.loop, Client(self.api, user=user))
            self.api.metrics = self.metrics
        self._nodes_added = 0
        for shape in shapes:
            self.add_node(shape)
        for name in names:
            if name in CONTROL_PLANE:
                self.components[name] = self._start(name)
        if self._kubelets_on:
            self.components["kubelet"] = self.kubelets
        if self._proxies_on:
            self.components["kube-proxy"] = self.proxies
        if self._cadvisor_on:
            self.components["cadvisor"] = self.cadvisors
        if self.metrics is not None:
            self.metrics.start()
            self.components["metrics-server"] = self.metrics
        self.dns = None
        if "coredns" in names:  # the cluster DNS: <service>.<namespace>.svc.cluster.local
            from k8slab.client import Client
            from k8slab.net.dns import ClusterDNS

            self.dns = ClusterDNS(Client(self.api, user="system:serviceaccount:kube-system:coredns"))
            self.dns.run()
            self.components["coredns"] = self.dns
        self.api.requests.clear()

    def _start(self, name: str) -> Any:
        """Start one control-plane component; each talks to the API server through its own client."""
        from k8slab.client import Client

        if name == "cloud-controller-manager":
            self.load_balancers.run()
            return self.load_balancers
        if name == "scheduler":
            from k8slab.scheduler import Scheduler

            scheduler = Scheduler(Client(self.api, user="system:kube-scheduler"))
            scheduler.run()
            return scheduler
        from k8slab.controllers.manager import ControllerManager

        controllers = ControllerManager.DEFAULT_CONTROLLERS
        if self._kubelets_on:  # nodes send heartbeats only when kubelets run
            controllers = (*controllers, "nodelifecycle")
        manager = ControllerManager(Client(self.api, user="system:kube-controller-manager"), controllers)
        manager.start()
        return manager

    def add_node(self, shape: dict[str, Any] | None = None) -> str:
        """Join one more node, shaped like the entries of `Cluster(nodes=[...])`; returns its name.

        Node numbers keep counting, so a node added after node-3 is node-4
        even if node-3 has been deleted, and zones go on round robin."""
        if shape is not None and not isinstance(shape, dict):
            raise TypeError(f"a node shape is a dict like {{'cpu': '8', 'memory': '16Gi'}}, got {shape!r}")
        index = self._nodes_added + 1
        if not self._kubelets_on:
            name = self.api.create(node_object(index, shape or {}))["metadata"]["name"]
            self._nodes_added = index
            self._start_proxy(name)
            return name
        from k8slab.api.errors import AlreadyExists
        from k8slab.client import Client
        from k8slab.kubelet import Kubelet

        name = node_object(index, shape or {})["metadata"]["name"]
        if self.store.get(f"/registry/nodes/{name}") is not None:  # a kubelet would adopt it; refuse
            raise AlreadyExists(f'nodes "{name}" already exists', kind="nodes", name=name)
        kubelet = Kubelet(Client(self.api, user=f"system:node:{name}"), index, shape, registry=self.images)
        kubelet.run()  # registers the Node now, as a kubelet does when it starts
        self._nodes_added = index
        self.kubelets[name] = kubelet
        if self._cadvisor_on:
            from k8slab.cadvisor import CAdvisor

            cadvisor = CAdvisor(self.loop, kubelet, client=kubelet.client)
            cadvisor.start()
            self.cadvisors[name] = cadvisor
            if self.metrics is not None:
                self.metrics.register(cadvisor)
        self._start_proxy(name)
        return name

    def _start_proxy(self, name: str) -> None:
        if not self._proxies_on:
            return
        from k8slab.client import Client
        from k8slab.net.proxy import KubeProxy

        proxy = KubeProxy(Client(self.api, user="system:kube-proxy"), name)
        proxy.run()
        self.proxies[name] = proxy
        if self.load_balancers is not None:
            self.load_balancers.register_proxy(name, proxy)  # the wire its health checks travel

    def _kubelet(self, node: str) -> Any:
        if not self._kubelets_on:
            raise RuntimeError("this cluster runs no kubelets: create it with the default components")
        if node not in self.kubelets:
            self.api.get("nodes", node)  # NotFound in the API's words when there is no such node
            raise RuntimeError(f"node {node!r} has no kubelet in this cluster")
        return self.kubelets[node]

    def _logs(self, namespace: str, pod: str, container: str, previous: bool = False) -> str:
        """What kube-apiserver does for `kubectl logs`: find the pod's node and ask its kubelet."""
        node = (self.api.get("pods", pod, namespace).get("spec") or {}).get("nodeName")
        if not node:
            return ""  # kube-apiserver streams nothing for a pod that has no node yet
        path = f"containerLogs/{namespace}/{pod}/{container}"
        kubelet = self._reachable_kubelet(node, lambda address: f'Get "https://{address}:10250/{path}": ')
        return kubelet.logs(namespace, pod, container, previous)

    def _exec(self, namespace: str, pod: str, container: str, command: list[str]) -> tuple[int, str]:
        """What kube-apiserver does for `kubectl exec`: forward it to the kubelet of the pod's node."""
        node = self.api.get("pods", pod, namespace)["spec"].get("nodeName")
        kubelet = self._reachable_kubelet(node, lambda address: "error dialing backend: ")
        return kubelet.exec(namespace, pod, container, command)

    def _reachable_kubelet(self, node: str, prefix) -> Any:
        """The running kubelet of `node`, or the 500 kube-apiserver answers when it cannot dial it."""
        kubelet = self.kubelets.get(node)
        if kubelet is None or not kubelet.running:
            from k8slab.api.errors import InternalError

            address = kubelet.node_ip if kubelet is not None and kubelet.node_ip else node
            raise InternalError(f"{prefix(address)}dial tcp {address}:10250: connect: no route to host")
        return kubelet

    def request(self, url: str, method: str = "GET", source: str | None = None, **options: Any):
        """One HTTP request through the cluster's network, traced hop by hop (steps 11-15): from the
        internet through the load balancer and a node's kube-proxy to a pod, or from `source` (a pod
        "namespace/name" or a node name) by the cluster's DNS. See k8slab.net.request."""
        from k8slab.net.request import request

        return request(self, url, method=method, source=source, **options)

    def traffic(self, url: str, rate: float, seconds: float, at: dict | None = None, **options: Any):
        """`rate` requests per virtual second to `url` for `seconds` while the cluster runs; one row per
        request (time, status, latency, pod, node, version). `at` schedules actions: {20: fn(cluster)}."""
        from k8slab.net.traffic import traffic

        return traffic(self, url, rate, seconds, at=at, **options)

    def view(self, **options: Any):
        """The live dashboard: state graph, nodes, Events, traffic, and controls (notebook 09)."""
        from k8slab.viz.dashboard import Dashboard

        return Dashboard(self, **options)

    def fail_node(self, name: str) -> None:
        """The machine goes away: its kubelet stops, so no heartbeats, no status, no pod syncs.

        The node lifecycle controller notices after the 40 s grace period
        (Ready=Unknown, the unreachable taint) and evicts the node's pods
        after their 300 s toleration; their ReplicaSets then make new ones.
        Its kube-proxy goes too: the rules it wrote stay, but stop changing,
        and the load balancer's health checks to the node fail."""
        self._kubelet(name).stop()
        if name in self.proxies:
            self.proxies[name].stop()

    def recover_node(self, name: str) -> None:
        """The machine comes back: its kubelet starts again and reconciles its pods with the API."""
        self._kubelet(name).start()
        if name in self.proxies:
            self.proxies[name].run()

    def drain(self, name: str, force: bool = False, delete_emptydir_data: bool = False):
        """`kubectl drain`: cordon the node, evict its pods (their controllers recreate them elsewhere) and
        advance virtual time until they are gone; returns what kubectl prints."""
        from k8slab.kubectl.drain import drain

        return drain(self.api, name, force=force, delete_emptydir_data=delete_emptydir_data)

    def crash_container(self, pod: str, container: str | None = None, exit_code: int = 1) -> None:
        """Make a running container crash now ("name" or "namespace/name"; the first container by default)."""
        namespace, _, name = pod.rpartition("/")
        namespace = namespace or "default"
        obj = self.api.get("pods", name, namespace)
        node = (obj.get("spec") or {}).get("nodeName")
        if not node:
            raise RuntimeError(f'pod "{name}" is not on a node yet, so it has no containers to crash')
        container = container or obj["spec"]["containers"][0]["name"]
        self._kubelet(node).crash_container(namespace, name, container, exit_code)

    def __repr__(self) -> str:
        nodes = self.store.range("/registry/nodes/", prefix=True, count_only=True).count  # no API request
        return f"Cluster(nodes={nodes}, seed={self.seed}, time={self.now:g}s, revision={self.store.revision})"

    @property
    def now(self) -> float:
        """Virtual seconds since the cluster started."""
        return self.loop.now

    def run(self, seconds: float | None = None, until: float | None = None) -> None:
        """Advance virtual time; every component acts on what it sees."""
        self.loop.run(seconds=seconds, until=until)

    def kubectl(self, command: str, stdin: str | None = None):
        """Run a kubectl command against this cluster; returns what kubectl would print."""
        return self._kubectl.run(command, stdin=stdin)

    def apply(self, source: Any):
        """`kubectl apply` a path (file or folder), YAML text or dicts; returns kubectl's report."""
        return self._kubectl.apply(source)

    def explain(self, pod: str | dict) -> pd.DataFrame:
        """Why the scheduler puts `pod` ("name" or "namespace/name") where it does: node x plugin verdicts
        and scores, the winner, and in `.attrs["message"]` the Pending message when no node fits."""
        if "scheduler" not in self.components:
            raise RuntimeError("this cluster runs no scheduler: create it with the default components")
        from k8slab.scheduler import explain

        return explain(self.components["scheduler"], pod)

    def get(
        self,
        resource: str,
        namespace: str | None = "default",
        all_namespaces: bool = False,
        wide: bool = False,
        selector: str | None = None,
    ) -> pd.DataFrame:
        """`kubectl get` as a pandas DataFrame: the same columns and cells (numbers stay numbers)."""
        from k8slab.api.kinds import lookup
        from k8slab.kubectl import printers

        info = lookup(resource)
        listed = self.api.list(info.resource, None if all_namespaces else namespace, label_selector=selector)
        table = printers.server_table(listed["items"], self.loop.datetime(), kind=info.kind)
        keep = [i for i, c in enumerate(table["columnDefinitions"]) if wide or c["priority"] == 0]
        columns = [table["columnDefinitions"][i]["name"].upper() for i in keep]
        rows = [[row["cells"][i] for i in keep] for row in table["rows"]]
        if all_namespaces and info.namespaced:
            columns.insert(0, "NAMESPACE")
            for row, item in zip(rows, listed["items"], strict=True):
                row.insert(0, item["metadata"].get("namespace", ""))
        return pd.DataFrame(rows, columns=columns)
