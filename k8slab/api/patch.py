"""Patches: the three ways a client changes part of an object (built in notebook 02).

`kubectl patch`, `kubectl apply`, `kubectl edit`, `kubectl label` and most
controllers do not send a whole object back to the API server. They send a
*patch*, and the server applies it to the object it has stored, so two
writers that touch different fields do not overwrite each other. The
request's Content-Type says which of three languages the patch is written in:

| Content-Type                             | here                    | the patch is                          |
|------------------------------------------|-------------------------|---------------------------------------|
| `application/json-patch+json`            | `json_patch`            | a list of operations (RFC 6902)       |
| `application/merge-patch+json`           | `json_merge_patch`      | a partial object (RFC 7386)           |
| `application/strategic-merge-patch+json` | `strategic_merge_patch` | a partial object whose lists merge by |
|                                          |                         | key (Kubernetes' own)                 |

`kubectl patch` and `kubectl apply` send a strategic merge patch for built-in
kinds. The difference shows on lists. With a JSON merge patch,
`{"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}` replaces
the whole list, dropping every other container and every field of `web` the
patch does not repeat. With a strategic merge patch, the server knows (from the
`patchStrategy:"merge" patchMergeKey:"name"` tags on the Go struct) that
containers are identified by `name`, so it changes the image of `web` and
leaves everything else alone. `PATCH_STRATEGIES` below is that knowledge,
copied from the struct tags in k8s.io/api and k8s.io/apimachinery.

Custom resources have no Go struct, hence no tags: kube-apiserver refuses a
strategic merge patch for them with 415 Unsupported Media Type, and kubectl
sends them a JSON merge patch instead. Here `kind=None` means "a custom
resource". A kind missing from `PATCH_STRATEGIES` is refused the same way, so
a kind added to the lab without its patch strategies fails loudly.

`three_way_merge` is what `kubectl apply` computes on the client: from the
manifest it applied last time, the new manifest and the live object, the patch
that sets what the user changed, deletes what the user removed, and keeps
what other writers (the server's defaults, controllers, `status`) added.
`create_merge_patch` and `create_strategic_merge_patch` are the two-way
versions (a patch that turns one object into another).

None of these functions changes its arguments: they work on deep copies, so a
patch that fails halfway leaves nothing changed.

Where this differs from upstream, on purpose:

* JSON patch follows RFC 6902 exactly. kube-apiserver's library
  (evanphx/json-patch v4) is looser in two places: `replace` of a missing
  object member adds it, and `test` of a missing member against `null` passes.
  Both are refused here.
* Server-side apply (`application/apply-patch+yaml`, managed fields) is not
  modelled; `kubectl apply` here is the classic client-side apply.
* A value copied from a strategic merge patch into the object loses its
  `null`s and `$` directives. Upstream copies them, and decoding into the Go
  struct then drops them, so the stored object is the same.
* `$deleteFromPrimitiveList` runs before the values the same patch adds to
  that list (upstream's order depends on Go's random map order).
* `three_way_merge` never reports a conflict: it is `kubectl apply`'s default,
  `overwrite=true`.
* Two corner cases of strategic merge patch come out differently; upstream's
  own test corpus (apimachinery's strategicpatch/patch_test.go) otherwise
  agrees with this module on 478 of 481 checks. (1) When a patch with
  `$setElementOrder` deletes and adds elements of a list that also has
  elements only the server knows, upstream places those server-only elements
  by a Go slice that shares memory with the list it is changing; here they
  follow the general rule in `_order_like_upstream`. (2) A `$patch` directive
  written into a manifest reaches `three_way_merge`'s patch; upstream drops it.
* JSON patch errors name the operation's index. kube-apiserver says only "the
  server rejected our request due to an error in our request" (the library's
  text goes to its log), which is kept in `PatchError.status_message`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

JSON = Any  # a JSON value: dict (with str keys), list, str, int, float, bool or None

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

# The patch types kube-apiserver accepts for a built-in kind, and for a custom resource (no strategic merge).
BUILT_IN_PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)
CUSTOM_RESOURCE_PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, APPLY_PATCH)

# kube-apiserver's Status message for a JSON patch that does not apply (HTTP 422).
REJECTED = "the server rejected our request due to an error in our request"

# ... and for a patch type the resource does not accept (HTTP 415): strategic merge for a custom resource.
UNSUPPORTED_MEDIA_TYPE = (
    "the body of the request was in an unknown format - accepted media types include: "
    + ", ".join(CUSTOM_RESOURCE_PATCH_TYPES)
)


class PatchError(ValueError):
    """A patch that cannot be applied. The object it was meant for is unchanged.

    `str(error)` says what went wrong and where (operation index, path).
    `code`, `reason` and `status_message` are what kube-apiserver puts in the
    `Status` it answers with:

    * 422 Invalid, message REJECTED: a JSON patch operation that does not apply.
    * 400 BadRequest: a malformed patch (not a list of operations, a bad directive).
    * 415 UnsupportedMediaType: a strategic merge patch for a custom resource.
    * 500 with no reason: what upstream's strategic merge code does not classify,
      such as a list element without its merge key; kubectl prints it as
      `Error from server: map: map[image:nginx] does not contain declared merge key: name`.

    `path` is the JSON pointer or field path involved, when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int = 400,
        reason: str = "BadRequest",
        status_message: str | None = None,
        path: str = "",
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.reason = reason
        self.status_message = message if status_message is None else status_message
        self.path = path


# ----------------------------------------------------------------------------------------------------
# JSON values
# ----------------------------------------------------------------------------------------------------


