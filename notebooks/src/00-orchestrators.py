# %% [markdown]
# # 00 — Orchestrators: the fifteen steps
#
# **Goal.** Before building any piece of Kubernetes, see the whole machine. In this lab you learn what an
# **orchestrator** is and the one idea it runs on (compare what you *want* with what *is*, and fix the
# difference), meet the two kinds of machines in a cluster, and walk through the fifteen numbered steps of
# the classic Kubernetes architecture diagram: from a person typing `kubectl apply` to a user on the
# internet getting an answer from a container. Every later notebook rebuilds one or two of these steps.
#
# **Steps covered:** all fifteen are introduced here; steps 1 (*the control plane manages the cluster*)
# and 2 (*worker nodes run the work*) are the ones this notebook builds, highlighted below.
#
# **Time:** about 30 minutes. No Kubernetes experience needed, only a little Python.

# %%
from k8slab.viz import architecture

architecture(highlight=[1, 2])

# %% [markdown]
# ## 1. What an orchestrator is
#
# Say you wrote a web server and want it to serve many users. One copy on one computer is fragile: if
# that computer stops, your site is gone. So you want **three copies, on different machines**, and you
# want a fourth to start by itself if one of them dies. You could log in to each machine and start them
# by hand, and watch them all day. An **orchestrator** does that job for you. You tell it:
#
# > "Run three copies of my web server. I don't care how."
#
# and it picks the machines, starts the copies, restarts the ones that crash, replaces the ones whose
# machine died, and sends users' requests to whichever copies are healthy. **Kubernetes** is the most
# widely used orchestrator. A few words you will meet on every page:
#
# | word | meaning |
# |---|---|
# | **container** | a program packaged with everything it needs (its files, libraries, settings), so it runs the same on any machine |
# | **image** | the package a container starts from, like `nginx:1.27` |
# | **pod** | Kubernetes' smallest unit of work: one or more containers that run together on one machine and share a network address |
# | **node** | one machine (physical or virtual) in the cluster |
# | **cluster** | all the machines together, run by Kubernetes as one |
# | **manifest** | a text file (YAML) that says what you want, such as "3 copies of the `web` pod" |

# %% [markdown]
# ## 2. Build it: desired state and actual state
#
# An orchestrator does not follow a list of commands ("start a copy on machine 2, then..."). It keeps two
# pictures and compares them:
#
# - the **desired state**: what you asked for ("web: 3 copies");
# - the **actual state**: what is running right now.
#
# A **controller** is a small loop that looks at both, works out the difference, and acts to remove it.
# Here is that idea in a few lines of plain Python: the apps you want, the apps that run, and what a
# controller would do about each.

# %%
import pandas as pd

pd.set_option("display.max_colwidth", None)  # show long text in tables in full

desired = {"web": 3, "api": 2}  # what you asked for
actual = {"web": 1, "api": 2, "old-report": 1}  # what is running right now


def differences(desired, actual):
    """What a controller would do to make `actual` look like `desired`."""
    rows = []
    for app in sorted(desired.keys() | actual.keys()):
        want, have = desired.get(app, 0), actual.get(app, 0)
        if want > have:
            action = f"start {want - have}"
        elif have > want:
            action = f"stop {have - want}"
        else:
            action = "nothing to do"
        rows.append({"app": app, "desired": want, "actual": have, "controller does": action})
    return pd.DataFrame(rows).set_index("app")


differences(desired, actual)

# %% [markdown]
# The controller starts two `web` copies and stops `old-report`, which nobody asked for. Then it does
# not stop: it compares again, and again, forever. That is what makes the system **heal itself**. Say a
# machine dies and takes one `web` copy and one `api` copy with it. Nobody has to notice or type a
# command; the next comparison finds the gap:

# %%
actual = {"web": 3, "api": 2}  # after the controller's work: nothing left to do
actual["web"] -= 1  # a machine dies, taking one web copy...
actual["api"] -= 1  # ...and one api copy with it
differences(desired, actual)

# %% [markdown]
# You never said *"restart the copy that was on machine 2"*. You said *"3 copies"* once, and the
# difference tells the controller what to do. Kubernetes runs dozens of loops like this one, each
# responsible for one kind of object (notebook 03 builds them). This style is called **declarative**:
# you declare the result you want, not the steps to get there.

