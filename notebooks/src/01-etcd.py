# %% [markdown]
# # 01 — etcd, the cluster's memory
#
# **Goal.** Everything a Kubernetes cluster knows (every pod, node and service, and what each of them
# *should* look like) lives in one place: **etcd**, a key-value store. In this lab you build a small
# store from a Python dict up, one idea at a time (revisions, then watch, then compare-and-swap), and
# then use k8slab's store, which behaves like etcd version 3. You will race two writers on a counter and
# see one lose updates, let a lease expire like a missed heartbeat, compact history away, restart the
# store from disk, and work out why etcd runs on 3, 5 or 9 machines.
#
# **Steps covered:** step 5 of the fifteen, *the API server stores data in etcd* (highlighted below).
# The API server is the only component that talks to etcd; everything else talks to the API server.
#
# **Time:** about 45 minutes.

# %%
from k8slab.viz.architecture import architecture

architecture(highlight=5)

# %% [markdown]
# ## 1. Build it: from a dict to a store
#
# A **key-value store** maps names (keys) to data (values), like a Python dict. Kubernetes names its
# keys like file paths: the pod `web` in the namespace `default` is stored under
# `/registry/pods/default/web`, and its value is the pod written out as JSON (Kubernetes really stores a
# compact binary encoding called protobuf; JSON reads better and carries the same fields).

# %%
memory = {}
memory["/registry/pods/default/web"] = '{"kind": "Pod", "metadata": {"name": "web"}}'
memory["/registry/pods/default/db"] = '{"kind": "Pod", "metadata": {"name": "db"}}'
sorted(memory)

# %% [markdown]
# A dict is not enough for a cluster. Three things are missing, and each one is a feature of etcd that
# Kubernetes depends on:
#
# 1. **History.** When a value changes, the old one is gone. etcd numbers every change with a
#    **revision** (one counter for the whole store) and keeps old versions, so you can ask "what did the
#    store look like at revision 7?".
# 2. **Notifications.** Nobody learns that something changed unless they keep asking. etcd lets a client
#    **watch** a key or a prefix and be told about each change.
# 3. **Safe concurrent updates.** Two clients that read, change and write back the same key can silently
#    overwrite each other. etcd offers **compare-and-swap**: "write this only if the key is still at the
#    revision I read".
#
# Here is a store with all three, in about thirty lines. Read it top to bottom: it is the whole idea.

# %%
class TinyStore:
    """A dict with revisions, watchers and compare-and-swap: etcd's ideas, nothing else."""

    def __init__(self):
        self.revision = 1  # like etcd: an empty store is at revision 1
        self.data = {}  # key -> (value, create_revision, mod_revision, version)
        self.history = []  # (revision, key, value) for every change, oldest first
        self.watchers = []  # (prefix, callback)

    def put(self, key, value):
        self.revision += 1
        old = self.data.get(key)
        created = old[1] if old else self.revision
        version = old[3] + 1 if old else 1
        self.data[key] = (value, created, self.revision, version)
        self.history.append((self.revision, key, value))
        for prefix, callback in self.watchers:
            if key.startswith(prefix):
                callback(self.revision, key, value)
        return self.revision

    def get_at(self, key, revision):
        """The value of key as it was at an older revision: replay history up to there."""
        value = None
        for rev, k, v in self.history:
            if rev <= revision and k == key:
                value = v
        return value

    def watch(self, prefix, callback):
        self.watchers.append((prefix, callback))

    def put_if(self, key, value, expected_mod_revision):
        """Compare-and-swap: write only if nobody changed the key since we read it."""
        current = self.data.get(key)
        current_mod = current[2] if current else 0
        if current_mod != expected_mod_revision:
            return False
        self.put(key, value)
        return True


tiny = TinyStore()
tiny.watch("/registry/pods/", lambda rev, key, value: print(f"watch: revision {rev}: {key} = {value}"))
tiny.put("/registry/pods/default/web", "image nginx:1.25")
tiny.put("/registry/pods/default/web", "image nginx:1.26")
tiny.put("/registry/services/default/web", "port 80")  # not under /registry/pods/: no watch event
print("now:", tiny.data["/registry/pods/default/web"])
print("at revision 2:", tiny.get_at("/registry/pods/default/web", 2))

