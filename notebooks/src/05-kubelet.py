# %% [markdown]
# # 05 — The kubelet and pods
#
# **Goal.** In notebook 04 the scheduler chose a node for each pod and wrote that choice down (a
# *binding*). Nothing ran yet: a binding is a line in etcd. In this lab you meet the agent that turns that
# line into running programs: the **kubelet**, one on every node. You write a tiny one yourself, then
# follow k8slab's real one through the life of a pod: the sandbox, the image pull, the containers, the
# status it reports back. You watch pods crash and come back slower and slower (CrashLoopBackOff), probes
# decide when a pod may receive traffic and when it must be restarted, a pod shut down politely, and a
# whole node die while its pods are started again elsewhere.
#
# **Steps covered:** 8 (the kubelet is told to make the change on its node) and 9 (the kubelet starts a
# pod and runs its containers).
#
# **Time:** about 60 minutes.

# %%
from k8slab.viz import architecture

architecture(highlight=[8, 9])

# %% [markdown]
# ## 1. What a kubelet is
#
# A **node** is a machine (a virtual machine or a real server) that runs your programs. Each node runs
# one **kubelet**: a program that makes sure the containers that should run on this node do run. A
# **container** is a program started from an **image** (a packaged file system: `nginx:1.27` is a web
# server with everything it needs), fenced off from its neighbours. A **pod** is a group of one or more
# containers that share a network address (the **pod IP**) and are always placed together.
#
# The kubelet does not start containers itself. It asks the node's **container runtime** (containerd or
# CRI-O) through a small API, the Container Runtime Interface (CRI): pull this image, create the pod's
# **sandbox** (the network namespace that holds its IP address), create and start this container, stop
# it, list what runs.
#
# And, like every other component, the kubelet talks only to the API server. Nobody *tells* it to start
# a pod. It **watches** the pods whose `spec.nodeName` is its own node (a *field selector*,
# `spec.nodeName=node-1`), and whenever one appears or changes it makes the node match the pod's spec.
# Then it writes what happened to the pod's `status`, which is how you, the controllers and the other
# components learn about it.
#
# ## 2. Build it: a kubelet in thirty lines
#
# We start a cluster with a scheduler but without kubelets (`components=("scheduler",)`), so pods get a
# node and then nothing happens to them. Then we run our own kubelet on node-1 only: it watches the pods
# bound to node-1 and, two seconds after it sees one (pretend that pulling the image and starting the
# container take two seconds), reports it Running.

# %%
from k8slab import Cluster

tiny = Cluster(nodes=2, seed=0, components=("scheduler",))  # a scheduler, no kubelets: that is our job
api = tiny.api


def tiny_kubelet(node, pod_range="10.244.1"):
    """Watch the pods bound to `node`; report each one Running two seconds after it shows up."""
    addresses = iter(range(2, 255))  # the pod IPs this node hands out: 10.244.1.2, .3, ...

    def start(name):
        pod = api.get("pods", name)
        now = tiny.loop.timestamp()
        pod["status"].update(  # keep what the API server put there (qosClass), add what we know
            phase="Running",
            podIP=f"{pod_range}.{next(addresses)}",
            conditions=[{"type": "Ready", "status": "True", "lastTransitionTime": now}],
            containerStatuses=[
                {"name": c["name"], "image": c["image"], "ready": True, "restartCount": 0,
                 "state": {"running": {"startedAt": now}}}
                for c in pod["spec"]["containers"]
            ],
        )
        api.update_status(pod)  # tell everyone else, through the API server
        print(f"t={tiny.now:g}s {node}: {name} is running")

    def on_event(event):
        if event.type == "ADDED":  # a pod was bound to this node (or was already when we started)
            name = event.object["metadata"]["name"]
            print(f"t={tiny.now:g}s {node}: I must run {name}: pulling, starting...")
            tiny.loop.call_later(2, start, name)

    return api.watch("pods", field_selector=f"spec.nodeName={node}", callback=on_event)


