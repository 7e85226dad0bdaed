"""The kubelet and its container runtime (steps 8, 9 and 14; notebook 05).

    from k8slab.kubelet import Kubelet, ImageRegistry

    registry = ImageRegistry()      # one per cluster, shared by every node
    kubelet = Kubelet(Client(api, user="system:node:node-1"), 1, {}, registry=registry)
    kubelet.run()

`kubelet.py` is the agent (node registration, lease, pod sync, status);
`runtime.py` the simulated container runtime and image behaviours;
`probes.py` the startup, liveness and readiness probes.
"""

from k8slab.kubelet.kubelet import Backoff, Kubelet, PodIPAllocator, logs_provider
from k8slab.kubelet.runtime import (
    BatchJob,
    Container,
    CrashLoop,
    Image,
    ImageRegistry,
    Process,
    ResourceHog,
    Runtime,
    Script,
    WebServer,
    batch_job,
    crash_loop,
    resource_hog,
    web_server,
)

__all__ = [
    "Backoff",
    "BatchJob",
    "Container",
    "CrashLoop",
    "Image",
    "ImageRegistry",
    "Kubelet",
    "PodIPAllocator",
    "Process",
    "ResourceHog",
    "Runtime",
    "Script",
    "WebServer",
    "batch_job",
    "crash_loop",
    "resource_hog",
    "web_server",
    "logs_provider",
]