def json_type(value: JSON) -> str:
    """The JSON type of a Python value: object, array, string, number, boolean or null."""
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: in Python, True is an int
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise PatchError(f"not a JSON value: {value!r} (a {type(value).__name__})")


def json_equal(a: JSON, b: JSON) -> bool:
    """Equality as JSON means it: `true` is not `1` (Python says True == 1), `1` is `1.0`."""
    kind = json_type(a)
    if kind != json_type(b):
        return False
    if kind == "object":
        return a.keys() == b.keys() and all(json_equal(a[key], b[key]) for key in a)
    if kind == "array":
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


# ----------------------------------------------------------------------------------------------------
# JSON merge patch (RFC 7386), application/merge-patch+json
# ----------------------------------------------------------------------------------------------------


def json_merge_patch(original: JSON, patch: JSON) -> JSON:
    """Apply an RFC 7386 merge patch: objects merge key by key, `null` deletes a key, anything else replaces.

    A list in the patch replaces the list in the object whole; there is no way
    to change one element. That is what strategic merge patch adds.
    """
    return _merge_patch(copy.deepcopy(original), copy.deepcopy(patch))


def _merge_patch(target: JSON, patch: JSON) -> JSON:
    """RFC 7386 section 2's MergePatch(Target, Patch), on copies this module owns."""
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict):
        target = {}
    for name, value in patch.items():
        if value is None:
            target.pop(name, None)
        else:
            target[name] = _merge_patch(target.get(name), value)
    return target


def create_merge_patch(original: JSON, modified: JSON) -> JSON:
    """The merge patch that turns `original` into `modified` (what kubectl sends for a custom resource).

    Fields that changed are set, fields that are gone become `null`, objects
    are compared field by field and lists as wholes. A `null` inside
    `modified` cannot be expressed: a merge patch reads it as "delete".
    """
    if not (isinstance(original, dict) and isinstance(modified, dict)):
        return copy.deepcopy(modified)
    patch: dict[str, JSON] = {key: None for key in original if key not in modified}
    for key, new in modified.items():
        if key not in original:
            patch[key] = copy.deepcopy(new)
        elif isinstance(original[key], dict) and isinstance(new, dict):
            changes = create_merge_patch(original[key], new)
            if changes:
                patch[key] = changes
        elif not json_equal(original[key], new):
            patch[key] = copy.deepcopy(new)
    return patch


# ----------------------------------------------------------------------------------------------------
# JSON patch (RFC 6902) with JSON pointers (RFC 6901), application/json-patch+json
# ----------------------------------------------------------------------------------------------------


class _OperationFailed(Exception):
    """One JSON patch operation does not apply; json_patch adds which one it was."""


def json_patch(original: JSON, operations: list[dict]) -> JSON:
    """Apply an RFC 6902 JSON patch: add, remove, replace, move, copy and test, in order, all or nothing.

    Each operation names its target with a JSON pointer (RFC 6901): `/spec/replicas`,
    `/spec/containers/0/image`; `~1` stands for `/` and `~0` for `~` inside a
    name (`/metadata/labels/app.kubernetes.io~1name`), and `-` is the end of a
    list (`add` to `/spec/containers/-` appends). The operations run on a deep
    copy, so if one fails (a `test` that does not hold, a missing path) the
    caller gets a PatchError and the original is untouched.
    """
    if not isinstance(operations, list):
        raise PatchError(f"a JSON patch is a list of operations, not {_a(json_type(operations))}")
    document = copy.deepcopy(original)
    for index, operation in enumerate(operations):
        document = _apply_operation(document, operation, index)
    return document


def _apply_operation(document: JSON, operation: dict, index: int) -> JSON:
    if not isinstance(operation, dict):
        raise PatchError(f"operation {index}: an operation is an object, not {_a(json_type(operation))}")
    op = operation.get("op")
    path = operation.get("path", "")
    apply = _OPERATIONS.get(op) if isinstance(op, str) else None
    if apply is None:
        known = ", ".join(_OPERATIONS)
        raise PatchError(
            f"operation {index}: Unexpected kind: {op} (the operations are {known})",
            code=422,
            reason="Invalid",
            status_message=REJECTED,
            path=str(path),
        )
    try:
        return apply(document, operation)
    except _OperationFailed as failure:
        raise PatchError(
            f"operation {index} ({op}): {failure}",
            code=422,
            reason="Invalid",
            status_message=REJECTED,
            path=str(path),
        ) from None


def _add(document: JSON, operation: dict) -> JSON:
    pointer = _member(operation, "path")
    return _add_at(document, pointer, copy.deepcopy(_member(operation, "value")))


def _remove(document: JSON, operation: dict) -> JSON:
    document, _ = _remove_at(document, _member(operation, "path"))
    return document


def _replace(document: JSON, operation: dict) -> JSON:
    pointer = _member(operation, "path")
    value = copy.deepcopy(_member(operation, "value"))
    tokens = _parse_pointer(pointer)
    if not tokens:
        return value
    parent, last = _parent(document, tokens, pointer)
    if isinstance(parent, dict):
        if last not in parent:
            raise _OperationFailed(_missing(pointer))
        parent[last] = value
    else:
        parent[_list_index(last, len(parent), pointer)] = value
    return document


def _move(document: JSON, operation: dict) -> JSON:
    source, target = _member(operation, "from"), _member(operation, "path")
    if target.startswith(source + "/"):
        raise _OperationFailed(f'cannot move "{source}" into one of its own children ("{target}")')
    document, value = _remove_at(document, source)
    return _add_at(document, target, value)


