# %% [markdown]
# # 08 — The load balancer and the whole request path
#
# **Goal.** In notebook 07 a request started inside the cluster, from a pod. Real users are on the
# internet: they know one address, and behind it some machines must be up. In this lab you follow one
# user's request from the internet to a container and back, hop by hop: the **load balancer** that picks a
# node, that node's kube-proxy rules, the pod, and the way back. Then you compare the two ways in from
# outside (a **NodePort** and a **LoadBalancer** Service), see what `externalTrafficPolicy: Local` changes,
# and switch off a node in the middle of steady traffic to watch what users see, second by second.
#
# **Steps covered:** 11 (a user's traffic arrives through a load balancer that picks a node), 12 (it is
# forwarded to kube-proxy's rules), 13 (they pick the pod), 14 (the pod's container handles it) and 15
# (the response flows back). Steps 12 to 14 were the subject of notebook 07; here they are links in a
# longer chain.
#
# **Time:** about 45 minutes.

# %%
from k8slab.viz import architecture

architecture(highlight=[11, 12, 13, 14, 15])

# %% [markdown]
# ## 1. A web site for the internet
#
# The same three nginx web servers as in notebook 07, each with a readiness probe, and a Service in front
# of them. This time the Service has `type: LoadBalancer`: it asks for an address on the internet.
#
# Kubernetes itself has no load balancer. A component that talks to the cloud, the **service
# controller** (it runs in the *cloud-controller-manager*, the cloud's part of the control plane), watches
# for Services of type LoadBalancer, asks the cloud for a load balancer whose backends are the cluster's
# nodes, and writes the address it got into the Service's `status.loadBalancer.ingress`. The lab plays
# both the service controller and the cloud; on your own machines, MetalLB plays them.
#
# `nodePort: 30080` is there because a LoadBalancer Service is also a NodePort Service (section 4). Left
# out, the API server would pick a free port from 30000-32767; we choose one so the text can name it.

# %%
import pandas as pd

from k8slab import Cluster

pd.set_option("display.max_colwidth", 120)

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{name: http, containerPort: 80}]
        readinessProbe:
          httpGet: {path: /, port: 80}
          periodSeconds: 5
"""
SERVICE = """
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http, nodePort: 30080}
"""

cluster = Cluster(nodes=3, seed=0)
cluster.apply(WEB + "---" + SERVICE)
cluster.run(seconds=30)
print(cluster.kubectl("get pods -o wide"))
print(cluster.kubectl("get services"))

# %% [markdown]
# `EXTERNAL-IP` is the load balancer's address, `203.0.113.1` (the lab's addresses come from a range
# reserved for documentation; a cloud would give you one of its own). `PORT(S)` reads "port 80 on the
# cluster IP and on the external IP, 30080 on every node". The service controller's work shows in the
# Service's events:

# %%
print(cluster.kubectl("describe service web"))

# %% [markdown]
# `LoadBalancer Ingress: 203.0.113.1 (VIP)`: the load balancer passes packets on *still addressed to*
# `203.0.113.1` (ipMode `VIP`), and kube-proxy's rules on every node have a line for that address (section
# 4 shows it).
#
# ## 2. Build it: a tiny load balancer
#
# A load balancer has two jobs: know which backends are alive, and spread new connections over the live
# ones. For the first, it asks every node, every few seconds, a question only a working node can answer:
# a **health check**. For a Service with the default `externalTrafficPolicy: Cluster` the question is
# `GET http://<node>:10256/healthz`, which **kube-proxy** answers: 200 if it runs and has written its
# rules, anything else (or silence) if not. Here it is in a few lines; the dice are the cluster's seeded
# random generator, so the counts are the same on every run.

# %%
from collections import Counter


def tiny_health_check(node):
    """GET http://<node>:10256/healthz: the HTTP status kube-proxy answers (None when nothing answers)."""
    proxy = cluster.proxies[node]
    return proxy.healthz()[0] if proxy.running else None


