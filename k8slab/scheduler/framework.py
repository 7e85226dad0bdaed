"""The scheduling framework: extension points, plugins, Status, CycleState (notebook 04).

kube-scheduler is a small loop around a list of plugins. For each pod it runs,
in this order (upstream `pkg/scheduler/framework/interface.go`):

    PreFilter -> Filter (per node) -> PostFilter (only if no node fits: preemption)
    -> PreScore -> Score (per node) -> NormalizeScore -> x weight -> pick the best
    -> Reserve -> Permit -> Bind

A plugin is a small class with a `name` and the methods of the extension
points it takes part in; the framework finds them by name (`filter`,
`score`, ...), so a learner's plugin is just a class with a `score` method.
Each plugin answers with a `Status`: success, or a failure code and reasons
in the words `kubectl describe pod` shows ("Insufficient cpu").

`CycleState` is a scratch dict for one scheduling cycle of one pod: PreFilter
computes something once ("how much does this pod request?") and Filter reads
it for every node, as upstream does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

#: Scores are whole numbers from 0 to 100 (framework.MaxNodeScore).
MAX_NODE_SCORE = 100
MIN_NODE_SCORE = 0


class Code(IntEnum):
    """A Status code (framework.Code), with upstream's numbering."""

    Success = 0
    Error = 1
    Unschedulable = 2  # might fit if other pods went away: preemption may help
    UnschedulableAndUnresolvable = 3  # will not fit whatever happens: preemption will not help
    Wait = 4
    Skip = 5
    Pending = 6


@dataclass
class Status:
    """What a plugin answers: a code, the reasons (kubectl's words), and which plugin said so."""

    code: Code = Code.Success
    reasons: list[str] = field(default_factory=list)
    plugin: str = ""

    @classmethod
    def unschedulable(cls, *reasons: str, resolvable: bool = True) -> Status:
        code = Code.Unschedulable if resolvable else Code.UnschedulableAndUnresolvable
        return cls(code, list(reasons))

    def is_success(self) -> bool:
        return self.code == Code.Success

    def is_skip(self) -> bool:
        return self.code == Code.Skip

    def is_rejected(self) -> bool:
        return self.code in (Code.Unschedulable, Code.UnschedulableAndUnresolvable)

    def message(self) -> str:
        return ", ".join(self.reasons)


#: The one Success status, shared (statuses are read, never changed).
SUCCESS = Status()


class CycleState(dict):
    """Scratch space for one pod's scheduling cycle: PreFilter/PreScore write, Filter/Score read.

    Upstream keys it by strings such as "PreFilterNodeResourcesFit"; here it
    is a plain dict with the same kind of keys.
    """


# ----------------------------------------------------------------------------- plugins


class Plugin:
    """Base class for plugins. Override only the extension points the plugin takes part in.

    Extension points (method names, upstream's in snake_case):

    * `pre_filter(state, pod_info) -> Status`
    * `filter(state, pod_info, node_info) -> Status`
    * `post_filter(state, pod_info, statuses) -> (str | None, Status)`   (node to nominate)
    * `pre_score(state, pod_info, node_infos) -> Status`
    * `score(state, pod_info, node_info) -> int`
    * `normalize_score(state, pod_info, scores: dict[node name, int]) -> None`   (in place)
    * `reserve(state, pod_info, node_name) -> Status`, `permit(...) -> Status`
    * `bind(state, pod_info, node_name) -> Status`
    """

    name = "Plugin"

    def __repr__(self) -> str:
        return f"<{self.name}>"


def default_normalize_score(scores: dict[str, int], reverse: bool = False,
                            max_priority: int = MAX_NODE_SCORE) -> None:
    """Scale scores so the highest becomes `max_priority` (helper.DefaultNormalizeScore).

    With `reverse`, the highest becomes 0 and 0 becomes `max_priority`
    (TaintToleration: fewer intolerable taints is better).
    """
    highest = max(scores.values(), default=0)
    for name, score in scores.items():
        if highest == 0:
            scores[name] = max_priority if reverse else score
            continue
        scaled = max_priority * score // highest
        scores[name] = max_priority - scaled if reverse else scaled


def extension_points(plugin: Any) -> list[str]:
    """The extension points a plugin implements (the methods it overrides)."""
    points = ["pre_filter", "filter", "post_filter", "pre_score", "score", "normalize_score",
              "reserve", "permit", "bind"]
    return [p for p in points if callable(getattr(plugin, p, None))]