def _copy(document: JSON, operation: dict) -> JSON:
    source, target = _member(operation, "from"), _member(operation, "path")
    value = _get(document, source)
    return _add_at(document, target, copy.deepcopy(value))


def _test(document: JSON, operation: dict) -> JSON:
    pointer = _member(operation, "path")
    expected = _member(operation, "value")
    if not json_equal(_get(document, pointer), expected):
        raise _OperationFailed(f'testing value "{pointer}" failed: test failed')
    return document


_OPERATIONS = {
    "add": _add,
    "remove": _remove,
    "replace": _replace,
    "move": _move,
    "copy": _copy,
    "test": _test,
}


def _member(operation: dict, name: str) -> JSON:
    """A member the operation must have: `path`, `from`, or `value` (which may be null)."""
    if name not in operation:
        raise _OperationFailed(f'the operation is missing its "{name}" member: missing value')
    value = operation[name]
    if name in ("path", "from") and not isinstance(value, str):
        raise _OperationFailed(f'"{name}" must be a JSON pointer (a string), not {_a(json_type(value))}')
    return value


def _parse_pointer(pointer: str) -> list[str]:
    """RFC 6901: "" is the whole document, "/a/b" is ["a", "b"]; "~1" decodes to "/", then "~0" to "~"."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise _OperationFailed(f'invalid JSON pointer "{pointer}": it must be empty or start with "/"')
    if re.search(r"~(?![01])", pointer):
        raise _OperationFailed(f'invalid JSON pointer "{pointer}": "~" must be followed by 0 or 1')
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def _list_index(token: str, size: int, pointer: str, *, end_allowed: bool = False) -> int:
    """A list index from a pointer token: digits without leading zeros, naming an element (or, for
    `add`, the position just past the last one)."""
    if not re.fullmatch(r"0|[1-9][0-9]*", token):
        raise _OperationFailed(f'"{token}" in "{pointer}" is not a list index')
    index = int(token)
    if index > size or (index == size and not end_allowed):
        raise _OperationFailed(f'index {index} in "{pointer}" is out of range: the list has {size} item(s)')
    return index


def _missing(pointer: str) -> str:
    return f'doc is missing path: "{pointer}": missing value'


def _get(document: JSON, pointer: str) -> JSON:
    """The value a pointer names; it must exist."""
    value = document
    for token in _parse_pointer(pointer):
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token != "-":
            value = value[_list_index(token, len(value), pointer)]
        else:
            raise _OperationFailed(_missing(pointer))
    return value


def _parent(document: JSON, tokens: list[str], pointer: str) -> tuple[dict | list, str]:
    """The object or list that holds the pointer's last token; it must exist."""
    parent = document
    for token in tokens[:-1]:
        if isinstance(parent, dict) and token in parent:
            parent = parent[token]
        elif isinstance(parent, list) and token != "-":
            parent = parent[_list_index(token, len(parent), pointer)]
        else:
            raise _OperationFailed(_missing(pointer))
    if not isinstance(parent, dict | list):
        raise _OperationFailed(_missing(pointer))
    return parent, tokens[-1]


def _add_at(document: JSON, pointer: str, value: JSON) -> JSON:
    """RFC 6902 "add": set an object member, or insert into a list (its parent must exist)."""
    tokens = _parse_pointer(pointer)
    if not tokens:
        return value
    parent, last = _parent(document, tokens, pointer)
    if isinstance(parent, dict):
        parent[last] = value
    elif last == "-":
        parent.append(value)
    else:
        parent.insert(_list_index(last, len(parent), pointer, end_allowed=True), value)
    return document


def _remove_at(document: JSON, pointer: str) -> tuple[JSON, JSON]:
    """RFC 6902 "remove": the document without the value, and the value (it must exist)."""
    tokens = _parse_pointer(pointer)
    if not tokens:
        raise _OperationFailed('cannot remove the whole document (path "")')
    parent, last = _parent(document, tokens, pointer)
    if isinstance(parent, dict):
        if last not in parent:
            raise _OperationFailed(_missing(pointer))
        return document, parent.pop(last)
    if last == "-":
        raise _OperationFailed(_missing(pointer))
    return document, parent.pop(_list_index(last, len(parent), pointer))


# ----------------------------------------------------------------------------------------------------
# Strategic merge patch, application/strategic-merge-patch+json: which lists merge, and by which key
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatchMeta:
    """How strategic merge patch treats one field: its `patchStrategy` and `patchMergeKey` Go struct tags.

    `strategy` is the tag's text. "merge": the list merges with the live list
    instead of replacing it. "retainKeys": `kubectl apply` lists the map's
    fields in a `$retainKeys` directive, and the server clears the ones not
    listed (so switching a Deployment's strategy to Recreate clears
    rollingUpdate). Fields can have both: "merge,retainKeys". `merge_key`
    names the field that identifies an element of a merging list of objects; a
    merging list of strings (finalizers) has none and merges as a set.
    """

    strategy: str
    merge_key: str = ""

    @property
    def merges(self) -> bool:
        return "merge" in self.strategy.split(",")

    @property
    def retains_keys(self) -> bool:
        return "retainKeys" in self.strategy.split(",")


REPLACE = PatchMeta("")  # a field without tags: a patch replaces its value whole


def _under(prefix: str, table: dict[str, PatchMeta]) -> dict[str, PatchMeta]:
    """The same strategies one level down: _under("spec", {"containers": m}) == {"spec.containers": m}."""
    return {f"{prefix}.{path}": meta for path, meta in table.items()}


