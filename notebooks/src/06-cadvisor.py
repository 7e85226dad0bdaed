# %% [markdown]
# # 06 — cAdvisor and monitoring
#
# **Goal.** So far the cluster has run on promises: a pod *requests* half a CPU, a node *offers* four, and
# the scheduler does the sums (notebook 04). Nobody has looked at what the programs really use. In this
# lab you meet the part of every node that measures: **cAdvisor**, inside the kubelet, which reads each
# container's CPU and memory every ten seconds; **metrics-server**, which collects those numbers from all
# nodes; and `kubectl top`, which shows them. You write a tiny monitor, read `kubectl top` like a pro,
# watch a noisy neighbour squeeze a node until the kubelet reports **MemoryPressure** back to the API,
# and see a container killed for going over its memory limit faster than any monitor can look.
#
# **Step covered:** 10 (cAdvisor watches the pods and reports back to the API).
#
# **Time:** about 45 minutes.

# %%
from k8slab.viz import architecture

architecture(highlight=[10])

# %% [markdown]
# ## 1. Where the numbers come from
#
# On Linux, every container runs inside a **cgroup** (control group): a kernel feature that fences a group
# of processes and counts what they use. The kernel keeps, for each cgroup, a **CPU counter** (how many
# seconds of CPU time its processes have used since they started) and the **memory** they hold right now.
# Everything below reads those two numbers.
#
# | who | what it does | how often (upstream default) |
# |---|---|---|
# | **cAdvisor** (Container Advisor), a library inside the kubelet | reads every container's cgroup counters and keeps recent samples in memory | every 10 s (the kubelet's housekeeping interval), keeping 2 minutes |
# | **kubelet** | serves the samples on its own HTTP port (`/metrics/resource`, `/stats/summary`); compares node memory with its eviction threshold and reports conditions and Events to the API | eviction check every 10 s |
# | **metrics-server**, a Deployment in `kube-system` | asks every kubelet for its latest numbers, turns CPU counters into rates, serves the **`metrics.k8s.io`** API through the API server | every 15 s (`--metric-resolution=15s` in its install manifest; the flag's own default is 60 s) |
# | **`kubectl top`**, the Horizontal Pod Autoscaler | read `metrics.k8s.io` | when you ask / every 15 s |
#
# Two numbers per container come out at the end:
#
# * **CPU**, in cores: `250m` is a quarter of one core (m is *milli*). A counter only grows, so the usage
#   is a **rate**: (counter now - counter before) / (seconds between). metrics-server needs *two* readings
#   of a container before it can say anything, and what it says is an *average over a window*.
# * **memory**, in bytes: the **working set**, the memory the container holds and cannot give back
#   quickly. It is what the kernel compares with the container's memory **limit**, and what the kubelet
#   adds up to decide whether the node is short of memory.
#
# metrics-server keeps only the latest window: it is a pipe for autoscalers and `kubectl top`, not a
# history. Graphs over days come from a monitoring system such as Prometheus, which scrapes the kubelets
# itself. In this lab the cAdvisors keep ten minutes of samples so that we can plot them.
#
# ## 2. Build it: a monitor in twenty lines
#
# Two pretend containers, each a function of time that says how many CPU cores it is using and how many
# bytes of memory it holds. `web` is steady; `batch` is busy between t = 20 s and t = 40 s, and its memory
# grows. The kernel's part is the counter: it adds up every second of CPU a container uses. Our
# "cAdvisor" wakes every 10 virtual seconds, reads each counter, and notes the memory.

# %%
import pandas as pd

from k8slab.sim import Loop

MiB = 2**20
loop = Loop(seed=0)
containers = {
    "web": lambda t: (0.2, 64 * MiB),
    "batch": lambda t: (1.0 if 20 <= t < 40 else 0.0, (100 + 5 * t) * MiB),
}
counters = {name: 0.0 for name in containers}  # CPU seconds used so far: only ever grows
samples = []
state = {"last": 0.0}


def housekeeping():
    now = loop.now
    for name, usage in containers.items():
        counters[name] += sum(usage(t)[0] for t in range(int(state["last"]), int(now)))  # the kernel's part
        memory = usage(now)[1]
        samples.append({"time": now, "container": name, "cpu_seconds": counters[name],
                        "memory_mib": memory / MiB})
    state["last"] = now
    loop.call_later(10, housekeeping)  # and again in 10 s


