# %% [markdown]
# # 04 — The scheduler
#
# **Goal.** When you ask for a pod, nobody has said *where* it should run yet. The **scheduler** is the
# control-plane component that decides: it watches for pods that have no node, picks the best node for
# each, and writes that choice back to the API server. In this lab you write a tiny scheduler, then meet
# the real shape of one: a framework of small **plugins** that filter out nodes that cannot take the pod
# and score the ones that can; a live view of where pods land; a table that explains every decision; the
# exact message a pod gets when no node fits; taints, tolerations and spreading across zones; bin packing
# against spreading; and how the scheduler stays fast with 5,000 nodes. You finish by writing a plugin.
#
# **Step covered:** 7 (the scheduler picks a worker node).
#
# **Time:** about 60 minutes.

# %%
from k8slab.viz import architecture

architecture(highlight=[7])

# %% [markdown]
# ## 1. What the scheduler does
#
# A **pod** is one or more containers that run together on one machine. When you create one (or a
# Deployment's controller creates one for you, as in notebook 03), the API server stores it with an empty
# `spec.nodeName`: it is **Pending**, waiting for a node. The scheduler watches the API server for exactly
# those pods. For each one it:
#
# 1. **filters**: throws out every node that *cannot* run the pod (not enough free CPU or memory, a
#    node switched off for maintenance, a label the pod insists on that the node lacks, ...);
# 2. **scores**: gives each remaining node points for how *well* it suits the pod (emptier nodes first,
#    by default), and picks the node with the most points;
# 3. **binds**: writes the decision to the API server as a *binding*, which sets the pod's
#    `spec.nodeName`.
#
# That is all. The scheduler starts nothing: the node's **kubelet** (notebook 05) sees through its own
# watch that a pod now names its node, and starts the containers. Placement *is* the binding.
#
# How does the scheduler know how full a node is? Not by measuring. Each container may declare
# **requests**, the CPU and memory it needs (`cpu: 500m` is half a CPU core, `memory: 1Gi` is one
# gibibyte). A node announces its **allocatable** capacity in its status. The scheduler adds up the
# requests of the pods it has put on a node and compares that with allocatable. Real usage plays no part.
#
# ## 2. Build it: a scheduler in twenty lines
#
# Here is the whole idea against a k8slab cluster started with no scheduler at all (`components=()`:
# just etcd and the API server). Our scheduler lists nodes and pods, filters on free CPU, scores by how
# much CPU would be left, and binds.

# %%
from k8slab import Cluster
from k8slab.api.quantity import parse_quantity


def cpu_request(pod):
    """Millicores the pod's containers request (500m -> 500, 2 -> 2000)."""
    return sum(parse_quantity(c.get("resources", {}).get("requests", {}).get("cpu", "0")).milli_value
               for c in pod["spec"]["containers"])


def tiny_schedule(api):
    nodes = api.list("nodes")["items"]
    pods = api.list("pods", "default")["items"]
    used = {n["metadata"]["name"]: 0 for n in nodes}
    for pod in pods:
        if pod["spec"].get("nodeName"):
            used[pod["spec"]["nodeName"]] += cpu_request(pod)
    for pod in pods:
        if pod["spec"].get("nodeName"):
            continue  # already placed
        free = {n["metadata"]["name"]: parse_quantity(n["status"]["allocatable"]["cpu"]).milli_value
                - used[n["metadata"]["name"]] for n in nodes}
        fits = [name for name, room in free.items() if room >= cpu_request(pod)]  # filter
        if not fits:
            print(f"{pod['metadata']['name']}: no node has {cpu_request(pod)}m free")
            continue
        best = max(fits, key=lambda name: free[name] - cpu_request(pod))  # score: most cpu left over
        api.bind("default", pod["metadata"]["name"], best)  # bind
        used[best] += cpu_request(pod)
        print(f"{pod['metadata']['name']} -> {best}")


def pod(name, cpu, memory="256Mi", **spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                     "resources": {"requests": {"cpu": cpu, "memory": memory}}}], **spec}}


