"""Probes: how the kubelet asks a container "are you alive? ready? started?" (built in notebook 05).

Three kinds (upstream `pkg/kubelet/prober`):

* **startupProbe**: until it succeeds once, the other two do not run; if it
  fails `failureThreshold` times in a row, the container is killed and
  restarted (a slow starter gets `failureThreshold x periodSeconds` to start).
* **livenessProbe**: `failureThreshold` failures in a row and the container is
  killed and restarted ("Container web failed liveness probe, will be
  restarted").
* **readinessProbe**: decides the container's `ready`, hence the pod's Ready
  condition, hence whether Services send it traffic. Not ready until it has
  succeeded `successThreshold` times in a row; unready after
  `failureThreshold` failures. It never restarts anything.

Each probe has a worker that ticks every `periodSeconds` from the moment the
container started; ticks before `initialDelaySeconds` are skipped (upstream's
worker does exactly this). A tick runs the probe's handler against the
simulated container: `httpGet` asks its `handle_http` (2xx and 3xx succeed;
slower than `timeoutSeconds` fails), `tcpSocket` succeeds if something
listens on the port, `exec` runs the command in the container (exit 0
succeeds). The messages are upstream's, word for word.

Simplified: upstream adds a random jitter to the first tick after a kubelet
restart; `grpc` probes are not modelled (they fail with a clear message).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from k8slab.kubelet.runtime import Container, Script, ScriptError

SUCCESS, FAILURE = "success", "failure"

#: the User-Agent of the kubelet's HTTP probes: kube-probe/<major>.<minor>
PROBE_USER_AGENT = "kube-probe/1.31"


@dataclass
class ProbeResult:
    result: str  # SUCCESS or FAILURE
    output: str = ""  # what upstream puts after "Liveness probe failed: "


def resolve_port(port: Any, container_spec: dict) -> int | None:
    """A probe's port: a number, or the name of one of the container's ports."""
    if isinstance(port, int):
        return port
    for declared in container_spec.get("ports") or []:
        if isinstance(declared, dict) and declared.get("name") == port:
            return declared.get("containerPort")
    return None


def run_probe(probe: dict, container: Container, container_spec: dict, pod_ip: str) -> ProbeResult:
    """Run one probe handler against a running container; never raises."""
    timeout = probe.get("timeoutSeconds", 1)
    if isinstance(probe.get("httpGet"), dict):
        action = probe["httpGet"]
        port = resolve_port(action.get("port"), container_spec)
        host = action.get("host") or pod_ip
        path = action.get("path") or "/"
        scheme = (action.get("scheme") or "HTTP").lower()
        url = f"{scheme}://{host}:{port}{path}"
        if port is None:
            return ProbeResult(
                FAILURE,
                f"unable to find port {action.get('port')!r} in container {container_spec.get('name')}",
            )
        headers = {"User-Agent": PROBE_USER_AGENT, "Accept": "*/*"}
        for header in action.get("httpHeaders") or []:
            if isinstance(header, dict):
                headers[str(header.get("name"))] = str(header.get("value", ""))
        listener = container.runtime.listener(host, port)
        if listener is None:
            return ProbeResult(FAILURE, f'Get "{url}": dial tcp {host}:{port}: connect: connection refused')
        try:
            code, _body, latency = listener.handle_http("GET", path, headers)
        except ConnectionRefusedError:
            return ProbeResult(FAILURE, f'Get "{url}": dial tcp {host}:{port}: connect: connection refused')
        if latency > timeout:
            return ProbeResult(
                FAILURE,
                f'Get "{url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
            )
        if 200 <= code < 400:
            return ProbeResult(SUCCESS)
        return ProbeResult(FAILURE, f"HTTP probe failed with statuscode: {code}")
    if isinstance(probe.get("tcpSocket"), dict):
        action = probe["tcpSocket"]
        port = resolve_port(action.get("port"), container_spec)
        host = action.get("host") or pod_ip
        if port is not None and container.runtime.listener(host, port) is not None:
            return ProbeResult(SUCCESS)
        return ProbeResult(FAILURE, f"dial tcp {host}:{port}: connect: connection refused")
    if isinstance(probe.get("exec"), dict):
        return run_exec(container, [str(a) for a in probe["exec"].get("command") or []], timeout)
    if isinstance(probe.get("grpc"), dict):
        return ProbeResult(FAILURE, "the lab does not model gRPC health checks")
    return ProbeResult(FAILURE, "probe has no handler")


def run_exec(container: Container, argv: list[str], timeout: float | None = None) -> ProbeResult:
    """Run a command inside the container at this instant (exit 0 succeeds), as `kubectl exec` would."""
    if not argv:
        return ProbeResult(FAILURE, "exec: no command")
    now = container.runtime.loop.now
    elapsed = container.elapsed(now)
    try:
        shell = Script(
            container,
            ["sh", "-c", shlex.join(argv)]
            if argv[0].rsplit("/", 1)[-1] not in ("sh", "bash", "ash")
            else argv,
            files=container.process_files(elapsed),
        )
    except ScriptError as error:
        return ProbeResult(FAILURE, str(error))
    exited = shell.exit()
    if exited is None or timeout is not None and exited[0] > timeout:
        return ProbeResult(FAILURE, f'command "{" ".join(argv)}" timed out')
    code = exited[1]
    output = "\n".join(line for _, line in shell.lines)
    return ProbeResult(SUCCESS if code == 0 else FAILURE, output)
