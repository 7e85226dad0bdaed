# %% [markdown]
# # 07 — Services and kube-proxy
#
# **Goal.** Pods come and go, and each new pod gets a new IP address. Yet a client wants one address that
# keeps working. Kubernetes gives it a **Service**: a stable virtual IP address that belongs to no
# machine. In this lab you find out how a packet sent to that address reaches a pod: the EndpointSlice
# that lists the pods behind a Service, and **kube-proxy**, which turns that list into packet-rewriting
# rules on every node. You write a tiny kube-proxy yourself, read the real rules (the same chains and
# names as on a real node), work out why the probabilities `1/3, 1/2, 1` share traffic evenly, count
# 10,000 connections, and watch a pod that fails its readiness probe drop out of rotation.
#
# **Steps covered:** 12 (the traffic is forwarded to kube-proxy's rules), 13 (they pick the pod that
# receives it) and 14 (the pod's container handles the request). Notebook 08 adds the load balancer in
# front (11) and the way back (15).
#
# **Time:** about 45 minutes.

# %%
from k8slab.viz import architecture

architecture(highlight=[12, 13, 14])

# %% [markdown]
# ## 1. Why Services: pods come and go
#
# A **Deployment** (notebook 03) keeps a number of identical pods running. Here are three nginx web
# servers, each with a **readiness probe**: every 5 s the kubelet asks the server for `/`, and only a
# server that answers is *Ready* (notebook 05).

# %%
from k8slab import Cluster

cluster = Cluster(nodes=3, seed=0)
cluster.apply("""
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
""")
cluster.run(seconds=20)
cluster.kubectl("get pods -o wide")

# %% [markdown]
# Each pod has its own IP address (column IP), one from its node's range. Now delete one pod, as a node
# failure or a rolling update would. Its ReplicaSet creates a replacement at once, with a new name and,
# more to the point, a **new IP address**:

# %%
first = cluster.get("pods").sort_values("NAME").iloc[0]["NAME"]
print(cluster.kubectl(f"delete pod {first}"))
cluster.run(seconds=10)
cluster.kubectl("get pods -o wide")

# %% [markdown]
# A client that had written down the old address now talks to nobody. Clients need one address that stays
# while the pods behind it change. That is a **Service**: it selects pods by label (`app: web`, like the
# Deployment) and gets a **cluster IP** from the Service range (`10.96.0.0/12`), kept for the Service's
# whole life. `port: 80` is the port clients use on the cluster IP; `targetPort: http` is the port on the
# pods that receives the connection, here by the name the pods give it.

# %%
cluster.apply("""
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
""")
cluster.run(seconds=2)
cluster.kubectl("get services")

# %% [markdown]
# (`kubernetes` is the Service every cluster has for its own API server.)
#
# Nothing listens on the cluster IP: no machine has it, no process opens it. Two pieces make it work:
#
# 1. The **EndpointSlice controller** (in the controller manager) watches the Service and the pods, and
#    writes an **EndpointSlice**: the list of the matching pods' addresses, each with its conditions
#    (`ready`, `serving`, `terminating`). `targetPort: http` is resolved to the port the pods name `http`
#    (80).
# 2. **kube-proxy**, one on every node, watches Services and EndpointSlices and programs the node's
#    kernel: "a new connection to the cluster IP, port 80, goes to one of these pod addresses instead".

# %%
cluster.kubectl("get endpointslices")

# %%
cluster.kubectl("describe service web")

# %% [markdown]
# ## 2. Build it: a tiny kube-proxy
#
# kube-proxy's default mode writes **iptables** rules. iptables is the Linux kernel's packet filter: rules
# are grouped in **chains**, and a packet goes down a chain, rule by rule, until one matches; its
# **target** says what to do (jump to another chain, rewrite the destination, refuse). The kernel can test
# a random number on a rule (`-m statistic --mode random --probability p`): the rule matches with chance
# `p`.
#
# Here is the idea in a few lines. For a Service with *n* ready endpoints, write *n* rules: rule *i*
# (counting from 0) matches with probability `1/(n-i)`, and the last one always matches. A new connection
# goes down the rules and takes the first one that matches. The dice come from the cluster's seeded random
# generator, so every run of this notebook gives the same numbers.

# %%
from collections import Counter
from fractions import Fraction