watch = tiny_kubelet("node-1")
for n in range(4):
    api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"hello-{n}"},
                "spec": {"containers": [{"name": "hello", "image": "nginx:1.27"}]}})
tiny.run(seconds=5)
assert not tiny.loop.errors, tiny.loop.errors  # a callback that raised would be listed here
tiny.kubectl("get pods -o wide")

# %% [markdown]
# The scheduler spread the four pods over both nodes. Our kubelet on node-1 saw its own pods, "ran" them
# and reported them Running. The pods on node-2 are still Pending: they are bound, but nobody on node-2 is
# watching. That is the whole idea of step 8: the scheduler never calls a kubelet; it writes `nodeName`,
# and the kubelet of that node finds the pod through its watch.
#
# Our kubelet is missing almost everything a real one does: it starts nothing (no image, no process), it
# never notices that a container died, it ignores deletions, it does not say "I am alive" to anyone. The
# rest of this notebook is about those things.

# %%
watch.stop()

# %% [markdown]
# ## 3. The real kubelet, step by step
#
# `Cluster(nodes=3, seed=0)` runs a kubelet on every node, each with a simulated container runtime.
# Each kubelet watches with the same field selector as ours:

# %%
cluster = Cluster(nodes=3, seed=0)
for kubelet in cluster.kubelets.values():
    print(f"{kubelet!r:40} watches pods with fieldSelector {kubelet.pods.field_selector}")

# %% [markdown]
# Create one pod and stop the clock at the instant it is created, before any component has had a turn:

# %%
cluster.apply("""
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    ports:
    - containerPort: 80
""")
cluster.kubectl("get pod web -o wide")

# %% [markdown]
# Now let virtual time move in small steps, and look at the pod and at what the kubelet of its node did
# at each step. The kubelet writes its progress into the pod's status, so `kubectl get pod` is enough to
# follow it. Each line shows the pod's node, STATUS and IP as kubectl prints them, the container's state
# as `status.containerStatuses[0].state` records it, and the latest Event about the pod.

# %%
import json


def progress(name):
    """One line: the pod's STATUS and IP as kubectl prints them, its container's state, the latest Event."""
    pod = cluster.api.get("pods", name)
    row = cluster.kubectl(f"get pod {name} -o wide --no-headers").splitlines()[0].split()
    state = (pod["status"].get("containerStatuses") or [{}])[0].get("state", {})
    events = [e for e in cluster.api.list("events")["items"] if e["involvedObject"]["name"] == name]
    return (f"t={cluster.now:<4g} {row[6]:7} STATUS={row[2]:18} IP={row[5]:11} state={json.dumps(state):50} "
            f"last event: {events[-1]['reason']}")


for until in (0.0, 0.5, 3.5):
    cluster.run(until=until)
    print(progress("web"))

# %% [markdown]
# What happened, in order:
#
# 1. **t = 0: the binding (step 7, notebook 04).** The scheduler bound the pod to a node.
# 2. **t = 0: the kubelet notices (step 8).** That node's kubelet got the pod from its watch, because its
#    `spec.nodeName` now matches the field selector. It wrote a first status at once: the container is
#    *waiting* with reason `ContainerCreating`, which is what `kubectl get pods` prints as STATUS.
# 3. **t = 0 to 0.5: the sandbox.** The kubelet asked the runtime for the pod's sandbox, with an IP
#    address from the node's pod range (`10.244.<node>.0/24`). In k8slab a sandbox takes a fixed half
#    second. The IP and the condition `PodReadyToStartContainers` (which is about the sandbox) reach the
#    API with the kubelet's next status write, once the container has started: like a real kubelet, it
#    reports what the runtime tells it after each sync, not each step inside one.
# 4. **t = 0.5 to 3.5: the image pull.** With the sandbox ready, the kubelet asked for the image
#    (`Pulling`), and the runtime downloaded `nginx:1.27` (3 s in the lab's image registry). The next
#    pod that uses this image on this node will not wait: the image is cached.
# 5. **t = 3.5: create and start (step 9).** The runtime created the container from the image and
#    started its process; the kubelet reported the state `running` and the pod `Running` and `Ready`.
#
# Steps 8 and 9 on the diagram:

# %%
architecture(highlight=[8])

# %%
architecture(highlight=[9])

# %% [markdown]
# The kubelet reported all this through the API server, like any client. Here are the requests the
# node's kubelet made about the pod (its user name is `system:node:<node>`): status updates of the pod
# and Events, nothing else.

# %%
import pandas as pd

pd.DataFrame(
    [{"t (s)": r.time, "user": r.user, "verb": r.verb, "resource": r.resource, "name": r.name, "code": r.code}
     for r in cluster.api.requests if r.name.startswith("web") and r.user.startswith("system:")]
)

# %% [markdown]
# `kubectl describe pod` gathers it all in one page. Read it from the bottom up: the **Events** tell the
# story (the scheduler's `Scheduled`, then the kubelet's `Pulling`, `Pulled`, `Created`, `Started`), and
# the **Conditions** sum up where the pod stands:
#
# | condition | true when |
# |---|---|
# | `PodScheduled` | the pod has a node |
# | `PodReadyToStartContainers` | its sandbox exists and has its IP |
# | `Initialized` | every init container has run to success (this pod has none) |
# | `ContainersReady` | every container runs and passes its readiness probe |
# | `Ready` | the pod may receive traffic (a Service sends it requests; notebook 07) |

# %%
cluster.kubectl("describe pod web")

# %% [markdown]
# `kubectl get events` lists the same Events for the whole namespace. Events are objects in the API like
# any other, written by the components (`From`), kept for an hour in a real cluster.

# %%
cluster.kubectl("get events")

# %% [markdown]
# On the node itself, the runtime now runs one container. On a real node `crictl ps` shows this list:

# %%
node = cluster.api.get("pods", "web")["spec"]["nodeName"]
cluster.kubelets[node].runtime.containers()

# %% [markdown]
# ## 4. Watch it: the life of several pods
#
# One pod going well is a short story. Let us start six pods that go differently and record their lives
# with a `TimelineRecorder`: it watches pods like any client and notes the state of every container at
# each change, at the exact virtual time the kubelet reported it.
#
# * `web`: nginx, as above.
# * `init`: an **init container** (a short program that must finish before the app starts, here
#   `sleep 4`), then nginx.
# * `job`: a batch job that works for 30 s and exits with code 0; `restartPolicy: Never`.
# * `typo`: an image tag that does not exist (a typo for 1.27; we tell the lab's registry it has no such
#   tag).
# * `crash`: an app that exits with code 1 five seconds after each start.
# * `hog`: a program whose memory grows by about 17 MiB a second, with a memory limit of 256 MiB.

# %%
from k8slab.viz.timeline import TimelineRecorder, plot_timeline

cluster = Cluster(nodes=3, seed=0)
cluster.images.mark_missing("nginx:1.277")  # the lab's registry has every nginx tag; not this one
timeline = TimelineRecorder(cluster)
cluster.apply("""
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - {name: nginx, image: "nginx:1.27"}
---
apiVersion: v1
kind: Pod
metadata: {name: init}
spec:
  initContainers:
  - {name: wait, image: "busybox:1.36", command: [sh, -c, "sleep 4"]}
  containers:
  - {name: nginx, image: "nginx:1.27"}
---
apiVersion: v1
kind: Pod
metadata: {name: job}
spec:
  restartPolicy: Never
  containers:
  - {name: work, image: "k8slab/job:1.0"}
---
apiVersion: v1
kind: Pod
metadata: {name: typo}
spec:
  containers:
  - {name: app, image: "nginx:1.277"}
---
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  containers:
  - {name: app, image: "k8slab/crashloop:1.0"}
---
apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  containers:
  - name: hog
    image: k8slab/hog:1.0
    resources:
      limits: {memory: 256Mi}
""")
cluster.run(seconds=120)
cluster.kubectl("get pods")