# %% [markdown]
# ## 3. Two kinds of machines: the control plane and the worker nodes
#
# A Kubernetes cluster splits its machines into two groups (steps 1 and 2 of the diagram):
#
# - The **control plane** (step 1) is the brain. It stores the desired and actual state, decides what
#   should run where, and runs the controllers. It does not run your applications. Production clusters
#   usually run three control-plane machines, so that losing one changes nothing.
# - The **worker nodes** (step 2) are the muscle. They run your pods, and each one runs a small agent,
#   the **kubelet**, that starts the pods it is given and reports on them.
#
# Here is a small cluster written down as data: which machine runs which component, and what that
# component does. Each one is a separate program; k8slab rebuilds each of them in Python, one notebook
# at a time.

# %%
cluster = {
    "control-plane": {
        "API server": "the front door: every read and write of the cluster's state goes through it",
        "etcd": "the database that stores every object: the cluster's memory",
        "controller manager": "runs the controllers: desired versus actual, then act",
        "scheduler": "picks a worker node for each new pod",
    },
    "node-1": {
        "kubelet": "starts and watches the pods placed on this node (cAdvisor, inside it, measures them)",
        "container runtime": "actually runs containers (containerd, for example)",
        "kube-proxy": "steers network traffic that arrives at the node to the right pods",
    },
}
cluster["node-2"] = cluster["node-1"]  # every worker node runs the same three components

rows = []
for machine, components in cluster.items():
    role = "control plane" if machine == "control-plane" else "worker node"
    for component, job in components.items():
        rows.append({"machine": machine, "role": role, "component": component, "its job": job})
pd.DataFrame(rows).set_index(["machine", "component"])

# %% [markdown]
# ### The one rule: components never call each other
#
# Look for a line in that table that says "tells the kubelet" or "asks the scheduler": there is none.
# Every component talks **only to the API server**. It *watches* the API server for the objects it cares
# about, and *writes* its results back there. The scheduler does not phone a node to say "run this pod";
# it writes "this pod goes to node-1" into the API server, and node-1's kubelet, which is watching,
# sees it. This is why each piece can be replaced, restarted or rebuilt on its own, which is exactly what
# this series does.

# %% [markdown]
# ## 4. Watch it: the fifteen steps, one by one
#
# Move the slider (or press play, or use *previous* / *next*) to walk the diagram. Each step lights up
# the arrows and components it involves and explains itself in two sentences. Steps 3 to 10 are
# "I asked for something, and now it runs"; steps 11 to 15 are "a user's request reaches it and gets an
# answer". Arrows point the way information flows; the dashed ones carry measurements or responses.

# %%
from k8slab.viz import StepWalker

walker = StepWalker()
walker

# %% [markdown]
# You can also move it from code. Try another step number, then scroll back up to the picture:

# %%
walker.go_to(7)
walker.step

# %% [markdown]
# The same fifteen steps as a table, to keep next to you while you read the rest of the series (and to
# read here if your notebook viewer cannot show the slider):

# %%
from k8slab.steps import steps_table

steps_table()

# %% [markdown]
# ## 5. The map of the series
#
# Each notebook builds one layer, in the order a request meets them. Notebook 01 starts at the bottom,
# with the cluster's memory (etcd); notebook 09 switches everything on together; notebook 10 points real
# Kubernetes tools at what you built.

# %%
from k8slab.steps import series_map

series_map()

# %% [markdown]
# ## 6. Break it: the control plane goes down
#
# What if every control-plane machine switches off at once? Before you look at the table, guess for each
# step: does it keep working?
#
# The answer follows from the one rule. Everything that needs the API server stops: nobody can change
# anything, no controller runs, no new pod is placed. But the worker nodes do not need to ask anyone's
# permission to keep doing what they were already doing. Pods that are running keep running, and
# traffic keeps flowing to them. **The cluster freezes; it does not fall over.**

# %%
from k8slab.steps import control_plane_down, still_working

control_plane_down()

# %% [markdown]
# In the diagram, the steps that keep working are highlighted; the control plane is drawn dashed in red.