# %% [markdown]
# Each stored tuple is `(value, create_revision, mod_revision, version)`: the pod was created at revision
# 2, last modified at revision 3, and has changed twice. Now compare-and-swap: two clients both read the
# pod at `mod_revision` 3 and both try to write. Only the first succeeds; the second is told so, and must
# read again before it tries again.

# %%
print("client A:", tiny.put_if("/registry/pods/default/web", "image nginx:1.27", expected_mod_revision=3))
print("client B:", tiny.put_if("/registry/pods/default/web", "image httpd:2.4", expected_mod_revision=3))

# %% [markdown]
# ### The same ideas in k8slab
#
# `k8slab.store.Store` is the real thing for the rest of the series: etcd version 3's data model and
# verbs, with etcd's field names. Each key's value comes back as a `KeyValue` with four numbers:
#
# | field | meaning |
# |---|---|
# | `create_revision` | the revision at which the key was created |
# | `mod_revision` | the revision of the key's last change (Kubernetes calls this the object's **resourceVersion**) |
# | `version` | how many times the key changed since it was created (a delete resets it to 0) |
# | `lease` | the lease the key is attached to, 0 for none (section 5) |
#
# One difference from `TinyStore`: watch events are handed over by k8slab's **event loop**, the virtual
# clock that every component of the simulated cluster runs on (`store.loop`). In a real cluster events
# travel over the network, so they arrive *after* the write returns; here they arrive when the loop runs.

# %%
from k8slab.store import Store

store = Store()
print("a fresh store is at revision", store.revision)
store.put("/registry/pods/default/web", '{"image": "nginx:1.25"}')
store.put("/registry/pods/default/db", '{"image": "postgres:16"}')
store.put("/registry/pods/default/web", '{"image": "nginx:1.26"}')
store.put("/registry/services/default/web", '{"port": 80}')
store.get("/registry/pods/default/web")

# %% [markdown]
# A **range** read returns every key between two keys; a **prefix** read is the range of all keys that
# start with a prefix. This is how `kubectl get pods -n default` becomes one read of
# `/registry/pods/default/`. `limit` caps the answer (`more` says there was more), and the keys come back
# sorted, as in etcd.

# %%
from k8slab.viz.storeview import state_table

pods = store.range("/registry/pods/", prefix=True)
print(f"{pods.count} pods, read at revision {pods.revision}")
state_table(store)

# %% [markdown]
# ## 2. Watch it: revisions and time travel
#
# Because etcd keeps old versions (this is what **MVCC**, multi-version concurrency control, means), you
# can read the store as it was at any earlier revision. The view below shows the store's history as a
# timeline (keys down the side, revisions across the top, a blue mark with the key's version where it
# changed, a red cross where it was deleted) and a **revision slider**: drag it back and the first table
# shows the store as it was then. The second table is a live **watch** on every key.
#
# Keep the view in sight as you run the next cells: it follows every change.

# %%
from k8slab.viz.storeview import StoreView

view = StoreView(store)
view

# %%
store.delete("/registry/pods/default/db")
store.put("/registry/pods/default/web", '{"image": "nginx:1.27"}')
store.put("/registry/pods/default/api", '{"image": "python:3.12"}')
store.loop.run()  # hand the watch events over
view.show(4)  # travel back to revision 4: db still exists, web is at nginx:1.26
state_table(store, revision=4)

# %% [markdown]
# Every key keeps its own history; a delete leaves a **tombstone** (version 0) so that a reader at a
# later revision knows the key is gone, while a reader at an earlier one still sees it.

# %%
import pandas as pd

pd.DataFrame(store.history("/registry/pods/default/db"))

# %% [markdown]
# ## 3. Watch: the heartbeat of the whole system
#
# Every Kubernetes component works the same way: it *watches* the API server, and the API server watches
# etcd. The scheduler learns about a new pod because a watch event tells it; it never polls. A watch can
# start from an older revision, and then etcd first replays every change since that revision. That is how
# a component that restarts catches up without missing anything: it remembers the last revision it saw.

# %%
from k8slab.viz.storeview import events_table

replay = store.watch("/registry/pods/", prefix=True, start_revision=2, prev_kv=True)
store.loop.run()
events_table(replay.events)