# %% [markdown]
# `kubectl get pods` is one instant. The timeline is all of them: one row per container, one coloured
# bar per state, read left to right.

# %%
plot_timeline(timeline.segments(), title="Six pods, their first two minutes")

# %% [markdown]
# What to see:
#
# * **ContainerCreating** (yellow) is the sandbox and the image pull. The init pod's nginx waits longer
#   (**PodInitializing**): its init container must finish first. `init/wait` runs (light orange,
#   *Running*: an init container is never "ready", it only has to finish) and ends `Completed`.
# * **Ready** (green) is a running container. `web/nginx` stays there.
# * `job/work` runs for 30 s and ends **Completed**: with `restartPolicy: Never` nothing restarts it, and
#   the pod's phase is `Succeeded`.
# * `typo/app` never starts: the registry has no `nginx:1.277`, so the kubelet reports **ErrImagePull**,
#   then waits before trying again (**ImagePullBackOff**), longer each time.
# * `crash/app` and `hog/hog` keep coming back, with ever longer waits between runs
#   (**CrashLoopBackOff**): the crash exits with code 1, and the hog is killed by the kernel when its
#   memory passes its limit (**OOMKilled**, exit code 137). Each bar boundary inside a green stretch is a
#   restart.
#
# The same timeline as a table: one row per stretch of time in one state (here the hog's).

# %%
segments = timeline.segments()
segments[segments["pod"] == "hog"].round(1)

# %% [markdown]
# OOMKilled never shows as a bar of its own: in the same instant the kubelet learns that the container
# was killed, it restarts it (the first time) or starts its back-off (CrashLoopBackOff). The reason is
# kept in the container's `lastState`:

# %%
cluster.kubectl("get pod hog -o jsonpath={.status.containerStatuses[0].lastState}")

# %% [markdown]
# ## 5. restartPolicy and the crash loop
#
# When a container's process exits, the kubelet looks at the pod's `restartPolicy`:
#
# | restartPolicy | restarts a container that exited with code 0 | ... with another code |
# |---|---|---|
# | `Always` (the default, and the only one a Deployment allows) | yes | yes |
# | `OnFailure` (common for Jobs) | no | yes |
# | `Never` | no | no |
#
# The pod's **phase** follows: `Pending` until its containers run, `Running` while at least one runs or
# will be restarted, `Succeeded` when all exited with code 0 and none will restart, `Failed` when all
# exited, at least one with an error, and none will restart.
#
# A container that keeps crashing is not restarted at once every time: that would burn the node's CPU on
# a program that cannot work. The kubelet keeps a **back-off** per container: the first restart is
# immediate, then it waits 10 s, 20 s, 40 s, ... doubling up to 5 minutes. While it waits the container is
# *waiting* with reason `CrashLoopBackOff`. A container that then runs for 10 minutes without crashing
# starts over from zero.
#
# Here is `crash` again, alone on a fresh cluster, for a little over three minutes:

# %%
from k8slab.viz.timeline import backoff_table, plot_crash_loop

cluster = Cluster(nodes=3, seed=0)
timeline = TimelineRecorder(cluster)
cluster.apply("""
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  containers:
  - {name: app, image: "k8slab/crashloop:1.0"}
""")
cluster.run(seconds=200)
samples = timeline.stop()
backoff_table(samples, "crash")

# %% [markdown]
# Each row is one restart: when the previous run exited, when the next one started, the wait in between
# (`back_off`), and how long the run before it lasted (`ran`: 5 s, this app always dies after 5 s).

# %%
plot_crash_loop(samples, "crash")

# %% [markdown]
# What kubectl shows meanwhile. RESTARTS counts the restarts (and says how long ago the last exit was);
# STATUS shows the waiting reason:

# %%
cluster.kubectl("get pods")