bare = Cluster(nodes=3, seed=0, components=())  # no scheduler running
for name, cpu in [("small", "500m"), ("medium", "1"), ("large", "3"), ("huge", "6")]:
    bare.api.create(pod(name, cpu))
tiny_schedule(bare.api)
bare.kubectl("get pods -o wide")

# %% [markdown]
# Three pods got a node; `huge` asks for 6 CPUs and every node has 4, so it stays Pending. (`STATUS` says
# Pending even for the placed pods: no kubelet has started their containers yet.)
#
# ## 3. The real one: a framework of plugins
#
# kube-scheduler runs the same three steps, but each step is a list of **plugins**: small pieces of code
# that each judge one thing. The places where plugins plug in are the **extension points**, run in this
# order for every pod:
#
# | extension point | runs | what it is for |
# |---|---|---|
# | PreFilter | once per pod | work something out once ("how much does this pod request?"), or reject the pod outright |
# | Filter | per node | "can the pod run here at all?" One plugin saying no rules the node out |
# | PostFilter | only if no node passed | preemption: evict lower-priority pods to make room |
# | PreScore, Score | per feasible node | points from 0 to 100: "how good is this node?" |
# | NormalizeScore | once per plugin | rescale a plugin's points to 0..100 |
# | (weights) | | each plugin's points times its weight, added up per node; highest total wins, ties drawn by lot |
# | Reserve, Permit | on the winner | hold the room; wait for or veto the decision |
# | Bind | on the winner | write the binding through the API server |
#
# A set of plugins with their weights is a **profile**. Here is the default one, exactly as k8slab (and
# kube-scheduler) configures it. The extension points appear as the Python methods that implement them
# (`pre_filter` is PreFilter); a plugin with no weight takes no part in scoring.

# %%
import pandas as pd

from k8slab.scheduler import default_framework
from k8slab.scheduler.framework import extension_points

profile = default_framework()
pd.DataFrame(
    [{"plugin": p.name, "extension points": ", ".join(extension_points(p)),
      "score weight": profile.weight(p) if p in profile.score_plugins else ""} for p in profile.plugins]
).set_index("plugin")

# %% [markdown]
# Every filter has a reason it gives when it says no, in the words you will see in `kubectl describe
# pod`: NodeResourcesFit says `Insufficient cpu`, NodeUnschedulable says `node(s) were unschedulable`,
# TaintToleration `node(s) had untolerated taint {...}`, NodeAffinity `node(s) didn't match Pod's node
# affinity/selector`. Each plugin is one file in `k8slab/scheduler/plugins/`, named as upstream names it.
#
# ## 4. Watch it: pod placement, live
#
# From here on the cluster runs k8slab's scheduler. The view below draws each node as a box: its name and
# zone, a bar for how much of its CPU and of its memory the pods on it **request**, and the pods inside.
# Pods that have just landed are blue; pods no node can take wait in a *Pending* box with the scheduler's
# reason.
#
# **Try it.** Choose a size and press *add pods*, then *run* to let virtual time pass: the scheduler
# places each pod within a fraction of a second. Add pods until a node is full. Pick a node and *cordon*
# it (no new pods go there; the ones already there stay), *taint* it, or *add node* and watch new pods
# prefer the empty one. Every button goes through the API server, as kubectl would.

# %%
from k8slab.viz.placement import PlacementView, utilisation

cluster = Cluster(nodes=3, seed=0)
view = PlacementView(cluster)
view

# %% [markdown]
# The same from code (the picture above follows): six pods of 1 CPU and 2 GiB, then two virtual seconds.

# %%
view.add_pods(6, cpu="1", memory="2Gi")
view.run(2)
cluster.kubectl("get pods -o wide")

# %% [markdown]
# The default profile **spreads**: each new pod goes where the most room is left, so three empty nodes
# get two pods each. (`ContainerCreating`: each node's kubelet has seen the binding and is starting the
# containers; that is notebook 05's story.) Now cordon `node-1`, taint `node-2`, add three more pods, and let them land.

