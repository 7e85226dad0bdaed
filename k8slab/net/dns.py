"""Cluster DNS: how a pod finds a Service by name (`web.default.svc.cluster.local`).

Built in notebook 08 (the whole request path). Pods rarely know a Service's
clusterIP; they know its name. Every pod's /etc/resolv.conf points at the
cluster's DNS server (CoreDNS, itself a Deployment behind the `kube-dns`
Service at 10.96.0.10), with a search path for the pod's namespace:

    nameserver 10.96.0.10
    search <namespace>.svc.cluster.local svc.cluster.local cluster.local
    options ndots:5

so `web`, `web.default`, `web.default.svc` and `web.default.svc.cluster.local`
all find the Service `web` in namespace `default` from a pod in `default`,
and `web.other` finds it in namespace `other`. A name with five dots or more,
or one ending in ".", is tried as it is first (ndots:5).

CoreDNS's `kubernetes` plugin answers from its own informers over Services
and EndpointSlices, as `ClusterDNS` does here:

* `<service>.<namespace>.svc.cluster.local`: the Service's clusterIP; for a
  headless Service (clusterIP None) the addresses of its ready endpoints,
  one A record each (CoreDNS's `loadbalance` plugin shuffles their order,
  so clients spread over them); for an ExternalName Service a CNAME to
  `spec.externalName`;
* `<a-b-c-d>.<namespace>.pod.cluster.local`: the address a.b.c.d (the
  `pods insecure` mode of kubeadm's default Corefile);
* anything else in cluster.local: NXDOMAIN.

Simplified, out loud: the lab has no CoreDNS pods and no kube-dns Service: a
lookup is an answer from this object's caches, instantly (the request path
counts it as 0.5 ms). No SRV records, no caching TTLs, no upstream
resolvers: a name outside cluster.local does not resolve (the lab has no
internet), nor does the target of an ExternalName.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass, field

from k8slab.client import Client, Informer

CLUSTER_DOMAIN = "cluster.local"
#: The kube-dns Service's address in a kubeadm cluster (the tenth address of the service CIDR).
NAMESERVER = "10.96.0.10"
NDOTS = 5


@dataclass
class Answer:
    """What a lookup found: the name asked, the names tried (search path), the answer's name and addresses.

    `rcode` is "NOERROR" or "NXDOMAIN"; `cname` is set for an ExternalName Service.
    """

    query: str
    tried: list[str] = field(default_factory=list)
    name: str = ""
    addresses: list[str] = field(default_factory=list)
    rcode: str = "NXDOMAIN"
    cname: str = ""
    service: str = ""  # "namespace/name" of the Service the name belongs to, if any

    @property
    def found(self) -> bool:
        return bool(self.addresses)

    def __repr__(self) -> str:
        if self.addresses:
            return f"Answer({self.query!r} -> {self.name} A {', '.join(self.addresses)})"
        if self.cname:
            return f"Answer({self.query!r} -> {self.name} CNAME {self.cname}, no address in the lab)"
        return f"Answer({self.query!r}: NXDOMAIN, tried {', '.join(self.tried)})"


def search_path(namespace: str, domain: str = CLUSTER_DOMAIN) -> list[str]:
    """The `search` line of a pod's resolv.conf (dnsPolicy ClusterFirst)."""
    return [f"{namespace}.svc.{domain}", f"svc.{domain}", domain]


def candidates(name: str, namespace: str | None, domain: str = CLUSTER_DOMAIN) -> list[str]:
    """The fully qualified names a resolver tries for `name`, in order (glibc's rules with ndots:5)."""
    if name.endswith("."):
        return [name[:-1]]
    absolute = [name]
    if namespace is None:
        return absolute
    searched = [f"{name}.{suffix}" for suffix in search_path(namespace, domain)]
    return absolute + searched if name.count(".") >= NDOTS else searched + absolute


@functools.lru_cache(maxsize=4096)
def is_ip(text: str) -> bool:
    """Is `text` an IPv4 address in dotted form? (Cached: the request path asks about the same few.)"""
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


class ClusterDNS:
    """CoreDNS's kubernetes plugin: answers cluster.local names from its own Service and EndpointSlice caches.

        dns = ClusterDNS(Client(api, user="system:serviceaccount:kube-system:coredns"))
        dns.run()
        dns.resolve("web", namespace="default")   # Answer('web' -> web.default.svc.cluster.local A 10.96...)
    """

    def __init__(self, client: Client, domain: str = CLUSTER_DOMAIN):
        self.client = client
        self.domain = domain
        self.services = Informer(client, "services")
        self.endpoint_slices = Informer(client, "endpointslices")
        self.endpoint_slices.add_index(
            "service",
            lambda s: [
                f"{s['metadata'].get('namespace', 'default')}/{name}"
                for name in [(s["metadata"].get("labels") or {}).get("kubernetes.io/service-name")]
                if name
            ],
        )
        self.running = False

    def __repr__(self) -> str:
        return f"ClusterDNS(domain={self.domain!r}, services={len(self.services)})"

    def run(self) -> None:
        if self.running:
            return
        self.running = True
        self.services.run()
        self.endpoint_slices.run()

    def stop(self) -> None:
        self.running = False
        self.services.stop()
        self.endpoint_slices.stop()

    def resolve(self, name: str, namespace: str | None = None) -> Answer:
        """Look `name` up as a pod in `namespace` would (None: no search path, the name as it is)."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"a DNS name is a non-empty string, got {name!r}")
        answer = Answer(query=name)
        for fqdn in candidates(name.lower(), namespace, self.domain):
            answer.tried.append(fqdn)
            if self.lookup(fqdn, answer):
                answer.rcode = "NOERROR"
                answer.name = fqdn
                return answer
        return answer

    def lookup(self, fqdn: str, answer: Answer) -> bool:
        """One query for one fully qualified name; fills `answer` and says whether the name exists."""
        suffix = "." + self.domain
        if not fqdn.endswith(suffix):
            return False
        labels = fqdn[: -len(suffix)].split(".")
        if len(labels) == 3 and labels[2] == "svc":
            return self._service(labels[0], labels[1], answer)
        if len(labels) == 3 and labels[2] == "pod":
            address = labels[0].replace("-", ".")
            if is_ip(address):
                answer.addresses = [address]
                return True
        return False

    def _service(self, name: str, namespace: str, answer: Answer) -> bool:
        service = self.services.get(f"{namespace}/{name}")
        if service is None:
            return False
        spec = service.get("spec") or {}
        answer.service = f"{namespace}/{name}"
        if spec.get("type") == "ExternalName":
            answer.cname = spec.get("externalName") or ""
            return True
        cluster_ip = spec.get("clusterIP")
        if cluster_ip and cluster_ip != "None":
            answer.addresses = [cluster_ip]
            return True
        answer.addresses = self.ready_addresses(namespace, name)
        return True  # a headless Service with no ready endpoint still exists: NOERROR, no records

    def ready_addresses(self, namespace: str, name: str) -> list[str]:
        """A headless Service's A records: each ready endpoint's address once, in address order."""
        found = set()
        for slice_ in self.endpoint_slices.by_index("service", f"{namespace}/{name}"):
            for endpoint in slice_.get("endpoints") or []:
                if (endpoint.get("conditions") or {}).get("ready") is not False:
                    found.update(endpoint.get("addresses") or [])
        return sorted(found, key=lambda a: ipaddress.IPv4Address(a))


__all__ = ["Answer", "CLUSTER_DOMAIN", "ClusterDNS", "NAMESERVER", "candidates", "search_path"]
