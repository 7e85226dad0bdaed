# %% [markdown]
# # 02 — The API server and kubectl
#
# **Goal.** Every component of a Kubernetes cluster (you with `kubectl`, the scheduler, the
# controllers, each node's kubelet) reads and writes the cluster's state through one door: the **API
# server**. In this lab you write a tiny API server over the etcd store of notebook 01, then meet the real
# shape of one: objects with Kubernetes' field names, defaults, validation that reports every mistake at
# once, `resourceVersion` and the 409 Conflict that keeps two writers from overwriting each other, watches
# with label selectors, admission hooks you write yourself, and `kubectl` printing exactly what the real
# one prints.
#
# **Steps covered:** 3 (a person uses kubectl), 4 (kubectl talks to the API server) and 5 (the API server
# stores data in etcd).
#
# **Time:** about 60 minutes.

# %%
from k8slab.viz import architecture

architecture(highlight=[3, 4, 5])

# %% [markdown]
# ## 1. What a request is
#
# Every request to the API server names four things: a **verb** (what to do), a **resource** (the kind
# of object, in the plural: `pods`), a **namespace** (a folder for objects: `default`) and a **name**.
# Over HTTP the verb becomes the method and the rest becomes the path. `kubectl` is just a client that
# builds these requests for you:
#
# | kubectl | verb | HTTP request |
# |---|---|---|
# | `kubectl get pods` | list | `GET /api/v1/namespaces/default/pods` |
# | `kubectl get pod web` | get | `GET /api/v1/namespaces/default/pods/web` |
# | `kubectl create -f pod.yaml` | create | `POST /api/v1/namespaces/default/pods` |
# | `kubectl replace -f pod.yaml` | update | `PUT /api/v1/namespaces/default/pods/web` |
# | `kubectl label pod web tier=front` | patch | `PATCH /api/v1/namespaces/default/pods/web` |
# | `kubectl delete pod web` | delete | `DELETE /api/v1/namespaces/default/pods/web` |
# | `kubectl get pods --watch` | watch | `GET /api/v1/namespaces/default/pods?watch=true` |
# | `kubectl get deployments` | list | `GET /apis/apps/v1/namespaces/default/deployments` |
#
# Core kinds (Pod, Service, Node, ...) live under `/api/v1`; the others under `/apis/<group>/<version>`,
# which is why a Deployment's `apiVersion` is `apps/v1`.
#
# ## 2. Build it: an API server in thirty lines
#
# The API server's main job is to turn requests into etcd operations safely. Here is the core of it over
# the store from notebook 01: an object becomes JSON under `/registry/<resource>/<namespace>/<name>`;
# *create* is a transaction "put only if the key does not exist yet" (etcd's `version == 0`); *update* is
# a transaction "put only if the key is still at the revision the client read". That revision is what
# Kubernetes calls the object's **resourceVersion**.

# %%
import json

from k8slab.store import Put, Store, mod_revision, version


class TinyAPIServer:
    def __init__(self):
        self.etcd = Store()

    def key(self, resource, namespace, name):
        return f"/registry/{resource}/{namespace}/{name}"

    def create(self, resource, obj):
        meta = obj["metadata"]
        key = self.key(resource, meta.get("namespace", "default"), meta["name"])
        result = self.etcd.txn(compare=[version(key) == 0], success=[Put(key, json.dumps(obj))])
        if not result.succeeded:
            raise ValueError(f'409 AlreadyExists: {resource} "{meta["name"]}" already exists')
        return dict(obj, metadata=dict(meta, resourceVersion=str(result.revision)))

    def get(self, resource, namespace, name):
        kv = self.etcd.get(self.key(resource, namespace, name))
        if kv is None:
            raise LookupError(f'404 NotFound: {resource} "{name}" not found')
        obj = json.loads(kv.value)
        obj["metadata"]["resourceVersion"] = str(kv.mod_revision)  # resourceVersion IS the mod_revision
        return obj

    def update(self, resource, obj):
        meta = obj["metadata"]
        key = self.key(resource, meta.get("namespace", "default"), meta["name"])
        stored = dict(obj, metadata={k: v for k, v in meta.items() if k != "resourceVersion"})
        result = self.etcd.txn(compare=[mod_revision(key) == int(meta["resourceVersion"])],
                               success=[Put(key, json.dumps(stored))])
        if not result.succeeded:
            raise ValueError(f'409 Conflict: {resource} "{meta["name"]}": the object has been modified')
        return dict(obj, metadata=dict(meta, resourceVersion=str(result.revision)))


