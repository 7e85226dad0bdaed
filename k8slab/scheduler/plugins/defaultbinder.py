"""DefaultBinder: the scheduler's one write, the pod's binding subresource (POST pods/<name>/binding)."""

from __future__ import annotations

from k8slab.api.errors import StatusError
from k8slab.scheduler.framework import SUCCESS, Code, Plugin, Status


class DefaultBinder(Plugin):
    name = "DefaultBinder"

    def __init__(self, client=None):
        self.client = client

    def bind(self, state, pod_info, node_name: str) -> Status:
        try:
            self.client.bind(pod_info.namespace, pod_info.pod["metadata"]["name"], node_name)
        except StatusError as error:
            return Status(Code.Error, [str(error)])
        return SUCCESS