# %% [markdown]
# Every event since revision 2, exactly once, in revision order, each with the previous value
# (`prev_kv=True`). A watcher with a `callback` is called by the loop for each revision's events instead;
# `cancel()` stops a watch.
#
# ## 4. Compare-and-swap, or: two writers race on a counter
#
# Two clients, A and B, each add 1 to a counter 50 times. Each increment is a *read* followed, a few
# milliseconds later (the network), by a *write* of the value read plus one. If B writes between A's read
# and A's write, A writes back a number that does not include B's increment: an update is **lost**.
#
# The fix is the transaction `txn(compare, success, failure)`: "if the counter's `mod_revision` is still
# the one I read, put the new value; otherwise do nothing and tell me". A writer whose txn fails reads
# again and retries. This is exactly how the API server refuses a stale update (the HTTP 409 Conflict of
# notebook 02) and how it creates an object only if the name is free (`version == 0`).

# %%
from k8slab.sim import Loop
from k8slab.store import Put, mod_revision


def race(use_cas, increments=50, seed=0):
    """Writers A and B each increment /counter `increments` times; returns the final value and a log."""
    loop = Loop(seed=seed)
    counter_store = Store(loop)
    counter_store.put("/counter", "0")
    log = {"retries": 0, "points": []}

    def read(writer, remaining):
        if remaining == 0:
            return
        kv = counter_store.get("/counter")
        loop.call_later(loop.random.uniform(0.001, 0.010), write, writer, remaining, kv)

    def write(writer, remaining, kv):
        new_value = str(int(kv.value) + 1)
        if use_cas:
            result = counter_store.txn(
                compare=[mod_revision("/counter") == kv.mod_revision],
                success=[Put("/counter", new_value)],
            )
            if not result.succeeded:  # somebody wrote since our read: read again and retry
                log["retries"] += 1
                loop.call_soon(read, writer, remaining)
                return
        else:
            counter_store.put("/counter", new_value)
        log["points"].append((loop.now, int(counter_store.get("/counter").value)))
        loop.call_later(loop.random.uniform(0.001, 0.005), read, writer, remaining - 1)

    loop.call_soon(read, "A", increments)
    loop.call_soon(read, "B", increments)
    loop.run()
    return int(counter_store.get("/counter").value), log


results = []
logs = {}
for strategy, use_cas in [("plain put (read, then write)", False), ("txn compare-and-swap", True)]:
    final, log = race(use_cas)
    logs[strategy] = log
    results.append({"strategy": strategy, "increments": 100, "final counter": final,
                    "lost updates": 100 - final, "retries": log["retries"]})
pd.DataFrame(results)

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 3.2))
for strategy, log in logs.items():
    times, values = zip(*log["points"], strict=True)
    ax.step(times, values, where="post", label=strategy)
ax.axhline(100, color="grey", linestyle=":", label="the right answer: 100")
ax.set_xlabel("virtual time (s)")
ax.set_ylabel("counter")
ax.set_title("Two writers, 50 increments each")
ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# With plain puts, many increments vanish: no error, no warning, just a wrong number. With
# compare-and-swap every increment lands; the price is a retry each time two writers collide. Because the
# loop is seeded, you get these exact numbers every time you run the notebook; change `seed=` to see
# another interleaving.
#
# ## 5. Leases: a heartbeat that expires
#
# A **lease** is a timer with keys attached. A client grants a lease with a TTL (time to live, in
# seconds), writes keys attached to it, and keeps it alive by sending a **keep-alive** before the TTL runs
# out. If the client dies and stops sending, the lease expires and etcd deletes its keys, and every
# watcher sees the deletes. Nobody has to notice the death and clean up by hand.
#
# Kubernetes uses exactly this for its API servers: each `kube-apiserver` keeps a key under
# `/registry/masterleases/` with a 15-second lease and renews it every 10 seconds. When an API server
# dies, its key expires and the others drop it from the `kubernetes` Service's endpoints. (Node
# heartbeats use the same idea one layer up: a Lease *object* whose `renewTime` the kubelet updates
# every 10 seconds, checked by the node lifecycle controller of notebook 03.)
#
# Below, the API server at 10.0.0.1 starts at t = 0 s and crashes at t = 35 s. Watch the clock.

# %%
loop = Loop(seed=0)
lease_store = Store(loop)
timeline = []

def record(what):
    timeline.append({"t (s)": loop.now, "what happened": what})

lease_store.watch("/registry/masterleases/", prefix=True, callback=lambda response: [
    record(f"watch event: {event.type} {event.kv.key}") for event in response.events])

grant = lease_store.lease_grant(15)
lease_store.put("/registry/masterleases/10.0.0.1", "10.0.0.1", lease=grant.id)
record(f"lease {grant.id:x} granted with TTL 15 s; key written")
apiserver_alive = True