# %%
print(cluster.kubectl("cordon node-1"))
print(cluster.kubectl("taint nodes node-2 dedicated=gpu:NoSchedule"))
view.add_pods(3, cpu="1", memory="2Gi")
view.run(2)
print(cluster.kubectl("get nodes"))
utilisation(cluster)

# %% [markdown]
# `node-1` is cordoned (`Ready,SchedulingDisabled`) and `node-2` carries a taint the new pods do not
# tolerate, so only `node-3` takes new pods. The pods already on `node-1` and `node-2` stay put: a cordon
# and a `NoSchedule` taint only stop *new* pods. Two of the three new pods went to `node-3`, which now has
# all 4 of its CPUs requested; the third finds no node that is both allowed and free, and waits in the
# Pending box of the picture. Section 6 asks the scheduler why.
#
# ## 5. Why this node? The explain table
#
# `cluster.explain(pod)` runs the pod's profile the way a scheduling cycle would and keeps everything the
# cycle throws away: one row per node; for every Filter plugin `ok` or its reason; for every Score plugin
# the **raw** score, the score after NormalizeScore (**normalized**), and times the plugin's weight
# (**weighted**); the **total**; and the **winner**. Nothing changes when you ask.
#
# A fresh cluster, two pods placed, then a third of 1 CPU. (A pod that already has a node is explained as
# if it had none yet.)

# %%
fresh = Cluster(nodes=3, seed=0)
fresh.api.create(pod("first", "2", "4Gi"))
fresh.api.create(pod("second", "500m", "1Gi"))
fresh.run(seconds=1)
fresh.api.create(pod("third", "1", "2Gi"))
fresh.run(seconds=1)
table = fresh.explain("third")
table

# %% [markdown]
# **How to read it.**
#
# - The `filter` columns: every filter said `ok` on every node, so `feasible` is True everywhere.
# - `TaintToleration` counts the `PreferNoSchedule` taints the pod does not tolerate (raw 0: there are
#   none), then normalises so that fewest is best: 100 everywhere, ×3 = 300. `NodeAffinity` has no
#   preferences to score (0). Scores that are the same on every node add the same to every total and
#   decide nothing.
# - `NodeResourcesFit` (LeastAllocated) gives, per resource, the share of the node that would stay free
#   once the pod is placed, and averages CPU and memory. On the empty node that is
#   CPU (4000−1000)/4000 = 75 and memory (16−2)/16 = 87, average **81**. On the node with `first` on it,
#   CPU (4000−2000−1000)/4000 = 25, memory (16−4−2)/16 = 62, average **43**.
# - `NodeResourcesBalancedAllocation` prefers nodes where CPU and memory would be used in the same
#   proportion.
# - `PodTopologySpread` and `InterPodAffinity` have `<NA>`: this pod belongs to no Service or
#   ReplicaSet and asks for no affinity, so they have nothing to say (their PreScore said *Skip*).
#
# The weighted scores alone, with the total:

# %%
weighted = table.xs("weighted", axis=1, level=1).dropna(axis=1, how="all")
weighted.assign(total=table[("total", "")], winner=table[("winner", "")])

# %% [markdown]
# The empty node wins. Had two nodes tied for the highest total, the scheduler would have drawn one at
# random; k8slab draws from the cluster's seeded random generator, so the draw is the same on every run.
#
# ## 6. Break it: why a pod stays Pending
#
# When every node fails a filter, the pod stays Pending and the scheduler tells you why, twice: in the
# pod's **PodScheduled condition** (`status.conditions`) and in a **FailedScheduling event**. The message
# counts, over the nodes, the reason each one was ruled out. Back in the first cluster, the pod that
# found no room:

# %%
print(cluster.kubectl("get pods --field-selector=spec.nodeName="))  # pods with no node
print(cluster.kubectl("get pod pod-9 -o jsonpath={.status.conditions}"))
print(cluster.kubectl("describe pod pod-9").split("Events:")[1])

