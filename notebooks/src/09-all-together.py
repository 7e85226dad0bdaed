# %% [markdown]
# # 09 — All together: updates, failures and self-healing under traffic
#
# **Goal.** Notebooks 00 to 08 built Kubernetes one piece at a time. Here every piece runs at once, with
# users sending requests the whole time, and we test the promises that made Kubernetes popular, with
# numbers rather than slogans:
#
# 1. **You can ship a new version with zero downtime.** We roll a web app from `web:1` to `web:2` while
#    20 requests a second arrive, and count the failed ones: zero.
# 2. **It is the configuration that makes it so.** We take away the readiness probe, the preStop hook and
#    the safe rollout settings one at a time, and count what each one was worth.
# 3. **The cluster heals itself.** A node dies under traffic; we follow, second by second, who notices,
#    what they do, and how long users feel it.
# 4. **Spreading across zones limits the damage.** We spread the app over three zones and lose one.
#
# Then you drive it yourself from a live dashboard, and fix a broken Deployment until its rollout loses
# no request.
#
# **Steps covered:** all fifteen.
#
# **Time:** about 60 minutes.

# %%
from k8slab.viz import architecture

architecture(highlight=list(range(1, 16)))

# %% [markdown]
# ## 1. The app and its manifest
#
# Our app is a small web server, `web`. Version 1 answers `Hello from <pod> (version 1)`, version 2
# says `version 2`, so every answer tells us which version served it. Like most real programs, it needs
# a moment after starting before it can serve: for its first 5 seconds it answers **503 Service
# Unavailable** (it is still loading). We tell the lab's image registry (notebook 05) about it.

# %%
import matplotlib.pyplot as plt
import pandas as pd
import yaml

from k8slab import Cluster
from k8slab.kubelet.runtime import web_server
from k8slab.net.request import request
from k8slab.net.traffic import success_rate, summary, traffic, version_mix


def new_cluster(nodes=3):
    cluster = Cluster(nodes=nodes, seed=0)
    cluster.images.register("web", web_server(warmup=5))  # 503 for 5 s after it starts
    return cluster


# %% [markdown]
# Here is the Deployment, written the way you would write it for production, and a Service of type
# LoadBalancer in front of it (notebook 08). Every line in the middle of it has a job in this notebook:
#
# | field | what it does | why it matters for an update |
# |---|---|---|
# | `strategy.rollingUpdate.maxSurge: 1` | during an update, at most 1 pod *more* than `replicas` | a new pod starts **before** an old one goes |
# | `strategy.rollingUpdate.maxUnavailable: 0` | during an update, never fewer than `replicas` available pods | an old pod goes only when a new one is **available** |
# | `readinessProbe` | the kubelet asks `GET /` every 2 s; the pod is *Ready* only while it answers 2xx/3xx | a pod gets traffic only when it can serve it |
# | `lifecycle.preStop.sleep.seconds: 5` | when the pod is deleted, wait 5 s **before** the container gets SIGTERM | the pod keeps serving while the rest of the cluster stops sending it traffic |
# | `terminationGracePeriodSeconds: 30` | how long the kubelet waits, preStop included, before SIGKILL | the upper bound on a graceful stop (30 is the default) |