# Field paths are dotted JSON names from the object's root; "[]" steps into each element of a
# list, so "spec.containers[].env" is the env list of every container. Every entry was checked
# against the struct tags in k8s.io/api core/v1/types.go and apps/v1/types.go, and
# k8s.io/apimachinery pkg/apis/meta/v1/types.go.

OBJECT_META = {  # metav1.ObjectMeta, in every kind
    "ownerReferences": PatchMeta("merge", "uid"),
    "finalizers": PatchMeta("merge"),  # a list of strings: merged as a set
}

CONTAINER = {  # core/v1 Container, and EphemeralContainerCommon
    "ports": PatchMeta("merge", "containerPort"),
    "env": PatchMeta("merge", "name"),
    "volumeMounts": PatchMeta("merge", "mountPath"),
    "volumeDevices": PatchMeta("merge", "devicePath"),
}

POD_SPEC = {  # core/v1 PodSpec
    "volumes": PatchMeta("merge,retainKeys", "name"),
    "initContainers": PatchMeta("merge", "name"),
    "containers": PatchMeta("merge", "name"),
    "ephemeralContainers": PatchMeta("merge", "name"),
    "imagePullSecrets": PatchMeta("merge", "name"),
    "hostAliases": PatchMeta("merge", "ip"),
    "topologySpreadConstraints": PatchMeta("merge", "topologyKey"),
    "schedulingGates": PatchMeta("merge", "name"),
    "resourceClaims": PatchMeta("merge,retainKeys", "name"),
    # No tags (+listType=atomic), so a patch replaces the whole list: tolerations, readinessGates.
    **_under("initContainers[]", CONTAINER),
    **_under("containers[]", CONTAINER),
    **_under("ephemeralContainers[]", CONTAINER),
}

POD_STATUS = {  # core/v1 PodStatus; containerStatuses has no tags, so it is replaced whole
    "conditions": PatchMeta("merge", "type"),
    "podIPs": PatchMeta("merge", "ip"),
    "hostIPs": PatchMeta("merge", "ip"),
}

POD_TEMPLATE_SPEC = {**_under("metadata", OBJECT_META), **_under("spec", POD_SPEC)}

CONDITIONS_BY_TYPE = {"conditions": PatchMeta("merge", "type")}

METADATA = _under("metadata", OBJECT_META)

PATCH_STRATEGIES: dict[str, dict[str, PatchMeta]] = {
    "Pod": {**METADATA, **_under("spec", POD_SPEC), **_under("status", POD_STATUS)},
    "Deployment": {
        **METADATA,
        "spec.strategy": PatchMeta("retainKeys"),
        **_under("spec.template", POD_TEMPLATE_SPEC),
        **_under("status", CONDITIONS_BY_TYPE),
    },
    "ReplicaSet": {
        **METADATA,
        **_under("spec.template", POD_TEMPLATE_SPEC),
        **_under("status", CONDITIONS_BY_TYPE),
    },
    # Upstream also declares +listMapKey=port and +listMapKey=protocol (the identity server-side
    # apply uses), but the strategic merge key is `port` alone: a TCP and a UDP port 53 look like
    # one element to a strategic merge patch. That is upstream's behaviour, kept as it is.
    "Service": {**METADATA, "spec.ports": PatchMeta("merge", "port"), **_under("status", CONDITIONS_BY_TYPE)},
    # spec.taints has no tags (+listType=atomic): replaced whole. Upstream warns that `type` is not
    # unique among addresses (a dual-stack node has two InternalIPs) and that writers should
    # replace the list instead of merging it.
    "Node": {
        **METADATA,
        "spec.podCIDRs": PatchMeta("merge"),
        "status.conditions": PatchMeta("merge", "type"),
        "status.addresses": PatchMeta("merge", "type"),
    },
    "Namespace": {**METADATA, **_under("status", CONDITIONS_BY_TYPE)},
    # Built-in kinds with no merging lists of their own, only ObjectMeta's.
    "ConfigMap": METADATA,
    "Secret": METADATA,
    "Event": METADATA,
    "EndpointSlice": METADATA,
    "Lease": METADATA,
    "PriorityClass": METADATA,
}


def patch_strategies_for(kind: str | None) -> dict[str, PatchMeta]:
    """The field strategies of a kind; a custom resource (None) or an unknown kind has none: 415."""
    if kind is None or kind not in PATCH_STRATEGIES:
        what = "custom resources" if kind is None else f'kind "{kind}" (not in PATCH_STRATEGIES)'
        raise PatchError(
            f"strategic merge patch is not supported for {what}: {UNSUPPORTED_MEDIA_TYPE}",
            code=415,
            reason="UnsupportedMediaType",
            status_message=UNSUPPORTED_MEDIA_TYPE,
        )
    return PATCH_STRATEGIES[kind]


# The directives a strategic merge patch may carry besides the fields themselves.
PATCH = "$patch"  # {"$patch": "delete" | "replace"} in a map or a list element
RETAIN_KEYS = "$retainKeys"  # ["type"]: clear every field of this map that is not listed
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"  # "$deleteFromPrimitiveList/finalizers": ["a"]
SET_ELEMENT_ORDER = "$setElementOrder"  # "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]


# ----------------------------------------------------------------------------------------------------
# Strategic merge patch: applying one (what kube-apiserver does)
# ----------------------------------------------------------------------------------------------------