# %% [markdown]
# Why did it crash? `kubectl logs` shows what a container wrote to its output. Each restart is a new
# container with empty logs, so after a crash the useful ones belong to the run that died: `--previous`
# asks for the instance that the container's `lastState` describes. When a pod is in CrashLoopBackOff
# this is usually the first thing to look at.

# %%
print(cluster.kubectl("logs crash --previous"))

# %%
print(cluster.kubectl("describe pod crash").split("Containers:")[1].split("Conditions:")[0])

# %% [markdown]
# `Last State: Terminated` with `Reason: Error` and `Exit Code: 1` is the run that died; `State: Waiting`,
# `Reason: CrashLoopBackOff` is the kubelet waiting out the back-off. In the events, `BackOff` says
# "Back-off restarting failed container".

# %%
cluster.kubectl("get events --field-selector reason=BackOff")

# %% [markdown]
# ## 6. Probes: ready or not, alive or not
#
# A running process is not always a working one. A web server may need 20 s to load its data before it
# can answer, or it may hang while its process stays up. The kubelet can **probe** each container:
# make an HTTP request (`httpGet`), open a TCP connection (`tcpSocket`) or run a command inside it
# (`exec`), every `periodSeconds`, and count successes and failures.
#
# * A **readiness probe** decides whether the container is *ready*. After `failureThreshold` failures in
#   a row (default 3) it is not; after `successThreshold` successes (default 1) it is again. A pod that
#   is not Ready gets no traffic from Services, but nothing is restarted.
# * A **liveness probe** decides whether the container is *alive*. After `failureThreshold` failures the
#   kubelet kills it, and restartPolicy restarts it.
# * A **startup probe** holds the other two back until the app has started once (for slow starters).
#
# Two pods show both. `slow-start` runs a web server that answers `503 not ready` for its first 20 s (we
# register this behaviour as an image in the lab's registry), probed for readiness every 5 s. `liveness`
# is kubernetes.io's own liveness example: agnhost's `liveness` server answers `/healthz` with 200 for
# 10 s and with 500 after that.

# %%
from k8slab.kubelet.runtime import web_server

cluster = Cluster(nodes=3, seed=0)
cluster.images.register("example/slow-start", web_server(warmup=20), pull_seconds=2)
timeline = TimelineRecorder(cluster)
cluster.apply("""
apiVersion: v1
kind: Pod
metadata: {name: slow-start}
spec:
  containers:
  - name: app
    image: example/slow-start:1.0
    ports: [{containerPort: 80}]
    readinessProbe:
      httpGet: {path: /, port: 80}
      periodSeconds: 5
---
apiVersion: v1
kind: Pod
metadata: {name: liveness}
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args: [liveness]
    livenessProbe:
      httpGet: {path: /healthz, port: 8080}
      initialDelaySeconds: 3
      periodSeconds: 3
""")
cluster.run(seconds=15)
cluster.kubectl("get pods")

# %% [markdown]
# At 15 s, `slow-start` is Running but `0/1` ready: its process runs, its probe gets 503. Now, at 40 s,
# make its server fail (a "break it" switch of the lab's web server: every request gets a 500), and at
# 60 s make it healthy again:

# %%
node = cluster.api.get("pods", "slow-start")["spec"]["nodeName"]
app = cluster.kubelets[node].container("default", "slow-start", "app")
cluster.run(until=40)
print(cluster.kubectl("get pods"))
app.set_healthy(False)
cluster.run(until=60)
print(cluster.kubectl("get pods"))
app.set_healthy(True)
cluster.run(until=80)
print(cluster.kubectl("get pods"))

# %%
plot_timeline(timeline.segments(), title="Readiness (slow-start) and liveness (liveness) probes")