# %% [markdown]
# `0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu},
# 1 node(s) were unschedulable.` is kube-scheduler's own wording, counted node by node; after it comes
# what **preemption** (evicting lower-priority pods) concluded: here nothing, since every pod has the same
# priority.
#
# Two more ways to stay Pending. A request no node could ever meet (64 CPUs), and a `nodeSelector` (a
# label the node must carry) that no node has:

# %%
fresh.api.create(pod("greedy", "64"))
fresh.api.create(pod("picky", "100m", nodeSelector={"disktype": "ssd"}))
fresh.run(seconds=1)
for name in ("greedy", "picky"):
    conditions = fresh.api.get("pods", name)["status"]["conditions"]
    condition = next(c for c in conditions if c["type"] == "PodScheduled")
    print(f"{name}: {condition['status']} {condition['reason']}: {condition['message']}")

# %% [markdown]
# `greedy` will wait forever. `picky` waits only until a node gets the label: a change to a node's labels
# is an event the scheduler listens for, and it moves waiting pods back into its queue to try again.

# %%
print(fresh.kubectl("label node node-2 disktype=ssd"))
fresh.run(seconds=1)
fresh.kubectl("get pod picky -o wide")

# %% [markdown]
# ## 7. Taints and tolerations
#
# A **taint** on a node repels pods: `key=value:Effect`, where the effect is `NoSchedule` (never place a
# pod here unless it tolerates the taint), `PreferNoSchedule` (avoid if possible: it lowers the score
# instead of filtering) or `NoExecute` (also evict pods already running). A **toleration** on a pod says
# "this taint does not bother me". Nodes with GPUs or for a single team are often tainted so that only
# the pods meant for them go there.
#
# In the first cluster `node-2` carries `dedicated=gpu:NoSchedule`. A pod that tolerates it:

# %%
print(cluster.kubectl("uncordon node-1"))
toleration = [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]
cluster.api.create(pod("trainer", "500m", "1Gi", tolerations=toleration))
cluster.api.create(pod("plain", "500m", "1Gi"))
cluster.run(seconds=1)
table = cluster.explain("trainer")
pd.DataFrame({
    "trainer: TaintToleration filter": table[("TaintToleration", "filter")],
    "plain: TaintToleration filter": cluster.explain("plain")[("TaintToleration", "filter")],
})

# %% [markdown]
# `node-2` is allowed for `trainer` and refused for `plain`. A toleration *allows*, it does not
# *attract*: `trainer` may still land on any other node with room. To reserve nodes for some pods, taint
# the nodes (to keep others out) **and** give those pods a `nodeSelector` or node affinity (to pull them
# in).
#
# ## 8. Spreading across zones
#
# Nodes carry the label `topology.kubernetes.io/zone`: which data-centre zone (a building, with its own
# power and network) they are in. Losing a zone should not lose all copies of your web server, so you want
# the pods of a Deployment spread over zones. The **PodTopologySpread** plugin does that: a pod may say
# "keep the difference between the zone with most of us and the zone with fewest at most `maxSkew`".
#
# A cluster with uneven zones, 5 nodes in zone-a, 2 in zone-b, 1 in zone-c, and a Deployment of 12
# replicas, once without a constraint and once with `maxSkew: 1` over zones:

# %%
def web(spread):
    template = {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                         "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}}}]}}
    if spread:
        template["spec"]["topologySpreadConstraints"] = [{
            "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": {"app": "web"}}}]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 12, "selector": {"matchLabels": {"app": "web"}}, "template": template}}


uneven = [{"zone": "zone-a"}] * 5 + [{"zone": "zone-b"}] * 2 + [{"zone": "zone-c"}]
per_zone = {}
for label, spread in [("no constraint", False), ("maxSkew 1 over zones", True)]:
    zoned = Cluster(nodes=uneven, seed=0)
    zoned.apply(web(spread))
    zoned.run(seconds=10)
    zones = utilisation(zoned)["zone"]
    pods = zoned.get("pods", wide=True)
    per_zone[label] = pods["NODE"].map(zones).value_counts().sort_index()