def strategic_merge_patch(original: dict, patch: dict, kind: str | None) -> dict:
    """Apply a strategic merge patch to an object of `kind` (None: a custom resource, refused with 415).

    Like a JSON merge patch (objects merge, `null` deletes a key, scalars
    replace), except for the lists PATCH_STRATEGIES marks "merge":

    * a list of objects merges element by element, matched by the merge key:
      `{"containers": [{"name": "web", "image": "nginx:1.27"}]}` changes web's
      image and keeps every other container and field; an element with a new
      key is added (first, as upstream orders it, unless `$setElementOrder`
      says otherwise);
    * a list of strings (finalizers) merges as a set.

    Directives, for what plain values cannot say:

    * `{"name": "sidecar", "$patch": "delete"}` in a merging list deletes that element;
    * `{"$patch": "replace"}` in a list replaces the whole list with the other
      elements of the patch list; in a map, replaces the whole map with the patch's map;
    * `{"$patch": "delete"}` in a map empties it (the field stays, as `{}`, as upstream);
    * `"$deleteFromPrimitiveList/finalizers": ["x"]` removes values from a list of strings;
    * `"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]` puts a merging list in that order;
    * `"$retainKeys": ["type"]` clears every field of the map that is not listed.
    """
    strategies = patch_strategies_for(kind)
    for name, value in (("object", original), ("patch", patch)):
        if not isinstance(value, dict):
            raise PatchError(
                f"invalid JSON document: the {name} must be an object, not {_a(json_type(value))}"
            )
    return _merge_map(copy.deepcopy(original), copy.deepcopy(patch), strategies, "")


def _merge_map(original: dict, patch: dict, strategies: dict[str, PatchMeta], path: str) -> dict:
    """Merge a patch map into a map (both copies this module owns; `original` is changed in place)."""
    if PATCH in patch:
        return _map_directive(patch, path)
    _apply_retain_keys(original, patch, path)
    _apply_set_element_orders(original, patch, strategies, path)
    _apply_primitive_list_deletions(original, patch, path)
    for key, value in patch.items():
        field = _child(path, key)
        meta = strategies.get(field, REPLACE)
        if value is None:
            original.pop(key, None)
        elif key not in original or json_type(original[key]) != json_type(value):
            _set_from_patch(original, key, value)
        elif isinstance(value, dict):
            original[key] = _merge_map(original[key], value, strategies, field)
        elif isinstance(value, list) and meta.merges:
            original[key] = _merge_list(original[key], value, meta, strategies, field)
        else:  # a scalar, or a list that is replaced whole
            _set_from_patch(original, key, value)
    return original


def _map_directive(patch: dict, path: str) -> dict:
    """`{"$patch": "replace", ...}` becomes the rest of the patch; `{"$patch": "delete"}` an empty map."""
    directive = patch[PATCH]
    if directive == "replace":
        return _without_directives({key: value for key, value in patch.items() if key != PATCH})
    if directive == "delete":
        return {}
    raise _unclassified(f"unknown patch type: {_go(directive)} in map: {_go(patch)}", path)


def _set_from_patch(original: dict, key: str, value: JSON) -> None:
    """Take a value from the patch as it is; a bare directive (`{"$patch": "delete"}`) removes the key."""
    cleaned = _without_directives(value)
    if cleaned is _DROPPED:
        original.pop(key, None)
    else:
        original[key] = cleaned


_DROPPED = object()  # what _without_directives returns for a map that is only a directive


def _without_directives(value: JSON) -> JSON:
    """A value from the patch, minus what only means something to a merge: maps marked with `$patch`,
    `$` directive keys, and `null` members (there is nothing under them to delete)."""
    if isinstance(value, dict):
        if PATCH in value:
            return _DROPPED
        cleaned = {}
        for key, member in value.items():
            if member is None or _is_directive(key):
                continue
            member = _without_directives(member)
            if member is not _DROPPED:
                cleaned[key] = member
        return cleaned
    if isinstance(value, list):
        return [element for element in map(_without_directives, value) if element is not _DROPPED]
    return value


def _is_directive(key: str) -> bool:
    return key in (PATCH, RETAIN_KEYS) or key.startswith((DELETE_FROM_PRIMITIVE_LIST, SET_ELEMENT_ORDER))


def _apply_retain_keys(original: dict, patch: dict, path: str) -> None:
    """`$retainKeys`: clear the map's fields that are not listed (and the patch may only set listed ones)."""
    if RETAIN_KEYS not in patch:
        return
    retained = patch.pop(RETAIN_KEYS)
    if not isinstance(retained, list):
        raise PatchError("invalid patch format of retainKeys", path=path)
    for key, value in patch.items():
        if value is not None and not _is_directive(key) and key not in retained:
            raise PatchError(
                f"invalid patch format of retainKeys: the patch sets {key!r}, not in {RETAIN_KEYS}",
                path=path,
            )
    for key in list(original):
        if key not in retained:
            del original[key]


def _directive_field(key: str, prefix: str, path: str) -> str:
    """The field a parallel-list directive is about: "$setElementOrder/containers" -> "containers"."""
    directive, slash, field = key.partition("/")
    if directive != prefix or not slash or not field:
        what = "primitive list" if prefix == DELETE_FROM_PRIMITIVE_LIST else "setElementOrder list"
        raise PatchError(f"invalid patch format of {what}: {key!r}", path=path)
    return field