# %%
MANIFEST = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: 30
      containers:
      - name: web
        image: web:1
        ports:
        - containerPort: 80
        readinessProbe:
          httpGet:
            path: /
            port: 80
          periodSeconds: 2
        lifecycle:
          preStop:
            sleep:
              seconds: 5
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
"""

cluster = new_cluster()
print(cluster.apply(MANIFEST))
cluster.run(seconds=30)
print(cluster.kubectl("get pods,services -o wide"))

# %% [markdown]
# Three pods, one per node, and the Service has an external IP from the cloud's load balancer. One
# request, traced hop by hop as in notebook 08, to check that the whole path works:

# %%
def external_url(cluster, service="web"):
    ingress = cluster.api.get("services", service)["status"]["loadBalancer"]["ingress"]
    return f"http://{ingress[0]['ip']}/"


URL = external_url(cluster)
answer = request(cluster, URL)
print(answer.body.strip())
answer.frame()[["step", "component", "node", "what happened", "latency ms"]]

# %% [markdown]
# ## 2. Steady traffic
#
# One request is a snapshot. Traffic is many of them spread over virtual time: `traffic(cluster, url,
# rate=20, seconds=...)` puts a request on the event loop every 1/20 of a second and runs the cluster
# meanwhile, so the controllers, the kubelets and kube-proxy keep working *between* two requests. `at=`
# says what to do, and when, during the run. Each request becomes a row: when it was sent, its status,
# whether it succeeded, its error (in curl's words), its latency, and the pod, node and version that
# answered. Five seconds of it, and its first rows:

# %%
steady = traffic(cluster, URL, rate=20, seconds=5)
steady.head(6)

# %% [markdown]
# Each row went through steps 11 to 15: the load balancer picked a node, that node's kube-proxy picked a
# pod (perhaps on another node), the pod answered. Over the five seconds:

# %%
summary(steady)

# %% [markdown]
# `summary` gives the percentiles of latency (p50: half the requests were faster; p99: all but 1% were);
# here every request takes the same few milliseconds, because the lab's network and web server have
# fixed latencies and nothing is busy.
#
# ## 3. A rolling update with zero failed requests
#
# Ten seconds into the traffic we do what a release does: `kubectl set image deployment/web
# web=web:2`. We also record the two ReplicaSets' pod counts as the Deployment controller moves them
# (notebook 03's `RolloutRecorder`).

# %%
from k8slab.viz.rollout import RolloutRecorder, plot_rollout


def set_image(version):
    return lambda cluster: cluster.kubectl(f"set image deployment/web web=web:{version}")


rollout = RolloutRecorder(cluster, "web")
good = traffic(cluster, URL, rate=20, seconds=90, at={10: set_image(2)})
summary(good)

# %% [markdown]
# **1,800 requests, 0 failed.** Now the same run as pictures: the share of requests that succeeded,
# second by second, and which version answered them. The version mix slides from all-`1` to all-`2`
# while the success rate never leaves 100%.

# %%
def plot_traffic(result, title, events=()):
    """Success rate (top) and the versions that answered (bottom), per second of the run."""
    rate, mix = success_rate(result), version_mix(result)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 4.2), sharex=True, dpi=100)
    top.plot(rate.index, rate["success rate"] * 100, color="#1b7f3b", drawstyle="steps-post")
    top.set_ylim(-5, 105)
    top.set_ylabel("success %")
    top.set_title(title)
    colours = {"1": "#326ce5", "2": "#e67e22"}
    if not mix.empty:
        bottom.stackplot(mix.index, *(mix[c] * 100 for c in mix.columns), step="post",
                         labels=[f"web:{c}" for c in mix.columns],
                         colors=[colours.get(c, "#999999") for c in mix.columns])
        bottom.legend(loc="center right", fontsize=8)
    bottom.set_ylim(0, 100)
    bottom.set_ylabel("answered by %")
    bottom.set_xlabel("seconds into the run")
    for second, label in events:
        for ax in (top, bottom):
            ax.axvline(second, color="#555555", linestyle=":", linewidth=1)
        top.annotate(" " + label, (second, 4), fontsize=8, ha="left", va="bottom")
    fig.tight_layout()
    plt.close(fig)
    return fig


plot_traffic(good, "Rolling update web:1 -> web:2 with readiness, maxUnavailable 0, preStop",
             events=[(10, "set image")])

# %% [markdown]
# And the pods underneath, on the cluster's own clock (the update began 10 s into the traffic run, where
# the new ReplicaSet's desired count first jumps to 1). The new ReplicaSet's Ready pods (solid) climb one
# at a time while the old one's come down, and the total never drops below 3 (`replicas -
# maxUnavailable`) or goes above 4 (`replicas + maxSurge`). Each new pod takes about 8 s to become Ready:
# 2 s to pull `web:2`, 5 s of warm-up, and up to 2 s until its next readiness probe.

# %%
plot_rollout(rollout.samples(), bounds=(3, 4), title="Pods of each ReplicaSet during the update")

# %% [markdown]
# ### Why no request failed
#
# Four things happen in the right order, and each one is a line of the manifest.
#
# 1. **maxSurge 1** — the Deployment controller first scales the new ReplicaSet up by one: 4 pods.
# 2. **readinessProbe** — the new pod's container starts, but for 5 s it answers 503. Its readiness probe
#    fails, so the pod is not Ready, so the EndpointSlice controller lists it as `ready: false`, so
#    kube-proxy on every node leaves it out of its rules. No user request reaches it until it can answer.
# 3. **maxUnavailable 0** — only when the new pod is Ready (available) may the controller scale the old
#    ReplicaSet down by one. Capacity never dips below 3 serving pods.
# 4. **preStop sleep 5** — deleting a pod starts two things *at the same time*, because in Kubernetes
#    every component reacts to the API on its own (the rule from notebook 00):
#    - the kubelet sees the deletion and starts stopping the containers;
#    - the EndpointSlice controller sees it and marks the endpoint `terminating`; then every kube-proxy
#      sees the new EndpointSlice and rewrites its rules, at most once a second (`--iptables-min-sync-
#      period=1s`).
#
#    Without a pause, the container (nginx-like: it exits the instant it gets SIGTERM) can be gone before
#    the last kube-proxy has updated its rules, and a request sent in that gap goes to a pod that is no
#    longer there. The preStop sleep makes the kubelet wait 5 s before the SIGTERM: by then no rule
#    points at the pod any more, and it stops with no request in flight.
#
# The table below checks the last point from the data: for each old pod, when the kubelet began to stop
# it (its `Killing` Event) and the last request it answered. Every old pod answered its last request
# before its preStop sleep ran out.

# %%
from datetime import datetime


def seconds_of(stamp, cluster):
    """An Event's timestamp as virtual seconds since the cluster started."""
    return (datetime.fromisoformat(stamp.replace("Z", "+00:00")) - cluster.loop.epoch).total_seconds()