loop.call_soon(housekeeping)
loop.run(seconds=60)
readings = pd.DataFrame(samples)
readings.pivot(index="time", columns="container", values=["cpu_seconds", "memory_mib"])

# %% [markdown]
# The CPU columns are counters: `web` gains 2 CPU-seconds every 10 s. Now the "metrics-server" part: the
# CPU usage is the difference between two readings divided by the time between them.

# %%
counters_table = readings.pivot(index="time", columns="container", values="cpu_seconds")
(counters_table.diff() / counters_table.index.to_series().diff().values[:, None]).rename(
    columns=lambda name: f"{name} cores")

# %% [markdown]
# `web` uses 0.2 cores (`200m`) in every window. `batch` shows 1 core for the windows that end at 30 and
# 40 s. Had metrics-server read the counters 20 s apart (10 to 30 s), it would have said `500m`: half of
# the window busy, half idle. That is how to read `kubectl top`'s CPU: an average over the last window,
# never an instant.
#
# (k8slab's own cAdvisor, below, cannot ask its simulated containers for a counter, only for the rate at
# each look, so it adds "rate now x 10 s". A burst shorter than 10 s between two looks escapes it, where
# the kernel's counter would catch it. For the steady and slowly changing programs of this lab the
# difference does not show.)
#
# ## 3. The real one: `kubectl top`
#
# `Cluster()` runs a kubelet on every node, each with its cAdvisor, and metrics-server. We give the nodes
# 4 GiB of memory each (small nodes make the later experiments quick) and deploy kubernetes.io's nginx
# Deployment: three nginx pods.

# %%
from k8slab import Cluster

cluster = Cluster(nodes=[{"memory": "4Gi"} for _ in range(3)], seed=0)
cluster.apply("../data/manifests/web.yaml")
cluster.run(seconds=20)
cluster.kubectl("top pods")

# %% [markdown]
# Twenty seconds in, the pods run, but metrics-server has read each kubelet only once (at t = 15 s), and a
# CPU rate needs two readings. kubectl's words for that are `metrics not available yet`. Another 40
# seconds:

# %%
cluster.run(seconds=40)
cluster.kubectl("top nodes")

# %% [markdown]
# Each node uses `51m` of CPU and `264Mi` of memory: nginx's `1m` and `8Mi`, plus what the node itself
# runs (the operating system, the kubelet, the container runtime), which k8slab sets at a steady `50m`
# and `256Mi`. The percentages are of the node's **allocatable** (what it offers to pods). Note the
# difference with notebook 04: these are measured, not requested.

# %%
cluster.kubectl("top pods")

# %% [markdown]
# What metrics-server serves is an API object like any other, `PodMetrics` in the group
# `metrics.k8s.io/v1beta1`, which `kubectl top pods` turns into that table. Here is one, as JSON:

# %%
import json

print(json.dumps(cluster.metrics.pods("default")[0], indent=2))

# %% [markdown]
# * `containers[].usage`: CPU as metrics-server writes it (here `1m`; a less round number shows in
#   nanocores, like `1234567n`), memory in bytes written as a quantity (`8Mi`).
# * `timestamp`: when the newest reading was taken, by the kubelet's cAdvisor (t = 50 s: the scrape at
#   t = 60 s got the sample of t = 50 s, because the two fell due at the same instant and the scrape went
#   first).
# * `window`: the time between the two readings the CPU rate comes from.
#
# `kubectl top` rounds for you: CPU is shown in millicores **rounded up**, memory in whole mebibytes
# **rounded down**; a pod's line is the **sum of its containers** (`--containers` shows them one by one).
#
# Behind metrics-server, each node's cAdvisor keeps its samples. The lab shows them as a pandas DataFrame
# (`usage("containers")`, `"pods"` or `"nodes"`); `cluster.metrics.usage(...)` joins all nodes':

# %%
cluster.metrics.usage("pods").tail(6)

# %% [markdown]
# ### A CPU limit in action
#
# A container's **limit** caps what it may use. For CPU the kernel *throttles*: the program simply gets no
# more CPU time than its limit. This is kubernetes.io's example pod `cpu-demo`: the `stress` program wants
# 2 cores, the limit is 1.