def _apply_primitive_list_deletions(original: dict, patch: dict, path: str) -> None:
    """`$deleteFromPrimitiveList/<field>`: remove those values (every copy) from the list, never add any."""
    for key in [key for key in patch if key.startswith(DELETE_FROM_PRIMITIVE_LIST)]:
        unwanted = patch.pop(key)
        field = _directive_field(key, DELETE_FROM_PRIMITIVE_LIST, path)
        if not isinstance(unwanted, list):
            raise PatchError("invalid patch format of primitive list", path=_child(path, field))
        if isinstance(original.get(field), list):
            original[field] = [value for value in original[field] if not _contains(unwanted, value)]


def _apply_set_element_orders(
    original: dict, patch: dict, strategies: dict[str, PatchMeta], path: str
) -> None:
    """`$setElementOrder/<field>`: merge the field's patch list (if any), then order the result.

    The directive lists every element the client wants, in its order
    (`kubectl apply` sends the manifest's order). Elements only the server
    has stay where they were relative to their neighbours.
    """
    for key in [key for key in patch if key.startswith(SET_ELEMENT_ORDER)]:
        order = patch.pop(key)
        field = _directive_field(key, SET_ELEMENT_ORDER, path)
        field_path = _child(path, field)
        meta = strategies.get(field_path, REPLACE)
        if not isinstance(order, list):
            raise PatchError("invalid patch format of setElementOrder list", path=field_path)
        live, patch_list = original.get(field), patch.pop(field, None)
        for value in (live, patch_list):
            if value is not None and not isinstance(value, list):
                raise _unclassified(
                    f"expected a list for {field_path}, but received {_a(json_type(value))}", field_path
                )
        if live is None and patch_list is None:
            continue
        _check_order_agrees(patch_list or [], order, meta.merge_key, field_path)
        if patch_list is None:
            merged = live
        elif live is None or not meta.merges:
            merged = _without_directives(patch_list)
        else:
            merged = _merge_list(live, patch_list, meta, strategies, field_path)
        original[field] = _order_like_upstream(merged, order, live or [], meta.merge_key, field_path)


def _check_order_agrees(patch_list: list, order: list, merge_key: str, path: str) -> None:
    """The patch list's elements must appear in `$setElementOrder` in the same relative order."""
    elements = [element for element in patch_list if not (isinstance(element, dict) and PATCH in element)]
    at = 0
    for element in elements:
        wanted = _identity(element, merge_key, path)
        while at < len(order) and not json_equal(_identity(order[at], merge_key, path), wanted):
            at += 1
        if at == len(order):
            message = f"The order in patch list: {_go(patch_list)} doesn't match {SET_ELEMENT_ORDER} list"
            raise _unclassified(f"{message}: {_go(order)}", path)
        at += 1


def _merge_list(
    original: list, patch: list, meta: PatchMeta, strategies: dict[str, PatchMeta], path: str
) -> list:
    """Merge a patch list into a live list of a field whose strategy is "merge"."""
    if not original and not patch:
        return original
    if _element_type(original + patch, path) != "object":
        if meta.merge_key:
            raise _unclassified(
                f"{path} is merged by {meta.merge_key!r}, so its elements must be objects", path
            )
        merged: list = []
        for value in original + patch:  # a set: each value once
            if not _contains(merged, value):
                merged.append(value)
        return _order_like_upstream(merged, patch, original, "", path)
    if not meta.merge_key:
        raise _unclassified(f"cannot merge lists without merge key for {path}", path)
    original, patch, replace = _apply_list_directives(original, patch, meta.merge_key, path)
    if replace:
        return _without_directives(patch)
    merged = list(original)
    for element in patch:
        at = _find(merged, meta.merge_key, _identity(element, meta.merge_key, path))
        if at is None:
            merged.append(_without_directives(element))
        else:
            merged[at] = _merge_map(merged[at], element, strategies, f"{path}[]")
    return _order_like_upstream(merged, patch, original, meta.merge_key, path)


def _apply_list_directives(original: list, patch: list, merge_key: str, path: str) -> tuple[list, list, bool]:
    """Carry out the `$patch` elements of a patch list: (live list, the other patch elements, replace?)."""
    others, replace = [], False
    for element in patch:
        if PATCH not in element:
            others.append(element)
            continue
        directive = element[PATCH]
        if directive == "delete":
            key = _identity(element, merge_key, path)
            original = [item for item in original if not json_equal(item.get(merge_key), key)]
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise _unclassified("merging lists cannot yet be specified in the patch", path)
        else:
            raise _unclassified(f"unknown patch type: {_go(directive)} in map: {_go(element)}", path)
    return original, others, replace


def _order_like_upstream(merged: list, wanted: list, live: list, merge_key: str, path: str) -> list:
    """Order a merged list as upstream does (normalizeElementOrder in apimachinery's strategicpatch).

    The elements the patch names come in the patch's order; the elements only
    the server has keep their live order; and the two are interleaved by live
    position, each server-only element going before the first patch element
    that came after it in the live list. A new element has no live position, so it
    goes out as soon as it is reached: a container added by a patch without
    `$setElementOrder` lands first, which is what kubectl's documentation shows.
    """

    def position(items: list, element: JSON) -> int:
        identity = _identity(element, merge_key, path)
        for index, item in enumerate(items):
            if not (isinstance(item, dict) and PATCH in item) and json_equal(
                _identity(item, merge_key, path), identity
            ):
                return index
        return -1

    from_patch = sorted((e for e in merged if position(wanted, e) >= 0), key=lambda e: position(wanted, e))
    server_only = sorted((e for e in merged if position(wanted, e) < 0), key=lambda e: position(live, e))
    ordered = []
    while from_patch and server_only:
        left_at, right_at = position(live, server_only[0]), position(live, from_patch[0])
        if left_at >= 0 and right_at >= 0 and left_at < right_at:
            ordered.append(server_only.pop(0))
        else:
            ordered.append(from_patch.pop(0))
    return ordered + server_only + from_patch