def renew():
    if apiserver_alive:
        lease_store.lease_keep_alive(grant.id)
        record("keep-alive: the countdown is back to 15 s")
        loop.call_later(10, renew)

loop.call_later(10, renew)
loop.run(until=35)
apiserver_alive = False
record(f"the API server crashes; {lease_store.lease_time_to_live(grant.id).ttl} s left on the lease")
loop.run(until=60)
record(f"key present: {'/registry/masterleases/10.0.0.1' in lease_store}; live leases: {lease_store.leases()}")
pd.DataFrame(timeline)

# %% [markdown]
# The last keep-alive was at t = 30 s, so the lease expired at t = 45 s: the key was deleted and the
# watcher was told, with no one cleaning up.
#
# ## 6. Compaction: forgetting on purpose
#
# History costs memory, so it cannot be kept forever. **Compaction** throws away every version older than
# a chosen revision (the newest version of each key as of that revision stays). Kubernetes' API server
# compacts etcd every 5 minutes (`--etcd-compaction-interval`). Afterwards, reading or watching from an
# older revision fails, and a client must start over from a fresh read: this is the
# `410 Gone: too old resource version` you will meet in notebook 02.

# %%
print("before:", store)
store.compact(6)
print("after: ", store)
store.get("/registry/pods/default/web", revision=6)

# %%
# NBVAL_RAISES_EXCEPTION
store.get("/registry/pods/default/web", revision=4)  # below the compacted revision: that history is gone

# %% [markdown]
# The error says what was asked for and where history now starts. The store view above greys out the
# compacted revisions and its slider no longer goes below 6.
#
# ## 7. Surviving a restart: the write-ahead log
#
# etcd keeps its data on disk. Every change is first appended to a **write-ahead log** (WAL), and only
# then applied in memory; after a crash, replaying the log rebuilds memory. Now and then etcd writes a
# **snapshot** of the whole state and starts an empty log, so replay stays short.
#
# `Store(path=...)` does the same with two text files you can open: `wal.jsonl` (one change per line)
# and `snapshot.json`.

# %%
import pathlib
import shutil

folder = pathlib.Path("etcd-demo.etcd")
shutil.rmtree(folder, ignore_errors=True)  # start from nothing, so every run prints the same

disk = Store(Loop(seed=0), path=folder)
disk.put("/registry/namespaces/default", '{"kind": "Namespace"}')
disk.put("/registry/pods/default/web", '{"image": "nginx:1.25"}')
disk.put("/registry/pods/default/web", '{"image": "nginx:1.26"}')
disk.delete("/registry/pods/default/web")
disk.close()
print((folder / "wal.jsonl").read_text())

# %%
reopened = Store(Loop(seed=0), path=folder)
print(reopened)
print("history of web:", [(kv.mod_revision, kv.version, kv.value) for kv in reopened.history("/registry/pods/default/web")])
state_table(reopened)

# %% [markdown]
# Everything is back: the revision, every key, and the history (so watches from an old revision still
# work after a restart). `reopened.snapshot()` writes `snapshot.json` and empties the log; the store also
# does it by itself every `snapshot_count` records (etcd's `--snapshot-count`).
#
# ## 8. Break it: crash in the middle of a write
#
# What if the machine dies while a record is half written? We cut the last line of the log in half, as a
# crash would, and reopen. A record that was not completely written never happened: the store comes back
# at the revision before it, with everything earlier intact. (This is why etcd answers a client only
# *after* the record is in the log.)

# %%
reopened.put("/registry/pods/default/api", '{"image": "python:3.12"}')
reopened.close()
wal = folder / "wal.jsonl"
text = wal.read_text()
wal.write_text(text[: len(text) - 20])  # the crash: the last record is cut short
survivor = Store(Loop(seed=0), path=folder)
print(survivor)
print("api pod present:", "/registry/pods/default/api" in survivor)
survivor.close()
shutil.rmtree(folder)

# %% [markdown]
# ## 9. Why 3, 5 or 9 machines?
#
# A real etcd is a **cluster** of several machines (members) that keep identical copies, using the
# **Raft** consensus algorithm. A write is committed only when a **quorum**, a strict majority of the
# members, has it in its log. Any two majorities overlap in at least one member, so a committed write can
# never be forgotten, and two halves of a split network can never both accept writes.
#
# The price: if fewer than a majority are up, etcd stops accepting writes (the cluster keeps running what
# it runs, but nothing can change). That gives this table:

# %%
pd.DataFrame(
    [{"members": n, "quorum (majority)": n // 2 + 1, "failures tolerated": n - (n // 2 + 1)} for n in range(1, 10)]
).set_index("members")

# %% [markdown]
# An even number buys nothing: 4 members tolerate 1 failure, like 3, but there is one more machine to
# fail and every write waits for 3 acknowledgements instead of 2. So production control planes run 3
# members (one failure), 5 (two failures, e.g. one during maintenance plus one surprise), and rarely
# more: every extra member slows each write. Seven and nine exist for very large or very
# failure-prone setups.
#
# **Where the lab simplifies.** k8slab's store is a single member: Raft, replication and elections are
# left out (they are explained here in words). Keys are text (etcd's are bytes), and nested
# transactions, range compares, watch filters and authentication are not modelled. Everything a client of
# etcd can observe through the verbs above (revisions, versions, txn, watch order, compaction errors,
# lease expiry) behaves as in etcd.
#
# ## 10. Exercises
#
# Each exercise ends with a `check(...)` call that tells you at once what is right or wrong. Replace the
# `...` with your answer and run the cell. Hints are folded below each exercise; full solutions are in
# `notebooks/solutions/01-etcd.md`.
#
# **Exercise 1: predict the numbers.** On a fresh store, these five writes happen in order:
#
# ```python
# put("/registry/pods/default/web", "v1")
# put("/registry/pods/default/db", "v1")
# put("/registry/pods/default/web", "v2")
# delete("/registry/pods/default/web")
# put("/registry/pods/default/web", "v3")
# ```
#
# Without running them, what are the store's revision and web's `create_revision`, `mod_revision` and
# `version`?
#
# <details><summary>Hint</summary>
#
# A fresh store is at revision 1 and each write adds one. A delete ends a key's life: the next put
# creates it anew.
# </details>

# %%
from k8slab.exercises import check

answer = {"revision": ..., "create_revision": ..., "mod_revision": ..., "version": ...}
check("01-predict-revisions", answer)

# %% [markdown]
# **Exercise 2: an increment that never loses an update.** Write `increment(store, key)` that adds 1 to
# the decimal number stored at `key` and returns the new value, and that stays correct when another
# client writes the same key between your read and your write. The checker makes exactly that happen.
#
# <details><summary>Hint</summary>
#
# Read with `store.get(key)`, then `store.txn(compare=[mod_revision(key) == kv.mod_revision],
# success=[Put(key, new)])`. `result.succeeded` tells you whether your write happened; if not, loop
# and read again.
# </details>

# %%
def increment(store, key):
    ...  # your code here


check("01-cas-increment", increment)

# %% [markdown]
# **Exercise 3: quorum.** Write `quorum(members)` that returns two numbers: how many members make a
# quorum, and how many may fail while the cluster still accepts writes.

# %%
def quorum(members):
    ...  # your code here: return (quorum_size, failures_tolerated)


check("01-quorum", quorum)

# %% [markdown]
# ## Recap
#
# - etcd is the cluster's memory: every Kubernetes object is one key, `/registry/<resource>/<namespace>/<name>`.
# - One **revision** counter orders every change; each key has `create_revision`, `mod_revision`
#   (Kubernetes' `resourceVersion`) and `version`.
# - **History** (MVCC) lets you read the past and lets a **watch** replay from any revision: this is how
#   every component stays in sync without polling.
# - A **txn** with a compare is the only safe way for two writers to update one key.
# - A **lease** deletes keys when their owner stops sending keep-alives; **compaction** deletes history.
# - The **write-ahead log** and snapshots make the store survive restarts; **Raft** and a **quorum** of
#   3 or 5 members make it survive machine failures.
#
# **Next:** notebook 02 puts the API server in front of this store: objects, validation,
# `resourceVersion` conflicts, and `kubectl`.
#
# **Read more:** etcd's [data model](https://etcd.io/docs/v3.5/learning/data_model/) and
# [API guarantees](https://etcd.io/docs/v3.5/learning/api_guarantees/), the
# [etcd API](https://etcd.io/docs/v3.5/learning/api/), Kubernetes'
# [Operating etcd clusters for Kubernetes](https://kubernetes.io/docs/tasks/administer-cluster/configure-upgrade-etcd/),
# and [Raft](https://raft.github.io/).
