# %% [markdown]
# # 03 — The controller manager
#
# **Goal.** In notebook 02 you asked for a Deployment of three web servers and the cluster answered
# `READY 0/3`: the API server stored your wish and nothing more. In this lab you meet the components that
# turn wishes into running pods: the **controllers**. You write a tiny one yourself (a loop that counts
# pods and creates or deletes the difference), then watch k8slab's real ones at work: the ReplicaSet
# controller keeping three copies of a web server alive whatever happens to them, the Deployment
# controller rolling out a new version without downtime (and rolling it back), and the garbage collector
# cleaning up what a deleted object owned.
#
# **Step covered:** 6 (the controller manager watches and notices a change).
#
# **Time:** about 60 minutes.

# %%
from k8slab.viz import architecture

architecture(highlight=[6])

# %% [markdown]
# ## 1. Desired state and actual state
#
# Every Kubernetes object you write has a `spec`: what you **want** (three copies of nginx 1.14.2). Most
# objects also get a `status`: what **is** (two copies are running, one is starting). Nobody in
# Kubernetes runs a command such as "start a container now". Instead, a **controller** watches the
# objects it is responsible for and, whenever what is differs from what is wanted, does one small thing
# to bring them closer. Then it looks again. This is the **reconcile loop**:
#
# 1. **observe**: read the desired state (the spec) and the actual state (the objects that exist);
# 2. **diff**: what is missing, what is too much?
# 3. **act**: create or delete a little, through the API server, and start over.
#
# A thermostat works the same way: you set the temperature you want, it measures the room, and it heats
# when the room is too cold. It does not matter *why* the room got cold (a window, the night); the
# thermostat only compares. That is why controllers heal a cluster: a pod that crashed, a node that died
# and a pod you deleted by mistake all look the same to the loop, "one fewer than wanted".
#
# The **controller manager** (`kube-controller-manager`) is one program that runs dozens of these
# controllers side by side: one for ReplicaSets, one for Deployments, one for Jobs, one for Nodes, the
# garbage collector, and so on. Each of them talks only to the API server.
#
# ## 2. Build it: a reconcile loop in fifteen lines
#
# We start with a cluster that runs only etcd and the API server (`components=()`), so nothing acts on
# our pods but us. The desired state is a number in a Python variable; the actual state is the list of
# pods labelled `app=hello`.

# %%
import copy

from k8slab import Cluster

tiny = Cluster(nodes=3, seed=0, components=())  # etcd and the API server only: we are the controller
api = tiny.api

HELLO = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"generateName": "hello-", "labels": {"app": "hello"}},  # the API server adds a random suffix
    "spec": {"containers": [{"name": "hello", "image": "nginx:1.27"}]},
}


def reconcile(api, replicas):
    """Make the number of app=hello pods equal to `replicas`; say what was done."""
    pods = api.list("pods", label_selector="app=hello")["items"]  # observe
    missing = replicas - len(pods)  # diff
    for _ in range(missing):  # act: too few, create
        api.create(copy.deepcopy(HELLO))
    for pod in pods[replicas:]:  # act: too many, delete the extra ones
        api.delete("pods", pod["metadata"]["name"])
    return f"saw {len(pods)}, want {replicas}: created {max(missing, 0)}, deleted {max(-missing, 0)}"


print(reconcile(api, 3))
print(reconcile(api, 3))  # nothing to do: the loop is safe to run again and again
tiny.kubectl("get pods")

# %% [markdown]
# The second call changed nothing: a good reconcile function is **idempotent**, so it can run any number
# of times. Now break something, as the world will: delete a pod by hand, then change your mind about
# the number.

# %%
victim = api.list("pods", label_selector="app=hello")["items"][0]["metadata"]["name"]
api.delete("pods", victim)
print(f"deleted {victim}")
print(reconcile(api, 3))
print(reconcile(api, 1))
tiny.kubectl("get pods")

# %% [markdown]
# Our loop only runs when we call it. A real controller runs all the time, and it does not poll: it
# **watches** the API server (notebook 02) and reconciles whenever something it cares about changes.
# Here is the tiny controller wired to a watch. The desired count lives in a dict so that we can change
# it while the controller runs.