# %% [markdown]
# `slow-start/app` went orange (Running, not ready) for its warm-up, green when the probe passed, orange
# again when three probes in a row had failed after the server broke (they run every 5 s), and green at
# the first success after it was fixed. It was never restarted: readiness only decides about traffic.
#
# `liveness/liveness` was killed after three failed liveness probes, restarted at once, killed again,
# then restarted after a 10 s back-off (the same back-off as a crash), and so on. Its events say why:

# %%
print(cluster.kubectl("describe pod liveness").split("Events:")[1])

# %% [markdown]
# ## 7. Graceful termination
#
# Deleting a pod does not pull the plug. The API server only marks it (`deletionTimestamp`, shown as
# `Terminating`) and the kubelet shuts it down politely:
#
# 1. it runs the container's **preStop** hook, if it has one (a command, an HTTP request, or a sleep:
#    time for load balancers to stop sending new requests);
# 2. it sends the process **SIGTERM**, the signal that says "please finish and exit";
# 3. if the process is still there when the **grace period** ends (`terminationGracePeriodSeconds`,
#    default 30 s, counted from the start of the preStop hook), it sends **SIGKILL**, which cannot be
#    ignored (exit code 137 = 128 + 9);
# 4. then it deletes the pod object for good.
#
# `polite` has a 5 s preStop sleep, and nginx exits at once on SIGTERM. `stubborn` ignores SIGTERM
# (`trap '' TERM`) and has a 20 s grace period.

# %%
cluster = Cluster(nodes=3, seed=0)
timeline = TimelineRecorder(cluster)
cluster.apply("""
apiVersion: v1
kind: Pod
metadata: {name: polite}
spec:
  containers:
  - name: app
    image: nginx:1.27
    lifecycle:
      preStop:
        sleep: {seconds: 5}
---
apiVersion: v1
kind: Pod
metadata: {name: stubborn}
spec:
  terminationGracePeriodSeconds: 20
  containers:
  - name: app
    image: busybox:1.36
    command: [sh, -c, "trap '' TERM; while true; do sleep 1; done"]
""")
cluster.run(seconds=10)
print(cluster.kubectl("delete pod polite stubborn --wait=false"))
cluster.run(seconds=1)
print(cluster.kubectl("get pods"))
cluster.run(seconds=30)
print(cluster.kubectl("get pods"))
timeline.segments()

# %% [markdown]
# `polite` was Terminating for 5 s (its preStop hook), then exited with code 0 (`Completed`) and was
# removed. `stubborn` was Terminating for its whole 20 s grace period, then SIGKILLed (`Error`, exit code
# 137). On a real cluster, this is why a program should handle SIGTERM: otherwise every rollout waits the
# full grace period for each of its pods.

# %%
plot_timeline(timeline.segments(), title="Graceful termination")

# %% [markdown]
# ## 8. Break it: a node dies
#
# Each kubelet also says "I am alive": every 10 s it renews a **Lease** object named after its node (in
# the `kube-node-lease` namespace). In the controller manager, the **node lifecycle controller** watches
# those leases. When a node's lease has not been renewed for 40 s (`node-monitor-grace-period`) it marks
# the node `NotReady` (its `Ready` condition becomes `Unknown`) and taints it
# `node.kubernetes.io/unreachable`. The pods on that node have a **toleration** for that taint, for
# 300 s by default (the API server adds it to every pod). When the toleration runs out, the pods are
# evicted (deleted), and their ReplicaSet creates new ones, which the scheduler places on healthy nodes.
#
# So a real cluster takes about 40 s + 300 s, almost six minutes, to move the pods of a dead node. To keep
# this lab short, our Deployment's pod template sets its own toleration of 30 s (`tolerationSeconds: 30`);
# any pod can do this, and it is how you make a workload fail over faster.

# %%
from k8slab.viz.stategraph import Player, Recorder

cluster = Cluster(nodes=3, seed=0)
cluster.apply("""
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
      containers:
      - {name: nginx, image: "nginx:1.27"}
""")
cluster.run(seconds=15)
cluster.kubectl("get pods -o wide")