def tiny_pick(nodes, rng):
    """One new connection: a node, at random among those whose health check says 200."""
    healthy = [node for node in nodes if tiny_health_check(node) == 200]
    return healthy[rng.randrange(len(healthy))] if healthy else None


nodes = sorted(cluster.proxies)
print({node: tiny_health_check(node) for node in nodes})
Counter(tiny_pick(nodes, cluster.loop.random) for _ in range(3000))

# %% [markdown]
# About a thousand each. A real load balancer does not check before *every* connection: it checks every
# few seconds and remembers the answers, with thresholds so that one lost answer does not take a node out.
# The lab's load balancer (`cluster.load_balancers`) checks every 5 s, takes a node out after 2 failed
# checks in a row and puts it back after 2 good ones (clouds have their own numbers, usually of this
# order). Its view of its backends:

# %%
cluster.load_balancers.frame()

# %% [markdown]
# ## 3. One request, hop by hop
#
# Now a user on the internet (at `198.51.100.7`, another documentation address) opens
# `http://203.0.113.1/`. `request` carries the request the way its packets would travel and writes down
# every hop, with the step of the diagram it belongs to and its latency in virtual time:

# %%
from k8slab.net.request import request

external_ip = cluster.api.get("services", "web")["status"]["loadBalancer"]["ingress"][0]["ip"]
response = request(cluster, f"http://{external_ip}/")
print(response.summary())
print(response.body)
response.frame()

# %% [markdown]
# Move the slider (or press play) to follow the request on the diagram, one hop at a time:

# %%
from k8slab.viz.trace import TraceWalker

walker = TraceWalker(response)
walker

# %% [markdown]
# Read the trace from the top:
#
# * **Step 11.** The load balancer picks one of its healthy nodes at random and sends the packet there.
#   The packet's destination stays `203.0.113.1:80`.
# * **Step 12.** The packet reaches the node. Nothing on the node listens on `203.0.113.1`; it goes into the
#   node's kube-proxy rules, where `KUBE-SERVICES` has a line for the load balancer's address.
# * **Step 13.** The rules pick one of the three pods (1/3 each, as in notebook 07) and rewrite the
#   destination to it (**DNAT**). Because the packet came from outside the cluster, they also rewrite its
#   *source* to the node's own address (**masquerade**, or **SNAT**, source NAT; section 4 says why). When the
#   chosen pod runs on another node, the packet then crosses the **pod network** to it: one more hop.
# * **Step 14.** nginx in the pod answers `200` after 2 ms.
# * **Step 15.** The reply goes back the same way: to the node that rewrote the packet, where the kernel's
#   connection tracking (**conntrack**) undoes both rewrites, so the reply seems to come from
#   `203.0.113.1:80`; then to the load balancer, and to the user.
#
# The latencies are the lab's simple model: 1 ms between the user and the load balancer, 0.5 ms between the
# load balancer and a node and between two nodes, the container's own time, nothing for the rules (the
# kernel rewrites a packet in microseconds). On a real network these numbers vary; their sum is what a user
# feels.
#
# ## 4. NodePort and LoadBalancer: what each one adds
#
# Three kinds of Service, each one built on the one before:
#
# | type | reachable at | from |
# |---|---|---|
# | `ClusterIP` (the default) | the cluster IP, port 80 | pods only (notebook 07) |
# | `NodePort` | also **every node's** address, port 30080 | anything that can reach the nodes |
# | `LoadBalancer` | also **one external IP**, port 80, through the cloud's load balancer | the internet |
#
# Our Service is a LoadBalancer, so it is a NodePort Service too. Try the NodePort alone: connect from the
# internet straight to each node, three times each, and note who answered and what the pod saw as the
# client's address.

# %%
node_addresses = {node: proxy.node_ips[0] for node, proxy in sorted(cluster.proxies.items())}