# %%
wanted = {"replicas": 2}
log = []


def on_change(event):
    log.append(f"t={tiny.now:g}s {event.type:8} {event.object['metadata']['name']:12} -> "
               + reconcile(api, wanted["replicas"]))


watch = api.watch("pods", label_selector="app=hello", callback=on_change)
tiny.run(seconds=1)
api.delete("pods", api.list("pods", label_selector="app=hello")["items"][0]["metadata"]["name"])
tiny.run(seconds=1)
watch.stop()
print("\n".join(log))

# %% [markdown]
# It works, and it shows the three problems every real controller must solve:
#
# * **Wasted work.** Each event triggered a full reconcile, including the events of our own creates.
#   Ten changes in a burst mean ten lists of every pod. Real controllers read from an **informer**: a
#   local cache kept up to date by one watch, so "observe" costs no request at all.
# * **Duplicate work.** Real controllers put the *name* of what changed on a **workqueue**. Ten events
#   for one ReplicaSet while it waits are one item in the queue, reconciled once, with the newest data.
# * **Racing its own writes.** Right after creating a pod, the cache may not show it yet. A naive
#   controller then counts one too few and creates another. The ReplicaSet controller keeps
#   **expectations** ("I created 2 pods, wait until I have seen 2 ADDED events before counting again").
#
# Where the desired count lives matters too. Ours was a Python variable; Kubernetes keeps it in an object,
# a **ReplicaSet**, whose `spec.replicas` anyone can read and change through the API (`kubectl scale`),
# and which survives a restart of the controller.
#
# ## 3. The real thing: the ReplicaSet controller
#
# `Cluster(nodes=3, seed=0)` with the default components starts the controller manager, a scheduler
# (notebook 04) that picks a node for each pod, and on each node a kubelet (notebook 05) that starts the
# containers of the pods bound to it. The controller manager runs six controllers: the three this
# notebook is about (ReplicaSet, Deployment, the garbage collector) and three that later notebooks use
# (EndpointSlice, which keeps each Service's list of pod addresses; node lifecycle, which notices nodes
# that stop sending heartbeats; and pod GC, which deletes pods bound to nodes that no longer exist). Each controller is built from the pieces that the `k8slab.client`
# module's docstring draws:
#
# ```
# API server --list+watch--> informer (cache) --on_add/on_update/on_delete--> workqueue of keys
#                                                                                   |
#       API server <--create/delete pods-- sync_replica_set("default/hello") <--worker
# ```

# %%
cluster = Cluster(nodes=3, seed=0)
cluster.components["controller-manager"]

# %% [markdown]
# A ReplicaSet names three things: how many copies (`replicas`), which pods count as copies (`selector`)
# and what a new copy looks like (`template`).

# %%
cluster.apply("""
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: hello
spec:
  replicas: 3
  selector:
    matchLabels:
      app: hello
  template:
    metadata:
      labels:
        app: hello
    spec:
      containers:
      - name: hello
        image: nginx:1.27
""")
cluster.run(seconds=10)
cluster.kubectl("get replicasets,pods -o wide")

# %% [markdown]
# Each pod carries an **ownerReference** back to the ReplicaSet that made it, with `controller: true`.
# That is how the controller knows which pods are its own, how `kubectl describe` says `Controlled By`,
# and, in section 9, how the garbage collector knows what to delete.

# %%
import pandas as pd

pd.DataFrame(
    [{"pod": p["metadata"]["name"], "owner kind": ref["kind"], "owner name": ref["name"],
      "controller": ref["controller"], "node": p["spec"]["nodeName"]}
     for p in cluster.api.list("pods")["items"] for ref in p["metadata"]["ownerReferences"]]
)

# %% [markdown]
# The controller also writes **Events**: short notes attached to an object, which `kubectl get events`
# and `kubectl describe` show. Here are the controller's (`SuccessfulCreate`), the scheduler's
# (`Scheduled`) and the kubelets' (`Pulling`, `Pulled`, `Created`, `Started`). Many share the same
# second, and events with equal timestamps are not listed in the order they happened, so `Scheduled` can
# appear above the `SuccessfulCreate` that caused it:

# %%
cluster.kubectl("get events --sort-by=.metadata.creationTimestamp")