pd.DataFrame(per_zone).rename_axis("zone")

# %% [markdown]
# Without a constraint the pods still spread somewhat: emptier nodes score higher, and PodTopologySpread
# has gentle **default constraints** for the pods of one Service or ReplicaSet (zones with skew up to 5,
# hosts up to 3, as a preference). But zone-a, with the most nodes, ends up with the most pods: 5, 4 and 3.
# With `maxSkew: 1` and `whenUnsatisfiable: DoNotSchedule` a pod may not go where it would make the
# difference 2: the zones hold 4, 4 and 4, even though that puts four pods on zone-c's single node.
# (`ScheduleAnyway` would turn the rule into a preference.)
#
# ## 9. Bin packing or spreading?
#
# The default score, **LeastAllocated**, spreads: every new pod goes to the emptiest node. That balances
# load and limits the damage when one node fails. The opposite, **MostAllocated**, **packs**: fill the
# fullest node that still fits. Packing leaves whole nodes empty, which a cluster autoscaler can switch off
# to save money, and keeps big holes free for big pods.
#
# A profile is how you choose: here a second profile, `bin-packing`, with NodeResourcesFit set to
# MostAllocated, added to the running scheduler. A pod picks its profile with `spec.schedulerName`. The
# same 18 pods of half a CPU go to two identical clusters, one per profile; then a pod of 3 CPUs arrives.

# %%
from k8slab.scheduler import DEFAULT_WEIGHTS, Framework, default_plugins
from k8slab.scheduler.plugins import NodeResourcesFit


def with_most_allocated():
    plugins = [NodeResourcesFit(scoring_strategy="MostAllocated") if p.name == "NodeResourcesFit" else p
               for p in default_plugins()]
    return Framework(plugins, DEFAULT_WEIGHTS, scheduler_name="bin-packing")


results = {}
for strategy, scheduler_name in [("LeastAllocated (default)", "default-scheduler"),
                                 ("MostAllocated", "bin-packing")]:
    c = Cluster(nodes=6, seed=0)
    c.components["scheduler"].add_profile(with_most_allocated())
    for i in range(18):
        c.api.create(pod(f"half-{i + 1}", "500m", "512Mi", schedulerName=scheduler_name))
    c.run(seconds=2)
    c.api.create(pod("big", "3", "4Gi", schedulerName=scheduler_name))
    c.run(seconds=2)
    big = c.api.get("pods", "big")
    results[strategy] = utilisation(c)["cpu %"]
    print(f"{strategy:26} the 3-cpu pod: {big['spec'].get('nodeName') or 'Pending'}")

# %%
import matplotlib.pyplot as plt

frame = pd.DataFrame(results)
ax = frame.plot.bar(figsize=(7, 3.2), rot=0, color=["#326ce5", "#7a4fd6"])
ax.set_ylabel("cpu requested (% of allocatable)")
ax.set_ylim(0, 110)
ax.set_title("18 pods of 500m, then one of 3 cpu, on 6 nodes of 4 cpu")
ax.legend(fontsize=8, loc="upper right")
plt.tight_layout()
plt.show()

# %% [markdown]
# Spreading put three small pods on every node: 1.5 of 4 CPUs taken everywhere, so no node has the 3 CPUs
# free that the big pod needs, and it stays Pending although the cluster as a whole has 15 CPUs free.
# Packing filled two nodes with eight pods each, put the last two on a third node, and left three nodes
# empty; the big pod then filled up the third node.
# Neither is "right": spreading is the default because it is safer for availability; packing is cheaper.
#
# ## 10. 5,000 nodes: percentageOfNodesToScore
#
# Filtering and scoring every node for every pod gets slow in a big cluster. So kube-scheduler stops
# filtering once it has found *enough* feasible nodes, and scores only those. How many is enough is
# `percentageOfNodesToScore`. Left at its default (0), it adapts to the cluster's size: 50% minus one
# percent per 125 nodes, never below 5%, and never fewer than 100 nodes; under 100 nodes, all of them.
# This is the scheduler's own function:

# %%
from k8slab.scheduler import num_feasible_nodes_to_find

sizes = [50, 100, 250, 500, 1000, 2000, 3000, 5000]
pd.DataFrame({"nodes in the cluster": sizes,
              "feasible nodes to find": [num_feasible_nodes_to_find(0, n) for n in sizes]}).set_index(
    "nodes in the cluster").T

# %% [markdown]
# The count grows with the cluster, then falls back as the percentage shrinks: at 5,000 nodes it is 10%,
# 500 nodes. So that the same nodes are not always the ones looked at, the next pod
# starts filtering where the previous one stopped: a **round robin** over the nodes. To see it, we hand a
# scheduler's cache 5,000 nodes directly (as its node informer would, without going through an API server
# for each one) and run the filtering step three times.

# %%
from k8slab.client import Client
from k8slab.cluster import node_object
from k8slab.scheduler import CycleState, PodInfo, Scheduler

big_scheduler = Scheduler(Client(Cluster(nodes=0, seed=0, components=()).api, user="system:kube-scheduler"))
for index in range(1, 5001):
    big_scheduler._on_node_add(node_object(index, {}))  # what the node informer does for each node
default_profile = big_scheduler.profiles["default-scheduler"]
probe = PodInfo.of(dict(pod("probe", "100m"), metadata={"name": "probe", "namespace": "default"}))
rows = []
for attempt in range(1, 4):
    start = big_scheduler.next_start_node_index
    feasible, _ = big_scheduler.find_nodes_that_fit(default_profile, CycleState(), probe)
    rows.append({"pod": attempt, "starts at node index": start, "feasible nodes found": len(feasible),
                 "first": feasible[0].name, "last": feasible[-1].name,
                 "next start": big_scheduler.next_start_node_index})
pd.DataFrame(rows).set_index("pod")

# %% [markdown]
# Each pod looked at 500 nodes, not 5,000, and the next pod took the next 500. The best node of all might
# be among the 4,500 not looked at; kube-scheduler accepts that for speed. k8slab also has a vectorised
# *fast path* (numpy over all nodes at once, in `k8slab/scheduler/fastpath.py`) that makes the same
# choices as these readable plugins, which a property test checks; `benchmarks/scheduler.py` measures it
# at 5,000 nodes.
#
# ## 11. Where the lab simplifies
#
# Said out loud: the scheduler here is one process with no leader election and no
# `KubeSchedulerConfiguration` file (profiles are Python objects); no default plugin waits at Permit, and
# there are no scheduling gates and no volume or dynamic-resource plugins; `explain` is a lab tool (real
# kube-scheduler shows scores only in its verbose logs) and it scores every node, where the real cycle may
# stop filtering early. Preemption follows upstream's rules for choosing victims but without
# PodDisruptionBudgets, and deletes the victims at once. The bars in the placement view count requests,
# as the scheduler does; real usage is notebook 06's subject. The field names, the default plugins and weights, the scores, the Pending message,
# the round robin and the adaptive percentage are kube-scheduler's own.
#
# ## 12. Exercises
#
# Replace each `...` and run the cell; `check(...)` answers at once. Hints are folded below each exercise;
# solutions are in `notebooks/solutions/04-scheduler.md`.
#
# **Exercise 1: which filter says no?** A pod asks for 6 CPUs on a three-node cluster where `node-1` is
# cordoned, `node-2` has the taint `dedicated=gpu:NoSchedule`, and `node-3` is an ordinary node with 4 CPUs.
# The filters run in the order of the profile table in section 3, and the first one that says no rules
# the node out. For each node, name that plugin.
#
# <details><summary>Hint</summary>
#
# The candidates are the filter columns of `cluster.explain(...)`: NodeUnschedulable, NodeName,
# TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, PodTopologySpread, InterPodAffinity. Only
# one reason per node is counted in the Pending message.
# </details>

