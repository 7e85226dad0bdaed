"""The vectorised fast path: the default plugins' Filter and Score over all nodes at once, with numpy.

The per-node plugin code in `plugins/` is the reference: it is what a learner
reads, and what `explain` shows. At 5,000 nodes, calling `filter` and
`score` node by node costs milliseconds per pod; here the same arithmetic
runs as array operations over every node in one go. It must choose exactly the
node the reference path would, and a property test
(`tests/test_scheduler_fastpath.py`) checks that on random clusters and pods.

What it covers: the default profile, for pods whose placement depends on
NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit
(LeastAllocated), BalancedAllocation, ImageLocality, and PodTopologySpread's
system default spreading (for pods of a Service or ReplicaSet: the matching
pods per node are counted once per selector and kept up to date). Anything
else makes `FastPath.schedule` return None and the scheduler takes the
reference path: a pod with its own topology spread constraints or pod
(anti-)affinity, any bound pod with pod (anti-)affinity, host ports,
extended resources, and no feasible node at all (the reference path then
works out the reasons for the Pending message).

How it stays in step with the cache: the scheduler records which nodes
changed (`scheduler.dirty`); before each pod, only those rows are rewritten.
Taints are grouped: nodes with the same taints share one row of a small
table, so "does this pod tolerate them?" is asked once per distinct set.
"""

from __future__ import annotations

import math

import numpy as np

from k8slab.scheduler.framework import MAX_NODE_SCORE
from k8slab.scheduler.nodeinfo import PodInfo
from k8slab.scheduler.plugins.fit import LEAST_ALLOCATED, NodeResourcesFit
from k8slab.scheduler.plugins.imagelocality import calculate_priority, normalized_image_name
from k8slab.scheduler.plugins.nodeaffinity import (
    preferred_terms,
    required_node_affinity_matches,
    term_matches,
)
from k8slab.scheduler.plugins.nodeunschedulable import UNSCHEDULABLE_TAINT
from k8slab.scheduler.plugins.podtopologyspread import (
    HOSTNAME,
    SYSTEM_DEFAULT_CONSTRAINTS,
    ZONE,
    PodTopologySpread,
    count_matching,
)
from k8slab.scheduler.plugins.tainttoleration import tolerates
from k8slab.scheduler.scheduler import DEFAULT_WEIGHTS, Scheduler, num_feasible_nodes_to_find

DEFAULT_PLUGIN_NAMES = (
    "NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit",
    "PodTopologySpread", "InterPodAffinity", "DefaultPreemption", "NodeResourcesBalancedAllocation",
    "ImageLocality", "DefaultBinder",
)
MAX_CACHED_SHAPES = 64  # distinct pod request shapes whose per-node resource scores are kept
MAX_CACHED_SELECTORS = 64  # distinct Service/ReplicaSet selectors whose per-node counts are kept
FIELDS = ("alloc_cpu", "alloc_mem", "alloc_eph", "alloc_pods", "req_cpu", "req_mem", "req_eph",
          "nz_cpu", "nz_mem", "pod_count", "unschedulable", "taints")
FIELD_ROW = {name: row for row, name in enumerate(FIELDS)}