# %% [markdown]
# Now switch off node-2 (`cluster.fail_node`: its kubelet stops, so no more lease renewals and no more
# status) and record the state graph every 5 virtual seconds for two minutes.

# %%
pictures = Recorder(cluster, every=5)
lives = TimelineRecorder(cluster)
failed_at = cluster.now
cluster.fail_node("node-2")
cluster.run(seconds=120)
frames = pictures.stop()
print(f"node-2 failed at t={failed_at:g}s; {len(frames)} pictures up to t={cluster.now:g}s")

# %% [markdown]
# Press play (or drag the slider). For about 45 s nothing seems to happen: the node is dead but nobody
# knows yet. Then node-2 turns NotReady; 30 s later its pod turns Terminating and a replacement appears on
# another node, ContainerCreating, then Ready.

# %%
Player(frames)

# %%
print(cluster.kubectl("get nodes"))
print(cluster.kubectl("get pods -o wide"))

# %% [markdown]
# The same two minutes as a timeline, one row per pod this time (`by="pod"`, in the state graph's
# colours). The pod on node-2 stops being ready when its node turns `Unknown`, about 45 s after the
# failure: the node lifecycle controller sets the `Ready` condition of a silent node's pods to False
# (upstream's `MarkPodsNotReady`), so that Services stop sending them traffic long before they are
# evicted. (`kubectl get pods` still prints `1/1` for it: its READY column counts the containers the
# kubelet last reported ready, and that kubelet is gone.)

# %%
from datetime import datetime, timedelta

started = cluster.loop.datetime() - timedelta(seconds=cluster.now)  # the cluster's t = 0 as a date
ready = next(c for c in cluster.api.get("nodes", "node-2")["status"]["conditions"] if c["type"] == "Ready")
not_ready_at = (datetime.fromisoformat(ready["lastTransitionTime"]) - started).total_seconds()
pods = lives.segments(by="pod")
evicted_at = pods[pods["state"] == "Terminating"]["start"].min()
print(f"node-2 failed at t={failed_at:g}s, was marked NotReady at t={not_ready_at:g}s, "
      f"its pod was evicted at t={evicted_at:g}s")
plot_timeline(pods, title="A Deployment of 4 pods while node-2 fails",
              marks={"node-2 fails": failed_at, "NotReady": not_ready_at, "evicted": evicted_at})

# %% [markdown]
# The old pod stays `Terminating` on node-2: deleting a pod asks its kubelet to stop the containers and
# confirm, and that kubelet is gone. (On a real cluster too: the containers may still be running on a
# machine that lost its network, and Kubernetes will not pretend otherwise.) The node's description shows
# the taints and the lease that stopped being renewed:

# %%
for line in cluster.kubectl("describe node node-2").splitlines():
    if line.startswith(("Taints:", "                    node.kubernetes.io", "  RenewTime", "  Ready")):
        print(line)

# %% [markdown]
# When the machine comes back, its kubelet starts again, renews its lease, sees that its pod was deleted
# meanwhile, kills what is left of it and lets it go:

# %%
cluster.recover_node("node-2")
cluster.run(seconds=15)
print(cluster.kubectl("get nodes"))
print(cluster.kubectl("get pods -o wide"))