def _identity(element: JSON, merge_key: str, path: str) -> JSON:
    """What identifies a list element: its merge key's value, or the value itself in a list of primitives."""
    if not merge_key:
        return element
    if not isinstance(element, dict) or merge_key not in element:
        raise _unclassified(f"map: {_go(element)} does not contain declared merge key: {merge_key}", path)
    return element[merge_key]


def _find(items: list, merge_key: str, identity: JSON) -> int | None:
    for index, item in enumerate(items):
        if isinstance(item, dict) and merge_key in item and json_equal(item[merge_key], identity):
            return index
    return None


def _contains(items: list, value: JSON) -> bool:
    return any(json_equal(item, value) for item in items)


def _element_type(elements: list, path: str) -> str:
    """The one JSON type all elements of a merging list share (lists of lists do not merge)."""
    types = {json_type(element) for element in elements}
    if "array" in types:
        raise PatchError(
            "lists of lists are not supported", code=422, reason="Invalid", status_message=REJECTED, path=path
        )
    if len(types) > 1:
        raise _unclassified(f"list element types are not identical: {_go(elements)}", path)
    return types.pop()


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _unclassified(message: str, path: str) -> PatchError:
    """An error upstream returns as a bare 500 with no reason (kubectl: "Error from server: <message>")."""
    return PatchError(message, code=500, reason="", path=path)


# ----------------------------------------------------------------------------------------------------
# Strategic merge patch: computing one (what kubectl does)
# ----------------------------------------------------------------------------------------------------


def create_strategic_merge_patch(original: dict, modified: dict, kind: str | None) -> dict:
    """The strategic merge patch that turns `original` into `modified` (upstream's CreateTwoWayMergePatch)."""
    strategies = patch_strategies_for(kind)
    return _diff_maps(original, modified, strategies, "", additions=True, deletions=True)


def three_way_merge(last_applied: dict | None, modified: dict, live: dict, kind: str | None) -> dict:
    """The patch `kubectl apply` sends: the user's changes, the user's removals, and nothing else.

    * `last_applied`: the manifest applied last time (kubectl keeps it in the
      `kubectl.kubernetes.io/last-applied-configuration` annotation; None on the first apply);
    * `modified`: the manifest being applied now;
    * `live`: the object as the server has it.

    Two diffs make the patch. Deletions come from last-applied -> modified:
    a field the user removed from the manifest becomes `null`, a removed element
    of a merging list becomes `{"name": ..., "$patch": "delete"}`, a removed
    finalizer goes into `$deleteFromPrimitiveList/finalizers`. Changes come from
    live -> modified, ignoring whatever live has that the manifest does not:
    `status`, the server's defaults and other writers' fields were never the
    user's, so they stay. Merging lists get `$setElementOrder` so they keep
    the manifest's order, and retainKeys maps (a Deployment's strategy) get `$retainKeys`.

    For a custom resource (kind None) the result is a JSON merge patch, which is
    what kubectl sends those; apply it with `json_merge_patch`. Otherwise apply
    it with `strategic_merge_patch`.
    """
    strategies: dict[str, PatchMeta] = {} if kind is None else patch_strategies_for(kind)
    deletions = _diff_maps(last_applied or {}, modified, strategies, "", additions=False, deletions=True)
    changes = _diff_maps(live, modified, strategies, "", additions=True, deletions=False)
    return _combine_patches(deletions, changes, strategies, "")


def _diff_maps(
    original: dict,
    modified: dict,
    strategies: dict[str, PatchMeta],
    path: str,
    *,
    additions: bool,
    deletions: bool,
    retain_keys: bool = False,
) -> dict:
    """The patch from `original` to `modified` (upstream's diffMaps), keeping additions and changes,
    deletions, or both."""
    patch: dict[str, JSON] = {}
    for key, new in modified.items():
        field = _child(path, key)
        meta = strategies.get(field, REPLACE)
        if key not in original or json_type(original[key]) != json_type(new):
            if additions:
                patch[key] = copy.deepcopy(new)
        elif isinstance(new, dict):
            changes = _diff_maps(
                original[key],
                new,
                strategies,
                field,
                additions=additions,
                deletions=deletions,
                retain_keys=meta.retains_keys,
            )
            if changes:
                patch[key] = changes
        elif isinstance(new, list) and meta.merges:
            elements, removed, order = _diff_merging_lists(
                original[key], new, meta, strategies, field, additions=additions, deletions=deletions
            )
            if elements:
                patch[key] = elements
            if removed:
                patch[f"{DELETE_FROM_PRIMITIVE_LIST}/{key}"] = removed
            if order:
                patch[f"{SET_ELEMENT_ORDER}/{key}"] = order
        elif additions and not json_equal(original[key], new):
            patch[key] = copy.deepcopy(new)
    if deletions:
        patch.update({key: None for key in original if key not in modified})
    if retain_keys:
        kept = sorted(key for key, value in modified.items() if value is not None)
        dropped = any(value is not None and key not in modified for key, value in original.items())
        if kept and (patch or dropped):
            patch[RETAIN_KEYS] = kept
    return patch