# %%
from k8slab.exercises import check

rejected_by = {"node-1": ..., "node-2": ..., "node-3": ...}
check("04-which-filter", rejected_by)

# %% [markdown]
# **Exercise 2: a score plugin that packs.** Write `PackByCpu`, a Score plugin that gives a node more
# points the fuller its CPU would be with the pod on it: 0 for an empty node, 100 for a full one. The
# checker adds it, with weight 5, to a copy of the default profile registered as a second profile,
# `bin-packing`, on a fresh cluster of 6 nodes with 4 CPUs each, sends it twelve pods of 500m, and
# counts the nodes they land on. Packed, they need two.
#
# A score method receives `state` (the cycle's scratch space), `pod_info` and `node_info`.
# `node_info.requested.milli_cpu` is what the pods already on the node request, `node_info.allocatable.
# milli_cpu` what the node offers, `pod_info.requests.milli_cpu` what this pod asks for (all in
# millicores). It returns a whole number from 0 to `MAX_NODE_SCORE` (100).
#
# <details><summary>Hint</summary>
#
# `(requested + asked) * MAX_NODE_SCORE // allocatable`, capped with `min(..., MAX_NODE_SCORE)`, and 0
# when allocatable is 0. That is MostAllocated for CPU only.
# </details>

# %%
from k8slab.scheduler import MAX_NODE_SCORE, Plugin


class PackByCpu(Plugin):
    name = "PackByCpu"

    def score(self, state, pod_info, node_info):
        ...  # return a number from 0 to MAX_NODE_SCORE


feedback = check("04-score-plugin", PackByCpu)
feedback

# %% [markdown]
# Once it passes, compare node utilisation with the default profile: the same twelve pods, placed by each.

# %%
from k8slab.exercises.nb04 import compare_utilisation

if feedback.passed:
    ax = compare_utilisation(PackByCpu).plot.bar(figsize=(7, 3), rot=0, color=["#326ce5", "#7a4fd6"])
    ax.set_ylabel("cpu requested (%)")
    plt.tight_layout()
    plt.show()
else:
    print("finish exercise 2 first, then run this cell again")

# %% [markdown]
# ## Recap
#
# - The scheduler watches for pods with no `spec.nodeName`, picks a node and writes a binding; the kubelet
#   does the rest. It decides on **requests** and **allocatable**, not on measured usage.
# - A scheduling cycle runs plugins at extension points: PreFilter, Filter, PostFilter (preemption),
#   PreScore, Score, NormalizeScore, then Reserve, Permit, Bind. A profile is plugins plus weights; a pod
#   chooses a profile with `spec.schedulerName`.
# - A pod no node can take stays Pending with `0/N nodes are available: ...`, in its PodScheduled
#   condition and a FailedScheduling event; it is tried again when the cluster changes in a way that could
#   help.
# - Cordon and `NoSchedule` taints keep new pods away; tolerations let chosen pods through; topology
#   spread constraints balance pods over zones; LeastAllocated spreads and MostAllocated packs.
# - At scale the scheduler looks at only enough nodes (`percentageOfNodesToScore`), taking turns over
#   them.
#
# **Next:** notebook 05 builds the kubelet, which sees the binding and starts the pod's containers.
#
# **Read more:** [Kubernetes Scheduler](https://kubernetes.io/docs/concepts/scheduling-eviction/kube-scheduler/),
# [Scheduling Framework](https://kubernetes.io/docs/concepts/scheduling-eviction/scheduling-framework/),
# [Taints and Tolerations](https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/),
# [Pod Topology Spread Constraints](https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/),
# [Resource Bin Packing](https://kubernetes.io/docs/concepts/scheduling-eviction/resource-bin-packing/),
# [Scheduler Performance Tuning](https://kubernetes.io/docs/concepts/scheduling-eviction/scheduler-perf-tuning/).