def tiny_rules(endpoints):
    """One rule per endpoint: (probability, endpoint); the last rule has no dice (probability 1)."""
    n = len(endpoints)
    return [(Fraction(1, n - i), endpoint) for i, endpoint in enumerate(endpoints)]


def tiny_route(rules, rng):
    """Go down the rules; the first one whose dice say yes picks the endpoint."""
    for chance, endpoint in rules:
        if chance == 1 or rng.random() < chance:
            return endpoint
    return None  # no rules: nowhere to go


slice_ = cluster.api.list("endpointslices", label_selector="kubernetes.io/service-name=web")["items"][0]
addresses = sorted(e["addresses"][0] for e in slice_["endpoints"])
rules = tiny_rules(addresses)
for chance, endpoint in rules:
    print(f"probability {str(chance):4} -> {endpoint}")
Counter(tiny_route(rules, cluster.loop.random) for _ in range(3000))

# %% [markdown]
# About a thousand each. That is the whole trick of kube-proxy's iptables mode. The real one adds names
# for the chains, the rewrite itself (**DNAT**, destination NAT: the packet's destination address and port
# are replaced by the pod's), what to do when there are no endpoints, and rules for traffic from outside the
# cluster.
#
# ## 3. The rules kube-proxy really writes
#
# `cluster.proxies` holds the kube-proxy of each node. `frame()` shows the rules of its node as a table,
# one row per rule in the order the kernel tries them. Here are the chains of the `nat` table (the one that
# rewrites addresses) that concern our Service:

# %%
proxy = cluster.proxies["node-1"]
service = cluster.api.get("services", "web")
cluster_ip = service["spec"]["clusterIP"]
rules_table = proxy.frame(table="nat")
mine = rules_table["comment"].str.startswith("default/web") | (rules_table["chain"] == "KUBE-SERVICES")
columns = ["chain", "num", "source", "destination", "dport", "probability", "target", "to", "comment"]
rules_table[mine][columns].reset_index(drop=True)

# %% [markdown]
# Read it from the entry point down:
#
# * **`KUBE-SERVICES`** is where every packet starts (the kernel's `PREROUTING` and `OUTPUT` chains jump
#   to it). It has one rule per Service port: destination the Service's cluster IP, port 80, jump to this
#   Service's chain. Its last rule sends packets addressed to the node itself to `KUBE-NODEPORTS` (section 9).
# * **`KUBE-SVC-CDGGSHYLG3RE2FKL`** is the Service's chain (the suffix is a hash of `default/web:http` and
#   `tcp`: the same name on every node and in every cluster). Rule 1 marks packets that come from outside
#   the pod network (`! 10.244.0.0/16`) for masquerading, so the reply comes back the same way. Then one
#   rule per endpoint, with the probabilities of our tiny kube-proxy.
# * **`KUBE-SEP-...`** (one per **s**ervice **e**nd**p**oint) does the rewrite: **DNAT** to the pod's
#   address and port. Its first rule handles a pod that calls its own Service and is sent to itself
#   ("hairpin" traffic).
#
# The same path as a picture, drawn from node-1's rules: each arrow out of the Service's chain is one rule
# (numbered as in the table), labelled with its probability and with the share of all new connections that
# end up taking it (section 4 explains why those are all 1/3).

# %%
import graphviz
from IPython.display import SVG


def chain_picture(proxy, chain):
    """KUBE-SERVICES -> the Service's chain -> one KUBE-SEP chain per endpoint -> the pod, from the rules."""
    graph = graphviz.Digraph(graph_attr={"rankdir": "LR", "fontname": "Helvetica", "nodesep": "0.5"},
                             node_attr={"shape": "box", "fontname": "Helvetica", "fontsize": "10"},
                             edge_attr={"fontname": "Helvetica", "fontsize": "9"})
    graph.node("svc", f"KUBE-SERVICES\n-d {cluster_ip} --dport 80")
    graph.node(chain, chain, color="#326ce5", fontcolor="#326ce5")
    graph.edge("svc", chain)
    reaching = Fraction(1)
    for number, rule in enumerate(proxy.rules.chain("nat", chain), start=1):
        if not rule.target.startswith("KUBE-SEP-"):
            continue
        chance = Fraction(rule.probability).limit_denominator(100) if rule.probability else Fraction(1)
        taken, reaching = reaching * chance, reaching - reaching * chance
        pod_ip = next(r.to_destination for r in proxy.rules.chain("nat", rule.target) if r.target == "DNAT")
        graph.node(rule.target, f"{rule.target}\nDNAT to {pod_ip}")
        graph.edge(chain, rule.target, label=f" rule {number}: p = {chance}\n share of all: {taken} ")
    return SVG(graph.pipe(format="svg", encoding="utf-8"))