def events(cluster, reasons, since=0.0):
    rows = []
    for event in cluster.api.list("events", "default")["items"]:
        when = seconds_of(event.get("lastTimestamp") or event.get("eventTime"), cluster)
        if event["reason"] in reasons and when >= since:
            involved = event["involvedObject"]
            rows.append({"t (s)": when, "reason": event["reason"],
                         "object": f"{involved['kind'].lower()}/{involved['name']}",
                         "message": event["message"]})
    return pd.DataFrame(rows).sort_values(["t (s)", "object"], kind="stable").reset_index(drop=True)


killed = events(cluster, {"Killing"})
killed["pod"] = killed["object"].str.removeprefix("pod/")
last_answer = (good[good["version"] == "1"].assign(pod=lambda f: f["pod"].str.removeprefix("default/"))
               .groupby("pod")["time"].max().rename("last answer (s)"))
stops = killed.set_index("pod")[["t (s)"]].rename(columns={"t (s)": "Killing event (s)"})
stops = stops.join(last_answer)
stops["preStop ends (s)"] = stops["Killing event (s)"] + 5
stops

# %% [markdown]
# (Event timestamps have whole seconds, as in Kubernetes, so the Killing time is rounded down.)
#
# ## 4. Break it: how downtime happens
#
# Now the same update five times: once with everything, three times with one protection removed or
# changed, and once with the classic mistakes together: no readiness probe, `maxUnavailable: 100%` (all
# old pods may go at once) and no preStop. We change the manifest as a Python dict, and run every variant on a fresh cluster with the
# same seed, so the only difference is the configuration.

# %%
def web_manifest(probe=True, pre_stop=True, max_surge=1, max_unavailable=0):
    deployment, service = yaml.safe_load_all(MANIFEST)
    deployment["spec"]["strategy"]["rollingUpdate"] = {"maxSurge": max_surge,
                                                       "maxUnavailable": max_unavailable}
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    if not probe:
        del container["readinessProbe"]
    if not pre_stop:
        del container["lifecycle"]
    return [deployment, service]


def update_under_traffic(**options):
    cluster = new_cluster()
    cluster.apply(web_manifest(**options))
    cluster.run(seconds=30)
    return traffic(cluster, external_url(cluster), rate=20, seconds=90, at={10: set_image(2)})


