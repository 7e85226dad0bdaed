"""kubectl, rebuilt: commands in, API requests out, kubectl's own text back (notebook 02).

    from k8slab.kubectl import Kubectl
    kubectl = Kubectl(api)                   # api: an APIServer (cluster.api)
    print(kubectl.run("get pods -o wide"))

In a notebook, `%load_ext k8slab.kubectl` adds the `%kubectl` line magic and
the `%%kubectl` cell magic (the cell is the command's standard input:
`%%kubectl apply -f -`). They talk to the most recently created `Cluster`,
or to the one chosen with `%kubectl_use cluster`.

- `commands.py`  the commands (get, apply, delete, rollout, ...) and their flags
- `parser.py`    the command line (cobra and pflag's rules) and JSONPath
- `printers.py`  the tables `kubectl get` prints
- `describe.py`  what `kubectl describe` prints
- `magic.py`     the IPython magics
- `__main__.py`  `python -m k8slab.kubectl`: a command line over a saved cluster
"""

from k8slab.kubectl.commands import Kubectl, KubectlError, KubectlOutput
from k8slab.kubectl.magic import load_ipython_extension, set_current

__all__ = ["Kubectl", "KubectlError", "KubectlOutput", "load_ipython_extension", "set_current"]