svc_chain = proxy.frame(chain_prefix="KUBE-SVC")["chain"].iloc[0]
chain_picture(proxy, svc_chain)

# %% [markdown]
# The same rules as `iptables-save` prints them on node-1, which is what you would see with
# `sudo iptables-save -t nat | grep default/web` on a real node. Notice `0.33333333349`: the kernel keeps
# the probability as a 31-bit fraction, and prints back the nearest one to the `0.3333333333` kube-proxy
# wrote.

# %%
print("\n".join(line for line in proxy.save().splitlines() if "default/web" in line))

# %% [markdown]
# Now send one new connection from a pod on node-1 (`10.244.1.50`) to the Service, and ask node-1's rules
# where it goes. `route` walks the rules exactly as the kernel would, with the loop's seeded dice, and
# lists every rule that matched:

# %%
verdict = proxy.route("10.244.1.50", cluster_ip, 80)
print(verdict)
print(verdict.trace_text())

# %% [markdown]
# This is steps 12 and 13 of the diagram. The packet leaves the client pod addressed to the Service
# (12: it passes through the node's kube-proxy rules); the rules pick one pod and rewrite the destination
# to it, and the network carries it to that pod, whichever node it runs on (13); the pod's container
# answers (14).
#
# Note that **kube-proxy itself never sees the packet**. It only writes rules; the kernel applies them.
# If kube-proxy stops, the rules stay and keep working; they just stop changing.

# %%
architecture(highlight=[12, 13])

# %% [markdown]
# ### One request, all the way to the container
#
# `route` stops where the rules stop: at a rewritten address. `k8slab.net.request` carries a whole HTTP
# request, the way its packets would travel, and writes down every hop. Let us start a client pod (a
# busybox shell that just sleeps) and send a request from it to `http://web/`, as `curl http://web/` would
# inside that pod. The pod first asks the cluster's DNS server for the name `web` (expanded to
# `web.default.svc.cluster.local`, which resolves to the Service's cluster IP); then its node's rules pick a pod; then that
# pod's nginx answers (step 14), and the reply goes back with the rewrite undone (step 15, notebook 08).

# %%
from k8slab.net.request import request

cluster.apply("""
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
  - {name: shell, image: "busybox:1.36", command: [sleep, "3600"]}
""")
cluster.run(seconds=10)
response = request(cluster, "http://web/", source="client")
print(response)
print(response.body)
response.frame()

# %% [markdown]
# The `what happened` column is the story: a DNS answer, the packet entering the rules of the client's
# node, the DNAT to one pod (by the `KUBE-SEP` chain named there), the trip over the pod network when that
# pod runs on another node, the container's answer, and, on the way back, conntrack (the kernel's memory
# of each connection) undoing the rewrite so that the reply seems to come from the Service's address.
# The latencies are the lab's model (half a millisecond for a DNS lookup or a hop between nodes, 2 ms for
# nginx to answer; the rules themselves cost nothing worth counting).
#
# ## 4. Why 1/3, 1/2, 1 gives each pod a third
#
# It looks unfair: the first pod gets a 1/3 chance, the second a 1/2 chance, the last one a certainty. But
# the rules are tried **in order**, and each rule only sees the connections that the rules above it let
# through.
#
# * Rule 1 sees every new connection and takes 1/3 of them. **Pod 1 gets 1/3.**
# * 2/3 of the connections are left. Rule 2 takes half of those: 2/3 × 1/2 = 1/3. **Pod 2 gets 1/3.**
# * 2/3 × 1/2 = 1/3 are left, and rule 3 takes them all. **Pod 3 gets 1/3.**
#
# In general, with *n* endpoints, rule *i* (counting from 0) is reached by the connections the first *i*
# rules refused, a fraction (n−1)/n × (n−2)/(n−1) × … × (n−i)/(n−i+1) = (n−i)/n of them (each factor
# cancels the next one's denominator). It takes 1/(n−i) of those: (n−i)/n × 1/(n−i) = **1/n**. Every
# endpoint gets exactly 1/n, and the last rule needs no dice at all.
#
# The same computation with exact fractions, for five endpoints:

# %%
import pandas as pd


def derivation(n):
    """For each rule: its probability, the share of connections that reach it, and the share it takes."""
    rows, reaching = [], Fraction(1)
    for i in range(n):
        chance = Fraction(1, n - i)
        rows.append({"rule": i + 1, "probability": str(chance), "reaches the rule": str(reaching),
                     "goes to this pod": str(reaching * chance)})
        reaching -= reaching * chance
    return pd.DataFrame(rows)


derivation(5)

# %% [markdown]
# ## 5. Count 10,000 connections
#
# A third each is what the rules promise. Let us check: 10,000 new connections from a client pod, each
# walked through node-1's real rules, counted per pod.
#
# Even perfect dice do not give exactly 3,333 each. The count of one pod is a binomial count: its standard
# deviation is √(N·p·(1−p)) = √(10000 × 1/3 × 2/3) ≈ 47, so about 95% of the time each count lands within
# ±94 (two standard deviations) of 3,333. The chart shows that band.

# %%
import matplotlib.pyplot as plt

N = 10_000


def count_connections(proxy, n=N, client="10.244.1.50"):
    """n new connections from `client` to the web Service through `proxy`'s rules, counted per pod.

    Every pod of the Deployment gets a row, with 0 if no connection reached it, and what to expect:
    an equal share of n for each ready pod, nothing for the others.
    """
    landed = Counter(proxy.route(client, cluster_ip, 80).ip for _ in range(n))
    pods = cluster.api.list("pods", label_selector="app=web")["items"]
    pods = sorted(pods, key=lambda p: p["metadata"]["name"])
    ready = {p["metadata"]["name"]: any(c["type"] == "Ready" and c["status"] == "True"
                                        for c in p["status"]["conditions"]) for p in pods}
    share = 1 / sum(ready.values())
    return pd.DataFrame([{"pod": p["metadata"]["name"], "pod IP": p["status"]["podIP"],
                          "ready": ready[p["metadata"]["name"]],
                          "connections": landed[p["status"]["podIP"]],
                          "expected": round(n * share) if ready[p["metadata"]["name"]] else 0}
                         for p in pods])


def plot_counts(counts, title):
    """Left: the counts against what to expect. Right: how far each ready pod is from it, in connections,
    with the band where a fair die lands 95% of the time (two standard deviations of a binomial count)."""
    k = int(counts["ready"].sum())
    sigma = (N * (1 / k) * (1 - 1 / k)) ** 0.5
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.2))
    colours = ["#326ce5" if r else "#b4b4b4" for r in counts["ready"]]
    left.bar(counts["pod"], counts["connections"], color=colours)
    left.scatter(counts["pod"], counts["expected"], color="black", marker="_", s=2000, zorder=3,
                 label="expected")
    for x, value in enumerate(counts["connections"]):
        left.annotate(f"{value:,}", (x, value), ha="center", va="bottom")
    left.set_ylim(0, N / k * 1.25)
    left.set_ylabel("new connections")
    left.set_title(title)
    left.legend(loc="upper right", markerscale=0.2)
    difference = counts["connections"] - counts["expected"]
    right.bar(counts["pod"], difference, color=colours)
    right.axhspan(-2 * sigma, 2 * sigma, color="grey", alpha=0.2, label=f"± 2 std. dev. (± {2 * sigma:.0f})")
    right.axhline(0, color="black", linewidth=0.8)
    right.set_ylim(-4 * sigma, 4 * sigma)
    right.set_ylabel("connections minus expected")
    right.set_title("distance from a perfect split")
    right.legend(loc="upper right")
    for axis in (left, right):
        axis.tick_params(axis="x", labelsize=8)
    plt.tight_layout()
    plt.show()


counts = count_connections(proxy)
plot_counts(counts, f"{N:,} connections to web through node-1's rules")
counts