# %%
architecture(highlight=still_working(), down="control plane")

# %% [markdown]
# Two things in the table are worth a second look:
#
# - **Step 9.** The kubelet restarts a crashed container by itself: restarting is part of its job on its
#   own node, and needs no instruction from the control plane. Replacing a pod whose *whole node* died
#   does need the control plane (a controller creates a new pod, the scheduler places it), so that waits.
# - **Step 13.** kube-proxy keeps its rules, but nothing updates them. If a pod dies now, requests keep
#   being sent to it until the control plane returns. A frozen cluster slowly goes stale.
#
# This is why production clusters run three (or five) control-plane machines: losing one of them is
# then a non-event. Notebook 01 shows why the number is odd.

# %% [markdown]
# ## 7. Exercises
#
# Each exercise ends with a `check(...)` call that tells you at once what is right or wrong. Replace the
# `...` with your answer and run the cell. Hints are folded below each exercise; full solutions are in
# `notebooks/solutions/00-orchestrators.md`.
#
# **Exercise 1: who does what?** For each situation, name the component that handles it. The
# components are: API server, etcd, controller manager, scheduler, kubelet, kube-proxy, cAdvisor.
#
# | letter | situation |
# |---|---|
# | a | keeps a copy of every object in the cluster (every pod, node, deployment) |
# | b | chooses which worker node a new pod will run on |
# | c | starts a pod's containers on its own node |
# | d | notices that a ReplicaSet wants 3 pods but only 2 exist, and creates one more |
# | e | is the only component that reads and writes etcd |
# | f | sends a request for a Service to one of that Service's pods |
# | g | measures how much CPU and memory each container uses |
#
# (A **ReplicaSet** is the object that says "keep N copies of this pod running"; a **Service** is one
# stable address in front of a group of pods.)
#
# <details><summary>Hint</summary>
#
# Walk the slider through steps 5 to 13 and read the captions: each situation is one of them. Only one
# component runs on the worker nodes *and* starts containers.
# </details>

# %%
from k8slab.exercises import check

answer = {"a": ..., "b": ..., "c": ..., "d": ..., "e": ..., "f": ..., "g": ...}
check("00-which-component", answer)

# %% [markdown]
# **Exercise 2: put it in order.** You run `kubectl apply -f web.yaml`, where `web.yaml` asks for a
# Deployment (an object that keeps N copies of a pod running and updates them). These six things happen,
# shuffled here. Put the letters in the order they happen, as a string like `"ABCDEF"`.
#
# | letter | event |
# |---|---|
# | A | the scheduler writes a binding: pod web-1 goes to node-1 |
# | B | kubectl sends the Deployment to the API server |
# | C | the container runtime starts web-1's containers |
# | D | the API server saves the Deployment in etcd |
# | E | node-1's kubelet sees pod web-1 bound to its node |
# | F | the controller manager creates Pod objects for the Deployment |
#
# <details><summary>Hint</summary>
#
# Each event is something a component reacts to after seeing the one before it through a watch. Ask of
# each: "what must already be written in the API server for this to happen?" The scheduler can only
# place a pod that exists.
# </details>

# %%
order = ...  # for example "ABCDEF"
check("00-order-steps", order)

# %% [markdown]
# ## Recap
#
# - An **orchestrator** runs your containers on many machines for you: you say *what* ("3 copies"), it
#   works out *how*, and keeps it true.
# - It works by comparing **desired state** with **actual state** in a loop (a **controller**), so it
#   heals itself without anyone typing a command.
# - The **control plane** (API server, etcd, controller manager, scheduler) decides; the **worker nodes**
#   (kubelet with cAdvisor, container runtime, kube-proxy) do the work.
# - **Components never call each other**: each watches the API server and writes back to it.
# - With the control plane down, the cluster **freezes**: running pods keep serving, nothing changes.
#
# **Next:** notebook 01 builds the bottom layer, etcd, the cluster's memory (step 5).
#
# **Read more on kubernetes.io:** [Kubernetes components](https://kubernetes.io/docs/concepts/overview/components/)
# (the same parts, one paragraph each) and
# [Cluster architecture](https://kubernetes.io/docs/concepts/architecture/) (nodes, the control plane and how
# they communicate).
