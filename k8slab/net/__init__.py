"""The data path: Services, kube-proxy's rules, the load balancer, cluster DNS, requests and their traces.

Built in notebooks 07 and 08 (steps 11 to 15 of the architecture diagram).
`proxy` is kube-proxy (one per node); `loadbalancer` gives LoadBalancer
Services an external IP and health-checks the nodes behind it; `nodeports`
hands out NodePorts from 30000-32767 as kube-apiserver's allocator does;
`dns` answers cluster.local names as CoreDNS does; `request` carries one
HTTP request through all of it and traces every hop; `traffic` sends many
over virtual time while the cluster changes.
"""

from k8slab.net.dns import Answer, ClusterDNS
from k8slab.net.loadbalancer import LoadBalancerController
from k8slab.net.nodeports import NodePortAllocator
from k8slab.net.proxy import KubeProxy, ProxyRules, Verdict, build_rules, walk
from k8slab.net.request import Hop, Response, request
from k8slab.net.traffic import Traffic, success_rate, traffic, version_mix

__all__ = [
    "Answer",
    "ClusterDNS",
    "Hop",
    "KubeProxy",
    "LoadBalancerController",
    "NodePortAllocator",
    "ProxyRules",
    "Response",
    "Traffic",
    "Verdict",
    "build_rules",
    "request",
    "success_rate",
    "traffic",
    "version_mix",
    "walk",
]