# %% [markdown]
# ## 9. What the lab simplifies
#
# k8slab's kubelet follows the real one where you can see it (the field selector, the status fields and
# condition types, the waiting and terminated reasons, the events and their messages, the back-off of
# 10 s doubling to 5 min, probe thresholds, the grace period, the lease every 10 s), but:
#
# * Containers are simulated processes: what a container does (serve HTTP, crash after 5 s, eat memory)
#   comes from its image name in the lab's image registry (`cluster.images`); an image the lab does not
#   know runs as a web server on its declared ports. There are no Linux namespaces or cgroups: a memory
#   limit is enforced by the model (OOMKilled), CPU above its limit is throttled, but neighbours do not
#   compete for CPU.
# * No volumes, Secrets or ConfigMaps are mounted (an `env` value taken from one is not filled in).
# * A sandbox takes a fixed 0.5 s; an image pull takes a fixed number of seconds per image, one pull at a
#   time per node (the kubelet's default), with no layers and no shared bandwidth.
# * The node lifecycle controller has none of upstream's protections for a whole zone going down (it
#   evicts as if one node among many failed).
# * The runtime tells the kubelet at once when a process exits (a real kubelet learns it from the
#   runtime's events or by listing the containers every second), and probes start exactly on their
#   period (a real kubelet adds a random delay to the first probe of each container).
#
# ## 10. Exercises
#
# **Exercise 1: predict the back-off.** A container exits with code 1 five seconds after every start,
# and its pod has `restartPolicy: Always`. How many seconds does the kubelet wait before each of its
# first seven restarts? Section 5 showed the first five; the seventh needs the rule.
#
# <details><summary>Hint</summary>
#
# The first restart is immediate; then 10 s, doubling each time; never more than 5 minutes.
# </details>

# %%
from k8slab.exercises import check

waits = [..., ..., ..., ..., ..., ..., ...]  # seconds before restarts 1, 2, ..., 7
check("05-backoff", waits)

# %% [markdown]
# **Exercise 2: which restartPolicy gives which phase?** Six pods run `sh -c "sleep 5; exit <code>"` in
# busybox. What is each pod's `status.phase` one minute later? Answer with a phase (`Pending`, `Running`,
# `Succeeded`, `Failed`), not with what kubectl prints in STATUS. The checker runs the six pods on a
# fresh cluster and compares.
#
# | case | restartPolicy | exit code |
# |---|---|---|
# | a | Always | 0 |
# | b | Always | 1 |
# | c | OnFailure | 0 |
# | d | OnFailure | 1 |
# | e | Never | 0 |
# | f | Never | 1 |
#
# <details><summary>Hint</summary>
#
# A pod is Succeeded or Failed only when none of its containers will ever run again. Which policies
# restart a container that exited with code 0?
# </details>

# %%
phases = {"a": ..., "b": ..., "c": ..., "d": ..., "e": ..., "f": ...}
check("05-restart-policy", phases)

# %% [markdown]
# ## Recap
#
# - The kubelet is the agent on each node. It watches the pods bound to its node (field selector
#   `spec.nodeName=<node>`) and asks the container runtime, through the CRI, for a sandbox, image pulls
#   and containers; it writes what happened to the pod's status and to Events.
# - A pod goes Pending (ContainerCreating) → Running → Succeeded or Failed; each container is waiting,
#   running or terminated, with a reason (ContainerCreating, ErrImagePull, ImagePullBackOff,
#   CrashLoopBackOff, Completed, Error, OOMKilled).
# - restartPolicy decides which exits are restarted; a crashing container waits 0, 10, 20, 40 s ...
#   up to 5 min between restarts (CrashLoopBackOff); `kubectl logs --previous` shows why it died.
# - Readiness probes decide about traffic, liveness probes about restarts.
# - Deletion is graceful: preStop, SIGTERM, the grace period, SIGKILL.
# - Kubelets renew a Lease every 10 s. The node lifecycle controller marks a silent node NotReady after
#   40 s, and its pods are evicted when their toleration (300 s by default) runs out; their controllers
#   replace them elsewhere.
#
# **Next:** notebook 06 looks at what the kubelet's cAdvisor measures: CPU and memory per container, per
# pod and per node, and `kubectl top`.
#
# **Read more:** [kubelet](https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/),
# [Pod Lifecycle](https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/),
# [Configure Liveness, Readiness and Startup Probes](https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/),
# [Container Lifecycle Hooks](https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/),
# [Container Runtime Interface](https://kubernetes.io/docs/concepts/architecture/cri/),
# [Nodes: heartbeats and node controller](https://kubernetes.io/docs/concepts/architecture/nodes/),
# [Taint-based evictions](https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions).