# %% [markdown]
# **Adoption.** The selector, not the ownerReference, decides which pods count. A pod you create by hand
# with the label `app=hello` and no owner is an *orphan* that matches, so the ReplicaSet **adopts** it
# (it adds its ownerReference). Now it has four pods for three replicas, so it deletes one. Which one?
# The controller ranks pods and deletes the least established first: not yet on a node, then not yet
# running, then not ready, then the most recently ready. The newcomer loses:

# %%
cluster.api.create({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "stray", "labels": {"app": "hello"}},
                    "spec": {"containers": [{"name": "hello", "image": "nginx:1.27"}]}})
cluster.run(seconds=1)
cluster.kubectl("get events --field-selector involvedObject.name=hello")

# %% [markdown]
# We are done with `hello`. Deleting a ReplicaSet deletes its pods too; section 9 shows who does that.

# %%
print(cluster.kubectl("delete replicaset hello"))
cluster.run(seconds=2)
cluster.kubectl("get replicasets,pods")

# %% [markdown]
# ## 4. "Run three copies of my web server"
#
# You rarely write a ReplicaSet yourself. You write a **Deployment**, and the Deployment controller
# makes the ReplicaSet for you, one per version of your pod template, which is what makes updates and
# rollbacks possible (sections 7 and 8). Here is the Deployment of kubernetes.io's Deployments page again,
# the one that stayed at `READY 0/3` in notebook 02:

# %%
print(cluster.kubectl("apply -f ../data/manifests/web.yaml"))
cluster.run(seconds=10)
cluster.kubectl("get deployments,replicasets,pods -o wide")

# %% [markdown]
# Three kinds of object, and you wrote only the first. The **Deployment** controller created the ReplicaSet
# `nginx-deployment-<hash>`; the hash (`pod-template-hash`) is computed from the pod template, so a
# different template means a different ReplicaSet. The **ReplicaSet** controller created the three pods,
# each named after the ReplicaSet plus a random suffix. The **scheduler** (notebook 04) chose their
# nodes and each node's **kubelet** (notebook 05) started them.
#
# The **state graph** draws the same thing as a picture: arrows for ownerReferences (Deployment to
# ReplicaSet to pods) and a box per node with its pods inside, each pod coloured by its state. Pod names
# are shortened to the template hash and the suffix.

# %%
from k8slab.viz.stategraph import STATE_COLOURS, STATE_MEANINGS, state_graph

state_graph(cluster)

# %% [markdown]
# The colours, from a pod's birth to its end:

# %%
from IPython.display import HTML

HTML("<table>" + "".join(
    f'<tr><td style="background:{STATE_COLOURS[s]};border:1px solid #999;padding:2px 8px">{s}</td>'
    f'<td style="text-align:left;padding-left:8px">{m}</td></tr>' for s, m in STATE_MEANINGS.items()) + "</table>")

# %% [markdown]
# ## 5. Break it: delete a pod and watch it come back
#
# A pod is not precious: the ReplicaSet will replace any pod that goes away. Delete one (`--wait=false`
# returns at once instead of waiting until the pod is gone) and list the pods at that very instant,
# before any component has had a turn, then a tenth of a second later:

# %%
victim = cluster.get("pods")["NAME"][0]
print(cluster.kubectl(f"delete pod {victim} --wait=false"))
print(cluster.kubectl("get pods"))
cluster.run(seconds=0.1)
print(cluster.kubectl("get pods"))

# %% [markdown]
# At first the pod is only marked: the API server gave it a `deletionTimestamp`, so it reads
# `Terminating`. Then, within the same virtual instant, every component that watches pods did its part.
# The kubelet sent nginx the SIGTERM signal; nginx exits at once (a program that ignores SIGTERM gets up to
# `terminationGracePeriodSeconds`, 30 s by default, before it is killed), and the kubelet confirmed the
# deletion. The ReplicaSet controller saw one copy fewer than wanted and created a replacement, the
# scheduler chose its node, and that node's kubelet is starting it. A few seconds later all three run:

# %%
cluster.run(seconds=10)
cluster.kubectl("get pods -o wide")