def trip(response):
    """One row per request: where it entered, which pod on which node answered, hops, latency, the client
    address the pod saw."""
    entered = next(hop.node for hop in response.trace if hop.step == 12)
    crossed = any(hop.component == "pod network" for hop in response.trace)
    return {"entered at": entered, "pod": response.pod.split("/")[1], "pod's node": response.node,
            "crossed to another node": crossed, "hops": len(response.hops),
            "latency ms": round(response.latency * 1000, 3), "pod saw the client as": response.client}


def send(url, times):
    """`times` requests to `url`, one every 100 ms of virtual time (so none waits for another), as rows."""
    rows = []
    for _ in range(times):
        rows.append(trip(request(cluster, url)))
        cluster.run(seconds=0.1)
    return pd.DataFrame(rows)


pd.concat([send(f"http://{address}:30080/", 3) for address in node_addresses.values()], ignore_index=True)

# %% [markdown]
# Every node answers on port 30080, whichever pod runs there: each node's rules pick among *all* the
# Service's pods, so a request that enters node-1 often leaves for a pod on node-2 or node-3 (one more hop
# each way, 1 ms more in this lab's model).
#
# And the pod never sees the user's address `198.51.100.7`: it sees the address of the node the request
# entered. That is the masquerade of step 13, and it is needed. If the pod on node-3 answered the user
# directly, the reply would come from `10.244.3.2`, an address the user never spoke to, and the user's
# machine would throw it away. Rewriting the source makes the reply go back through the node that
# rewrote the destination, where conntrack can undo both rewrites. The cost: the application cannot tell
# who its users are (section 5 fixes that).
#
# The rules behind it, on node-1: `KUBE-NODEPORTS` catches port 30080 on the node's own address,
# `KUBE-SERVICES` catches the load balancer's address, and both go to the Service's **`KUBE-EXT`** chain
# (traffic from outside), which marks the packet for masquerading and continues to the same `KUBE-SVC`
# chain as in notebook 07:

# %%
proxy = cluster.proxies["node-1"]
columns = ["chain", "num", "source", "destination", "dport", "target", "comment"]
rules = proxy.frame(table="nat")
mine = rules["comment"].str.startswith("default/web")
entry = rules["chain"].isin(["KUBE-SERVICES", "KUBE-NODEPORTS"]) & mine
rules[entry | rules["chain"].str.startswith("KUBE-EXT")][columns].reset_index(drop=True)

# %% [markdown]
# What does a NodePort leave to you? The users need a node's address, so you must hand out node addresses
# (and change them when nodes come and go), and nothing stops a user from picking a node that is down.
# A **load balancer** adds exactly this: **one stable address**, and **health checks** so that only live
# nodes get traffic. Twelve requests through it:

# %%
through_lb = send(f"http://{external_ip}/", 12)
through_lb

# %% [markdown]
# The load balancer spreads the requests over the nodes (`entered at`), then each node's rules spread them
# over the pods: two rounds of dice. So a request crosses to another node two times out of three on
# average (10 of these 12), and the pod still sees a node's address, not the user's.
#
# ## 5. `externalTrafficPolicy: Local`: keep the client's address, skip nodes without pods
#
# `externalTrafficPolicy` says what a node does with traffic from outside. `Cluster` (the default) is what
# we saw: any pod of the Service, on any node, masqueraded. **`Local`** means: only a pod on *this* node,
# and no masquerade. The reply can go straight back because the pod is on the node that rewrote the
# packet, so the pod sees the user's real address, and there is no second hop.
#
# But then a node without a pod of the Service has nowhere to send the traffic. So with `Local`, the
# Service gets a **health check node port** (`healthCheckNodePort`), on which kube-proxy answers "how many
# ready pods of this Service are on this node?": 200 if any, 503 if none. The load balancer checks that port
# instead of `/healthz`, and sends nothing to a node that answers 503. (The API server would choose that
# port; here we choose 32000 ourselves, as for the NodePort.)
#
# To see a node without a pod, we also scale down to two replicas:

# %%
local_policy = '{"spec":{"externalTrafficPolicy":"Local","healthCheckNodePort":32000}}'
print(cluster.kubectl(f"patch service web -p '{local_policy}'"))
print(cluster.kubectl("scale deployment web --replicas=2"))
cluster.run(seconds=15)
print(cluster.kubectl("get pods -o wide"))
cluster.load_balancers.frame()

# %% [markdown]
# The load balancer now checks port 32000, and the node without a pod answers 503: after two such answers
# it is out. What kube-proxy answers there, on each node:

# %%
pd.DataFrame([{"node": node, "answer": status, "localEndpoints": body["localEndpoints"]}
              for node, proxy in sorted(cluster.proxies.items())
              for status, body in [proxy.service_health("default", "web")]])

# %% [markdown]
# Twelve requests through the load balancer again:

# %%
local = send(f"http://{external_ip}/", 12)
local

# %% [markdown]
# Every request is answered on the node it entered (no trip over the pod network, so two hops fewer: one
# each way), and the pod sees the user's own address `198.51.100.7`. Compare the latencies:

# %%
pd.DataFrame({"Cluster": through_lb["latency ms"].describe(), "Local": local["latency ms"].describe()}).T[
    ["count", "mean", "min", "max"]]

# %% [markdown]
# The health check is what makes `Local` safe. A user who skips the load balancer and connects to the
# podless node's NodePort directly finds no pod there, and the node's rules drop the packet
# (`KUBE-EXT` sends it to an empty local chain):

# %%
podless = cluster.load_balancers.frame().query("not healthy")["node"].iloc[0]
dropped = request(cluster, f"http://{node_addresses[podless]}:30080/")
print(dropped.error)
dropped.frame()

# %% [markdown]
# The price of `Local`: the load balancer gives each healthy *node* an equal share, whatever the number of
# pods on it, so a node with two pods gives each of them half as much as a node with one; and a node that
# loses its last pod keeps getting traffic until the load balancer's next failed checks. Choose `Local` when
# the application needs the client's address (logs, rate limits, allow lists) or the extra hop costs too
# much.
#
# Back to three replicas and `Cluster` for the rest of the lab:

# %%
print(cluster.kubectl("""patch service web -p '{"spec":{"externalTrafficPolicy":"Cluster"}}'"""))
print(cluster.kubectl("scale deployment web --replicas=3"))
cluster.run(seconds=15)

# %% [markdown]
# ## 6. Break it: a node dies in the middle of traffic
#
# A single request is a snapshot. Real users send requests all the time, and the cluster changes in
# between. The traffic generator sends requests at a steady rate, each at its own instant of virtual time,
# while everything else (health checks, heartbeats, controllers, kube-proxy) goes on around them. One row
# per request:

# %%
from k8slab.net.traffic import success_rate, summary, traffic

steady = traffic(cluster, f"http://{external_ip}/", rate=10, seconds=5)
steady.head()

# %% [markdown]
# Now the experiment. On a fresh cluster (so that both runs below start alike), users send 10 requests a
# second for seven minutes; 10 s in, node-2 goes away: `fail_node` stops its kubelet and its kube-proxy, as
# if someone pulled the plug. Every half second we also note what the load balancer, the Node object, the
# EndpointSlice and the pods say, keeping a line each time something changes.

# %%
RATE, SECONDS, FAIL_AT = 10, 420, 10


def observe(cluster, changes, start):
    """What the cluster shows now; a row in `changes` when something differs from the last row."""
    balancer = cluster.load_balancers.balancers["default/web"]
    node = cluster.api.get("nodes", "node-2")
    ready = next(c["status"] for c in node["status"]["conditions"] if c["type"] == "Ready")
    slices = cluster.api.list("endpointslices", label_selector="kubernetes.io/service-name=web")["items"]
    endpoints = [e for s in slices for e in s.get("endpoints") or []]
    pods = cluster.api.list("pods", label_selector="app=web")["items"]
    now = {
        "load balancer sends to": ", ".join(balancer.healthy_nodes()),
        "node-2 Ready": ready,
        "ready endpoints": sum(1 for e in endpoints if e["conditions"].get("ready")),
        "ready endpoints on node-2": sum(
            1 for e in endpoints if e["conditions"].get("ready") and e.get("nodeName") == "node-2"),
        "web pods (not being deleted)": sum(1 for p in pods if not p["metadata"].get("deletionTimestamp")),
    }
    if not changes or {k: v for k, v in changes[-1].items() if k != "t (s)"} != now:
        changes.append({"t (s)": round(cluster.now - start, 1), **now})