# %%
cluster.apply("../data/manifests/pod-cpu-throttled.yaml")
cluster.run(seconds=40)
cluster.kubectl("top pod cpu-demo")

# %% [markdown]
# `1000m`, not `2000m`: throttled to its limit, and still running. Memory is different: a program cannot
# be given "less memory" than it holds, so a container above its memory limit is killed (section 6).
#
# ## 4. Watch it: a noisy neighbour
#
# A **noisy neighbour** is a pod that takes far more than its share of a node and slows everything else
# on it. Ours is a report generator that asks for no resources at all (no requests, no limits) and then
# climbs to 2 cores and 3,800 MiB over two minutes. We register its image with the lab's image registry
# and pin it to node-1 with a `nodeSelector`.

# %%
from k8slab.kubelet import resource_hog

cluster.images.register("example/report", resource_hog(cpu=2.0, memory=3800 * MiB, ramp=120))
cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  name: report
  labels: {app: report}
spec:
  nodeSelector:
    kubernetes.io/hostname: node-1
  containers:
  - name: report
    image: example/report:1.0
""")
cluster.run(seconds=5)
start = cluster.now

# %% [markdown]
# The view below is `kubectl top` as a live widget: each node's measured CPU and memory as bars against
# its allocatable, its `MemoryPressure` condition, and `kubectl top pods -A`. Press **Run 15 s** to let
# virtual time go on (one metrics-server scrape per press) and watch node-1 fill up. (In a notebook
# rendered without a kernel the buttons do nothing; the next cell moves time on from code.)

# %%
from k8slab.cadvisor import UsageView

view = UsageView(cluster)
view

# %% [markdown]
# The same, advanced from code: ten presses of the button, two and a half minutes of virtual time.

# %%
for _ in range(10):
    view.step()
view

# %% [markdown]
# node-1's memory bar is nearly full and its condition has turned red. Plotted from the cAdvisors'
# samples, every 10 s since the report started:

# %%
import matplotlib.pyplot as plt

pods = cluster.metrics.usage("pods")
pods = pods[(pods["node"] == "node-1") & (pods["time"] >= start)]
fig, (cpu_axis, memory_axis) = plt.subplots(1, 2, figsize=(11, 3.2))
for name, rows in pods.groupby("pod"):
    cpu_axis.plot(rows["time"], rows["cpu_cores"], label=name)
    memory_axis.plot(rows["time"], rows["memory_bytes"] / MiB, label=name)
cpu_axis.set(title="CPU used on node-1 (cores)", xlabel="virtual time (s)")
memory_axis.set(title="memory used on node-1 (MiB)", xlabel="virtual time (s)")
memory_axis.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 5. Reporting back: MemoryPressure, taints and Events
#
# The kubelet watches one number closely: **`memory.available`**, the node's memory minus everything in
# use. Its default *hard eviction threshold* is `memory.available<100Mi`. Every 10 s it checks, and while
# the threshold is met it:
#
# * sets the node condition **`MemoryPressure=True`** (reason `KubeletHasInsufficientMemory`) in the
#   Node's status, through the API server;
# * records **Events** about the node: `EvictionThresholdMet` ("Attempting to reclaim memory") at every
#   check, and `NodeHasInsufficientMemory` when the condition changes.
#
# These writes are step 10's "reporting back to the API": they are stored in etcd like every other
# object, and the rest of the cluster reacts to them.

# %%
node = cluster.api.get("nodes", "node-1")
pd.DataFrame(node["status"]["conditions"])[["type", "status", "reason", "message"]]

# %% [markdown]
# Who reacted? The **node lifecycle controller** (notebook 03's controller manager) turns the condition
# into a **taint** on the node, `node.kubernetes.io/memory-pressure:NoSchedule`, and the scheduler's
# TaintToleration plugin (notebook 04) keeps new pods away from it:

# %%
cluster.kubectl("get node node-1 -o jsonpath={.spec.taints}")

# %%
cluster.kubectl("scale deployment nginx-deployment --replicas=6")
cluster.run(seconds=10)
cluster.kubectl("get pods -o wide -l app=nginx")

# %% [markdown]
# The three new nginx pods went to node-2 and node-3 only. The Events, as a table (`kubectl get events`
# shows the same; Events about nodes are kept in the `default` namespace):

# %%
def events_table(kind=None):
    rows = []
    for event in cluster.api.list("events")["items"]:
        involved = event["involvedObject"]
        if kind is None or involved["kind"] == kind:
            rows.append({"last seen": event["lastTimestamp"], "type": event["type"], "reason": event["reason"],
                         "object": f"{involved['kind'].lower()}/{involved['name']}", "count": event["count"],
                         "message": event["message"], "from": event["source"]["component"]})
    return pd.DataFrame(rows).sort_values("last seen", kind="stable").reset_index(drop=True)


pd.set_option("display.max_colwidth", 60)  # show whole messages
events_table("Node")

# %% [markdown]
# `EvictionThresholdMet` has a `count`: the kubelet said it at every check, and the Event recorder folded
# the repeats into one Event, as notebook 03 showed.
#
# What a real kubelet does next, and k8slab does not: it **evicts** pods to get memory back. It ranks
# them first by whether they use more memory than they requested, then by priority, then by how far
# above their request they are, so `report`, which requested nothing and uses 3.7 GiB, goes first. An
# evicted pod ends `Failed` with reason `Evicted` ("The node was low on resource: memory. ..."). That is
# why requests matter even on a cluster with room to spare.
#
# We stop the report ourselves. Memory comes back at once, but the condition does not: the kubelet keeps
# `MemoryPressure=True` for five minutes after the signal last crossed the threshold
# (`--eviction-pressure-transition-period=5m`), so that a node on the edge does not flip back and forth.

# %%
cluster.kubectl("delete pod report")
cluster.run(seconds=60)
print("after 1 minute:", cluster.kubectl("get node node-1 -o jsonpath={.status.conditions[0].status}"))
cluster.run(seconds=300)
print("after 6 minutes:", cluster.kubectl("get node node-1 -o jsonpath={.status.conditions[0].status}"))
print("taints:", cluster.kubectl("get node node-1 -o jsonpath={.spec.taints}") or "none")

# %% [markdown]
# The whole story in one picture: node-1's `memory.available` against the 100 MiB threshold, and the time
# its MemoryPressure condition was True.

# %%
from k8slab.cadvisor import MEMORY_AVAILABLE_THRESHOLD

nodes = cluster.metrics.usage("nodes")
nodes = nodes[(nodes["node"] == "node-1") & (nodes["time"] >= start)]
changes = [(e["lastTimestamp"], e["reason"]) for e in cluster.api.list("events")["items"]
           if e["involvedObject"]["name"] == "node-1" and "Memory" in e["reason"]]
fig, axis = plt.subplots(figsize=(11, 3.2))
axis.plot(nodes["time"], nodes["memory_available_bytes"] / MiB, label="memory.available on node-1")
axis.axhline(MEMORY_AVAILABLE_THRESHOLD / MiB, color="#b0360f", linestyle="--", label="threshold: 100Mi")
pressure = cluster.cadvisors["node-1"].usage("nodes")
pressure = pressure[pressure["memory_available_bytes"] < MEMORY_AVAILABLE_THRESHOLD]
if len(pressure):
    first, last = pressure["time"].min(), pressure["time"].max()
    axis.axvspan(first, last + 300, color="#f6c7b6", alpha=0.5, label="MemoryPressure=True (+5 min)")
axis.set(xlabel="virtual time (s)", ylabel="MiB (log scale)", yscale="log", ylim=(10, 8000))
axis.legend(fontsize=8, loc="lower right")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 6. Break it: OOMKilled, faster than the monitor
#
# A memory **limit** is enforced by the kernel, not by cAdvisor: the instant a container's memory goes
# over its limit, the kernel's OOM (out of memory) killer ends it, exit code 137, and the kubelet reports
# reason `OOMKilled` and restarts it (with the back-off of notebook 05). kubernetes.io's example
# `memory-demo-2` allocates 250 MB against a 100 MiB limit:

# %%
cluster.apply("../data/manifests/pod-memory-oom.yaml")
cluster.run(seconds=60)
cluster.kubectl("get pod memory-demo-2")

# %%
cluster.kubectl("get pod memory-demo-2 -o jsonpath={.status.containerStatuses[0].lastState}")

# %% [markdown]
# And what did the monitor see?

# %%
cluster.kubectl("top pod memory-demo-2")

# %% [markdown]
# Nothing. Each run of the container lives for well under a second before the kernel kills it; cAdvisor
# looks every 10 s and metrics-server needs two of its readings of the *same* container. A graph of
# memory would never show the spike. When a pod restarts with `OOMKilled` and the dashboards look calm,
# this is why: the evidence is in the pod's status and Events, not in the metrics.
#
# ## 7. What the lab simplifies
#
# Said out loud: a container's usage comes from its simulated program (k8slab's runtime), not from cgroup
# files; the node's own processes use a constant `50m` and `256Mi`; housekeeping runs at exactly every
# 10 s on every node (real cAdvisor spreads it between 10 and 15 s); the CPU counter adds up the rate seen
# at each sample; the cAdvisors keep ten minutes of samples (real ones keep two minutes); the kubelet watches
# only `memory.available` and reports, but does not evict pods; metrics-server is a Python object attached
# to the API server rather than a Deployment behind the aggregation layer. The timings (10 s, 15 s, 5
# minutes), the threshold, the condition's and Events' words, the `metrics.k8s.io` objects and kubectl's
# columns and rounding are upstream's.
#
# ## 8. Exercises
#
# Replace each `...` and run the cell; `check(...)` answers at once.
#
# **Exercise 1: read `kubectl top`.** metrics-server reports this pod, `web`, with two containers. What
# does `kubectl top pod web` print in its CPU(cores) and MEMORY(bytes) columns?

# %%
from k8slab.exercises import check
from k8slab.exercises.nb06 import TOP_CONTAINERS

pd.DataFrame([{"container": name, "cpu": cpu, "memory (bytes)": memory}
              for name, (cpu, memory) in TOP_CONTAINERS.items()])

# %% [markdown]
# <details><summary>Hint</summary>
#
# `n` is nanocores: 1,000,000 n = 1 m. A pod's line is the sum of its containers; kubectl shows
# millicores rounded up and mebibytes (1 Mi = 1,048,576 bytes) rounded down.
# </details>

# %%
check("06-read-top", (..., ...))

# %% [markdown]
# **Exercise 2: the pressure point.** A node has 2 GiB (2,048 MiB) of memory; its own processes use
# 256 MiB, as in this lab. How many MiB may its pods use, at most, before the kubelet reports
# MemoryPressure?
#
# <details><summary>Hint</summary>
#
# `memory.available` = capacity - (the node's own use + the pods'). The condition turns True when
# `memory.available < 100Mi`.
# </details>

# %%
check("06-pressure-point", ...)

# %% [markdown]
# **Exercise 3: find the noisy neighbour.** Write `noisiest(frame)`: given a table shaped like
# `cluster.metrics.usage("pods")` (columns time, node, namespace, pod, cpu_cores, memory_bytes), return
# the name of the pod that used the most CPU on average. `check` tries it on ten minutes of a node where
# three quiet web pods share the machine with something else.

# %%
def noisiest(frame):
    ...  # return a pod name


check("06-noisy-neighbour", noisiest)

# %% [markdown]
# ## Recap
#
# - cAdvisor, inside every kubelet, reads each container's CPU counter and memory working set every 10 s.
#   metrics-server collects them every 15 s and serves `metrics.k8s.io`; `kubectl top` and autoscalers
#   read it. CPU is an average over a window between two readings; memory is the latest working set.
# - Requests (what the scheduler counts) and usage (what is measured) are different numbers. A pod with
#   no requests can take a node's memory and push it into MemoryPressure.
# - The kubelet reports back to the API: the `MemoryPressure` condition and Events. The node lifecycle
#   controller taints the node, the scheduler steers new pods away, and a real kubelet evicts pods.
# - A CPU limit throttles; a memory limit kills (OOMKilled), faster than any monitor samples.
#
# **Next:** notebook 07 follows a request to a pod: Services and kube-proxy.
#
# **Read more:** [Resource metrics pipeline](https://kubernetes.io/docs/tasks/debug/debug-cluster/resource-metrics-pipeline/),
# [metrics-server](https://github.com/kubernetes-sigs/metrics-server),
# [cAdvisor](https://github.com/google/cadvisor),
# [kubectl top](https://kubernetes.io/docs/reference/kubectl/generated/kubectl_top/),
# [Node-pressure Eviction](https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/),
# [Resource Management for Pods and Containers](https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/).