# %%
replica_set = cluster.get("replicasets")["NAME"][0]
cluster.kubectl(f"get events --field-selector involvedObject.name={replica_set}")

# %% [markdown]
# Delete them all at once and the answer is the same, three times:

# %%
print(cluster.kubectl("delete pods -l app=nginx --wait=false"))
cluster.run(seconds=15)
cluster.kubectl("get pods")

# %% [markdown]
# ## 6. Scale it
#
# `kubectl scale` changes one number, the Deployment's `spec.replicas`; the controllers do the rest.
# Move the slider: each move scales the Deployment, runs the cluster for five virtual seconds and
# redraws. (Scaling down deletes the least established pods first, as in section 3.)

# %%
from k8slab.viz.stategraph import ScaleSlider

slider = ScaleSlider(cluster, "nginx-deployment", maximum=10)
slider

# %% [markdown]
# `slider.scale(n)` does the same from code. We scale to 10 for the next section and let the new pods
# start:

# %%
slider.scale(10)
cluster.run(seconds=10)
cluster.kubectl("get deployment nginx-deployment")

# %% [markdown]
# ## 7. A rolling update
#
# A new version of the web server means a new pod template: here, image `nginx:1.16.1` instead of
# `nginx:1.14.2`. The Deployment controller makes a second ReplicaSet for the new template and moves
# the pods over gradually, so the web server never stops serving. Two numbers in the Deployment's
# `spec.strategy.rollingUpdate` set the pace:
#
# * **maxSurge**: how many pods *above* `replicas` may exist during the update (extra new pods started
#   before old ones go);
# * **maxUnavailable**: how many pods *below* `replicas` may be unavailable (old pods stopped before new
#   ones are ready).
#
# Both default to `25%`, and a percentage is turned into a number of pods with rounding that always errs
# on the safe side: **maxSurge rounds up, maxUnavailable rounds down**. If both come out 0, maxUnavailable
# becomes 1, or the rollout could never make a move. For our 10 replicas: 25% of 10 is 2.5, so up to 3
# extra pods (13 in all) and at most 2 unavailable (at least 8 available):

# %%
from k8slab.controllers.deployment_util import resolve_fenceposts

pd.DataFrame(
    [{"replicas": r, "maxSurge": s, "maxUnavailable": u, "surge (pods)": resolve_fenceposts(s, u, r)[0],
      "unavailable (pods)": resolve_fenceposts(s, u, r)[1], "max pods": r + resolve_fenceposts(s, u, r)[0],
      "min available": r - resolve_fenceposts(s, u, r)[1]}
     for r, s, u in [(10, "25%", "25%"), (6, "25%", "25%"), (3, "25%", "25%"), (3, 1, 0), (10, 0, "5%")]]
)

# %% [markdown]
# Now the update. Two recorders watch the cluster while it happens: one writes down every change of the
# ReplicaSets' counts, the other takes a picture of the state graph every half second. Then `kubectl set
# image` changes the template, and `kubectl rollout status` follows the rollout to its end, as it would
# in a terminal.

# %%
from k8slab.viz.rollout import RolloutRecorder, counts_over_time, plot_rollout
from k8slab.viz.stategraph import Player, Recorder

rollout = RolloutRecorder(cluster, "nginx-deployment")
pictures = Recorder(cluster, every=0.5)
start = cluster.now
print(cluster.kubectl("set image deployment/nginx-deployment nginx=nginx:1.16.1"))
print(cluster.kubectl("rollout status deployment/nginx-deployment"))
took = cluster.now - start
cluster.run(seconds=5)  # and 5 s more, to see it settle
samples = rollout.stop()
frames = pictures.stop()
print(f"rolled out in {took:g} virtual seconds; {len(samples)} changes, {len(frames)} pictures in "
      f"{cluster.now - start:g} s")

# %% [markdown]
# The two ReplicaSets' **ready** pods after every change of any of their counts (desired, current or
# ready), in order; several happen in the same instant, within one sync of the Deployment controller, so
# consecutive rows can show the same numbers:

# %%
counts_over_time(samples, "ready")

# %% [markdown]
# The same as a plot. Solid lines are ready pods, dashed lines what each ReplicaSet is asked for
# (`spec.replicas`), and the dotted red lines are the bounds from the table above. The total of ready
# pods (black) never drops below 8: users of the web server never lose more than two pods' worth of it,
# and there are never more than 13 pods.