def _diff_merging_lists(
    original: list,
    modified: list,
    meta: PatchMeta,
    strategies: dict[str, PatchMeta],
    path: str,
    *,
    additions: bool,
    deletions: bool,
) -> tuple[list, list, list]:
    """Diff a merging list (upstream's diffLists): (patch elements, values to delete from a list of
    primitives, the `$setElementOrder` list)."""
    if not original:
        return (copy.deepcopy(modified) if additions else []), [], []
    if _element_type(original + modified, path) != "object":
        added = [value for value in modified if not _contains(original, value)] if additions else []
        removed: list = []
        if deletions:
            for value in original:
                if not _contains(modified, value) and not _contains(removed, value):
                    removed.append(value)
        reorder = (deletions and removed) or (additions and not json_equal(original, modified))
        return added, removed, (list(modified) if reorder else [])

    key = meta.merge_key
    if not key:
        raise _unclassified(f"cannot merge lists without merge key for {path}", path)
    elements = []
    for item in modified:  # changed and added elements, in the manifest's order
        identity = _identity(item, key, path)
        at = _find(original, key, identity)
        if at is None:
            if additions:
                elements.append(copy.deepcopy(item))
            continue
        changes = _diff_maps(
            original[at],
            item,
            strategies,
            f"{path}[]",
            additions=additions,
            deletions=deletions,
            retain_keys=meta.retains_keys,
        )
        if changes:
            elements.append({key: identity, **changes})
    if deletions:
        for item in original:
            identity = _identity(item, key, path)
            if _find(modified, key, identity) is None:
                elements.append({key: identity, PATCH: "delete"})
    same_order = len(original) == len(modified) and all(
        json_equal(_identity(a, key, path), _identity(b, key, path))
        for a, b in zip(original, modified, strict=True)
    )
    reorder = (additions and (elements or not same_order)) or (deletions and elements)
    order = [{key: item[key]} for item in modified] if reorder else []
    return elements, [], order


def _combine_patches(first: dict, second: dict, strategies: dict[str, PatchMeta], path: str) -> dict:
    """One patch that does what both do (for apply's deletions and changes, which touch different things)."""
    combined = dict(first)
    for key, value in second.items():
        field = _child(path, key)
        meta = strategies.get(field, REPLACE)
        mine = combined.get(key)
        if isinstance(mine, dict) and isinstance(value, dict):
            combined[key] = _combine_patches(mine, value, strategies, field)
        elif isinstance(mine, list) and isinstance(value, list) and meta.merges and meta.merge_key:
            elements = _combine_lists(mine, value, meta.merge_key, strategies, field)
            order = second.get(f"{SET_ELEMENT_ORDER}/{key}", first.get(f"{SET_ELEMENT_ORDER}/{key}"))
            combined[key] = _sort_like(elements, order, meta.merge_key) if order else elements
        else:
            combined[key] = value
    return combined


def _combine_lists(
    first: list, second: list, merge_key: str, strategies: dict[str, PatchMeta], path: str
) -> list:
    """Patch elements of one merging list from two patches: same key, one element."""
    combined, rest = [], list(first)
    for element in second:
        at = _find(rest, merge_key, element.get(merge_key))
        if at is None:
            combined.append(element)
        else:
            combined.append(_combine_patches(rest.pop(at), element, strategies, f"{path}[]"))
    return combined + rest


def _sort_like(elements: list, order: list, merge_key: str) -> list:
    """Patch elements in `$setElementOrder`'s order; the `$patch: delete` ones (not in it) last."""

    def position(element: dict) -> int:
        at = _find(order, merge_key, element.get(merge_key))
        return len(order) if at is None or PATCH in element else at

    return sorted(elements, key=position)


# ----------------------------------------------------------------------------------------------------
# The PATCH verb's dispatch, and helpers for messages
# ----------------------------------------------------------------------------------------------------


def apply_patch(original: dict, patch: JSON, content_type: str, kind: str | None) -> JSON:
    """Apply a patch the way kube-apiserver's PATCH handler picks the language: by Content-Type."""
    if content_type == JSON_PATCH:
        return json_patch(original, patch)
    if content_type == MERGE_PATCH:
        return json_merge_patch(original, patch)
    if content_type == STRATEGIC_MERGE_PATCH:
        return strategic_merge_patch(original, patch, kind)
    if content_type == APPLY_PATCH:
        raise PatchError(
            "server-side apply (application/apply-patch+yaml) is not modelled in k8slab: use kubectl apply",
            code=415,
            reason="UnsupportedMediaType",
        )
    accepted = CUSTOM_RESOURCE_PATCH_TYPES if kind is None else BUILT_IN_PATCH_TYPES
    message = "the body of the request was in an unknown format - accepted media types include: " + ", ".join(
        accepted
    )
    raise PatchError(message, code=415, reason="UnsupportedMediaType")


def _a(type_name: str) -> str:
    """'an object', 'a string': for messages."""
    return f"an {type_name}" if type_name[0] in "aeiou" else f"a {type_name}"


def _go(value: JSON) -> str:
    """A JSON value as Go's %v prints it after encoding/json decoded it, for messages upstream words
    that way: `map[image:nginx ports:[map[containerPort:80]]]`."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{key}:{_go(member)}" for key, member in sorted(value.items())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_go(element) for element in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _go_float(value)
    return str(value)


def _go_float(number: int | float) -> str:
    """Go decodes every JSON number to a float64 and %v prints it shortest, like %g: 8080, 1.5, 1e+06."""
    value = Decimal(repr(float(number))).normalize()
    if value == 0:
        return "0"
    exponent = value.adjusted()
    if -4 <= exponent < 6:
        return format(value, "f")
    sign, digits, _ = value.as_tuple()
    mantissa = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
