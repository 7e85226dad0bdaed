"""The fifteen steps of the classic Kubernetes architecture diagram, as data.

Introduced in notebook 00 and used by every notebook after it: each notebook
builds one or more of these steps, and `k8slab.viz.architecture` draws the
diagram with a notebook's steps highlighted. Keeping the steps here, once,
means the diagram, the step walker, the series map and the exercises all tell
the same story in the same words.

The story follows one request through a cluster. Steps 1 and 2 are the
machines; steps 3 to 10 are "I asked for something, and it now runs"; steps 11
to 15 are "a user's request reaches it and gets an answer". One rule holds
throughout, the same rule Kubernetes lives by: components never call each
other. Each one watches the API server and writes back to it, so "the kubelet
is told" (step 8) really means "the kubelet sees, through its watch, a pod
that the scheduler bound to its node".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: The components as the diagram names them, in the order they appear in it.
COMPONENTS = (
    "person",
    "kubectl",
    "API server",
    "etcd",
    "controller manager",
    "scheduler",
    "kubelet",
    "container runtime",
    "pod",
    "cAdvisor",
    "kube-proxy",
    "user",
    "load balancer",
)


@dataclass(frozen=True)
class Step:
    """One numbered step of the architecture diagram.

    `explanation` is two plain sentences for someone who has never used
    Kubernetes; `components` are the parts of the diagram the step involves;
    `module` is where k8slab builds it and `notebooks` which notebooks do.
    """

    number: int
    title: str
    explanation: str
    components: tuple[str, ...]
    module: str
    notebooks: tuple[str, ...]

    @property
    def notebook(self) -> str:
        """The first notebook that builds this step."""
        return self.notebooks[0]


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "The control plane manages the cluster",
        "The control plane is the set of machines that run Kubernetes' brain: the API server, etcd, "
        "the controller manager and the scheduler. It decides what should run where, but it does not "
        "run your applications itself.",
        ("API server", "etcd", "controller manager", "scheduler"),
        "k8slab.cluster",
        ("00",),
    ),
    Step(
        2,
        "Worker nodes run the work",
        "Worker nodes are the machines that run your applications, packaged in pods (a pod is one or "
        "more containers that run together). Each node runs a kubelet that starts and watches its pods, "
        "and a kube-proxy that steers network traffic to them.",
        ("kubelet", "container runtime", "kube-proxy", "pod"),
        "k8slab.cluster",
        ("00",),
    ),
    Step(
        3,
        "A person uses kubectl",
        'You write down what you want, for example "three copies of my web server", in a file called a '
        "manifest. kubectl is the command-line tool that sends it to the cluster, as in "
        "`kubectl apply -f web.yaml`.",
        ("person", "kubectl"),
        "k8slab.kubectl",
        ("02",),
    ),
    Step(
        4,
        "kubectl talks to the API server",
        "kubectl turns your command into HTTPS requests to the API server, the cluster's single front "
        "door. The API server checks who you are, whether you are allowed, and whether the object is "
        "valid, before it accepts anything.",
        ("kubectl", "API server"),
        "k8slab.api",
        ("02", "10"),
    ),
    Step(
        5,
        "The API server stores data in etcd",
        "etcd is a small, reliable key-value database: every object in the cluster (pods, deployments, "
        "nodes) is saved there, and it is the cluster's only memory. Only the API server talks to etcd; "
        "every other component reads and writes through the API server.",
        ("API server", "etcd"),
        "k8slab.store",
        ("01", "02"),
    ),
    Step(
        6,
        "The controller manager notices a change",
        "The controller manager runs many small control loops (controllers), each watching the API "
        "server for one kind of object and comparing what is wanted with what exists. When a "
        "ReplicaSet wants three pods and none exist, its controller creates three Pod objects through "
        "the API server, not yet placed on any node.",
        ("controller manager", "API server"),
        "k8slab.controllers",
        ("03",),
    ),
    Step(
        7,
        "The scheduler picks a worker node",
        "The scheduler watches for pods that have no node yet, rules out nodes that cannot fit them, "
        "and scores the rest. It records its choice by writing a binding (pod X goes to node Y) to the "
        "API server; it never talks to the node itself.",
        ("scheduler", "API server"),
        "k8slab.scheduler",
        ("04",),
    ),
    Step(
        8,
        "The kubelet is told to make the change",
        "Each node's kubelet watches the API server for pods bound to its own node. That is how it is "
        '"told": nobody calls it, it sees the scheduler\'s binding arrive through its watch.',
        ("API server", "kubelet"),
        "k8slab.kubelet",
        ("05",),
    ),
    Step(
        9,
        "The kubelet starts the pod",
        "The kubelet asks the node's container runtime (containerd, for example) to pull the images and "
        "start the pod's containers. It keeps checking on them, restarts them if they crash, and "
        "reports the pod's status (Pending, Running, ...) back to the API server.",
        ("kubelet", "container runtime", "pod"),
        "k8slab.kubelet.runtime",
        ("05",),
    ),
    Step(
        10,
        "cAdvisor reports back to the API",
        "cAdvisor is built into the kubelet and measures how much CPU and memory each container uses. "
        "The kubelet serves these numbers on its summary API, and the metrics pipeline (metrics-server) "
        "makes them available through the API server, for `kubectl top` and autoscalers.",
        ("cAdvisor", "pod", "API server"),
        "k8slab.cadvisor",
        ("06",),
    ),
    Step(
        11,
        "Traffic arrives through a load balancer",
        "A user on the internet sends a request to the load balancer in front of the cluster, usually "
        "one the cloud provider creates for a Service of type LoadBalancer. The load balancer picks one "
        "of the healthy worker nodes and sends the request there.",
        ("user", "load balancer"),
        "k8slab.net.loadbalancer",
        ("08",),
    ),
    Step(
        12,
        "The traffic is forwarded to kube-proxy",
        "On the node, the request is caught by forwarding rules that kube-proxy wrote for the Service "
        "(a Service is one stable address in front of a group of pods). kube-proxy keeps those rules "
        "up to date by watching Services and their pods' addresses in the API server.",
        ("load balancer", "kube-proxy"),
        "k8slab.net.proxy",
        ("07",),
    ),
    Step(
        13,
        "kube-proxy picks the pod",
        "The rules pick one of the Service's ready pods at random, which spreads requests evenly; the "
        "pod may be on this node or another one. The request's destination is rewritten to that pod's "
        "own IP address and port.",
        ("kube-proxy", "pod"),
        "k8slab.net.proxy",
        ("07",),
    ),
    Step(
        14,
        "The pod's container handles the request",
        "The request reaches the chosen pod, and the program in its container (your web server) "
        "handles it like any request. The CPU and memory it spends doing so is what cAdvisor "
        "measures in step 10.",
        ("pod",),
        "k8slab.kubelet.runtime",
        ("08",),
    ),
    Step(
        15,
        "The response flows back",
        "The response retraces the path: the node undoes the address rewrite that kube-proxy's rules "
        "made, and the reply travels back through the load balancer. To the user it looks as if one "
        "server answered.",
        ("pod", "kube-proxy", "load balancer", "user"),
        "k8slab.net",
        ("08",),
    ),
)

#: Each notebook of the series: its title and the k8slab module(s) it builds.
NOTEBOOKS: dict[str, tuple[str, str]] = {
    "00": ("Orchestrators: the fifteen steps", "k8slab.cluster (the machines), k8slab.steps"),
    "01": ("etcd, the cluster's memory", "k8slab.store"),
    "02": ("The API server and kubectl", "k8slab.api, k8slab.kubectl"),
    "03": ("The controller manager", "k8slab.controllers"),
    "04": ("The scheduler", "k8slab.scheduler"),
    "05": ("The kubelet and container runtime", "k8slab.kubelet"),
    "06": ("cAdvisor", "k8slab.cadvisor"),
    "07": ("Services and kube-proxy", "k8slab.net.proxy"),
    "08": ("The load balancer and the whole request path", "k8slab.net"),
    "09": ("Putting it together", "k8slab.cluster"),
    "10": ("Real clients", "k8slab.http"),
}

#: What still happens at each step while the whole control plane is down
#: (every control-plane machine off): (keeps working?, what happens).
CONTROL_PLANE_DOWN: dict[int, tuple[bool, str]] = {
    1: (False, "Down: no API server, no etcd, no controllers, no scheduler."),
    2: (True, "The nodes keep running, and so do the pods already on them."),
    3: (False, "You can still type commands, but kubectl has nowhere to send them."),
    4: (False, 'kubectl cannot connect: "The connection to the server ... was refused".'),
    5: (False, "Nothing new is saved; the cluster's memory is frozen as it was."),
    6: (False, "No controller runs: a crashed node's pods are not replaced, scaling does nothing."),
    7: (False, "No new pod gets a node."),
    8: (False, "Kubelets get no new work (and cannot report that their node is alive)."),
    9: (True, "Pods already started keep running; the kubelet still restarts their crashed containers."),
    10: (False, "cAdvisor still measures, but nobody can read the numbers through the API (`kubectl top`)."),
    11: (True, "The load balancer keeps sending users' traffic to healthy nodes."),
    12: (True, "kube-proxy's rules stay in place on every node."),
    13: (
        True,
        "Traffic still reaches pods, but the rules are never updated: a pod that dies stays on the list.",
    ),
    14: (True, "Running containers keep answering requests."),
    15: (True, "Responses flow back as usual."),
}


def step(number: int) -> Step:
    """The step with this number (1 to 15); ValueError names a bad one."""
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(STEPS):
        raise ValueError(f"step must be a whole number from 1 to {len(STEPS)}, got {number!r}")
    return STEPS[number - 1]


def steps_table() -> pd.DataFrame:
    """The fifteen steps as a table: what happens, in two sentences, and where k8slab builds it."""
    rows = [
        {
            "step": s.number,
            "what happens": s.title,
            "in two sentences": s.explanation,
            "notebook": ", ".join(s.notebooks),
            "module": s.module,
        }
        for s in STEPS
    ]
    return pd.DataFrame(rows).set_index("step")


def series_map() -> pd.DataFrame:
    """Which notebook builds which steps: notebook, title, steps, module.

    Notebook 09 builds no new step: it puts them all together (a rolling
    update with no downtime, failures, self-healing).
    """
    rows = []
    for notebook, (title, module) in NOTEBOOKS.items():
        built = [s.number for s in STEPS if notebook in s.notebooks]
        if notebook == "09":
            steps = "all (together)"
        else:
            steps = ", ".join(str(n) for n in built)
        rows.append({"notebook": notebook, "title": title, "steps": steps, "module": module})
    return pd.DataFrame(rows).set_index("notebook")


def control_plane_down() -> pd.DataFrame:
    """Each step with the whole control plane down: does it keep working, and what happens."""
    rows = [
        {
            "step": s.number,
            "what happens normally": s.title,
            "keeps working?": "yes" if CONTROL_PLANE_DOWN[s.number][0] else "no",
            "with the control plane down": CONTROL_PLANE_DOWN[s.number][1],
        }
        for s in STEPS
    ]
    return pd.DataFrame(rows).set_index("step")


def still_working() -> list[int]:
    """The steps that keep working with the control plane down (for the diagram's highlight)."""
    return [number for number, (works, _) in CONTROL_PLANE_DOWN.items() if works]