# %% [markdown]
# All three within the band on the right: an even spread, from nothing but three rules and a random
# number per rule.
#
# Two things worth knowing about this spread on a real cluster:
#
# * It is per **connection**, not per request. A client that keeps one connection open (HTTP keep-alive,
#   gRPC) sends all its requests to the same pod; the kernel's connection tracking (conntrack) remembers the
#   rewrite for every later packet of the connection.
# * Each node decides on its own. The rules are the same on every node, but each node's kernel rolls its
#   own dice.
#
# ## 6. Break it: a pod fails its readiness probe
#
# A pod that runs but cannot serve (still warming up, overloaded, lost its database) should get no
# traffic. That is what the readiness probe is for. Let us break the web server in one pod: from now on
# it answers every request with a 500 error (the lab's "break it" switch for a web server). The kubelet
# probes every 5 s and gives up after 3 failures in a row (`failureThreshold`), so it should take 10 to
# 15 s before anything changes.

# %%
victim = cluster.get("pods", wide=True, selector="app=web").sort_values("NAME").iloc[0]
server = cluster.kubelets[victim["NODE"]].container("default", victim["NAME"], "nginx")
server.set_healthy(False)
print(f"t={cluster.now:g}s: {victim['NAME']} ({victim['IP']}, on {victim['NODE']}) now answers 500")

# %% [markdown]
# Now let one virtual second pass at a time, and write a line whenever something changes: the pod's READY
# column, its endpoint's `ready` condition in the EndpointSlice, and the number of endpoint rules in the
# Service's chain on node-1.

# %%
def observe():
    pod = cluster.api.get("pods", victim["NAME"])
    ready = next(c["status"] for c in pod["status"]["conditions"] if c["type"] == "Ready")
    slice_ = cluster.api.list("endpointslices", label_selector="kubernetes.io/service-name=web")["items"][0]
    endpoint = next(e for e in slice_["endpoints"] if e["addresses"][0] == victim["IP"])
    in_chain = len(proxy.rules.chain("nat", svc_chain)) - 1  # minus the masquerade rule
    return {"pod Ready": ready, "slice: ready": endpoint["conditions"]["ready"],
            "endpoint rules on node-1": in_chain}


changes, last = [], None
for _ in range(20):
    cluster.run(seconds=1)
    now = observe()
    if now != last:
        changes.append({"t (s)": cluster.now, **now})
        last = now
pd.DataFrame(changes)

# %% [markdown]
# In order: the kubelet saw the third failed probe and set the pod's condition `Ready` to `False`; the
# EndpointSlice controller saw the pod change and marked its endpoint `ready: false` (it stays in the
# slice: it is still a pod of the Service, only not ready); kube-proxy saw the slice change and rewrote the
# rules with two endpoints. All within the same second here, because in the lab a watch delivers a change
# the instant it is written; on a real cluster each hop takes a little time. (kube-proxy also syncs at most
# once a second, `--iptables-min-sync-period`, here as on a real node, so that a burst of changes costs one
# rewrite of the rules.)
#
# The Service's chain now has two endpoint rules, with probabilities 1/2 and 1:

# %%
chain_picture(proxy, svc_chain)

# %%
counts = count_connections(proxy)
plot_counts(counts, f"{N:,} connections with one pod not ready")
counts

# %% [markdown]
# The broken pod (grey) gets nothing: the two ready pods share the traffic half and half, and the band
# is wider now (√(10000 × 1/2 × 1/2) = 50 connections for one standard deviation). Nothing was restarted
# (a readiness probe only decides about traffic; a *liveness* probe would restart the container), so when
# the server recovers, the pod comes back into rotation after one successful probe:

# %%
server.set_healthy(True)
cluster.run(seconds=6)
print(cluster.kubectl("get pods -o wide"))
chain_picture(proxy, svc_chain)

# %% [markdown]
# ## 7. A Service with no ready endpoints
#
# What if no pod matches a Service at all? A selector with a typo (`wbe` for `web`) is a classic:

# %%
cluster.apply("""
apiVersion: v1
kind: Service
metadata: {name: typo}
spec:
  selector: {app: wbe}
  ports: [{port: 80}]
""")
cluster.run(seconds=2)
print(cluster.kubectl("get endpointslices"))
print(cluster.kubectl("describe service typo"))

# %% [markdown]
# The EndpointSlice exists but is empty (`<unset>`), and `describe` shows nothing after `Endpoints:`.
# kube-proxy writes no chains for this Service. Instead it puts a **REJECT** rule in the `filter` table,
# so that a client is told at once that nothing is there (the kernel answers with "port unreachable",
# which the client sees as *connection refused*) instead of waiting for a time-out:

# %%
typo_ip = cluster.api.get("services", "typo")["spec"]["clusterIP"]
print("\n".join(line for line in proxy.save().splitlines() if "has no endpoints" in line))
refused = proxy.route("10.244.1.50", typo_ip, 80)
print(refused)
print(refused.trace_text())

# %% [markdown]
# What the client pod sees when it tries, in curl's words:

# %%
answer = request(cluster, "http://typo/", source="client")
print(answer.error)
answer.frame()

# %% [markdown]
# The same happens to a Service whose pods all fail their readiness probes: it has endpoints, but no ready
# ones. (The rule for `default/kubernetes` is a simplification of this lab: its API server is not at a
# network address, so the `kubernetes` Service has no endpoints here. On a real cluster it has the API
# servers' addresses.)
#
# The fix for our typo is the Service's selector, not the pods: `kubectl get pods -l app=wbe` finds nothing,
# `kubectl get endpointslices` shows the Service has no endpoints, and that pair of commands is the first
# thing to try when a Service "does not answer".
#
# ## 8. Session affinity: the same client, the same pod
#
# Some applications keep a user's session in the memory of one pod. For them, a Service can send all
# connections from one client IP address to the same pod: `sessionAffinity: ClientIP`, for
# `sessionAffinityConfig.clientIP.timeoutSeconds` (10,800 s, three hours, by default) after the client's
# last connection.

# %%
print(cluster.kubectl("""patch service web -p '{"spec":{"sessionAffinity":"ClientIP"}}'"""))
cluster.run(seconds=2)
proxy.frame(chain_prefix="KUBE-SVC")[columns]

# %% [markdown]
# The Service's chain grew three rules at the top, one per endpoint. They use the kernel's `recent` module,
# which keeps lists of source addresses: "if this client's address is in endpoint X's list, seen within the
# last 10,800 s, go to X". Each KUBE-SEP chain's DNAT rule now also adds the client to its list
# (`--set`). A first connection finds no list with its address, falls through to the dice as before, and is
# remembered by the endpoint it lands on:

# %%
print("\n".join(line for line in proxy.save().splitlines() if "recent" in line))

# %%
clients = ["10.244.1.7", "10.244.1.8", "10.244.2.9", "10.244.2.20", "10.244.3.4", "10.244.3.5"]
pd.DataFrame(
    [{"client": c, **Counter(proxy.route(c, cluster_ip, 80).ip for _ in range(1000))} for c in clients]
).fillna(0).set_index("client").astype(int)

# %% [markdown]
# Each client's 1,000 connections all went to one pod: its first connection rolled the dice, and the
# `recent` lists sent every later one to the same place. Different clients can land on different pods.
# Affinity is per **node**, like the rules: the lists live in each node's kernel, so a client whose
# connections enter through two nodes can be sent to two pods.
#
# Back to no affinity for the rest of the lab:

# %%
print(cluster.kubectl("""patch service web -p '{"spec":{"sessionAffinity":"None"}}'"""))
cluster.run(seconds=2)

# %% [markdown]
# ## 9. NodePort in a few words
#
# A cluster IP is reachable only from inside the cluster. A Service of type **NodePort** also opens one
# port, from 30000 to 32767, on **every** node: a connection to any node's address on that port is sent to
# the Service's pods, wherever they run. (Notebook 08 puts a load balancer in front of those ports.) The
# API server picks a free port when you give none; here we choose it ourselves (`nodePort: 30080`), as you
# may, so the text below can name it.

# %%
cluster.apply("""
apiVersion: v1
kind: Service
metadata: {name: web-nodeport}
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http, nodePort: 30080}
""")
cluster.run(seconds=2)
print(cluster.kubectl("get services"))
node_ip = next(a["address"] for a in cluster.api.get("nodes", "node-1")["status"]["addresses"]
               if a["type"] == "InternalIP")
from_outside = proxy.route("192.168.1.20", node_ip, 30080)
print(from_outside)
print(from_outside.trace_text())