tiny = TinyAPIServer()
web = tiny.create("pods", {"kind": "Pod", "metadata": {"name": "web"}, "spec": {"containers": [{"image": "nginx"}]}})
print("created, resourceVersion", web["metadata"]["resourceVersion"])
for attempt in ("create it again", "get a pod that is not there"):
    try:
        tiny.create("pods", web) if attempt.startswith("create") else tiny.get("pods", "default", "nope")
    except (ValueError, LookupError) as error:
        print(f"{attempt}: {error}")

# %% [markdown]
# That is the heart of it. The real API server adds, in this order, for every write:
#
# 1. **decoding** the object and filling in **defaults** (a pod's `restartPolicy: Always`, ...);
# 2. **mutating admission**: plugins that may change the object;
# 3. **validation**: every rule checked, every problem reported at once, each with its field path;
# 4. **validating admission**: plugins that may only say yes or no;
# 5. the etcd transaction, exactly as above.
#
# ## 3. Watch it: a pod's journey into etcd
#
# From here on we use k8slab's cluster: `Cluster(nodes=3)` wires the store of notebook 01, an API server
# in front of it, and registers three worker nodes. With `components=()` nothing else runs: no controller
# manager, no scheduler, so nothing acts on what we store and we see the API server on its own. The widget below logs every request the API server
# answers, with its HTTP status code, and lights up the steps of the diagram it went through. Keep it in
# sight while you run the next cells.

# %%
from k8slab import Cluster
from k8slab.viz.apiview import RequestLog

cluster = Cluster(nodes=3, seed=0, components=())  # etcd and the API server only
api = cluster.api
RequestLog(api)

# %%
manifest = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]},
}
pod = api.create(manifest)
kv = cluster.store.get("/registry/pods/default/web")
print("etcd key:       ", kv.key)
print("mod_revision:   ", kv.mod_revision, "   resourceVersion:", pod["metadata"]["resourceVersion"])
print("uid:            ", pod["metadata"]["uid"])
print("created at:     ", pod["metadata"]["creationTimestamp"], "(virtual time)")

# %% [markdown]
# You wrote five lines of spec; the API server stored many more. Everything below that you did not write
# is a **default** (or came from an admission plugin: the two tolerations are added by
# `DefaultTolerationSeconds`, so a pod survives a short node outage for 300 seconds before it is evicted).

# %%
import pandas as pd


def flatten(value, path=""):
    """Every leaf of a nested object as (path, value)."""
    if isinstance(value, dict):
        return [row for key, item in value.items() for row in flatten(item, f"{path}.{key}" if path else key)]
    if isinstance(value, list):
        return [row for index, item in enumerate(value) for row in flatten(item, f"{path}[{index}]")]
    return [(path, value)]


written = dict(flatten(manifest))
stored = json.loads(kv.value)
pd.DataFrame(
    [{"field": path, "you wrote": written.get(path, ""), "stored in etcd": value}
     for path, value in flatten(stored) if path.startswith(("spec", "status"))]
)

# %% [markdown]
# ## 4. kubectl
#
# `cluster.kubectl("...")` runs a kubectl command against the cluster and returns exactly what the real
# kubectl would print: same columns, same ages (in virtual time), same messages. First, the web server of
# kubernetes.io's Deployment page, and its Service:

# %%
cluster.kubectl("apply -f ../data/manifests/web.yaml")

# %%
cluster.kubectl("get deployments,services -o wide")

# %% [markdown]
# Notice `READY 0/3`: the Deployment *asks* for three pods, but nothing creates them yet. Creating pods
# for a Deployment is the job of the controller manager, which notebook 03 builds. The API server only
# stores what you asked for: **desired state**.
#
# Now a pod with probes and resources, straight from kubernetes.io's probes page. It stays `Pending` with
# no node: choosing a node is the scheduler's job (notebook 04).

# %%
cluster.kubectl("apply -f ../data/manifests/pod-probes.yaml")
cluster.run(seconds=75)
cluster.kubectl("get pods -o wide")

# %%
cluster.kubectl("describe pod liveness-http")

# %% [markdown]
# `kubectl apply` remembers what you applied (the `kubectl.kubernetes.io/last-applied-configuration`
# annotation), so applying a changed file sends only the difference, as a patch. Labels, scaling and
# output formats:

# %%
print(cluster.kubectl("label pod liveness-http tier=backend"))
print(cluster.kubectl("scale deployment/nginx-deployment --replicas=5"))
print(cluster.kubectl("get pods --show-labels"))
print(cluster.kubectl("get deployment nginx-deployment -o jsonpath={.spec.replicas}"))

# %% [markdown]
# Errors read as kubectl's do:

# %%
cluster.kubectl("get pod nope")

# %% [markdown]
# In a notebook you can also use the `%kubectl` magic, which talks to the most recently created cluster.
# And `cluster.get(...)` gives the same table as a pandas DataFrame, for sorting and plotting.

# %%
%load_ext k8slab.kubectl
%kubectl get namespaces