variants = {
    "everything (as above)": {},
    "no preStop": {"pre_stop": False},
    "no readiness probe": {"probe": False},
    "maxUnavailable 1, maxSurge 0": {"max_surge": 0, "max_unavailable": 1},
    "no probe, no preStop, maxUnavailable 100%": {"probe": False, "pre_stop": False, "max_surge": 0,
                                                  "max_unavailable": "100%"},
}
runs = {name: update_under_traffic(**options) for name, options in variants.items()}


def failure_kinds(result):
    failed = result[~result["ok"]]
    kinds = failed["error"].str.extract(r"(Connection refused|No route to host|timed out)")[0]
    kinds = kinds.fillna(failed["status"].map(lambda s: f"HTTP {s}"))
    return kinds.value_counts().to_dict()


pd.DataFrame([{"configuration": name, "requests": len(r), "failed": int((~r["ok"]).sum()),
               "success rate": round(float(r["ok"].mean()), 4), "how they failed": failure_kinds(r)}
              for name, r in runs.items()]).set_index("configuration")

# %% [markdown]
# Each protection closes one gap:
#
# - **No preStop**: a handful of requests fail with *No route to host*. They were sent in the second
#   between the old pod's container exiting and kube-proxy removing the pod from its rules: the race of
#   section 3, lost a few times.
# - **No readiness probe**: the kubelet marks a pod Ready as soon as its container runs, so new pods get
#   traffic during their 5 warm-up seconds and answer **503**. Kubernetes cannot know when *your* program
#   is ready to serve; the probe is how you tell it.
# - **maxUnavailable 1, maxSurge 0**: the controller may delete an old pod before its replacement exists.
#   With readiness and preStop in place the remaining two pods carry the load and nothing fails, but the
#   app runs on two pods out of three during the update: fine at 20 requests a second, an outage for an
#   app that needs all three.
# - **All the mistakes at once**: every old pod is deleted in the same instant, and the new ones are not
#   serving yet. For a second requests still go to the stopped pods (*No route to host*), then there is
#   no endpoint at all and kube-proxy's REJECT rule refuses them (*Connection refused*), then they reach
#   warming-up pods (503). That
#   is what "the deploy took the site down" looks like from the inside.

# %%
plot_traffic(runs["no probe, no preStop, maxUnavailable 100%"],
             "The same update with no probe, no preStop and maxUnavailable 100%",
             events=[(10, "set image")])

# %% [markdown]
# ## 5. A node dies under traffic
#
# A node can fail at any moment: its power supply, its kernel, its network. `cluster.fail_node("node-2")`
# switches the machine off: its kubelet and kube-proxy stop, so no more heartbeats, and the pod on it no
# longer answers. Nobody tells Kubernetes; it has to notice. Here is who notices what, with upstream's
# default timings:
#
# | when | who | what |
# |---|---|---|
# | every 10 s | kubelet | renews its node's Lease (the heartbeat); now it cannot |
# | two failed checks | load balancer | its health checks to node-2's kube-proxy fail (here every 5 s, two in a row): node-2 gets no new connections from outside |
# | 40 s without a heartbeat (50 s since Kubernetes 1.32) | node lifecycle controller | marks node-2 `Ready=Unknown` (NodeNotReady) and taints it `node.kubernetes.io/unreachable:NoExecute` |
# | then `tolerationSeconds` | taint eviction controller | deletes the pods that tolerate the taint only that long |
# | at once | ReplicaSet controller, scheduler, a kubelet | a replacement pod, on a healthy node, Ready after its probe passes |
#
# Every pod gets, by default, a toleration for that taint of **300 s** (the DefaultTolerationSeconds
# admission plugin adds it): five minutes of patience, in case the node is only briefly cut off. Five
# minutes of a dead pod in the endpoints is long for a demo, so **we shorten it to 30 s** in the pod
# template, as you might for a stateless app that starts quickly. Everything else is the default.