# %% [markdown]
# PORT(S) `80:30080/TCP` reads "port 80 on the cluster IP, 30080 on every node". The connection from a
# machine outside the cluster (`192.168.1.20`) to node-1's address `10.0.0.11:30080` matched the last rule
# of `KUBE-SERVICES` (the destination is an address of this node), went to `KUBE-NODEPORTS`, then to the
# Service's **`KUBE-EXT-...`** chain for traffic from outside, which marks it for masquerading (the pod
# sees node-1 as the client, so its reply goes back through node-1), and then to the same kind of
# `KUBE-SVC` chain as before.
#
# ## 10. What the lab simplifies
#
# k8slab's kube-proxy writes the same chains, chain names (hashes included), comments and probabilities as
# kube-proxy's iptables mode, and walks them as the kernel would, but:
#
# * **iptables mode only.** No IPVS mode (the older alternative, now being deprecated) and no nftables mode
#   (the newer one), IPv4 only.
# * **No connection tracking.** Every `route` is a new connection; the kernel's conntrack, which sends every
#   later packet of a connection the same way, is not modelled, and neither are the replies.
# * **No packets on a wire.** `route` tells where a new connection would go; `request` models a whole
#   request's trip with fixed latencies per hop (notebook 08 looks at it closely).
# * A few chains are left out: `KUBE-FW` (loadBalancerSourceRanges), `KUBE-FORWARD`,
#   `KUBE-PROXY-FIREWALL`, and no topology-aware routing.
# * Each sync rewrites the whole table (the real one skips unchanged Services; the result is the same), and
#   changes reach kube-proxy the instant they are written.
# * The `kubernetes` Service (the API server's own address) has no endpoints: the lab's API server is not a
#   process on a node that a pod could reach.
#
# ## 11. Exercises
#
# **Exercise 1: the probabilities for five endpoints.** A Service has five ready endpoints. Give the
# probability kube-proxy writes on each of the five rules of its `KUBE-SVC` chain, in order. Write `1` for
# a rule that is always taken. Fractions like `1/5` are fine.
#
# <details><summary>Hint</summary>
#
# When a connection reaches rule *i*, how many endpoints are still in the running? Each of them should be
# equally likely.
# </details>

# %%
from k8slab.exercises import check

probabilities = [..., ..., ..., ..., ...]  # rules 1 to 5
check("07-probabilities", probabilities)

# %% [markdown]
# **Exercise 2: a rule list written by hand.** Someone wrote this chain for four pods a, b, c, d, thinking
# "each rule takes half":

# %%
from k8slab.exercises.nb07 import RULES_TEXT

print(RULES_TEXT)

# %% [markdown]
# What share of new connections does each pod get? Answer with numbers between 0 and 1 (fractions are
# fine). You can check your answer by walking the rules with `tiny_route` from section 2, but work it out
# first.
#
# <details><summary>Hint</summary>
#
# Pod a's rule sees every connection. Pod b's rule sees only what pod a's rule let through. The last rule
# takes whatever is left.
# </details>

# %%
shares = {"a": ..., "b": ..., "c": ..., "d": ...}
check("07-shares", shares)

# %% [markdown]
# ## Recap
#
# - Pods are replaced, and each new pod has a new IP address. A **Service** gives a set of pods (chosen by
#   a label selector) one stable **cluster IP** and port.
# - The **EndpointSlice controller** keeps the list of the Service's pod addresses, each with its `ready`,
#   `serving` and `terminating` conditions.
# - **kube-proxy**, on every node, turns Services and EndpointSlices into iptables rules: `KUBE-SERVICES`
#   → `KUBE-SVC-<hash>` (pick an endpoint) → `KUBE-SEP-<hash>` (DNAT to the pod). It never touches a
#   packet itself.
# - Endpoint *i* of *n* is taken with probability 1/(n−i), the last one always: each gets exactly 1/n,
#   per new connection, decided on each node.
# - A pod that fails its readiness probe loses its place in the rules within seconds, without a restart;
#   a Service with no ready endpoints gets a REJECT rule (connection refused).
# - `sessionAffinity: ClientIP` sends a client's connections to the same pod (the kernel's `recent` lists);
#   a NodePort Service also opens a port on every node.
#
# **Next:** notebook 08 puts a load balancer in front of the nodes and follows one request through every
# hop, into the container and back.
#
# **Read more:** [Service](https://kubernetes.io/docs/concepts/services-networking/service/),
# [EndpointSlices](https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/),
# [Virtual IPs and Service Proxies](https://kubernetes.io/docs/reference/networking/virtual-ips/),
# [kube-proxy](https://kubernetes.io/docs/reference/command-line-tools-reference/kube-proxy/),
# [Debug Services](https://kubernetes.io/docs/tasks/debug/debug-application/debug-service/), and the
# source: `pkg/proxy/iptables/proxier.go` in the Kubernetes repository.