# %%
cluster.get("services", all_namespaces=True)

# %% [markdown]
# ## 5. resourceVersion: two clients race
#
# Two clients read the same pod, each changes a label and writes it back. The first write succeeds and
# moves the pod to a new resourceVersion; the second client still holds the old one, so its write is
# refused with **409 Conflict** instead of silently erasing the first change. The loser must read again
# and retry (client-go's `RetryOnConflict` does exactly that).

# %%
from k8slab.api.errors import Conflict

alice = api.get("pods", "web")
bob = api.get("pods", "web")
alice["metadata"]["labels"]["owner"] = "alice"
print("alice writes, resourceVersion", alice["metadata"]["resourceVersion"], "->",
      api.update(alice)["metadata"]["resourceVersion"])
bob["metadata"]["labels"]["reviewed"] = "yes"
try:
    api.update(bob)
except Conflict as error:
    print(error.kubectl())
bob = api.get("pods", "web")  # read again ...
bob["metadata"]["labels"]["reviewed"] = "yes"  # ... and redo the change
print("bob retries:", api.update(bob)["metadata"]["labels"])

# %% [markdown]
# ## 6. Watch: the heartbeat of the whole system
#
# A **watch** is an etcd watch on the resource's key prefix, translated into `ADDED`, `MODIFIED` and
# `DELETED` events. The scheduler watches pods without a node; each kubelet watches the pods bound to its
# node; every controller watches what it manages. With a **label selector**, the API server filters:
# an object whose labels stop matching arrives as `DELETED` (it left the watcher's view; the event carries
# the last state the watcher saw, with the new resourceVersion), one that starts to match as `ADDED`.

# %%
watch = api.watch("pods", label_selector="app=web")
api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-2", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}})
api.patch("pods", "web-2", {"metadata": {"labels": {"version": "2"}}})
api.patch("pods", "web-2", {"metadata": {"labels": {"app": "db"}}})  # stops matching app=web
api.delete("pods", "web")
cluster.run(seconds=1)
pd.DataFrame([{"type": e.type, "pod": e.object["metadata"]["name"],
               "resourceVersion": e.object["metadata"]["resourceVersion"],
               "labels": e.object["metadata"].get("labels")} for e in watch.events])

# %% [markdown]
# The first two events are the watch's starting state (a watch without a resourceVersion begins with
# `ADDED` for every matching object). A client that reconnects passes the last resourceVersion it saw and
# misses nothing, unless that history has been compacted away (notebook 01): then the API server answers
# **410 Gone** and the client must list again from scratch. That is the next section's break.
#
# ## 7. Break it: stale watches and broken manifests
#
# We compact etcd's history, then ask for a watch from an old resourceVersion:

# %%
# NBVAL_RAISES_EXCEPTION
cluster.store.compact(cluster.store.revision)
api.watch("pods", resource_version=5)

# %% [markdown]
# Every informer in Kubernetes handles this error by listing again. Now a gallery of broken manifests,
# each a classic mistake (open the files in `data/bad-manifests/` to see them). kubectl reports each one
# and changes nothing:

# %%
import pathlib

revision_before = cluster.store.revision
for path in sorted(pathlib.Path("../data/bad-manifests").glob("*.yaml")):
    if path.name == "expected.yaml":  # the list of expected errors, not a manifest
        continue
    print(f"$ kubectl apply -f {path.name}")
    print(str(cluster.kubectl(f"apply -f {path}")).rstrip("\n"), end="\n\n")
print("etcd revision before and after the gallery:", revision_before, cluster.store.revision)

# %% [markdown]
# Validation reports *every* problem at once, each with its field path, so you fix a manifest in one go.
# A program sees the same answer as a `Status` object, with one cause per problem:

# %%
# NBVAL_RAISES_EXCEPTION
from k8slab.api.manifests import load_manifests

broken = load_manifests("../data/bad-manifests/many-errors.yaml")[0].object
api.create(broken)

# %%
from k8slab.api.errors import Invalid

try:
    api.create(broken)
except Invalid as error:
    status = error.status()
pd.DataFrame(status["details"]["causes"])

# %% [markdown]
# ## 8. Admission: your own gate
#
# Admission plugins are how a cluster enforces its own rules. A **mutating** plugin may change the object
# (here: every new pod gets a `team` label if it has none); a **validating** plugin may only accept or
# refuse (here: no `latest` images). In a real cluster these are webhooks (HTTP services the API server
# calls); here they are Python functions with the same contract.

# %%
def default_team(request):
    request.object["metadata"].setdefault("labels", {}).setdefault("team", "unassigned")


def no_latest(request):
    for container in request.object["spec"]["containers"]:
        image = container.get("image", "")
        if image.endswith(":latest") or ":" not in image.rsplit("/", 1)[-1]:
            return f"container {container['name']!r} uses {image!r}: pin a version tag"
    return None