# ----------------------------------------------------------------------------- the "no node fits" error


@dataclass
class Diagnosis:
    """Why each node was rejected: node name -> Status (framework.Diagnosis)."""

    node_to_status: dict[str, Status] = field(default_factory=dict)
    unschedulable_plugins: set[str] = field(default_factory=set)
    pre_filter_msg: str = ""
    post_filter_msg: str = ""


def reasons_histogram(statuses: dict[str, Status]) -> list[str]:
    """"N reason" strings, counted over nodes and sorted as strings, as upstream's FitError does."""
    counts: Counter[str] = Counter()
    for status in statuses.values():
        for reason in status.reasons:
            counts[reason] += 1
    return sorted(f"{count} {reason}" for reason, count in counts.items())


@dataclass
class FitError(Exception):
    """No node fits the pod. `str()` is the message `kubectl describe pod` shows (framework.FitError)."""

    pod_key: str
    num_all_nodes: int
    diagnosis: Diagnosis

    def __str__(self) -> str:
        message = f"0/{self.num_all_nodes} nodes are available:"
        if self.diagnosis.pre_filter_msg:
            message += f" {self.diagnosis.pre_filter_msg}."
        else:
            histogram = reasons_histogram(self.diagnosis.node_to_status)
            if histogram:
                message += f" {', '.join(histogram)}."
        if self.diagnosis.post_filter_msg:
            message += f" {self.diagnosis.post_filter_msg}"
        return message


class SchedulingError(Exception):
    """Something went wrong in the scheduler itself (a plugin raised): the pod is retried after back-off."""


# ----------------------------------------------------------------------------- a profile: plugins + weights


@dataclass
class NodeScores:
    """One node's scores in one cycle: per plugin (weighted) and the total (framework.NodePluginScores)."""

    name: str
    per_plugin: dict[str, int] = field(default_factory=dict)
    total: int = 0