class FastPath:
    """numpy arrays over the scheduler's nodes, in node-tree order, and a vectorised schedule()."""

    def __init__(self, scheduler: Scheduler):
        self.scheduler = scheduler
        self.order: list[str] | None = None
        self.index: dict[str, int] = {}
        self.taint_sets: list[tuple] = []  # distinct taint lists; nodes refer to them by number
        self.taint_set_index: dict[tuple, int] = {}
        self.positions = np.arange(0)

    # -- keeping the arrays up to date ----------------------------------------------------

    def sync(self) -> None:
        s = self.scheduler
        order = s.node_order()
        if order is not self.order:
            self.order = order
            self.index = {name: i for i, name in enumerate(order)}
            n = len(order)
            self.table = np.zeros((len(FIELDS), n), dtype=np.int64)  # one row per field: one gather per pod
            for row, name in enumerate(FIELDS):
                setattr(self, name, self.table[row])  # a view: writing alloc_cpu[i] writes the table
            self.unschedulable = np.zeros(n, dtype=bool)
            self.taint_sets, self.taint_set_index = [], {}
            self.zone = np.full(n, -1, dtype=np.int64)
            self.has_hostname = np.zeros(n, dtype=bool)
            self.zone_ids: dict[str, int] = {}
            self.match_counts = {}
            self.counted: list[dict[str, tuple]] = []  # per node: the pods the match counts include
            self.resource_scores: dict[tuple, np.ndarray] = {}  # request shape -> score per node
            self.zero_capacity: set[int] = set()  # rows of nodes without cpu or memory
            dirty = order
        else:
            dirty = s.dirty
        for name in dirty:
            i = self.index.get(name)
            if i is not None:
                self._write_row(i, s.nodes[name])
                if self.match_counts:
                    self._recount(i, s.nodes[name])
                if self.zero_capacity:
                    self.resource_scores.clear()  # the general arithmetic serves until they are gone
                elif dirty is not order:
                    for shape, scores in self.resource_scores.items():
                        scores[i] = self._resource_score_of_row(shape, i)
        s.dirty = set()

    def _write_row(self, i: int, info) -> None:
        alloc, req, nz = info.allocatable, info.requested, info.non_zero_requested
        self.alloc_cpu[i], self.alloc_mem[i] = alloc.milli_cpu, alloc.memory
        self.alloc_eph[i] = alloc.ephemeral_storage
        self.alloc_pods[i] = alloc.allowed_pod_number
        if alloc.milli_cpu > 0 and alloc.memory > 0:
            self.zero_capacity.discard(i)
        else:
            self.zero_capacity.add(i)
        self.req_cpu[i], self.req_mem[i], self.req_eph[i] = req.milli_cpu, req.memory, req.ephemeral_storage
        self.nz_cpu[i], self.nz_mem[i] = nz.milli_cpu, nz.memory
        self.pod_count[i] = len(info.pods)
        self.unschedulable[i] = bool((info.node or {}).get("spec", {}).get("unschedulable"))
        key = tuple(tuple(sorted(t.items())) for t in info.taints)
        if key not in self.taint_set_index:
            self.taint_set_index[key] = len(self.taint_sets)
            self.taint_sets.append(key)
        self.taints[i] = self.taint_set_index[key]
        zone = info.labels.get(ZONE)
        if zone is not None and zone not in self.zone_ids:
            self.zone_ids[zone] = len(self.zone_ids)
        self.zone[i] = -1 if zone is None else self.zone_ids[zone]
        self.has_hostname[i] = HOSTNAME in info.labels

    # -- can this pod take the fast path? ----------------------------------------------------

    def eligible(self, fwk, pod_info: PodInfo) -> bool:
        s = self.scheduler
        if tuple(p.name for p in fwk.plugins) != DEFAULT_PLUGIN_NAMES or fwk.weights != DEFAULT_WEIGHTS:
            return False
        fit = fwk.plugin("NodeResourcesFit")
        if not isinstance(fit, NodeResourcesFit) or fit.scoring_strategy != LEAST_ALLOCATED:
            return False
        spec = pod_info.spec
        if spec.get("nodeName") or spec.get("topologySpreadConstraints") or pod_info.has_pod_affinity:
            return False
        if pod_info.host_ports or pod_info.requests.scalar:
            return False
        if s.affinity_pods:  # a bound pod with pod (anti-)affinity may care about this one
            return False
        spread = fwk.plugin("PodTopologySpread")
        return isinstance(spread, PodTopologySpread) and spread.default_constraints == list(
            SYSTEM_DEFAULT_CONSTRAINTS)

    # -- Filter and Score, vectorised ---------------------------------------------------------

    def feasible_mask(self, pod_info: PodInfo, lo: int = 0, hi: int | None = None,
                      prepared: bool = False) -> np.ndarray:
        """Which nodes pass every Filter, for the nodes at positions lo..hi (all of them by default).

        `prepared`: `_prepare_filters(pod_info)` was called for this pod already.
        """
        if not prepared:
            self._prepare_filters(pod_info)
        hi = len(self.order) if hi is None else hi
        mask = self._tolerated[self.taints[lo:hi]]  # TaintToleration, one answer per distinct taint set
        if not self._tolerates_unschedulable:  # NodeUnschedulable
            mask &= ~self.unschedulable[lo:hi]
        if self.affinity_mask is not None:  # NodeAffinity: nodeSelector and required terms
            mask &= self.affinity_mask[lo:hi]
        # NodeResourcesFit
        want = pod_info.requests
        mask &= self.pod_count[lo:hi] < self.alloc_pods[lo:hi]
        if want.milli_cpu > 0:
            mask &= want.milli_cpu <= self.alloc_cpu[lo:hi] - self.req_cpu[lo:hi]
        if want.memory > 0:
            mask &= want.memory <= self.alloc_mem[lo:hi] - self.req_mem[lo:hi]
        if want.ephemeral_storage > 0:
            mask &= want.ephemeral_storage <= self.alloc_eph[lo:hi] - self.req_eph[lo:hi]
        return mask

    def _prepare_filters(self, pod_info: PodInfo) -> None:
        """What the filters need from the pod alone, worked out once per pod (not once per node)."""
        spec = pod_info.spec
        tolerations = spec.get("tolerations") or []
        self._filter_pod = pod_info
        self._tolerates_unschedulable = tolerates(tolerations, UNSCHEDULABLE_TAINT)
        self._tolerated = np.array(
            [all(t.get("effect") not in ("NoSchedule", "NoExecute") or tolerates(tolerations, t)
                 for t in map(dict, taint_set)) for taint_set in self.taint_sets], dtype=bool)
        affinity = spec.get("affinity") or {}
        if spec.get("nodeSelector") or (affinity.get("nodeAffinity") or {}).get(
                "requiredDuringSchedulingIgnoredDuringExecution"):
            nodes = self.scheduler.nodes
            matches = (required_node_affinity_matches(spec, nodes[name].node) for name in self.order)
            self.affinity_mask = np.fromiter(matches, dtype=bool, count=len(self.order))
        else:
            self.affinity_mask = None  # every node counts for spreading

    def _find_feasible(self, pod_info: PodInfo, start: int, wanted: int) -> tuple[np.ndarray, int]:
        """The first `wanted` feasible nodes from the round-robin start, and how many nodes were looked at.

        As the reference path's loop, it stops as soon as it has found enough:
        nodes are filtered a stretch at a time, not all 5,000 for every pod.
        """
        n = len(self.order)
        self._prepare_filters(pod_info)
        parts, found, processed, position = [], 0, 0, start
        stretch = wanted + wanted // 4 + 16
        while processed < n and found < wanted:
            lo = position
            hi = min(lo + stretch, n, lo + n - processed)
            hits = np.flatnonzero(self.feasible_mask(pod_info, lo, hi, prepared=True))
            need = wanted - found
            if len(hits) >= need:
                hits = hits[:need]
                processed += int(hits[-1]) + 1
                parts.append(hits + lo)
                found = wanted
                break
            parts.append(hits + lo)
            found += len(hits)
            processed += hi - lo
            position = hi % n
            stretch *= 2
        feasible = np.concatenate(parts) if len(parts) > 1 else parts[0]
        return feasible, processed if found >= wanted else n

    def scores(self, pod_info: PodInfo, feasible: np.ndarray) -> np.ndarray:
        """The weighted total per feasible node, as the reference path's run_score adds it up."""
        spec = pod_info.spec
        total = np.zeros(len(feasible), dtype=np.int64)
        # TaintToleration (weight 3): intolerable PreferNoSchedule taints, normalised in reverse
        prefer = [t for t in spec.get("tolerations") or [] if (t.get("effect") or "PreferNoSchedule")
                  == "PreferNoSchedule"]
        per_set = np.array([sum(1 for t in map(dict, taint_set)
                                if t.get("effect") == "PreferNoSchedule" and not tolerates(prefer, t))
                            for taint_set in self.taint_sets], dtype=np.int64)
        if per_set.any():
            counts = per_set[self.taints[feasible]]
            highest = counts.max()
            taint_score = MAX_NODE_SCORE - MAX_NODE_SCORE * counts // highest if highest else MAX_NODE_SCORE
            total += DEFAULT_WEIGHTS["TaintToleration"] * taint_score
        else:  # no node has a PreferNoSchedule taint this pod minds: every node scores 100
            total += DEFAULT_WEIGHTS["TaintToleration"] * MAX_NODE_SCORE
        # NodeAffinity (weight 2): preferred terms, normalised to the best node
        terms = preferred_terms(spec)
        if terms:
            nodes = self.scheduler.nodes
            raw = np.array([sum(int(t.get("weight", 0)) for t in terms
                                if term_matches(t.get("preference") or {}, nodes[self.order[i]].node))
                            for i in feasible], dtype=np.int64)
            highest = raw.max()
            if highest > 0:
                raw = MAX_NODE_SCORE * raw // highest
            total += DEFAULT_WEIGHTS["NodeAffinity"] * raw
        if not self.zero_capacity:
            total += self._resource_scores(pod_info, feasible)
        else:
            total += self._resource_scores_with_zero_capacity(pod_info, feasible)
        # ImageLocality (weight 1): only nodes that have one of the pod's images score above 0
        total += self._image_scores(pod_info, feasible)
        # PodTopologySpread (weight 2): the system default spreading, for pods of a Service or ReplicaSet
        selector = self.scheduler.default_selector(pod_info)
        if selector is not None:
            total += DEFAULT_WEIGHTS["PodTopologySpread"] * self._spread_scores(pod_info, selector, feasible)
        return total

    def _resource_scores(self, pod_info: PodInfo, feasible: np.ndarray) -> np.ndarray:
        """LeastAllocated plus BalancedAllocation (weight 1 each) when every node has cpu and memory.

        Both depend only on the node's sums and the pod's requests, so for
        each shape of request seen lately the scores of every node are kept,
        and `sync` recomputes only the rows of nodes that changed.
        """
        nz, want = pod_info.non_zero_requests, pod_info.requests
        shape = (nz.milli_cpu, nz.memory, want.milli_cpu, want.memory)
        scores = self.resource_scores.get(shape)
        if scores is None:
            if len(self.resource_scores) >= MAX_CACHED_SHAPES:
                self.resource_scores.pop(next(iter(self.resource_scores)))
            scores = self._resource_scores_of(shape, slice(None))
            self.resource_scores[shape] = scores
        return scores[feasible]

    def _resource_scores_of(self, shape: tuple[int, int, int, int], rows) -> np.ndarray:
        """The arithmetic of fit.py's leastAllocated and balanced_allocation.py, over nodes `rows`.

        (cap - requested) * 100 // cap is negative exactly when the node is
        over-requested, where LeastAllocated scores 0.
        """
        nz_cpu, nz_mem, want_cpu, want_mem = shape
        cap_cpu, cap_mem = self.alloc_cpu[rows], self.alloc_mem[rows]
        least_cpu = np.maximum((cap_cpu - (self.nz_cpu[rows] + nz_cpu)) * MAX_NODE_SCORE // cap_cpu, 0)
        least_mem = np.maximum((cap_mem - (self.nz_mem[rows] + nz_mem)) * MAX_NODE_SCORE // cap_mem, 0)
        total = (least_cpu + least_mem) // 2
        if want_cpu or want_mem:  # BalancedAllocation skips a pod that requests nothing
            f_cpu = np.minimum((self.req_cpu[rows] + want_cpu) / cap_cpu, 1.0)
            f_mem = np.minimum((self.req_mem[rows] + want_mem) / cap_mem, 1.0)
            std = np.abs((f_cpu - f_mem) / 2)
            total += ((1 - std) * MAX_NODE_SCORE).astype(np.int64)
        return total

    def _resource_score_of_row(self, shape: tuple[int, int, int, int], i: int) -> int:
        """`_resource_scores_of` for one node, in plain Python: the same IEEE doubles, the same result
        (the integers are exact in a double, so int / int rounds as numpy's float64 division does)."""
        nz_cpu, nz_mem, want_cpu, want_mem = shape
        cap_cpu, cap_mem = int(self.alloc_cpu[i]), int(self.alloc_mem[i])
        least_cpu = max((cap_cpu - (int(self.nz_cpu[i]) + nz_cpu)) * MAX_NODE_SCORE // cap_cpu, 0)
        least_mem = max((cap_mem - (int(self.nz_mem[i]) + nz_mem)) * MAX_NODE_SCORE // cap_mem, 0)
        total = (least_cpu + least_mem) // 2
        if want_cpu or want_mem:
            f_cpu = min((int(self.req_cpu[i]) + want_cpu) / cap_cpu, 1.0)
            f_mem = min((int(self.req_mem[i]) + want_mem) / cap_mem, 1.0)
            total += int((1 - abs((f_cpu - f_mem) / 2)) * MAX_NODE_SCORE)
        return total

    def _resource_scores_with_zero_capacity(self, pod_info: PodInfo, feasible: np.ndarray) -> np.ndarray:
        total = np.zeros(len(feasible), dtype=np.int64)
        # NodeResourcesFit, LeastAllocated (weight 1)
        score_sum = np.zeros(len(feasible), dtype=np.int64)
        weight_sum = np.zeros(len(feasible), dtype=np.int64)
        nz = pod_info.non_zero_requests
        for capacity, used, asked in ((self.alloc_cpu, self.nz_cpu, nz.milli_cpu),
                                      (self.alloc_mem, self.nz_mem, nz.memory)):
            cap = capacity[feasible]
            requested = used[feasible] + asked
            has = cap > 0
            safe = np.where(has, cap, 1)
            least = np.where(requested > cap, 0, (cap - requested) * MAX_NODE_SCORE // safe)
            score_sum += np.where(has, least, 0)
            weight_sum += has
        total += np.where(weight_sum > 0, score_sum // np.maximum(weight_sum, 1), 0)
        # BalancedAllocation (weight 1), skipped for a pod that requests nothing
        want = pod_info.requests
        if want.milli_cpu or want.memory:
            fractions = []
            for capacity, used, asked in ((self.alloc_cpu, self.req_cpu, want.milli_cpu),
                                          (self.alloc_mem, self.req_mem, want.memory)):
                cap = capacity[feasible]
                has = cap > 0
                fraction = np.minimum((used[feasible] + asked) / np.where(has, cap, 1), 1.0)
                fractions.append((has, fraction))
            (has_cpu, f_cpu), (has_mem, f_mem) = fractions
            std = np.where(has_cpu & has_mem, np.abs((f_cpu - f_mem) / 2), 0.0)
            total += ((1 - std) * MAX_NODE_SCORE).astype(np.int64)
        return total

    def _recount(self, i: int, info) -> None:
        """Bring node i's match counts up to date by the pods that came, went or changed since last time
        (not by counting all of its pods again for every selector)."""
        before, now = self.counted[i], info.pods
        changes = [(pod, -1) for key, (pod_info, pod) in before.items()
                   if (current := now.get(key)) is not pod_info or current.pod is not pod]
        changes += [(pod_info.pod, 1) for key, pod_info in now.items()
                    if (old := before.get(key)) is None or old[0] is not pod_info
                    or old[1] is not pod_info.pod]  # by identity: a pod put back as it was is a change
        for pod, sign in changes:
            meta = pod["metadata"]
            if meta.get("deletionTimestamp"):
                continue  # count_matching leaves out pods being deleted
            pod_namespace, labels = meta.get("namespace", "default"), meta.get("labels") or {}
            for selector, namespace, counts in self.match_counts.values():
                if pod_namespace == namespace and selector.matches(labels):
                    counts[i] += sign
        if changes:
            self.counted[i] = {key: (pod_info, pod_info.pod) for key, pod_info in now.items()}

    def _matching_pods_per_node(self, selector, namespace: str) -> np.ndarray:
        """How many pods on each node match the selector: kept up to date as nodes change (sync)."""
        key = (namespace, str(selector))
        if key not in self.match_counts:
            if len(self.match_counts) >= MAX_CACHED_SELECTORS:
                self.match_counts.pop(next(iter(self.match_counts)))
            nodes = self.scheduler.nodes
            if not self.match_counts:  # the first selector: note what the counts are made of, node by node
                self.counted = [{k: (p, p.pod) for k, p in nodes[name].pods.items()} for name in self.order]
            counts = np.array([count_matching(nodes[name].pods.values(), selector, namespace)
                               for name in self.order], dtype=np.int64)
            self.match_counts[key] = (selector, namespace, counts)
        return self.match_counts[key][2]

    def _spread_scores(self, pod_info: PodInfo, selector, feasible: np.ndarray) -> np.ndarray:
        """System default spreading (hostname maxSkew 3, zone maxSkew 5), as podtopologyspread's Score."""
        counts = self._matching_pods_per_node(selector, pod_info.namespace)
        counted = self.affinity_mask if self.affinity_mask is not None else slice(None)
        zone = self.zone[counted]
        in_zone = zone >= 0
        zone_totals = np.bincount(zone[in_zone], weights=counts[counted][in_zone],
                                  minlength=len(self.zone_ids)).astype(np.int64)
        feasible_zones = self.zone[feasible]
        host_weight = math.log(len(feasible) + 2)
        zone_weight = math.log(len(np.unique(feasible_zones[feasible_zones >= 0])) + 2)
        host_skew, zone_skew = (c["maxSkew"] for c in SYSTEM_DEFAULT_CONSTRAINTS)  # hostname first, then zone
        score = np.zeros(len(feasible))
        host_part = counts[feasible] * host_weight + (host_skew - 1)
        score += np.where(self.has_hostname[feasible], host_part, 0.0)
        zone_part = zone_totals[np.maximum(feasible_zones, 0)] * zone_weight + (zone_skew - 1)
        score += np.where(feasible_zones >= 0, zone_part, 0.0)
        raw = np.floor(score + 0.5).astype(np.int64)  # Go's math.Round
        lowest, highest = raw.min(), raw.max()
        if highest == 0:
            return np.full(len(feasible), MAX_NODE_SCORE, dtype=np.int64)
        return MAX_NODE_SCORE * (highest + lowest - raw) // highest

    def _image_scores(self, pod_info: PodInfo, feasible: np.ndarray) -> np.ndarray:
        containers = (pod_info.spec.get("initContainers") or []) + (pod_info.spec.get("containers") or [])
        result = np.zeros(len(feasible), dtype=np.int64)
        states = self.scheduler.image_states()
        wanted = [normalized_image_name(c.get("image") or "") for c in containers]
        if not containers or not any(name in states for name in wanted):
            return result
        total_nodes = max(len(self.scheduler.nodes), 1)
        nodes = self.scheduler.nodes
        for position, i in enumerate(feasible):
            images = nodes[self.order[i]].images
            sum_scores = sum(int(images[name] * (states.get(name, 0) / total_nodes)) for name in wanted
                             if name in images)
            result[position] = calculate_priority(sum_scores, len(containers))
        return result

    # -- one pod ----------------------------------------------------------------------------

    def schedule(self, fwk, pod_info: PodInfo) -> str | None:
        """The node for the pod, exactly as the reference path would choose; None: use the reference path.

        Moves the scheduler's round-robin start index as the reference path would.
        """
        if not self.eligible(fwk, pod_info):
            return None
        self.sync()
        n = len(self.order)
        if n == 0:
            return None
        s = self.scheduler
        percentage = fwk.percentage_of_nodes_to_score
        if percentage is None:
            percentage = s.percentage_of_nodes_to_score
        wanted = num_feasible_nodes_to_find(percentage, n)
        feasible, processed = self._find_feasible(pod_info, s.next_start_node_index, wanted)
        if not len(feasible):
            return None  # the reference path explains why
        s.next_start_node_index = (s.next_start_node_index + processed) % n
        if len(feasible) == 1:
            return self.order[feasible[0]]
        totals = self.scores(pod_info, feasible)
        tied = feasible[totals == totals.max()]
        pick = tied[s.rng.randrange(len(tied))] if len(tied) > 1 else tied[0]
        return self.order[pick]