def node_failure(policy):
    """A fresh cluster, the web Service with this externalTrafficPolicy, node-2 failing under traffic.

    Returns the traffic table and the table of changes."""
    fresh = Cluster(nodes=3, seed=0)
    service = SERVICE.replace("type: LoadBalancer", f"type: LoadBalancer\n  externalTrafficPolicy: {policy}")
    if policy == "Local":
        service = service.replace("  selector:", "  healthCheckNodePort: 32000\n  selector:")
    fresh.apply(WEB + "---" + service)
    fresh.run(seconds=30)
    ip = fresh.api.get("services", "web")["status"]["loadBalancer"]["ingress"][0]["ip"]
    changes, start = [], fresh.now
    actions = {t / 2: (lambda c: observe(c, changes, start)) for t in range(0, 2 * SECONDS)}
    actions[FAIL_AT] = lambda c: (c.fail_node("node-2"), observe(c, changes, start))
    result = traffic(fresh, f"http://{ip}/", rate=RATE, seconds=SECONDS, at=actions)
    return result, pd.DataFrame(changes)


with_cluster, changes_cluster = node_failure("Cluster")
changes_cluster

# %% [markdown]
# The timeline, in the cluster's own words:
#
# * **t = 10 s.** node-2 dies. Nothing in the cluster knows yet.
# * **A few seconds later** the load balancer has had two health checks in a row go unanswered (5 s apart)
#   and stops sending to node-2.
# * **About 50 s after the failure** (the controller's 40 s grace period counts from the moment it last
#   *saw* a heartbeat, which can be several seconds after the kubelet wrote it, and it looks only every
#   5 s; Kubernetes 1.32 raised the grace period to 50 s), node-2's `Ready` condition becomes `Unknown` and the
#   node gets the `node.kubernetes.io/unreachable` taint. At the same moment the controller sets the
#   `Ready` condition of every pod on node-2 to `False` (upstream's `MarkPodsNotReady`, with a
#   `NodeNotReady` event): the EndpointSlice controller marks their endpoints not ready, and every
#   kube-proxy drops them from its rules.
# * **300 s after that** (the pods' default toleration of that taint), the pod on node-2 is evicted. It
#   cannot really stop (its node is gone), but it is marked for deletion, and the ReplicaSet makes a
#   replacement on a live node, Ready within a second (the image is already there).
#
# What did the users see? The share of requests answered, each second (thin line) and each 5 seconds (thick),
# with those moments marked:

# %%
import matplotlib.pyplot as plt


def moments(changes):
    """The seconds at which the story moves on, read from the table of changes."""
    first = lambda mask: float(changes.loc[mask, "t (s)"].iloc[0]) if mask.any() else None  # noqa: E731
    return {
        "node-2 dies": FAIL_AT,
        "load balancer takes node-2 out": first(~changes["load balancer sends to"].str.contains("node-2")),
        "node-2 Ready: Unknown": first(changes["node-2 Ready"] != "True"),
        "node-2's endpoint not ready": first(changes["ready endpoints on node-2"] == 0),
    }


