"""ImageLocality: prefer nodes that already have the pod's container images (less to pull).

Upstream `imagelocality/image_locality.go`: each image present on the node
counts its size scaled by the share of nodes that have it (an image every
node has is no reason to pick this one); the sum is clamped between 23 MB and
1000 MB per container and mapped to 0..100.
"""

from __future__ import annotations

from k8slab.scheduler.framework import MAX_NODE_SCORE, SUCCESS, Plugin, Status

MB = 1024 * 1024
MIN_THRESHOLD = 23 * MB
MAX_CONTAINER_THRESHOLD = 1000 * MB


def normalized_image_name(name: str) -> str:
    """"nginx" -> "nginx:latest"; names with a tag or digest are left alone."""
    if name.rfind(":") <= name.rfind("/") and "@" not in name:
        return name + ":latest"
    return name


def node_images(node: dict) -> dict[str, int]:
    images = {}
    for image in (node.get("status") or {}).get("images") or []:
        for name in image.get("names") or []:
            images[normalized_image_name(name)] = int(image.get("sizeBytes") or 0)
    return images


def calculate_priority(sum_scores: int, num_containers: int) -> int:
    max_threshold = MAX_CONTAINER_THRESHOLD * num_containers
    sum_scores = min(max(sum_scores, MIN_THRESHOLD), max_threshold)
    return MAX_NODE_SCORE * (sum_scores - MIN_THRESHOLD) // (max_threshold - MIN_THRESHOLD)


class ImageLocality(Plugin):
    name = "ImageLocality"

    def __init__(self, handle=None):
        self.handle = handle  # the Scheduler: the spread of an image is counted over all nodes

    def pre_score(self, state, pod_info, node_infos) -> Status:
        if self.handle is not None:  # the scheduler keeps the count up to date as nodes change
            state["PreScoreImageLocality"] = (self.handle.image_states(), max(len(self.handle.nodes), 1))
            return SUCCESS
        spread: dict[str, int] = {}
        for info in node_infos:
            for image in info.images:
                spread[image] = spread.get(image, 0) + 1
        state["PreScoreImageLocality"] = (spread, max(len(node_infos), 1))
        return SUCCESS

    def score(self, state, pod_info, node_info) -> int:
        spread, total_nodes = state.get("PreScoreImageLocality") or ({}, 1)
        containers = (pod_info.spec.get("initContainers") or []) + (pod_info.spec.get("containers") or [])
        if not containers:
            return 0
        images = node_info.images
        total = 0
        for container in containers:
            name = normalized_image_name(container.get("image") or "")
            if name in images:
                total += int(images[name] * (spread.get(name, 0) / total_nodes))
        return calculate_priority(total, len(containers))