# %%
plot_rollout(samples, bounds=(8, 13), title="nginx 1.14.2 -> 1.16.1: 10 replicas, maxSurge 25%, maxUnavailable 25%")

# %% [markdown]
# And as pictures: press play (or drag the slider). Watch the new ReplicaSet appear, its pods go from
# ContainerCreating to Ready, and old pods go away only as new ones become ready.

# %%
Player(frames)

# %% [markdown]
# ## 8. Rollout history, a bad update, and undo
#
# Each ReplicaSet of a Deployment is a **revision** (the `deployment.kubernetes.io/revision`
# annotation). The old ReplicaSet is kept, scaled to 0, so going back is just scaling it up again.
# `kubectl rollout history` lists the revisions:

# %%
cluster.kubectl("rollout history deployment/nginx-deployment")

# %% [markdown]
# Now a mistake: an image tag that does not exist. The new pods cannot start (`ErrImagePull`, then
# `ImagePullBackOff`), so they never become ready, and the rollout stops where maxSurge and maxUnavailable
# leave it: two old pods stopped (maxUnavailable 2), new pods started up to 13 pods in all (maxSurge 3),
# and then nothing more, because no new pod ever becomes available. Eight old pods keep serving.

# %%
print(cluster.kubectl("set image deployment/nginx-deployment nginx=nginx:doesnotexist"))
cluster.run(seconds=30)
print(cluster.kubectl("rollout status deployment/nginx-deployment --timeout=10s"))
cluster.kubectl("get replicasets,pods")

# %% [markdown]
# `kubectl rollout undo` rolls back to the previous revision. It does not restore anything by magic: it
# copies the old ReplicaSet's template back into the Deployment, and the Deployment controller, seeing a
# template it has a ReplicaSet for, scales that one up and the broken one down. The revision comes back
# under a new number.

# %%
print(cluster.kubectl("rollout undo deployment/nginx-deployment"))
print(cluster.kubectl("rollout status deployment/nginx-deployment"))
print(cluster.kubectl("rollout history deployment/nginx-deployment"))
cluster.kubectl("get replicasets -o wide")

# %% [markdown]
# ## 9. The garbage collector
#
# Who deleted `hello`'s pods in section 3? Not the ReplicaSet controller: once the ReplicaSet was gone,
# nobody was reconciling it. The **garbage collector** watches every object with ownerReferences and
# deletes an object whose owner no longer exists. Deleting a Deployment therefore cascades: Deployment,
# then its ReplicaSets (owned by it), then their pods (owned by them).
#
# `kubectl delete` picks how, with `--cascade`:
#
# | `--cascade=` | propagationPolicy | what happens |
# |---|---|---|
# | `background` (default) | Background | the owner goes at once; the garbage collector deletes its dependents after |
# | `foreground` | Foreground | the owner stays (with a `foregroundDeletion` finalizer) until its dependents are gone |
# | `orphan` | Orphan | the dependents stay, their ownerReferences removed: they are orphans now |
#
# First `orphan`: the Deployment goes, its ReplicaSets and pods stay, with no owner.

# %%
print(cluster.kubectl("delete deployment nginx-deployment --cascade=orphan"))
cluster.run(seconds=2)
print(cluster.kubectl("get deployments,replicasets"))
pd.DataFrame([{"replicaset": rs["metadata"]["name"], "ownerReferences": rs["metadata"].get("ownerReferences")}
              for rs in cluster.api.list("replicasets")["items"]])

# %% [markdown]
# Now delete the ReplicaSets with the default, background cascade. At the instant of the delete the
# ReplicaSets are gone but their pods are still there; a moment later the garbage collector has noticed
# that their owner is missing and deleted them, and the kubelets have stopped them:

# %%
print(cluster.kubectl("delete replicasets -l app=nginx"))
print(cluster.kubectl("get replicasets,pods"))
cluster.run(seconds=1)
print(cluster.kubectl("get replicasets,pods"))