api.admission.add_mutating("default-team", default_team, kinds=("Pod",))
api.admission.add_validating("no-latest", no_latest, kinds=("Pod",))
for image in ("redis:7.2", "redis"):
    try:
        created = api.create({"apiVersion": "v1", "kind": "Pod",
                              "metadata": {"name": "cache-" + image.replace(":", "-").replace(".", "-")},
                              "spec": {"containers": [{"name": "redis", "image": image}]}})
        print(f"{image}: created, labels {created['metadata']['labels']}")
    except Exception as error:
        print(f"{image}: {error.kubectl()}")
api.admission.names()

# %% [markdown]
# **Where the lab simplifies.** Every request is made as the cluster administrator: authentication and
# authorisation (RBAC) are left out. Each kind is served at one version (`v1` or `apps/v1`, ...), lists
# are not paginated, server-side apply is not modelled (`kubectl apply` here is the classic client-side
# apply with its three-way merge), and objects are stored as JSON rather than protobuf. Keys are
# `/registry/<resource>/...` for every kind, where the real API server keeps a few historical spellings
# (nodes live under `/registry/minions/`). Everything else you saw (fields, defaults, codes, messages,
# conflict and watch semantics) is Kubernetes' own.
#
# ## 9. Exercises
#
# Replace each `...` and run the cell; `check(...)` answers at once. Hints are folded below each exercise;
# solutions are in `notebooks/solutions/02-api-server.md`.
#
# **Exercise 1: which HTTP code?** On a fresh API server, these six requests run in order. Predict the
# status code of each: (a) create pod `web`; (b) create pod `web` again; (c) get pod `nope`; (d) update
# pod `web` from a copy read before someone else updated it; (e) create a pod whose container has no
# image; (f) list pods with the label selector `app in (web` (note the missing parenthesis).
#
# <details><summary>Hint</summary>
#
# 201 Created, 200 OK, 400 Bad Request, 404 Not Found, 409 Conflict, 422 Unprocessable Entity: one of
# them appears twice.
# </details>

# %%
from k8slab.exercises import check

codes = {"a": ..., "b": ..., "c": ..., "d": ..., "e": ..., "f": ...}
check("02-http-codes", codes)

# %% [markdown]
# **Exercise 2: an admission hook that requires limits.** Write `require_limits(request)` that refuses
# (returns a message) any pod with a container that does not set both a `cpu` and a `memory` limit in
# `resources.limits`, and allows (returns `None`) every other pod. The checker registers it on a fresh API
# server and sends it four pods.
#
# <details><summary>Hint</summary>
#
# `request.object["spec"]["containers"]` is the list of containers; `container.get("resources", {})`
# may be empty, and so may its `"limits"`.
# </details>

# %%
def require_limits(request):
    ...  # return a message to deny, None to allow


check("02-require-limits", require_limits)

# %% [markdown]
# **Exercise 3: retry on conflict.** Write `add_label(api, name, key, value)` that adds a label to the pod
# `name` and keeps retrying when the update meets a Conflict. The checker makes another client change the
# pod right after your first read, so your first update *will* fail.
#
# <details><summary>Hint</summary>
#
# In a loop: `pod = api.get("pods", name)`, change `pod["metadata"]["labels"]`, then `api.update(pod)`;
# catch `Conflict` (from `k8slab.api.errors`) and go round again.
# </details>

# %%
def add_label(api, name, key, value):
    ...  # your code here


check("02-retry-on-conflict", add_label)

# %% [markdown]
# ## Recap
#
# - The API server is the only door to etcd: every component, and you through kubectl, goes through it.
# - A request is a verb on a resource in a namespace with a name; objects are stored as
#   `/registry/<resource>/<namespace>/<name>`.
# - Writes are defaulted, passed through mutating admission, validated (all errors at once, with field
#   paths), passed through validating admission, then stored with an etcd transaction.
# - `resourceVersion` is etcd's `mod_revision`: an update from a stale copy gets 409 Conflict; read again
#   and retry.
# - A watch turns etcd's events into ADDED, MODIFIED and DELETED; a watch from a compacted resourceVersion
#   gets 410 Gone, and the client lists again.
#
# **Next:** notebook 03 builds the controller manager, which watches Deployments and creates the pods
# that `READY 0/3` was waiting for.
#
# **Read more:** [The Kubernetes API](https://kubernetes.io/docs/concepts/overview/kubernetes-api/),
# [API concepts](https://kubernetes.io/docs/reference/using-api/api-concepts/) (watches, resourceVersion,
# 410 Gone), [Admission controllers](https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/),
# [kubectl reference](https://kubernetes.io/docs/reference/kubectl/).
