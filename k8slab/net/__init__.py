"""The data path: Services, kube-proxy's rules, and (coming) the load balancer and request traces.

Built in notebooks 07 and 08 (steps 11 to 15 of the architecture diagram).
`proxy` is kube-proxy (one per node); `loadbalancer` gives LoadBalancer
Services an external IP and health-checks the nodes behind it; `nodeports`
hands out NodePorts from 30000-32767 as kube-apiserver's allocator does.
"""

from k8slab.net.loadbalancer import LoadBalancerController
from k8slab.net.nodeports import NodePortAllocator
from k8slab.net.proxy import KubeProxy, ProxyRules, Verdict, build_rules, walk

__all__ = [
    "KubeProxy",
    "LoadBalancerController",
    "NodePortAllocator",
    "ProxyRules",
    "Verdict",
    "build_rules",
    "walk",
]
