"""`python -m k8slab.kubectl`: the lab's kubectl in a terminal, against a cluster kept in a file.

    python -m k8slab.kubectl --state lab.json apply -f web.yaml
    python -m k8slab.kubectl --state lab.json get deployments
    python -m k8slab.kubectl get pods          # state file: $K8SLAB_STATE, or k8slab-state.json

Each run loads the cluster from the state file, runs one kubectl command,
prints what kubectl prints (exiting with its exit code) and saves the cluster
back. A missing file starts a fresh cluster (`--seed N`, default 0): the lab's
`Cluster` when it is available, else a bare `APIServer`.

The state file is plain JSON, meant to be read:

    {"k8slab": "0.1.0", "seed": 0, "time": 42.0, "random": [...], "objects": [{...}, ...]}

What this simplifies, on purpose:

* It is a **snapshot**, not a running cluster. Between two commands no time
  passes and nothing acts; a loaded cluster is an API server with its objects
  and no controllers, scheduler or kubelets, so `apply` a Deployment and no
  pods appear. Commands that wait (`get -w`, `rollout status`, `delete`)
  advance the virtual clock, which is saved.
* Loading is what restoring an etcd backup does: every saved object is
  written straight into a fresh store, so uids, timestamps and owner
  references survive, but `resourceVersion`s are numbered afresh and the
  history of each key (etcd's older revisions) is not kept. The random
  generator's state is saved too, so uids and names never repeat.
"""

from __future__ import annotations

import json
import os
import pathlib
import sys
from collections.abc import Sequence
from typing import Any

from k8slab import __version__
from k8slab.api.kinds import all_kinds
from k8slab.kubectl.commands import Kubectl, KubectlOutput

DEFAULT_STATE = "k8slab-state.json"
USAGE = """usage: python -m k8slab.kubectl [--state FILE] [--seed N] <kubectl arguments>

  --state FILE  the cluster's state file (default: $K8SLAB_STATE, or k8slab-state.json)
  --seed N      the seed of a fresh cluster, when the state file does not exist yet (default 0)
"""


def fresh_api(seed: int) -> Any:
    """A new cluster's API server: the lab's Cluster when it exists, else a bare APIServer."""
    try:
        from k8slab.cluster import Cluster
    except ImportError:
        Cluster = None  # noqa: N806  (the class, when the lab has it)
    if Cluster is not None:
        return Cluster(seed=seed).api
    return _bare_api(seed)


def _bare_api(seed: int) -> Any:
    from k8slab.api.server import APIServer
    from k8slab.sim import Loop
    from k8slab.store import Store

    return APIServer(Store(Loop(seed=seed)))


def save_state(api: Any, path: pathlib.Path, seed: int) -> None:
    """Write every object of every kind, the virtual time and the random generator's state."""
    objects = []
    for info in all_kinds():
        objects.extend(api.list(info.resource)["items"])
    version, state, gauss = api.loop.random.getstate()
    document = {
        "k8slab": __version__,
        "seed": seed,
        "time": api.loop.now,
        "random": [version, list(state), gauss],
        "objects": objects,
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)


def load_state(path: pathlib.Path) -> tuple[Any, int]:
    """A fresh API server holding the saved objects (written to its store directly, as a restore does)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    seed = int(document.get("seed", 0))
    api = _bare_api(seed)
    version, state, gauss = document["random"]
    api.loop.random.setstate((version, tuple(state), gauss))
    if document.get("time", 0) > api.loop.now:
        api.loop.run(until=document["time"])
    saved: set[str] = set()
    by_kind = {info.kind: info for info in all_kinds()}
    api.service_ips.allocated.clear()
    for obj in document["objects"]:
        info = by_kind[obj["kind"]]
        meta = obj["metadata"]
        key = info.key(meta.get("namespace"), meta["name"])
        api.store.put(key, encode(obj))
        saved.add(key)
        cluster_ip = (obj.get("spec") or {}).get("clusterIP") if info.kind == "Service" else None
        if cluster_ip and cluster_ip != "None":
            api.service_ips.allocated.add(cluster_ip)
    for info in all_kinds():  # what the fresh server made itself but the snapshot no longer has
        for kv in api.store.range(info.prefix(), prefix=True).kvs:
            if kv.key not in saved:
                api.store.delete(kv.key)
    return api, seed


def encode(obj: dict) -> str:
    """An object as the API server stores it in etcd: compact JSON, without its resourceVersion."""
    stored = dict(obj)
    stored["metadata"] = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "resourceVersion"}
    return json.dumps(stored, separators=(",", ":"))


def main(argv: Sequence[str] | None = None, stdin: Any = None, stdout: Any = None, stderr: Any = None) -> int:
    """Run one kubectl command against the state file; returns kubectl's exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    state = pathlib.Path(os.environ.get("K8SLAB_STATE", DEFAULT_STATE))
    seed = 0
    while argv and argv[0] in ("--state", "--seed") or (argv and argv[0].startswith(("--state=", "--seed="))):
        option, _, value = argv.pop(0).partition("=")
        if not value:
            if not argv:
                stderr.write(f"error: {option} needs a value\n{USAGE}")
                return 1
            value = argv.pop(0)
        if option == "--state":
            state = pathlib.Path(value)
        else:
            try:
                seed = int(value)
            except ValueError:
                stderr.write(f"error: --seed must be a whole number, got {value!r}\n")
                return 1
    if argv and argv[0] == "kubectl":
        argv.pop(0)
    try:
        api, seed = load_state(state) if state.exists() else (fresh_api(seed), seed)
    except (OSError, ValueError, KeyError, TypeError) as error:
        stderr.write(f"error: cannot load the cluster from {state}: {type(error).__name__}: {error}\n")
        return 1
    text = stdin.read() if "-" in argv else None
    output: KubectlOutput = Kubectl(api).run(argv, stdin=text)
    for stream, chunk in output.chunks:
        (stdout if stream == "stdout" else stderr).write(chunk)
    try:
        save_state(api, state, seed)
    except OSError as error:
        stderr.write(f"error: cannot save the cluster to {state}: {error}\n")
        return 1
    return output.exit_code


if __name__ == "__main__":
    sys.exit(main())
