"""`%kubectl` in a notebook: a terminal's kubectl, against the lab's cluster (notebook 02).

    %load_ext k8slab.kubectl
    %kubectl get pods -o wide

    %%kubectl apply -f -
    apiVersion: v1
    kind: Pod
    ...

The magics talk to the *current* cluster: the most recently created
`Cluster` (its constructor calls `set_current`), or the one chosen with
`%kubectl_use cluster` (a `Cluster`, or an `APIServer`). Each shows its output
as a terminal would, and the last one is also kept in `_kubectl` (with
`.exit_code`, `.stdout`, `.stderr`).
"""

from __future__ import annotations

from typing import Any

from k8slab.kubectl.commands import Kubectl, KubectlOutput

_current: Kubectl | None = None


def set_current(cluster: Any) -> Kubectl:
    """Make `cluster` (a Cluster, or an APIServer) the one the magics talk to.

    A Cluster's `workdir`, when it has one, is where relative `-f` paths are read from.
    """
    global _current
    api = getattr(cluster, "api", cluster)
    if _current is None or _current.api is not api:
        _current = Kubectl(api, cwd=getattr(cluster, "workdir", None))
    return _current


def current() -> Kubectl | None:
    """The kubectl the magics use, or None before any cluster exists."""
    return _current


def kubectl_magic(line: str, cell: str | None = None, shell: Any = None) -> None:
    """`%kubectl <args>` and `%%kubectl <args>` (the cell body is standard input)."""
    if _current is None:
        output = KubectlOutput(
            [("stderr", "error: no cluster yet: create one with Cluster(...) or choose one with "
                        "%kubectl_use <cluster>\n")], 1)
    else:
        output = _current.run(line, stdin=cell)
    if shell is not None:
        shell.user_ns["_kubectl"] = output
    _display(output)


def kubectl_use(line: str, shell: Any = None) -> None:
    """`%kubectl_use cluster`: the magics talk to this cluster (a Cluster or an APIServer variable)."""
    name = line.strip()
    namespace = shell.user_ns if shell is not None else {}
    if not name or name not in namespace:
        raise NameError("%kubectl_use needs the name of a variable holding a Cluster or an APIServer, "
                        f"got {name!r}")
    set_current(namespace[name])


def _display(output: KubectlOutput) -> None:
    try:
        from IPython.display import display
    except ImportError:  # outside IPython: print as a terminal would
        print(output, end="")
        return
    display(output)


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext k8slab.kubectl`: register %kubectl, %%kubectl and %kubectl_use."""
    ipython.register_magic_function(
        lambda line, cell=None: kubectl_magic(line, cell, ipython), magic_kind="line_cell",
        magic_name="kubectl",
    )
    ipython.register_magic_function(lambda line: kubectl_use(line, ipython), magic_kind="line",
                                    magic_name="kubectl_use")


__all__ = ["current", "kubectl_magic", "kubectl_use", "load_ipython_extension", "set_current"]