def plot_failure(ax, result, changes, title):
    """Each second's success rate (thin) and each 5 seconds' (thick), with the moments of the story."""
    rate = success_rate(result)
    ax.plot(rate.index, rate["success rate"] * 100, color="#326ce5", linewidth=0.6, alpha=0.4,
            label="each second")
    bins = rate.groupby(rate.index // 5 * 5)[["ok", "requests"]].sum()
    ax.step(bins.index, bins["ok"] / bins["requests"] * 100, where="post", color="#326ce5", linewidth=1.8,
            label="each 5 seconds")
    colours = ["black", "#e8710a", "#7b1fa2", "#1b7f3b"]
    for (label, second), colour in zip(moments(changes).items(), colours, strict=True):
        if second is not None:
            ax.axvline(second, color=colour, linestyle="--", linewidth=1, label=f"{label} ({second:g} s)")
    ax.set_ylim(0, 105)
    ax.set_xlim(0, SECONDS)
    ax.set_ylabel("requests answered (%)")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)


fig, ax = plt.subplots(figsize=(11, 3.4))
plot_failure(ax, with_cluster, changes_cluster, "externalTrafficPolicy: Cluster, node-2 fails at 10 s")
ax.set_xlabel("seconds since the traffic started")
plt.tight_layout()
plt.show()
summary(with_cluster)

# %% [markdown]
# Two phases of failure:
#
# 1. **Until the load balancer's health checks notice** (a few seconds), a third of the connections go to
#    node-2 and time out, and of the two thirds that reach a live node, a third are sent on to the pod on
#    node-2 and time out too: about 5 in 9 fail (`1/3 + 2/3 × 1/3`).
# 2. **Then, until the pod's endpoint stops being ready**, about 1 in 3 still fails: the load
#    balancer only uses node-1 and node-3, but their rules still list the pod on node-2 as ready, and a
#    third of new connections are sent to it. Every failure is a user waiting 10 s for a connection time-out.
#
# The second phase ends when the node lifecycle controller marks node-2 `Unknown` and its pods not ready
# (about 50 s after the failure): from then on the rules on node-1 and node-3 only list live pods, and
# every request is answered, minutes before the eviction replaces the lost pod. Users see errors for as
# long as some layer still sends them to the dead machine.
#
# Now the same failure with `externalTrafficPolicy: Local`, where each node only uses its own pods:

# %%
with_local, changes_local = node_failure("Local")
changes_local

# %%
fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6.4), sharex=True)
plot_failure(top, with_cluster, changes_cluster, "externalTrafficPolicy: Cluster")
plot_failure(bottom, with_local, changes_local, "externalTrafficPolicy: Local")
bottom.set_xlabel("seconds since the traffic started")
plt.tight_layout()
plt.show()
pd.concat({"Cluster": summary(with_cluster), "Local": summary(with_local)}).droplevel(1)

# %% [markdown]
# With `Local`, the only failures are the connections the load balancer sent to node-2 before its health
# checks noticed: node-1 and node-3 never send anything to another node, so a dead node's pod can only be
# reached through the dead node itself, and the load balancer already avoids that. From then on every
# request is answered by the pods on node-1 and node-3, joined at the eviction by the replacement pod.
#
# The lesson carries over to any cluster: **how long users see errors depends on how fast each layer
# notices** (the load balancer's health checks, the node's heartbeats, the endpoints in the rules), and
# the slowest layer that still routes to the dead machine sets the length of the outage.
#
# ## 7. What the lab simplifies
#
# * **The load balancer** is the lab's own: addresses from `203.0.113.0/24`, checks every 5 s, out after 2
#   failures, in after 2 successes, a random healthy node per connection. Real clouds each have their own
#   numbers and algorithms, some send traffic to the nodes' NodePorts instead of passing the external IP
#   through (ipMode `Proxy`), and a few "fail open" (use every node) when none is healthy; here the
#   connection is dropped. Health checks are a direct look at the node's kube-proxy, not packets.
# * **The network** is a model: fixed latencies per network hop (no loss or congestion on the wire; only the
#   web server queues, when busy), every request a new connection (no keep-alive), HTTP only (no TLS). A
#   request takes no virtual time itself: it sees the cluster at the instant it is sent, and its latency is
#   reported beside it. A connection that nothing answers costs the user `curl`'s 10 s connect time-out.
# * **The node lifecycle controller** has none of upstream's protections for a whole zone going down (rate
#   limits per zone, "full disruption" mode): it treats every dead node as one failure among many.
# * No `loadBalancerSourceRanges`, no session affinity at the load balancer, no Ingress or Gateway (the
#   HTTP-aware layer many clusters put in front of their Services).
#
# ## 8. Exercises
#
# **Exercise 1: how long does the trip take?** With the lab's latency model (1 ms each way between the user
# and the load balancer, 0.5 ms each way between the load balancer and a node, 0.5 ms each way between two
# nodes, 2 ms for nginx to answer), how many milliseconds does a request through the load balancer take,
# from the moment it leaves the user to the moment the reply arrives: when the pod runs on the node the load
# balancer picked, and when it runs on another node?
#
# <details><summary>Hint</summary>
#
# Count the legs in the trace of section 3, and remember that every leg of the way in has a leg on the way
# back (step 15).
# </details>