class Framework:
    """A scheduling profile: the plugins that run at each extension point, and the score weights.

    Upstream's `frameworkImpl`. Each `schedulerName` a pod can ask for is one
    Framework. Plugins run in the order given; a plugin takes part in every
    extension point it has a method for.
    """

    def __init__(self, plugins: list[Plugin], weights: dict[str, int] | None = None,
                 scheduler_name: str = "default-scheduler", percentage_of_nodes_to_score: int | None = None):
        names = [getattr(p, "name", None) for p in plugins]
        for plugin, name in zip(plugins, names, strict=True):
            if not isinstance(name, str) or not name:
                raise ValueError(f"plugin {plugin!r} has no name: give its class a `name = \"...\"`")
            if not extension_points(plugin):
                raise ValueError(f'plugin "{name}" implements no extension point (filter, score, bind, ...)')
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"plugins listed twice: {', '.join(duplicates)}")
        self.weights = dict(weights or {})
        for name, weight in self.weights.items():
            if type(weight) is not int or weight < 1:
                raise ValueError(f'plugin "{name}": weight must be a whole number >= 1, got {weight!r}')
        if percentage_of_nodes_to_score is not None and not 0 <= percentage_of_nodes_to_score <= 100:
            raise ValueError("percentageOfNodesToScore must be between 0 and 100, "
                             f"got {percentage_of_nodes_to_score}")
        self.plugins = list(plugins)
        self.scheduler_name = scheduler_name
        self.percentage_of_nodes_to_score = percentage_of_nodes_to_score
        self.pre_filter_plugins = self._implementing("pre_filter")
        self.filter_plugins = self._implementing("filter")
        self.post_filter_plugins = self._implementing("post_filter")
        self.pre_score_plugins = self._implementing("pre_score")
        self.score_plugins = self._implementing("score")
        self.reserve_plugins = self._implementing("reserve")
        self.permit_plugins = self._implementing("permit")
        self.bind_plugins = self._implementing("bind")
        if not self.bind_plugins:
            raise ValueError(f'profile "{scheduler_name}" has no bind plugin (add DefaultBinder)')

    def __repr__(self) -> str:
        return f"Framework({self.scheduler_name!r}, plugins={[p.name for p in self.plugins]})"

    def _implementing(self, point: str) -> list[Plugin]:
        return [p for p in self.plugins if callable(getattr(p, point, None))]

    def weight(self, plugin: Plugin) -> int:
        return self.weights.get(plugin.name, 1)

    def plugin(self, name: str) -> Plugin | None:
        return next((p for p in self.plugins if p.name == name), None)

    # -- extension points --------------------------------------------------------------

    def run_pre_filter(self, state: CycleState, pod_info) -> Status:
        """Every PreFilter; the first rejection stops the cycle (no node is looked at)."""
        for plugin in self.pre_filter_plugins:
            status = plugin.pre_filter(state, pod_info)
            if status.is_skip():
                state.setdefault("skip_filter", set()).add(plugin.name)
            elif not status.is_success():
                return Status(status.code, status.reasons, plugin.name)
        return SUCCESS

    def run_filter(self, state: CycleState, pod_info, node_info) -> Status:
        """Filters in order; the first that rejects the node decides (upstream RunFilterPlugins)."""
        skip = state.get("skip_filter", ())
        for plugin in self.filter_plugins:
            if plugin.name in skip:
                continue
            try:
                status = plugin.filter(state, pod_info, node_info)
            except Exception as error:  # a broken plugin is the scheduler's error, not the pod's
                return Status(Code.Error, [f'running "{plugin.name}" filter plugin: {error!r}'], plugin.name)
            if not status.is_success():
                return Status(status.code, status.reasons, plugin.name)
        return SUCCESS

    def run_post_filter(self, state: CycleState, pod_info, statuses: dict[str, Status]) -> tuple[str, Status]:
        """PostFilter plugins (preemption) until one succeeds: (nominated node or "", status)."""
        messages = []
        for plugin in self.post_filter_plugins:
            nominated, status = plugin.post_filter(state, pod_info, statuses)
            if status.is_success():
                return nominated, status
            if status.reasons:
                messages.extend(status.reasons)
        return "", Status(Code.Unschedulable, messages)

    def run_pre_score(self, state: CycleState, pod_info, node_infos: list) -> None:
        skipped = set()
        for plugin in self.pre_score_plugins:
            status = plugin.pre_score(state, pod_info, node_infos)
            if status.is_skip():
                skipped.add(plugin.name)
        state["skip_score"] = skipped

    def run_score(self, state: CycleState, pod_info, node_infos: list,
                  detail: dict | None = None) -> list[NodeScores]:
        """Score every feasible node with every Score plugin, normalise, weight, add up.

        `detail`, if given, receives {plugin: (raw scores, normalised scores)} for `explain`.
        """
        results = [NodeScores(info.name) for info in node_infos]
        skip = state.get("skip_score", ())
        for plugin in self.score_plugins:
            if plugin.name in skip:
                continue
            try:
                scores = {info.name: plugin.score(state, pod_info, info) for info in node_infos}
            except Exception as error:
                message = f'running Score plugins: plugin "{plugin.name}" failed with: {error!r}'
                raise SchedulingError(message) from error
            raw = dict(scores) if detail is not None else None
            if callable(getattr(plugin, "normalize_score", None)):
                plugin.normalize_score(state, pod_info, scores)
            if detail is not None:
                detail[plugin.name] = (raw, dict(scores))
            weight = self.weight(plugin)
            for result in results:
                score = scores[result.name]
                if not MIN_NODE_SCORE <= score <= MAX_NODE_SCORE:
                    raise ValueError(f'plugin "{plugin.name}" returned score {score} '
                                     f'for node "{result.name}", '
                                     f"outside [{MIN_NODE_SCORE}, {MAX_NODE_SCORE}]")
                result.per_plugin[plugin.name] = score * weight
                result.total += score * weight
        return results

    def run_reserve(self, state: CycleState, pod_info, node_name: str) -> Status:
        for plugin in self.reserve_plugins:
            status = plugin.reserve(state, pod_info, node_name)
            if not status.is_success():
                return Status(status.code, status.reasons, plugin.name)
        return SUCCESS

    def run_permit(self, state: CycleState, pod_info, node_name: str) -> Status:
        for plugin in self.permit_plugins:
            status = plugin.permit(state, pod_info, node_name)
            if not status.is_success():
                return Status(status.code, status.reasons, plugin.name)
        return SUCCESS

    def run_bind(self, state: CycleState, pod_info, node_name: str) -> Status:
        """Bind plugins in order until one does not Skip (DefaultBinder never skips)."""
        for plugin in self.bind_plugins:
            status = plugin.bind(state, pod_info, node_name)
            if status.is_skip():
                continue
            return status if status.is_success() else Status(status.code, status.reasons, plugin.name)
        return Status(Code.Error, ["no bind plugin bound the pod"])