# %%
def tolerate_unreachable(manifests, seconds):
    template = manifests[0]["spec"]["template"]["spec"]
    template["tolerations"] = [
        {"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": seconds}
        for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")]
    return manifests


cluster = new_cluster()
cluster.apply(tolerate_unreachable(web_manifest(), 30))
cluster.run(seconds=30)
start = cluster.now
failure = traffic(cluster, external_url(cluster), rate=20, seconds=120,
                  at={10: lambda c: c.fail_node("node-2")})
summary(failure)

# %% [markdown]
# The self-healing timeline, from the cluster's own Events (times are seconds into the traffic run; the
# node failed at 10):

# %%
timeline = events(cluster, {"NodeNotReady", "TaintManagerEviction", "SuccessfulCreate", "Scheduled",
                            "Started", "Unhealthy"}, since=start + 1)
timeline["t (s)"] = timeline["t (s)"] - start
timeline

# %%
rate = success_rate(failure)
failing = rate[rate["failed"] > 0]
healed_at = failing.index.max() + 1
not_ready = timeline.loc[timeline["reason"] == "NodeNotReady", "t (s)"].min()
evicted = timeline.loc[timeline["reason"] == "TaintManagerEviction", "t (s)"].min()
print(f"requests failed from second {failing.index.min()} to second {failing.index.max()}: "
      f"{int(failing['failed'].sum())} of {int(failing['requests'].sum())} in those seconds")
print(f"node-2 NotReady at {not_ready:g} s, its pod evicted at {evicted:g} s, all requests fine from {healed_at} s")
plot_traffic(failure, "node-2 fails at 10 s (tolerationSeconds 30)",
             events=[(10, "node-2 off"), (not_ready, "NotReady"), (evicted, "evicted")])

# %% [markdown]
# Read the picture from left to right:
#
# - **From 10 s**, about a third of the requests fail. kube-proxy on node-1 and node-3 still sends a
#   third of the connections to the pod on node-2 (it is still listed as ready: nobody has said
#   otherwise), and those wait for an answer that never comes: the client gives up after its 10 s
#   timeout. The load balancer stops sending new connections *to* node-2 after two failed health checks,
#   but that does not help with the pod on it, which the other nodes' rules still name.
# - **At the NotReady mark** the node lifecycle controller marks node-2 Unknown and taints it: 40 s
#   without a heartbeat, counted from the last one it saw (heartbeats come every 10 s) and checked every
#   5 s, so here 50 s after the failure (NotReady at 60 s). At the same moment it marks every pod on node-2
#   **not ready** (upstream's `MarkPodsNotReady`, the `NodeNotReady` Warning on the pod): the
#   EndpointSlice controller drops the pod from the Service, kube-proxy drops it from the rules, and every
#   request succeeds again, with two pods serving.
# - **30 s later** the pod's toleration runs out; it is evicted, and the ReplicaSet creates a replacement
#   on a healthy node; its readiness probe fails during the 5 s warm-up (the `Unhealthy` Event), so it
#   joins the Service only once it can answer.
#
# So **the endpoints of a dead node stay for tens of seconds** (the grace period), whatever the
# toleration: clients need timeouts and retries, and a Service needs more than one pod on more than one
# node. The eviction (and the replacement pod) waits for `tolerationSeconds`: with the default 300 s, the
# Service runs on two pods for five minutes. The old pod stays `Terminating` until node-2 returns (no
# kubelet is left to confirm that its containers stopped):

# %%
print(cluster.kubectl("get pods -o wide"))

# %% [markdown]
# ## 6. Spreading across zones, and losing one
#
# Real clouds group machines into **zones** (separate buildings, power and network). A zone can fail as a
# whole. Our nodes carry the standard label `topology.kubernetes.io/zone` (zone-a, zone-b, zone-c, round
# robin), and a **topologySpreadConstraint** asks the scheduler (notebook 04's PodTopologySpread plugin)
# to keep the app's pods even across zones: `maxSkew: 1` means no zone may have more than one pod more
# than the emptiest zone; `whenUnsatisfiable: DoNotSchedule` makes that a hard rule.
#
# Six nodes, two per zone, and six replicas:

# %%
def spread_over_zones(manifests, replicas=6):
    deployment = manifests[0]
    deployment["spec"]["replicas"] = replicas
    deployment["spec"]["template"]["spec"]["topologySpreadConstraints"] = [{
        "maxSkew": 1,
        "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"app": "web"}},
    }]
    return manifests


cluster = new_cluster(nodes=6)
cluster.apply(spread_over_zones(tolerate_unreachable(web_manifest(), 30)))
cluster.run(seconds=30)


def pods_per_zone(cluster):
    zones = {n["metadata"]["name"]: n["metadata"]["labels"]["topology.kubernetes.io/zone"]
             for n in cluster.api.list("nodes")["items"]}
    pods = cluster.get("pods", wide=True)
    pods["ZONE"] = pods["NODE"].map(zones)
    return pods.groupby(["ZONE", "STATUS"]).size().unstack(fill_value=0)


print(cluster.kubectl("get nodes -L topology.kubernetes.io/zone"))
pods_per_zone(cluster)

# %% [markdown]
# Two pods in each zone. Now zone-c goes dark (both its nodes, node-3 and node-6) under traffic:

# %%
start = cluster.now
zone_loss = traffic(cluster, external_url(cluster), rate=20, seconds=120,
                    at={10: lambda c: [c.fail_node(n) for n in ("node-3", "node-6")]})
print(summary(zone_loss).to_string(index=False))
plot_traffic(zone_loss, "zone-c (node-3, node-6) fails at 10 s", events=[(10, "zone-c off")])

# %% [markdown]
# The same pattern as one node, at a larger scale: a third of the requests (those sent to zone-c's two
# pods) fail until zone-c's nodes are marked NotReady and their pods not ready, and then the other two
# zones carry **all** the traffic with four pods. Had all six pods been in one zone, as an unconstrained scheduler might put them, the app would
# have been down.
#
# But look at the replacements: they do not even appear in the table below, because a Pending pod has
# no node and so no zone. The next cell lists them and asks the scheduler why one of them waits:

# %%
pods_per_zone(cluster)

# %%
waiting = cluster.get("pods").query("STATUS == 'Pending'")
print(waiting[["NAME", "READY", "STATUS"]].to_string(index=False), end="\n\n")
print(cluster.api.get("pods", waiting["NAME"].iloc[0])["status"]["conditions"][0]["message"])

# %% [markdown]
# The two replacement pods are **Pending**, and that is the constraint doing exactly what it was told.
# zone-c still exists (its nodes are only unreachable, and tainted, so no new pod can go there) and has
# 0 of the app's pods; a third pod in zone-a or zone-b would make the skew 3 - 0 = 3, more than
# `maxSkew: 1`. With `DoNotSchedule` the scheduler keeps the spread and waits; with `whenUnsatisfiable:
# ScheduleAnyway` the spread is only a preference, and the replacements would run in the surviving zones.
# Which one you want depends on whether evenness or capacity matters more to you when a zone is gone.
# When zone-c comes back, the Pending pods land there at once:

# %%
for node in ("node-3", "node-6"):
    cluster.recover_node(node)
cluster.run(seconds=40)
pods_per_zone(cluster)

# %% [markdown]
# ## 7. The live dashboard
#
# Everything at once, live: `cluster.view()` shows the state graph (Deployment, ReplicaSets, pods
# inside their nodes, coloured by state), each node with its zone, status and Ready pods, the traffic's
# success rate, latency and versions, and the newest Events. Its controls run the cluster, fail or
# recover a node, scale the Deployment and set its image. In JupyterLab, click them: each click acts
# through kubectl or the cluster and redraws.
#
# We start it on a fresh cluster, start steady traffic (`start_traffic` sends requests whenever the
# cluster runs), and let it run 20 seconds.

# %%
cluster = new_cluster()
cluster.apply(tolerate_unreachable(web_manifest(), 30))
cluster.run(seconds=30)
dashboard = cluster.view()  # a k8slab.viz.dashboard.Dashboard
dashboard.start_traffic(external_url(cluster), rate=20)
dashboard.run(20)
dashboard

# %% [markdown]
# The buttons call methods you can also call from code. A release, then a node failure and 90 seconds
# of healing; the dashboard above redraws after each step (scroll up to it in JupyterLab), and the one
# below shows the state at the end. Its traffic table shows the failed requests of the whole run, and
# none in the last 10 seconds:

# %%
dashboard.set_image("web", "web=web:2")
dashboard.run(30)
dashboard.fail_node("node-1")
dashboard.run(90)
dashboard

# %% [markdown]
# Things to try with the controls: scale to 6 and fail a node (the spare pods carry the load); set an
# image that does not exist, `web=web:doesnotexist`, and see the rollout stop with the old pods still
# serving (maxUnavailable 0 at work); recover node-1 and watch its Terminating pod finally go.
#
# ## 8. What the lab simplifies
#
# Said out loud, in addition to what notebooks 03 to 08 listed:
#
# - Requests go out at an exact, even rate, every one on a new connection; each is answered at the instant
#   it is sent, with a modelled latency (see notebook 08). Real traffic is burstier and reuses
#   connections, which matters for draining (a kept-alive connection can outlive an endpoint).
# - The app's warm-up is a fixed 5 s of 503s; real apps vary.
# - The node lifecycle controller has no zone-wide protections (rate limits per zone, "full disruption"
#   mode), which matters when a whole zone goes, as in section 6.
# - Zones are labels on nodes; nothing else about them (latency between zones, zonal load balancers,
#   topology-aware routing) is modelled.
#
# ## 9. Exercises
#
# Replace each `...` and run the cell; `check(...)` answers at once.
#
# **Exercise 1: the bounds of a rollout.** A Deployment has `replicas: 10`, `maxSurge: 25%` and
# `maxUnavailable: 25%`. During a rolling update, what is the largest number of pods that may exist at
# once, and the smallest number that must stay available?
#
# <details><summary>Hint</summary>
#
# A percentage is of `replicas`. The controller rounds one of them up and the other down, each in the
# direction that is safer for the app.
# </details>

# %%
from k8slab.exercises import check
from k8slab.exercises.nb09 import broken

check("09-rollout-bounds", (..., ...))

# %% [markdown]
# **Exercise 2: a release with zero failed requests.** `broken()` gives you a Deployment that loses
# requests when it rolls from `web:1` to `web:2`. Change it (it is a dict) so that the update, under 20
# requests a second as in section 3, loses none. `check` runs it on a fresh cluster and says which
# requests failed and why. Keep the name, the image `web:1` and `replicas: 3`.

# %%
deployment = broken()
print(yaml.safe_dump(deployment, sort_keys=False))

# %%
# change `deployment` here, e.g. deployment["spec"]["strategy"]["rollingUpdate"] = {...}
...

check("09-zero-downtime", ...)  # replace ... with deployment

# %% [markdown]
# ## Recap
#
# - **Zero-downtime updates are a property of the configuration**, not of Kubernetes alone: a readiness
#   probe (a pod gets traffic only when it can serve), `maxUnavailable: 0` with `maxSurge: 1` (a new pod
#   before an old one goes), and a preStop pause (the old pod leaves every kube-proxy's rules before it
#   stops). Take one away and the count of failed requests says what it was worth.
# - Deleting a pod starts the kubelet's shutdown and the endpoint removal **in parallel**: that race is
#   the price of components that never call each other, and the preStop hook is how you win it.
# - **Self-healing is real, and it is not instant.** A dead node is noticed after the grace period (40 s
#   in v1.31, 50 s since v1.32) and a few seconds of polling, here 50 s; its pods are
#   evicted after their `tolerationSeconds` (300 by default), and until then some requests go nowhere.
#   Clients need timeouts and retries; apps need more than one replica on more than one node.
# - **Topology spread constraints** keep replicas across zones, so losing a zone costs a third, not all.
#   `DoNotSchedule` keeps the spread even when it means waiting; `ScheduleAnyway` trades it for capacity.
#
# **Next:** notebook 10 connects real clients (kubectl, the Python client, etcd) and points you to real
# clusters, where all of this runs at full scale.
#
# **Read more:** [Deployments: rolling update](https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment),
# [Pod lifecycle: termination of pods](https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination),
# [Container lifecycle hooks](https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/),
# [Configure liveness, readiness and startup probes](https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/),
# [Taint-based evictions](https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions),
# [Pod topology spread constraints](https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/).