# %%
from k8slab.exercises import check

latency = {"same node": ..., "other node": ...}  # milliseconds
check("08-latency", latency)

# %% [markdown]
# **Exercise 2: keep serving when a node dies.** Here is a Service that works, but when a node dies (as in
# section 6), its users see failures for minutes. Change it so that users see failures only until the load
# balancer's health checks take the dead node out (within 12 s of the failure), and so that the pods see the
# users' real addresses. `check` runs your Service on a fresh cluster with the same three web pods, sends
# 10 requests a second to the load balancer for a minute and fails node-2 10 s in (it takes a few seconds).
#
# <details><summary>Hint</summary>
#
# Which requests fail after the load balancer has stopped sending to node-2? Through which node did they
# enter, and where were they sent? Section 5 has the setting that keeps a node to its own pods.
# </details>

# %%
from k8slab.exercises.nb08 import starting_service

service = starting_service()
print(service)
# change `service` here, then replace ... with service:
check("08-keep-serving", ...)

# %% [markdown]
# ## Recap
#
# - Kubernetes does not make load balancers. The **service controller** (in the cloud-controller-manager)
#   asks the cloud for one for each `type: LoadBalancer` Service and writes its address into
#   `status.loadBalancer.ingress` (`EXTERNAL-IP`).
# - A request from the internet: the **load balancer** picks a healthy node (11); the node's **kube-proxy
#   rules** take the packet (12) and DNAT it to a pod, maybe on another node (13); the **container**
#   answers (14); the reply goes back through the same node, where **conntrack** undoes the rewrites, and
#   through the load balancer (15).
# - `ClusterIP` ⊂ `NodePort` ⊂ `LoadBalancer`: a NodePort opens a port on every node; a load balancer adds
#   one stable address and health checks in front of those ports.
# - With `externalTrafficPolicy: Cluster` the node **masquerades** the packet (the pod sees the node, not the
#   user) and may forward it to another node. With **`Local`** it uses only its own pods, keeps the client's
#   address, and the load balancer's check on the **health check node port** skips nodes without a ready pod.
# - When a node dies under traffic, users see errors until every layer that could route to it has noticed:
#   the load balancer's health checks in seconds, the endpoints in the rules only once the node lifecycle
#   controller acts.
#
# **Next:** notebook 09 puts it all together: a rolling update under steady traffic with no failed request,
# what makes one fail, and a live dashboard.
#
# **Read more:** [Service type
# LoadBalancer](https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer),
# [Create an External Load
# Balancer](https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/),
# [Using Source IP](https://kubernetes.io/docs/tutorials/services/source-ip/),
# [cloud-controller-manager](https://kubernetes.io/docs/concepts/architecture/cloud-controller/),
# [MetalLB](https://metallb.io/), and the source:
# `staging/src/k8s.io/cloud-provider/controllers/service/controller.go` and `pkg/proxy/healthcheck/` in the
# Kubernetes repository.
