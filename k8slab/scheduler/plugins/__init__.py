"""The default plugins, one file each, named as upstream names them (notebook 04)."""

from k8slab.scheduler.plugins.balanced_allocation import NodeResourcesBalancedAllocation
from k8slab.scheduler.plugins.defaultbinder import DefaultBinder
from k8slab.scheduler.plugins.defaultpreemption import DefaultPreemption
from k8slab.scheduler.plugins.fit import NodeResourcesFit
from k8slab.scheduler.plugins.imagelocality import ImageLocality
from k8slab.scheduler.plugins.interpodaffinity import InterPodAffinity
from k8slab.scheduler.plugins.nodeaffinity import NodeAffinity
from k8slab.scheduler.plugins.nodename import NodeName
from k8slab.scheduler.plugins.nodeports import NodePorts
from k8slab.scheduler.plugins.nodeunschedulable import NodeUnschedulable
from k8slab.scheduler.plugins.podtopologyspread import PodTopologySpread
from k8slab.scheduler.plugins.tainttoleration import TaintToleration

__all__ = [
    "DefaultBinder",
    "DefaultPreemption",
    "ImageLocality",
    "InterPodAffinity",
    "NodeAffinity",
    "NodeName",
    "NodePorts",
    "NodeResourcesBalancedAllocation",
    "NodeResourcesFit",
    "NodeUnschedulable",
    "PodTopologySpread",
    "TaintToleration",
]