# %% [markdown]
# **Where the lab simplifies.** The controllers are close copies of upstream's (`syncReplicaSet`,
# `syncDeployment`, the garbage collector's graph of owners), with these differences. All controllers run
# on one event loop, one step at a time, where kube-controller-manager runs several workers per
# controller in parallel; the order of events is therefore always the same here, which is what makes every
# run identical. When scaling down, the ReplicaSet controller ranks pods by state and age only (upstream
# also weighs the `controller.kubernetes.io/pod-deletion-cost` annotation and how crowded each pod's node
# is). The controller manager runs six controllers where the real one runs about forty (Jobs,
# DaemonSets, StatefulSets, CronJobs, namespaces, service accounts, ...). There is no leader election: a
# real control plane runs several controller managers, and only the elected leader acts.
#
# ## 10. Exercises
#
# Replace each `...` and run the cell; `check(...)` answers at once. Hints are folded below each
# exercise; solutions are in `notebooks/solutions/03-controller-manager.md`.
#
# **Exercise 1: how far may a rolling update go?** For each Deployment, predict the most pods that may
# exist during a rolling update and the fewest that must stay available, as a pair
# `(max pods, min available)`:
# (a) 10 replicas, maxSurge `25%`, maxUnavailable `25%`;
# (b) 4 replicas, `25%` and `25%`;
# (c) 3 replicas, maxSurge `50%`, maxUnavailable `0`;
# (d) 10 replicas, `1%` and `1%`;
# (e) 10 replicas, maxSurge `0`, maxUnavailable `5%`.
#
# <details><summary>Hint</summary>
#
# max pods = replicas + maxSurge rounded **up**; min available = replicas - maxUnavailable rounded
# **down**; and if both round to 0, maxUnavailable is 1.
# </details>

# %%
from k8slab.exercises import check

bounds = {"a": ..., "b": ..., "c": ..., "d": ..., "e": ...}
check("03-rollout-bounds", bounds)

# %% [markdown]
# **Exercise 2: count only the live pods.** The `reconcile` of section 2 counts every pod with the label.
# But a pod that is `Terminating` (it has a `metadata.deletionTimestamp`) is on its way out, and a pod
# whose `status.phase` is `Failed` or `Succeeded` will never run again: neither is one of the copies you
# want. Write `reconcile(api, replicas)` that creates pods from the template `HELLO` or deletes pods so
# that exactly `replicas` *live* pods labelled `app=hello` remain. The checker runs it against API
# servers that hold some Terminating and some Failed pods, and calls it twice to see that the second call
# changes nothing.
#
# <details><summary>Hint</summary>
#
# Keep the list of pods where `not pod["metadata"].get("deletionTimestamp")` and
# `pod["status"].get("phase") not in ("Succeeded", "Failed")`, and reconcile against that list only.
# </details>

# %%
def reconcile(api, replicas):
    ...  # your code here


check("03-reconcile-live-pods", reconcile)

# %% [markdown]
# ## Recap
#
# - A controller is a reconcile loop: observe the desired state (spec) and the actual state, act on the
#   difference, repeat. It does not care *why* things differ, which is why a cluster heals.
# - Real controllers read from informers (a watched cache), queue keys on a workqueue, and keep
#   expectations so they do not race their own writes.
# - A ReplicaSet keeps `replicas` pods matching its selector: it creates, adopts, and deletes the least
#   established extras. Pods point to it with an ownerReference.
# - A Deployment owns one ReplicaSet per pod template and rolls out by scaling them: maxSurge (rounded up)
#   above, maxUnavailable (rounded down) below. Old ReplicaSets are the rollout history; `rollout undo`
#   puts an old template back.
# - The garbage collector deletes objects whose owner is gone: background, foreground or orphan.
#
# **Next:** notebook 04 opens the scheduler, which chose a node for every pod in this notebook.
#
# **Read more:** [Controllers](https://kubernetes.io/docs/concepts/architecture/controller/),
# [ReplicaSet](https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/),
# [Deployments](https://kubernetes.io/docs/concepts/workloads/controllers/deployment/) (rolling updates,
# rollbacks, maxSurge and maxUnavailable),
# [Garbage collection](https://kubernetes.io/docs/concepts/architecture/garbage-collection/),
# [kube-controller-manager](https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/).
