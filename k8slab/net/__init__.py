"""The data path: Services, kube-proxy's rules, and (coming) the load balancer and request traces.

Built in notebooks 07 and 08 (steps 11 to 15 of the architecture diagram).
`proxy` is kube-proxy (one per node); `nodeports` hands out NodePorts from
30000-32767 as kube-apiserver's allocator does.
"""

from k8slab.net.nodeports import NodePortAllocator
from k8slab.net.proxy import KubeProxy, ProxyRules, Verdict, build_rules, walk

__all__ = ["KubeProxy", "NodePortAllocator", "ProxyRules", "Verdict", "build_rules", "walk"]
