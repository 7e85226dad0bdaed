"""Exercises of notebook 06, cAdvisor and monitoring: read kubectl top, find the memory limit of a node
before pressure, and find the noisy neighbour in a usage table."""

from __future__ import annotations

from typing import Any

import pandas as pd

from k8slab.exercises.core import Feedback, exercise

MiB = 1024 * 1024


# -- exercise 1: what does kubectl top print? --------------------------------------------


#: Two containers of one pod, as metrics-server reports them (cpu in nanocores, memory in bytes).
TOP_CONTAINERS = {
    "nginx": ("250000000n", str(64 * MiB)),
    "log-shipper": ("12300001n", str(10 * MiB + 700 * 1024)),
}


def top_line() -> tuple[str, str]:
    """What `kubectl top pod web` prints for TOP_CONTAINERS: (CPU(cores), MEMORY(bytes))."""
    from k8slab.kubectl.printers import top_pods

    metrics = [{"metadata": {"name": "web", "namespace": "default"},
                "containers": [{"name": name, "usage": {"cpu": cpu, "memory": memory}}
                               for name, (cpu, memory) in TOP_CONTAINERS.items()]}]
    cells = top_pods(metrics, no_headers=True).split()
    return cells[1], cells[2]


@exercise("06-read-top")
def check_read_top(answer: Any) -> Feedback:
    name = "06-read-top"
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return Feedback(name, False, 'answer with two strings, as kubectl prints them: ("123m", "45Mi").')
    if any(part is ... for part in answer):
        return Feedback(name, False, "replace each ... with your answer, then run the cell again.")
    cpu, memory = (str(part).strip() for part in answer)
    want_cpu, want_memory = top_line()
    if cpu != want_cpu:
        hint = ("a pod's CPU is the sum of its containers'" if cpu in ("250m", "12m", "13m")
                else "kubectl rounds millicores up (12.300001m shows as 13m)" if cpu == "262m"
                else "add the containers' nanocores, then show millicores rounded up, with an m")
        return Feedback(name, False, f"CPU(cores) is not {cpu!r}. Hint: {hint}.")
    if memory != want_memory:
        hint = ("kubectl shows whole mebibytes rounded down (74.68Mi shows as 74Mi)" if memory == "75Mi"
                else "add the containers' bytes, divide by 1024 x 1024, drop the fraction, add Mi")
        return Feedback(name, False, f"MEMORY(bytes) is not {memory!r}. Hint: {hint}.")
    return Feedback(name, True, f"{cpu} and {memory}: summed per pod, CPU rounded up, memory rounded down.")


# -- exercise 2: how much memory before MemoryPressure? ----------------------------------


@exercise("06-pressure-point")
def check_pressure_point(answer: Any) -> Feedback:
    """A 2Gi node whose own processes use 256Mi: the most pods may use (in Mi) with no MemoryPressure."""
    from k8slab.cadvisor import MEMORY_AVAILABLE_THRESHOLD, SYSTEM_USAGE

    name = "06-pressure-point"
    truth = (2048 * MiB - SYSTEM_USAGE[1] - MEMORY_AVAILABLE_THRESHOLD) // MiB
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        return Feedback(name, False, f"answer with a number of mebibytes, got {answer!r}.")
    if answer == truth:
        return Feedback(name, True, f"{truth}Mi: with exactly 100Mi available the threshold "
                                    "(memory.available < 100Mi) is not met yet.")
    if answer == truth - 1:
        return Feedback(name, False, "one too few: the signal is memory.available < 100Mi, so exactly 100Mi "
                                     "available is still fine.")
    if answer == 2048 - 100:
        return Feedback(name, False, "the node's own processes (the OS, the kubelet, the runtime) count too: "
                                     "memory.available is capacity minus everything in use.")
    if answer == 2048 - SYSTEM_USAGE[1] // MiB:
        return Feedback(name, False, "the kubelet does not wait for zero: it keeps 100Mi in hand "
                                     "(evictionHard memory.available<100Mi).")
    return Feedback(name, False, "memory.available = capacity - (system + pods); pressure starts when it "
                                 "drops below 100Mi. Solve for pods.")


# -- exercise 3: find the noisy neighbour -------------------------------------------------


def neighbour_frame() -> pd.DataFrame:
    """Ten minutes of pod usage on one node: three quiet web pods and one that ramps up."""
    rows = []
    for step in range(61):
        time = step * 10.0
        for index in range(3):
            rows.append((time, "node-1", "default", f"web-{index}", 0.010 + 0.001 * index, 30 * MiB))
        share = min(time / 300.0, 1.0)
        rows.append((time, "node-1", "batch", "report", 1.5 * share, int((16 + 500 * share) * MiB)))
    return pd.DataFrame(rows, columns=["time", "node", "namespace", "pod", "cpu_cores", "memory_bytes"])


@exercise("06-noisy-neighbour")
def check_noisy_neighbour(find: Any) -> Feedback:
    name = "06-noisy-neighbour"
    if not callable(find):
        return Feedback(name, False, "pass your function itself: check('06-noisy-neighbour', noisiest).")
    frame = neighbour_frame()
    answer = find(frame.copy())
    if answer == "report" or answer == ("batch", "report"):
        quiet = frame[frame["pod"] != "report"].copy()
        second = find(quiet)
        if second != "web-2" and second != ("default", "web-2"):
            return Feedback(name, False, f"on a table without 'report' your function said {second!r}; "
                                         "the busiest of the rest is web-2. Hint: average cpu_cores per pod, "
                                         "then the largest.")
        return Feedback(name, True, "report: batch work ramping up next to quiet web pods. "
                                    "That is a noisy neighbour; requests and limits are the cure.")
    return Feedback(name, False, f"not {answer!r}. Hint: frame.groupby('pod')['cpu_cores'].mean(), then "
                                 "idxmax().")
