"""Validation: the API server's checks before an object is stored (notebook 02).

After an object is decoded and defaulted (`k8slab.api.defaults`), kube-apiserver
validates it and refuses it with `422 Unprocessable Entity` if anything is
wrong, reporting *every* problem at once, each with its field path:

    The Deployment "web" is invalid:
    * spec.template.spec.containers[0].image: Required value
    * spec.template.metadata.labels: Invalid value: {"app":"wbe"}: `selector` does not match
      template `labels`

`validate(info, obj)` runs the checks for a create and returns an `ErrorList`
(empty when the object is fine); `validate_update(info, obj, old)` runs the
same checks plus the rules about what may not change (a Pod's spec, a
Deployment's selector, a Service's cluster IP, ...). Both expect an object that
has been through `apply_defaults`, as the server's are: a missing
`restartPolicy` is reported as `Required value` because the server would
always have defaulted it.

A value of the wrong JSON type (a string where an integer belongs) never
reaches validation: the server's JSON decoder refuses it with `400 Bad
Request`. `decode_errors(info, obj)` gives those messages.

The rules and messages are kube-apiserver's, from
`k8s.io/kubernetes/pkg/apis/core/validation/validation.go` (Pods, Services,
Nodes, Namespaces, ConfigMaps, Secrets, Events),
`pkg/apis/apps/validation/validation.go` (ReplicaSets, Deployments),
`pkg/apis/discovery`, `coordination` and `scheduling` validation, and
`k8s.io/apimachinery/pkg/api/validation/objectmeta.go` (metadata), as of
v1.34: a bad value that is not a plain string or number is printed as JSON
(`{"app":"wbe"}`; servers before v1.34 printed Go syntax,
`map[string]string{"app":"wbe"}`). One deliberate difference: environment
variable names follow the classic strict rule (letters, digits, `_`, `-`, `.`,
not starting with a digit), which recent releases relax to "printable ASCII
except `=`" (the RelaxedEnvironmentVariableValidation feature), because it is
the rule most documentation and clusters show.

Left out, because the lab never exercises them: ephemeral containers beyond
"cannot be set on create", resource claims, sysctls, Windows and AppArmor
options, seccomp annotations, the cloud volume sources, hugepages, pod-level
resources and in-place resize.
"""

from __future__ import annotations

import base64
import binascii
import copy
import ipaddress
import json
import re
from typing import Any

from k8slab.api import schema as shapes
from k8slab.api.errors import Cause, ErrorList, go_repr
from k8slab.api.kinds import ResourceInfo
from k8slab.api.quantity import Quantity, QuantityParseError
from k8slab.api.selectors import (
    SelectorError,
    max_length_error,
    regex_error,
    selector_from_label_selector,
    validate_dns1123_label,
    validate_dns1123_subdomain,
    validate_label_key,
    validate_label_selector,
    validate_label_value,
)

# --- messages ------------------------------------------------------------------

IS_NEGATIVE = "must be greater than or equal to 0"
IS_NOT_POSITIVE = "must be greater than zero"
FIELD_IMMUTABLE = "field is immutable"
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024  # bytes of keys and values together
MAX_SECRET_SIZE = 1024 * 1024  # ConfigMaps and Secrets, all values together
FILE_MODE_ERROR = "must be a number between 0 and 0777 (octal), both inclusive"
MAX_INT32 = 2**31 - 1
HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000
SYSTEM_PRIORITY_CLASSES = {"system-node-critical": 2_000_001_000, "system-cluster-critical": 2_000_000_000}
NODE_PORT_RANGE = (30000, 32767)  # kube-apiserver's --service-node-port-range default

UPDATABLE_POD_SPEC_FIELDS = (
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
)


# --- the entry points ------------------------------------------------------------


def validate(info: ResourceInfo, obj: dict) -> ErrorList:
    """Every problem with `obj` as a new object of kind `info.kind` (empty when there is none)."""
    errors = ErrorList()
    validator = _CREATE.get(info.kind)
    if validator is not None:
        validator(errors, info, _obj(obj))
    return errors


def validate_update(info: ResourceInfo, obj: dict, old: dict, subresource: str = "") -> ErrorList:
    """Every problem with replacing `old` by `obj`: the create rules plus what may not change.

    `subresource="status"` checks a write to the status subresource instead (what
    controllers and the kubelet send): metadata rules and the status's own rules.
    """
    errors = ErrorList()
    obj, old = _obj(obj), _obj(old)
    validate_object_meta_update(errors, _obj(obj.get("metadata")), _obj(old.get("metadata")))
    if subresource == "status":
        validator = _STATUS_UPDATE.get(info.kind)
        if validator is not None:
            validator(errors, obj, old)
        return errors
    validator = _UPDATE.get(info.kind)
    if validator is not None:
        validator(errors, info, obj, old)
    else:  # no rules of its own about changes: the create rules, less those on new metadata
        errors.extend(_without_meta_create_rules(validate(info, obj)))
    return errors


def not_found(errors: ErrorList, path: str, value: Any) -> None:
    """Add a `Not found` cause (field.NotFound): a reference to something that does not exist."""
    errors.causes.append(Cause(path, "FieldValueNotFound", f"Not found: {go_repr(value)}"))


# --- small readers that never fail -------------------------------------------------
# The decoder has already refused values of the wrong JSON type (see decode_errors),
# but validation may also be called directly, so every read is defensive.


def _obj(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    """An integer field's value, or None when it is unset (or not an integer)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else None


def _string_map(value: Any) -> dict[str, str]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


# --- printing bad values the way kube-apiserver does --------------------------------------
# Since v1.34 a field error prints a bad value that is not a plain string or number as
# JSON: a map as `{"app":"web"}`, a LabelSelector as `{"matchLabels":{"app":"web"}}`.
# Internal Go structs without JSON names print with their Go field names, in the order
# Go declares them: `{"Type":"Canary","RollingUpdate":null}`.


def go_json(value: Any) -> str:
    """`value` as Go's json.Marshal writes it (compact, with <, > and & escaped; dict order kept)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def label_map(value: Any) -> dict | None:
    """A map of labels as Go holds it: keys sorted, or None (JSON null) when there is none."""
    return dict(sorted(_string_map(value).items())) if isinstance(value, dict) else None


def label_selector_value(selector: Any) -> dict | None:
    """A LabelSelector as JSON prints it: empty parts are left out (omitempty)."""
    if not isinstance(selector, dict):
        return None
    value: dict[str, Any] = {}
    if selector.get("matchLabels"):
        value["matchLabels"] = label_map(selector["matchLabels"])
    expressions = []
    for expression in _list(selector.get("matchExpressions")):
        expression = _obj(expression)
        requirement = {"key": _str(expression.get("key")), "operator": _str(expression.get("operator"))}
        if _list(expression.get("values")):
            requirement["values"] = expression["values"]
        expressions.append(requirement)
    if expressions:
        value["matchExpressions"] = expressions
    return value


def go_string_slice(values: list[str]) -> str:
    """`[]string{"a", "b"}`: Go's %#v, which some messages use inside their text."""
    return "[]string{" + ", ".join(go_repr(v) for v in values) + "}"


def _invalid_shown(errors: ErrorList, path: str, shown: str, detail: str) -> None:
    """An `Invalid value` cause whose value is already printed (maps, structs)."""
    errors.causes.append(Cause(path, "FieldValueInvalid", f"Invalid value: {shown}: {detail}"))


def _not_supported_shown(errors: ErrorList, path: str, shown: str, supported: list[str]) -> None:
    allowed = ", ".join(f'"{s}"' for s in supported)
    errors.causes.append(
        Cause(path, "FieldValueNotSupported", f"Unsupported value: {shown}: supported values: {allowed}")
    )


def _duplicate_shown(errors: ErrorList, path: str, shown: str, detail: str = "") -> None:
    message = f"Duplicate value: {shown}" + (f": {detail}" if detail else "")
    errors.causes.append(Cause(path, "FieldValueDuplicate", message))


# --- name and format rules (k8s.io/apimachinery/pkg/util/validation) ------------------

_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_ERR = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character"
)
_ENV_VAR_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
_ENV_VAR_NAME_ERR = (
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
    "or '.', and must not start with a digit"
)
_CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"
_CONFIG_MAP_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
_PERCENT_FMT = "[0-9]+%"
_PERCENT_ERR = "a valid percent string must be a numeric string followed by an ending '%'"
_HTTP_HEADER_NAME_FMT = "[-A-Za-z0-9]+"
_HTTP_HEADER_NAME_ERR = "a valid HTTP header must consist of alphanumeric characters or '-'"


def validate_dns1035_label(value: str) -> list[str]:
    """Problems with `value` as an RFC 1035 label (a Service name: it must start with a letter)."""
    errors = []
    if len(value) > 63:
        errors.append(max_length_error(63))
    if not re.fullmatch(_DNS1035_LABEL_FMT, value):
        errors.append(regex_error(_DNS1035_LABEL_ERR, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errors


def _chdir_prefix_errors(value: str) -> list[str]:
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    if value.startswith(".."):
        return ["must not start with '..'"]
    return []


def validate_env_var_name(value: str) -> list[str]:
    """IsEnvVarName: letters, digits, '_', '-' and '.', not starting with a digit."""
    errors = []
    if not re.fullmatch(_ENV_VAR_NAME_FMT, value):
        errors.append(
            regex_error(_ENV_VAR_NAME_ERR, _ENV_VAR_NAME_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1")
        )
    return errors + _chdir_prefix_errors(value)


def validate_config_map_key(value: str) -> list[str]:
    """IsConfigMapKey: the keys of ConfigMaps and Secrets (they become file names)."""
    errors = []
    if len(value) > 253:
        errors.append(max_length_error(253))
    if not re.fullmatch(_CONFIG_MAP_KEY_FMT, value):
        errors.append(
            regex_error(_CONFIG_MAP_KEY_ERR, _CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name")
        )
    return errors + _chdir_prefix_errors(value)


def validate_port_name(port: str) -> list[str]:
    """IsValidPortName: an IANA_SVC_NAME, at most 15 characters of a-z, 0-9 and '-', with a letter."""
    errors = []
    if len(port) > 15:
        errors.append(max_length_error(15))
    if not re.fullmatch("[-a-z0-9]+", port):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", port):
        errors.append("must contain at least one letter (a-z)")
    if "--" in port:
        errors.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def validate_port_number(port: int) -> list[str]:
    return [] if 1 <= port <= 65535 else [inclusive_range_error(1, 65535)]


def inclusive_range_error(low: int, high: int) -> str:
    return f"must be between {low} and {high}, inclusive"


def validate_percent(value: str) -> list[str]:
    return [] if re.fullmatch(_PERCENT_FMT, value) else [regex_error(_PERCENT_ERR, _PERCENT_FMT, "1%", "93%")]


def _ip_errors(errors: ErrorList, path: str, value: str) -> bool:
    """IsValidIP; True when the value is a valid IP address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        errors.invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")
        return False
    return True


def _qualified_name(errors: ErrorList, path: str, value: str) -> None:
    """ValidateQualifiedName: the rule for label keys, annotation keys, finalizers, condition types."""
    for message in validate_label_key(value):
        errors.invalid(path, value, message)


def _label_name(errors: ErrorList, path: str, key: str) -> None:
    for message in validate_label_key(key):
        errors.invalid(path, key, message)


def validate_labels(errors: ErrorList, path: str, labels: Any) -> None:
    """ValidateLabels: every key is a qualified name, every value a valid label value (path not keyed)."""
    for key, value in sorted(_string_map(labels).items()):
        _label_name(errors, path, key)
        for message in validate_label_value(_str(value)):
            errors.invalid(path, _str(value), message)


def _dns1123_label(errors: ErrorList, path: str, value: str) -> None:
    for message in validate_dns1123_label(value):
        errors.invalid(path, value, message)


def _dns1123_subdomain(errors: ErrorList, path: str, value: str) -> None:
    for message in validate_dns1123_subdomain(value):
        errors.invalid(path, value, message)


def _nonnegative(errors: ErrorList, path: str, value: Any) -> None:
    number = _int(value)
    if number is not None and number < 0:
        errors.invalid(path, number, IS_NEGATIVE)


# --- metadata (apimachinery/pkg/api/validation/objectmeta.go) -------------------------


def _mask_trailing_dash(name: str) -> str:
    """A generateName may end with '-' (the random suffix follows); Kubernetes masks it before checking."""
    return name[:-2] + "a" if len(name) > 1 and name.endswith("-") else name


def name_errors(kind: str, name: str, prefix: bool = False) -> list[str]:
    """What is wrong with `name` as the name of a `kind` object (the kind's ValidateNameFunc)."""
    if prefix:
        name = _mask_trailing_dash(name)
    if kind == "Namespace":
        return validate_dns1123_label(name)
    if kind == "Service":
        return validate_dns1035_label(name)
    return validate_dns1123_subdomain(name)


_STANDARD_FINALIZERS = ("kubernetes", "orphan", "foregroundDeletion")


def validate_object_meta(errors: ErrorList, kind: str, meta: dict, namespaced: bool) -> None:
    """ValidateObjectMeta: name, namespace, labels, annotations, owners and finalizers of a new object."""
    generate_name = _str(meta.get("generateName"))
    if generate_name:
        for message in name_errors(kind, generate_name, prefix=True):
            errors.invalid("metadata.generateName", generate_name, message)
    name = _str(meta.get("name"))
    if not name:
        errors.required("metadata.name", "name or generateName is required")
    else:
        for message in name_errors(kind, name):
            errors.invalid("metadata.name", name, message)
    namespace = _str(meta.get("namespace"))
    if namespaced:
        if not namespace:
            errors.required("metadata.namespace")
        else:
            for message in validate_dns1123_label(namespace):
                errors.invalid("metadata.namespace", namespace, message)
    elif namespace:
        errors.forbidden("metadata.namespace", "not allowed on this type")
    _common_object_meta(errors, meta)


def _common_object_meta(errors: ErrorList, meta: dict) -> None:
    """The metadata rules shared by create and update."""
    _nonnegative(errors, "metadata.generation", meta.get("generation"))
    validate_labels(errors, "metadata.labels", meta.get("labels"))
    validate_annotations(errors, "metadata.annotations", meta.get("annotations"))
    _owner_references(errors, _list(meta.get("ownerReferences")))
    finalizers = [_str(name) for name in _list(meta.get("finalizers"))]
    for finalizer in finalizers:
        _qualified_name(errors, "metadata.finalizers", finalizer)
    if "orphan" in finalizers and "foregroundDeletion" in finalizers:
        errors.invalid(
            "metadata.finalizers", finalizers, "finalizer orphan and foregroundDeletion cannot be both set"
        )
    for index, finalizer in enumerate(finalizers):
        _kube_finalizer_name(errors, f"metadata.finalizers[{index}]", finalizer)


def _kube_finalizer_name(errors: ErrorList, path: str, name: str) -> None:
    if "/" not in name and name not in _STANDARD_FINALIZERS:
        errors.invalid(path, name, "name is neither a standard finalizer name nor is it fully qualified")


def validate_annotations(errors: ErrorList, path: str, annotations: Any) -> None:
    """ValidateAnnotations: keys are qualified names (case ignored); 256 KiB for all of them together."""
    annotations = _string_map(annotations)
    for key in sorted(annotations):
        for message in validate_label_key(key.lower()):
            errors.invalid(path, key, message)
    total = sum(len(k.encode()) + len(_str(v).encode()) for k, v in annotations.items())
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        errors.too_long(path, "", TOTAL_ANNOTATION_SIZE_LIMIT)


def _owner_references(errors: ErrorList, references: list) -> None:
    controller = ""
    for index, reference in enumerate(references):
        reference = _obj(reference)
        at = f"metadata.ownerReferences[{index}]"
        for key in ("apiVersion", "kind", "name", "uid"):
            if not _str(reference.get(key)):
                errors.required(f"{at}.{key}", "must not be empty")
        if reference.get("controller") is True:
            current = f"{_str(reference.get('kind'))}/{_str(reference.get('name'))}"
            if controller:
                errors.causes.append(
                    Cause(
                        "metadata.ownerReferences",
                        "FieldValueInvalid",
                        f"Invalid value: {go_json(references)}: Only one reference can have "
                        f'Controller set to true. Found "true" in references for {controller} '
                        f"and {current}",
                    )
                )
            else:
                controller = current


def validate_object_meta_update(errors: ErrorList, meta: dict, old: dict) -> None:
    """ValidateObjectMetaUpdate: name, namespace and uid may not change; generation may not go down."""
    if old.get("deletionTimestamp"):
        added = sorted(set(_list(meta.get("finalizers"))) - set(_list(old.get("finalizers"))))
        if added:
            errors.forbidden(
                "metadata.finalizers",
                "no new finalizers can be added if the object is being "
                f"deleted, found new finalizers {go_string_slice(added)}",
            )
    generation, old_generation = _int(meta.get("generation")), _int(old.get("generation"))
    if generation is not None and old_generation is not None and generation < old_generation:
        errors.invalid("metadata.generation", generation, "must not be decremented")
    for key in ("name", "namespace", "uid"):
        value = _str(meta.get(key))
        if (value or key == "name") and value != _str(
            old.get(key)
        ):  # an empty uid is filled in by the server
            errors.invalid(f"metadata.{key}", value, FIELD_IMMUTABLE)
    _common_object_meta(errors, meta)


def _without_meta_create_rules(errors: ErrorList) -> ErrorList:
    """For kinds with no update rules of their own: the create rules, minus those on metadata."""
    return ErrorList([cause for cause in errors.causes if not cause.field.startswith("metadata.")])


# --- containers -------------------------------------------------------------------------

_SUPPORTED_PROTOCOLS = ["SCTP", "TCP", "UDP"]
_STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
_STANDARD_RESOURCES = _STANDARD_CONTAINER_RESOURCES + (
    "storage",
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
    "requests.cpu",
    "requests.memory",
    "requests.storage",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
)
_VALID_ENV_FIELD_PATHS = sorted(
    [
        "metadata.name",
        "metadata.namespace",
        "metadata.uid",
        "spec.nodeName",
        "spec.serviceAccountName",
        "status.hostIP",
        "status.hostIPs",
        "status.podIP",
        "status.podIPs",
    ]
)
_VALID_VOLUME_FIELD_PATHS = sorted(
    ["metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations", "metadata.uid"]
)
_VALID_RESOURCE_FIELDS = sorted(
    [
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
    ]
)


def _container_ports(errors: ErrorList, ports: list, path: str) -> None:
    names: set[str] = set()
    for index, port in enumerate(ports):
        port, at = _obj(port), f"{path}[{index}]"
        name = _str(port.get("name"))
        if name:
            messages = validate_port_name(name)
            for message in messages:
                errors.invalid(f"{at}.name", name, message)
            if not messages and name in names:
                errors.duplicate(f"{at}.name", name)
            names.add(name)
        container_port = _int(port.get("containerPort"))
        if not container_port:
            errors.required(f"{at}.containerPort")
        else:
            for message in validate_port_number(container_port):
                errors.invalid(f"{at}.containerPort", container_port, message)
        host_port = _int(port.get("hostPort"))
        if host_port:
            for message in validate_port_number(host_port):
                errors.invalid(f"{at}.hostPort", host_port, message)
        protocol = _str(port.get("protocol"))
        if not protocol:
            errors.required(f"{at}.protocol")
        elif protocol not in _SUPPORTED_PROTOCOLS:
            errors.not_supported(f"{at}.protocol", protocol, _SUPPORTED_PROTOCOLS)


def _env(errors: ErrorList, env: list, path: str) -> None:
    for index, variable in enumerate(env):
        variable, at = _obj(variable), f"{path}[{index}]"
        name = _str(variable.get("name"))
        if not name:
            errors.required(f"{at}.name")
        else:
            for message in validate_env_var_name(name):
                errors.invalid(f"{at}.name", name, message)
        _env_value_from(errors, variable, f"{at}.valueFrom")


def _env_value_from(errors: ErrorList, variable: dict, path: str) -> None:
    value_from = variable.get("valueFrom")
    if not isinstance(value_from, dict):
        return
    sources = 0
    if isinstance(value_from.get("fieldRef"), dict):
        sources += 1
        _object_field_selector(errors, value_from["fieldRef"], _VALID_ENV_FIELD_PATHS, f"{path}.fieldRef")
    if isinstance(value_from.get("resourceFieldRef"), dict):
        sources += 1
        _resource_field_selector(errors, value_from["resourceFieldRef"], f"{path}.resourceFieldRef", False)
    for key in ("configMapKeyRef", "secretKeyRef"):
        if isinstance(value_from.get(key), dict):
            sources += 1
            _key_selector(errors, value_from[key], f"{path}.{key}")
    if isinstance(value_from.get("fileKeyRef"), dict):
        sources += 1
    if sources == 0:
        errors.invalid(
            path,
            "",
            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
        )
    elif _str(variable.get("value")):
        errors.invalid(path, "", "may not be specified when `value` is not empty")
    elif sources > 1:
        errors.invalid(path, "", "may not have more than one field specified at a time")


def _object_field_selector(errors: ErrorList, selector: dict, valid: list[str], path: str) -> None:
    if not _str(selector.get("apiVersion")):
        errors.required(f"{path}.apiVersion")
        return
    field_path = _str(selector.get("fieldPath"))
    if not field_path:
        errors.required(f"{path}.fieldPath")
        return
    subscripted = re.fullmatch(r"(metadata\.(?:labels|annotations))\['(.*)'\]", field_path)
    if subscripted:
        key = subscripted.group(2)
        _qualified_name(errors, path, key.lower() if subscripted.group(1).endswith("annotations") else key)
    elif field_path not in valid:
        errors.not_supported(f"{path}.fieldPath", field_path, valid)


def _resource_field_selector(errors: ErrorList, selector: dict, path: str, in_volume: bool) -> None:
    resource = _str(selector.get("resource"))
    if in_volume and not _str(selector.get("containerName")):
        errors.required(f"{path}.containerName")
    elif not resource:
        errors.required(f"{path}.resource")
    elif resource not in _VALID_RESOURCE_FIELDS and not resource.startswith(
        ("requests.hugepages-", "limits.hugepages-")
    ):
        errors.not_supported(f"{path}.resource", resource, _VALID_RESOURCE_FIELDS)


def _key_selector(errors: ErrorList, selector: dict, path: str) -> None:
    name = _str(selector.get("name"))
    for message in validate_dns1123_subdomain(name):
        errors.invalid(f"{path}.name", name, message)
    key = _str(selector.get("key"))
    if not key:
        errors.required(f"{path}.key")
    else:
        for message in validate_config_map_key(key):
            errors.invalid(f"{path}.key", key, message)


def _env_from(errors: ErrorList, sources: list, path: str) -> None:
    for index, source in enumerate(sources):
        source, at = _obj(source), f"{path}[{index}]"
        prefix = _str(source.get("prefix"))
        if prefix:
            for message in validate_env_var_name(prefix):
                errors.invalid(f"{at}.prefix", prefix, message)
        count = 0
        for key in ("configMapRef", "secretRef"):
            if isinstance(source.get(key), dict):
                count += 1
                name = _str(source[key].get("name"))
                if not name:
                    errors.required(f"{at}.{key}.name")
                else:
                    for message in validate_dns1123_subdomain(_mask_trailing_dash(name)):
                        errors.invalid(f"{at}.{key}.name", name, message)
        if count == 0:
            errors.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`")
        elif count > 1:
            errors.invalid(path, "", "may not have more than one field specified at a time")


def _volume_mounts(errors: ErrorList, mounts: list, volumes: dict[str, dict], path: str) -> None:
    mount_paths: set[str] = set()
    for index, mount in enumerate(mounts):
        mount, at = _obj(mount), f"{path}[{index}]"
        name = _str(mount.get("name"))
        if not name:
            errors.required(f"{at}.name")
        if name not in volumes:
            not_found(errors, f"{at}.name", name)
        mount_path = _str(mount.get("mountPath"))
        if not mount_path:
            errors.required(f"{at}.mountPath")
        if mount_path in mount_paths:
            errors.invalid(f"{at}.mountPath", mount_path, "must be unique")
        mount_paths.add(mount_path)
        sub_path = _str(mount.get("subPath"))
        if sub_path:
            _local_descending_path(
                errors, f"{path}.subPath", sub_path
            )  # upstream reports it on the list path
        propagation = mount.get("mountPropagation")
        if propagation is not None and propagation not in ("Bidirectional", "HostToContainer", "None"):
            errors.not_supported(
                f"{path}.mountPropagation", propagation, ["Bidirectional", "HostToContainer", "None"]
            )


def _local_descending_path(errors: ErrorList, path: str, target: str) -> None:
    if target.startswith("/"):
        errors.invalid(path, target, "must be a relative path")
    if ".." in target.replace("\\", "/").split("/"):
        errors.invalid(path, target, "must not contain '..'")


def _pull_policy(errors: ErrorList, policy: Any, path: str) -> None:
    if not policy:
        errors.required(path)
    elif policy not in ("Always", "IfNotPresent", "Never"):
        errors.not_supported(path, policy, ["Always", "IfNotPresent", "Never"])


def _resource_name_errors(errors: ErrorList, name: str, path: str) -> None:
    """validateContainerResourceName: cpu, memory, ephemeral-storage, hugepages-*, or a domain/name."""
    messages = validate_label_key(name)
    for message in messages:
        errors.invalid(path, name, message)
    if messages:
        return
    if "/" not in name:
        if name not in _STANDARD_RESOURCES and not name.startswith("hugepages-"):
            errors.invalid(path, name, "must be a standard resource type or fully qualified")
        if name not in _STANDARD_CONTAINER_RESOURCES and not name.startswith("hugepages-"):
            errors.invalid(path, name, "must be a standard resource for containers")
    elif "kubernetes.io/" not in name and name.startswith("requests."):
        errors.invalid(path, name, "doesn't follow extended resource name standard")


def _is_extended_resource(name: str) -> bool:
    """Resources such as nvidia.com/gpu: whole units, and never overcommitted."""
    return "/" in name and "kubernetes.io/" not in name and not name.startswith("requests.")


def _quantity(value: Any) -> Quantity | None:
    try:
        return Quantity(value)
    except (QuantityParseError, TypeError, ValueError):
        return None  # decode_errors reports it


def _resource_requirements(errors: ErrorList, resources: dict, path: str) -> None:
    limits = {str(k): v for k, v in _obj(resources.get("limits")).items()}
    requests = {str(k): v for k, v in _obj(resources.get("requests")).items()}
    for name in sorted(limits):
        at = f"{path}.limits[{name}]"
        _resource_name_errors(errors, name, at)
        quantity = _quantity(limits[name])
        if quantity is not None:
            _resource_quantity_value(errors, name, quantity, at)
    for name in sorted(requests):
        at = f"{path}.requests[{name}]"
        _resource_name_errors(errors, name, at)
        quantity = _quantity(requests[name])
        if quantity is None:
            continue
        _resource_quantity_value(errors, name, quantity, at)
        limit = _quantity(limits[name]) if name in limits else None
        if name in limits:
            if limit is None:
                continue
            if quantity != limit and _is_extended_resource(name):
                errors.invalid(f"{path}.requests", str(quantity), f"must be equal to {name} limit of {limit}")
            elif quantity > limit:
                errors.invalid(
                    f"{path}.requests",
                    str(quantity),
                    f"must be less than or equal to {name} limit of {limit}",
                )
        elif _is_extended_resource(name):
            errors.required(f"{path}.limits", "Limit must be set for non overcommitable resources")


def _resource_quantity_value(errors: ErrorList, name: str, quantity: Quantity, path: str) -> None:
    if quantity < 0:
        errors.invalid(path, str(quantity), IS_NEGATIVE)
    if _is_extended_resource(name) and quantity.milli_value % 1000 != 0:
        errors.invalid(path, str(quantity), "must be an integer")


# The internal SecurityContext's Go fields, in order: how the server prints the whole struct.
_SECURITY_CONTEXT_FIELDS = [
    ("Capabilities", "capabilities"),
    ("Privileged", "privileged"),
    ("SELinuxOptions", "seLinuxOptions"),
    ("WindowsOptions", "windowsOptions"),
    ("RunAsUser", "runAsUser"),
    ("RunAsGroup", "runAsGroup"),
    ("RunAsNonRoot", "runAsNonRoot"),
    ("ReadOnlyRootFilesystem", "readOnlyRootFilesystem"),
    ("AllowPrivilegeEscalation", "allowPrivilegeEscalation"),
    ("ProcMount", "procMount"),
    ("SeccompProfile", "seccompProfile"),
    ("AppArmorProfile", "appArmorProfile"),
]


def _security_context(errors: ErrorList, context: Any, path: str) -> None:
    context = _obj(context)
    for key in ("runAsUser", "runAsGroup", "fsGroup"):
        number = _int(context.get(key))
        if number is not None and not 0 <= number <= MAX_INT32:
            errors.invalid(f"{path}.{key}", number, inclusive_range_error(0, MAX_INT32))
    if context.get("allowPrivilegeEscalation") is False and context.get("privileged") is True:
        shown = go_json({name: context.get(key) for name, key in _SECURITY_CONTEXT_FIELDS})
        _invalid_shown(
            errors, path, shown, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"
        )


def _container_common(errors: ErrorList, container: dict, volumes: dict[str, dict], path: str) -> None:
    """validateContainerCommon: what every container, init or regular, must get right."""
    name = _str(container.get("name"))
    if not name:
        errors.required(f"{path}.name")
    else:
        _dns1123_label(errors, f"{path}.name", name)
    if not _str(container.get("image")):
        errors.required(f"{path}.image")
    policy = container.get("terminationMessagePolicy")
    if not policy:
        errors.required(f"{path}.terminationMessagePolicy")
    elif policy not in ("File", "FallbackToLogsOnError"):
        errors.not_supported(f"{path}.terminationMessagePolicy", policy, ["File", "FallbackToLogsOnError"])
    _container_ports(errors, _list(container.get("ports")), f"{path}.ports")
    _env(errors, _list(container.get("env")), f"{path}.env")
    _env_from(errors, _list(container.get("envFrom")), f"{path}.envFrom")
    _volume_mounts(errors, _list(container.get("volumeMounts")), volumes, f"{path}.volumeMounts")
    _pull_policy(errors, container.get("imagePullPolicy"), f"{path}.imagePullPolicy")
    _resource_requirements(errors, _obj(container.get("resources")), f"{path}.resources")
    if "securityContext" in container:
        _security_context(errors, container.get("securityContext"), f"{path}.securityContext")


# --- probes and handlers ---------------------------------------------------------------


def _port_number_or_name(errors: ErrorList, port: Any, path: str) -> None:
    """ValidatePortNumOrName: an IntOrString port is 1-65535 or a valid port name."""
    if isinstance(port, str):
        for message in validate_port_name(port):
            errors.invalid(path, port, message)
    else:
        number = _int(port) or 0
        for message in validate_port_number(number):
            errors.invalid(path, number, message)


def _handler(errors: ErrorList, handler: dict, path: str, kinds: tuple[str, ...]) -> None:
    """validateHandler: exactly one action (exec, httpGet, tcpSocket, grpc, or sleep in hooks)."""
    count = 0
    for kind in kinds:
        action = handler.get(kind)
        if action is None:
            continue
        if count > 0:
            errors.forbidden(f"{path}.{kind}", "may not specify more than 1 handler type")
            continue
        count += 1
        action, at = _obj(action), f"{path}.{kind}"
        if kind == "exec":
            if not _list(action.get("command")):
                errors.required(f"{at}.command")
        elif kind == "httpGet":
            if not _str(action.get("path")):
                errors.required(f"{at}.path")
            _port_number_or_name(errors, action.get("port"), f"{at}.port")
            scheme = action.get("scheme")
            if scheme not in ("HTTP", "HTTPS"):
                errors.not_supported(f"{at}.scheme", scheme if scheme is not None else "", ["HTTP", "HTTPS"])
            for header in _list(action.get("httpHeaders")):
                header_name = _str(_obj(header).get("name"))
                if not re.fullmatch(_HTTP_HEADER_NAME_FMT, header_name):
                    errors.invalid(
                        f"{at}.httpHeaders",
                        header_name,
                        regex_error(_HTTP_HEADER_NAME_ERR, _HTTP_HEADER_NAME_FMT, "X-Header-Name"),
                    )
        elif kind == "tcpSocket":
            _port_number_or_name(errors, action.get("port"), f"{at}.port")
        elif kind == "grpc":
            _port_number_or_name(errors, _int(action.get("port")) or 0, f"{at}.port")
    if count == 0:
        errors.required(path, "must specify a handler type")


def _probe(errors: ErrorList, probe: Any, path: str, which: str) -> None:
    if not isinstance(probe, dict):
        return
    _handler(errors, probe, path, ("exec", "httpGet", "tcpSocket", "grpc"))
    for key in (
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ):
        _nonnegative(errors, f"{path}.{key}", probe.get(key))
    grace = _int(probe.get("terminationGracePeriodSeconds"))
    if grace is not None and grace <= 0:
        errors.invalid(f"{path}.terminationGracePeriodSeconds", grace, "must be greater than 0")
    if which in ("livenessProbe", "startupProbe"):
        threshold = _int(probe.get("successThreshold"))
        if threshold != 1:
            errors.invalid(f"{path}.successThreshold", threshold if threshold is not None else 0, "must be 1")
    elif which == "readinessProbe" and probe.get("terminationGracePeriodSeconds") is not None:
        errors.invalid(
            f"{path}.terminationGracePeriodSeconds",
            _int(probe["terminationGracePeriodSeconds"]),
            "must not be set for readinessProbes",
        )


def _lifecycle(errors: ErrorList, lifecycle: dict, path: str) -> None:
    for hook in ("postStart", "preStop"):
        if isinstance(lifecycle.get(hook), dict):
            _handler(errors, lifecycle[hook], f"{path}.{hook}", ("exec", "httpGet", "tcpSocket", "sleep"))


# --- volumes ---------------------------------------------------------------------------

_VOLUME_SOURCES = (
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
)
_HOST_PATH_TYPES = [
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
]


def _volumes(errors: ErrorList, volumes: list, path: str) -> dict[str, dict]:
    """ValidateVolumes: the pod's volumes by name (only the valid ones, as upstream keeps them)."""
    valid: dict[str, dict] = {}
    for index, volume in enumerate(volumes):
        volume, at = _obj(volume), f"{path}[{index}]"
        volume_errors = ErrorList()
        _volume_source(volume_errors, volume, at)
        name = _str(volume.get("name"))
        if not name:
            volume_errors.required(f"{at}.name")
        else:
            _dns1123_label(volume_errors, f"{at}.name", name)
        if name in valid:
            volume_errors.duplicate(f"{at}.name", name)
        if volume_errors:
            errors.extend(volume_errors)
        else:
            valid[name] = volume
    return valid


def _volume_source(errors: ErrorList, volume: dict, path: str) -> None:
    count = 0
    for source in _VOLUME_SOURCES:
        if volume.get(source) is None:
            continue
        if count > 0:
            errors.forbidden(f"{path}.{source}", "may not specify more than 1 volume type")
            continue
        count += 1
        settings, at = _obj(volume[source]), f"{path}.{source}"
        if source == "hostPath":
            host_path = _str(settings.get("path"))
            if not host_path:
                errors.required(f"{at}.path")
            elif ".." in host_path.split("/"):
                errors.invalid(f"{at}.path", host_path, "must not contain '..'")
            kind = settings.get("type")
            if kind is not None and kind not in _HOST_PATH_TYPES:
                errors.not_supported(f"{at}.type", kind, _HOST_PATH_TYPES)
        elif source == "secret":
            if not _str(settings.get("secretName")):
                errors.required(f"{at}.secretName")
            _file_modes_and_items(errors, settings, at)
        elif source == "configMap":
            if not _str(settings.get("name")):
                errors.required(f"{at}.name")
            _file_modes_and_items(errors, settings, at)
        elif source == "persistentVolumeClaim":
            if not _str(settings.get("claimName")):
                errors.required(f"{at}.claimName")
        elif source == "emptyDir":
            limit = _quantity(settings["sizeLimit"]) if "sizeLimit" in settings else None
            if limit is not None and limit < 0:
                errors.forbidden(f"{at}.sizeLimit", "SizeLimit field must be a valid resource quantity")
        elif source == "downwardAPI":
            _file_mode(errors, settings.get("defaultMode"), f"{at}.defaultMode")
            for item in _list(settings.get("items")):
                _downward_api_file(errors, _obj(item), at)
        elif source == "projected":
            _file_mode(errors, settings.get("defaultMode"), f"{at}.defaultMode")
            for source_index, projection in enumerate(_list(settings.get("sources"))):
                _projection(errors, _obj(projection), at, f"{at}.sources[{source_index}]")
        elif source == "nfs":
            if not _str(settings.get("server")):
                errors.required(f"{at}.server")
            nfs_path = _str(settings.get("path"))
            if not nfs_path:
                errors.required(f"{at}.path")
            if not nfs_path.startswith("/"):
                errors.invalid(f"{at}.path", nfs_path, "must be an absolute path")
    if count == 0:
        errors.required(path, "must specify a volume type")


def _file_mode(errors: ErrorList, mode: Any, path: str) -> None:
    number = _int(mode)
    if number is not None and not 0 <= number <= 0o777:
        errors.invalid(path, number, FILE_MODE_ERROR)


def _file_modes_and_items(errors: ErrorList, settings: dict, path: str) -> None:
    _file_mode(errors, settings.get("defaultMode"), f"{path}.defaultMode")
    for index, item in enumerate(_list(settings.get("items"))):
        _key_to_path(errors, _obj(item), f"{path}.items[{index}]")


def _key_to_path(errors: ErrorList, item: dict, path: str) -> None:
    if not _str(item.get("key")):
        errors.required(f"{path}.key")
    target = _str(item.get("path"))
    if not target:
        errors.required(f"{path}.path")
    _local_non_reserved_path(errors, f"{path}.path", target)
    _file_mode(errors, item.get("mode"), f"{path}.mode")


def _local_non_reserved_path(errors: ErrorList, path: str, target: str) -> None:
    _local_descending_path(errors, path, target)
    if target.startswith("..") and not target.startswith("../"):
        errors.invalid(path, target, "must not start with '..'")


def _downward_api_file(errors: ErrorList, item: dict, path: str) -> None:
    target = _str(item.get("path"))
    if not target:
        errors.required(f"{path}.path")
    _local_non_reserved_path(errors, f"{path}.path", target)
    if isinstance(item.get("fieldRef"), dict):
        _object_field_selector(errors, item["fieldRef"], _VALID_VOLUME_FIELD_PATHS, f"{path}.fieldRef")
        if item.get("resourceFieldRef") is not None:
            errors.invalid(
                path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"
            )
    elif isinstance(item.get("resourceFieldRef"), dict):
        _resource_field_selector(errors, item["resourceFieldRef"], f"{path}.resourceFieldRef", True)
    else:
        errors.required(path, "one of fieldRef and resourceFieldRef is required")
    _file_mode(errors, item.get("mode"), f"{path}.mode")


def _projection(errors: ErrorList, projection: dict, volume_path: str, path: str) -> None:
    count = 0
    for key in ("secret", "configMap"):
        if isinstance(projection.get(key), dict):
            count += 1
            if not _str(projection[key].get("name")):
                errors.required(f"{path}.{key}.name")
            for index, item in enumerate(_list(projection[key].get("items"))):
                _key_to_path(errors, _obj(item), f"{path}.{key}.items[{index}]")
    if isinstance(projection.get("downwardAPI"), dict):
        count += 1
        for item in _list(projection["downwardAPI"].get("items")):
            _downward_api_file(errors, _obj(item), f"{path}.downwardAPI")
    if isinstance(projection.get("serviceAccountToken"), dict):
        count += 1
        token = projection["serviceAccountToken"]
        seconds = _int(token.get("expirationSeconds"))
        if seconds is not None and seconds < 600:
            errors.invalid(
                f"{path}.serviceAccountToken.expirationSeconds",
                seconds,
                "may not specify a duration less than 10 minutes",
            )
        if not _str(token.get("path")):
            errors.required(f"{volume_path}.path")
    for key in ("clusterTrustBundle", "podCertificate"):
        if projection.get(key) is not None:
            count += 1
    if count > 1:
        errors.forbidden(path, "may not specify more than 1 volume type per source")


# --- scheduling constraints --------------------------------------------------------------

_TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]


def validate_tolerations(errors: ErrorList, tolerations: list, path: str) -> None:
    """ValidateTolerations."""
    for index, toleration in enumerate(tolerations):
        toleration, at = _obj(toleration), f"{path}[{index}]"
        key = _str(toleration.get("key"))
        operator = _str(toleration.get("operator"))
        value = _str(toleration.get("value"))
        effect = _str(toleration.get("effect"))
        if key:
            _label_name(errors, f"{at}.key", key)
        if not key and operator != "Exists":
            errors.invalid(
                f"{at}.operator",
                operator,
                'operator must be Exists when `key` is empty, which means "match all values and all keys"',
            )
        if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
            errors.invalid(
                f"{at}.effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"
            )
        if operator in ("Equal", ""):
            messages = validate_label_value(value)
            if messages:
                errors.invalid(f"{at}.operator", value, ";".join(messages))
        elif operator == "Exists":
            if value:
                errors.invalid(f"{at}.operator", value, "value must be empty when `operator` is 'Exists'")
        else:
            errors.not_supported(f"{at}.operator", operator, ["Equal", "Exists"])
        if effect:
            _taint_effect(errors, effect, f"{at}.effect", allow_empty=True)


def _taint_effect(errors: ErrorList, effect: str, path: str, allow_empty: bool) -> None:
    if not allow_empty and not effect:
        errors.required(path)
    elif effect not in _TAINT_EFFECTS:
        errors.not_supported(path, effect, _TAINT_EFFECTS)


def _node_selector_requirement(errors: ErrorList, requirement: dict, path: str, check_values: bool) -> None:
    operator = _str(requirement.get("operator"))
    values = [_str(v) for v in _list(requirement.get("values"))]
    if operator in ("In", "NotIn"):
        if not values:
            errors.required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'")
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            errors.forbidden(
                f"{path}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            )
    elif operator in ("Gt", "Lt"):
        if len(values) != 1:
            errors.required(
                f"{path}.values", "must be specified single value when `operator` is 'Lt' or 'Gt'"
            )
    else:
        errors.invalid(f"{path}.operator", operator, "not a valid selector operator")
    _label_name(errors, f"{path}.key", _str(requirement.get("key")))
    if check_values:
        for index, value in enumerate(values):
            for message in validate_label_value(value):
                errors.invalid(f"{path}.values[{index}]", value, message)


def _node_selector_term(errors: ErrorList, term: dict, path: str, check_values: bool) -> None:
    for index, requirement in enumerate(_list(term.get("matchExpressions"))):
        _node_selector_requirement(
            errors, _obj(requirement), f"{path}.matchExpressions[{index}]", check_values
        )
    for index, requirement in enumerate(_list(term.get("matchFields"))):
        requirement, at = _obj(requirement), f"{path}.matchFields[{index}]"
        if _str(requirement.get("operator")) in ("In", "NotIn"):
            if len(_list(requirement.get("values"))) != 1:
                errors.required(
                    f"{at}.values",
                    "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
                )
        else:
            errors.invalid(
                f"{at}.operator", _str(requirement.get("operator")), "not a valid selector operator"
            )
        if _str(requirement.get("key")) != "metadata.name":
            errors.invalid(f"{at}.key", _str(requirement.get("key")), "not a valid field selector key")


def _affinity(errors: ErrorList, affinity: dict, path: str) -> None:
    node = _obj(affinity.get("nodeAffinity"))
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    if isinstance(required, dict):
        at = f"{path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
        terms = _list(required.get("nodeSelectorTerms"))
        if not terms:
            errors.required(at, "must have at least one node selector term")
        for index, term in enumerate(terms):
            _node_selector_term(errors, _obj(term), f"{at}[{index}]", check_values=True)
    preferred_path = f"{path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution"
    for index, preferred in enumerate(_list(node.get("preferredDuringSchedulingIgnoredDuringExecution"))):
        preferred = _obj(preferred)
        _weight(errors, preferred.get("weight"), f"{preferred_path}[{index}].weight")
        _node_selector_term(
            errors,
            _obj(preferred.get("preference")),
            f"{preferred_path}[{index}].preference",
            check_values=False,
        )
    for kind in ("podAffinity", "podAntiAffinity"):
        terms = _obj(affinity.get(kind))
        at = f"{path}.{kind}"
        for index, term in enumerate(_list(terms.get("requiredDuringSchedulingIgnoredDuringExecution"))):
            _pod_affinity_term(
                errors, _obj(term), f"{at}.requiredDuringSchedulingIgnoredDuringExecution[{index}]"
            )
        for index, weighted in enumerate(_list(terms.get("preferredDuringSchedulingIgnoredDuringExecution"))):
            weighted = _obj(weighted)
            weighted_path = f"{at}.preferredDuringSchedulingIgnoredDuringExecution[{index}]"
            _weight(errors, weighted.get("weight"), f"{weighted_path}.weight")
            _pod_affinity_term(
                errors, _obj(weighted.get("podAffinityTerm")), f"{weighted_path}.podAffinityTerm"
            )


def _weight(errors: ErrorList, weight: Any, path: str) -> None:
    number = _int(weight) or 0
    if not 1 <= number <= 100:
        errors.invalid(path, number, "must be in the range 1-100")


def _pod_affinity_term(errors: ErrorList, term: dict, path: str) -> None:
    for key in ("labelSelector", "namespaceSelector"):
        if isinstance(term.get(key), dict):
            errors.extend(validate_label_selector(term[key], f"{path}.{key}"))
    for namespace in _list(term.get("namespaces")):
        for message in validate_dns1123_label(_str(namespace)):
            errors.invalid(f"{path}.namespace", _str(namespace), message)
    topology_key = _str(term.get("topologyKey"))
    if not topology_key:
        errors.required(f"{path}.topologyKey", "can not be empty")
    _label_name(errors, f"{path}.topologyKey", topology_key)


def _topology_spread_constraints(errors: ErrorList, constraints: list, path: str) -> None:
    constraints = [_obj(c) for c in constraints]
    for index, constraint in enumerate(constraints):
        at = f"{path}[{index}]"
        max_skew = _int(constraint.get("maxSkew")) or 0
        if max_skew <= 0:
            errors.invalid(f"{at}.maxSkew", max_skew, IS_NOT_POSITIVE)
        topology_key = _str(constraint.get("topologyKey"))
        if not topology_key:
            errors.required(f"{at}.topologyKey", "can not be empty")
        action = _str(constraint.get("whenUnsatisfiable"))
        if action not in ("DoNotSchedule", "ScheduleAnyway"):
            errors.not_supported(f"{at}.whenUnsatisfiable", action, ["DoNotSchedule", "ScheduleAnyway"])
        for later in constraints[index + 1 :]:
            if (_str(later.get("topologyKey")), _str(later.get("whenUnsatisfiable"))) == (
                topology_key,
                action,
            ):
                errors.duplicate(f"{at}.{{topologyKey, whenUnsatisfiable}}", f"{{{topology_key}, {action}}}")
                break
        min_domains = _int(constraint.get("minDomains"))
        if constraint.get("minDomains") is not None:
            if (min_domains or 0) <= 0:
                errors.invalid(f"{at}.minDomains", min_domains or 0, IS_NOT_POSITIVE)
            if action != "DoNotSchedule":
                errors.invalid(
                    f"{at}.minDomains",
                    min_domains or 0,
                    f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}",
                )
        for key in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            policy = constraint.get(key)
            if policy is not None and policy not in ("Honor", "Ignore"):
                errors.not_supported(f"{at}.{key}", policy, ["Honor", "Ignore"])
        if isinstance(constraint.get("labelSelector"), dict):
            errors.extend(validate_label_selector(constraint["labelSelector"], f"{at}.labelSelector"))


# --- pod spec (ValidatePodSpec) ------------------------------------------------------------

_RESTART_POLICIES = ["Always", "OnFailure", "Never"]
_DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]


def validate_pod_spec(errors: ErrorList, spec: dict, path: str, is_pod: bool) -> None:
    """ValidatePodSpec: the rules for a pod's spec, in a Pod (`is_pod`) or in a pod template."""
    if spec.get("terminationGracePeriodSeconds") is None:
        errors.required(f"{path}.terminationGracePeriodSeconds")
    volumes = _volumes(errors, _list(spec.get("volumes")), f"{path}.volumes")
    containers = [_obj(c) for c in _list(spec.get("containers"))]
    _containers(errors, containers, volumes, f"{path}.containers")
    _init_containers(
        errors,
        [_obj(c) for c in _list(spec.get("initContainers"))],
        containers,
        volumes,
        f"{path}.initContainers",
    )
    if spec.get("hostNetwork") is True:
        for index, container in enumerate(containers):
            for port_index, port in enumerate(_list(container.get("ports"))):
                host_port, container_port = (
                    _int(_obj(port).get("hostPort")) or 0,
                    _int(_obj(port).get("containerPort")),
                )
                if (is_pod or host_port != 0) and host_port != container_port:
                    errors.invalid(
                        f"{path}.containers[{index}].ports[{port_index}].hostPort",
                        host_port,
                        "must match `containerPort` when `hostNetwork` is true",
                    )
    restart_policy = spec.get("restartPolicy")
    if not restart_policy:
        errors.required(f"{path}.restartPolicy")
    elif restart_policy not in _RESTART_POLICIES:
        errors.not_supported(f"{path}.restartPolicy", restart_policy, _RESTART_POLICIES)
    dns_policy = spec.get("dnsPolicy")
    if not dns_policy:
        errors.required(f"{path}.dnsPolicy")
    elif dns_policy not in _DNS_POLICIES:
        errors.not_supported(f"{path}.dnsPolicy", dns_policy, _DNS_POLICIES)
    validate_labels(errors, f"{path}.nodeSelector", spec.get("nodeSelector"))
    _security_context(errors, spec.get("securityContext"), f"{path}.securityContext")
    if isinstance(spec.get("affinity"), dict):
        _affinity(errors, spec["affinity"], f"{path}.affinity")
    if dns_policy == "None":
        dns_config = spec.get("dnsConfig")
        if not isinstance(dns_config, dict):
            errors.required(f"{path}.dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None")
        elif not _list(dns_config.get("nameservers")):
            errors.required(
                f"{path}.dnsConfig.nameservers",
                "must provide at least one DNS nameserver when `dnsPolicy` is None",
            )
    for index, gate in enumerate(_list(spec.get("readinessGates"))):
        _qualified_name(
            errors, f"{path}.readinessGates[{index}].conditionType", _str(_obj(gate).get("conditionType"))
        )
    _topology_spread_constraints(
        errors, _list(spec.get("topologySpreadConstraints")), f"{path}.topologySpreadConstraints"
    )
    for key in ("serviceAccountName", "nodeName", "priorityClassName"):
        value = _str(spec.get(key))
        if value:
            _dns1123_subdomain(errors, f"{path}.{key}", value)
    deadline = _int(spec.get("activeDeadlineSeconds"))
    if spec.get("activeDeadlineSeconds") is not None and not 1 <= (deadline or 0) <= MAX_INT32:
        errors.invalid(f"{path}.activeDeadlineSeconds", deadline or 0, inclusive_range_error(1, MAX_INT32))
    for key in ("hostname", "subdomain"):
        value = _str(spec.get(key))
        if value:
            _dns1123_label(errors, f"{path}.{key}", value)
    validate_tolerations(errors, _list(spec.get("tolerations")), f"{path}.tolerations")
    for index, alias in enumerate(_list(spec.get("hostAliases"))):
        alias = _obj(alias)
        _ip_errors(errors, f"{path}.hostAliases[{index}].ip", _str(alias.get("ip")))
        for name_index, hostname in enumerate(_list(alias.get("hostnames"))):
            _dns1123_subdomain(errors, f"{path}.hostAliases[{index}].hostnames[{name_index}]", _str(hostname))
    policy = spec.get("preemptionPolicy")
    if policy is not None and policy not in ("PreemptLowerPriority", "Never"):
        errors.not_supported(f"{path}.preemptionPolicy", policy, ["PreemptLowerPriority", "Never"])
    os_ = spec.get("os")
    if isinstance(os_, dict):
        os_name = _str(os_.get("name"))
        if not os_name:
            errors.required(f"{path}.os.name", "cannot be empty")
        elif os_name not in ("linux", "windows"):
            errors.not_supported(f"{path}.os", os_name, ["linux", "windows"])


def _containers(errors: ErrorList, containers: list[dict], volumes: dict[str, dict], path: str) -> None:
    """validateContainers."""
    if not containers:
        errors.required(path)
        return
    names: set[str] = set()
    for index, container in enumerate(containers):
        at = f"{path}[{index}]"
        _container_common(errors, container, volumes, at)
        name = _str(container.get("name"))
        if name in names:
            errors.duplicate(f"{at}.name", name)
        names.add(name)
        if isinstance(container.get("lifecycle"), dict):
            _lifecycle(errors, container["lifecycle"], f"{at}.lifecycle")
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            _probe(errors, container.get(probe), f"{at}.{probe}", probe)
        if container.get("restartPolicy") is not None:
            errors.forbidden(f"{at}.restartPolicy", "may not be set for non-init containers")
    _host_port_conflicts(errors, containers, path)


def _host_port_conflicts(errors: ErrorList, containers: list[dict], path: str) -> None:
    seen: set[str] = set()
    for index, container in enumerate(containers):
        for port_index, port in enumerate(_list(container.get("ports"))):
            port = _obj(port)
            host_port = _int(port.get("hostPort")) or 0
            if host_port == 0:
                continue
            key = f"{_str(port.get('protocol'))}/{_str(port.get('hostIP'))}/{host_port}"
            if key in seen:
                errors.duplicate(f"{path}[{index}].ports[{port_index}].hostPort", key)
            seen.add(key)


def _init_containers(
    errors: ErrorList, containers: list[dict], regular: list[dict], volumes: dict[str, dict], path: str
) -> None:
    """validateInitContainers: names unique across all containers; probes only for sidecars."""
    names = {_str(c.get("name")) for c in regular}
    for index, container in enumerate(containers):
        at = f"{path}[{index}]"
        _container_common(errors, container, volumes, at)
        restart_policy = container.get("restartPolicy")
        if restart_policy is not None and restart_policy != "Always":
            errors.not_supported(f"{at}.restartPolicy", restart_policy, ["Always"])
        name = _str(container.get("name"))
        if name in names:
            errors.duplicate(f"{at}.name", name)
        elif name:
            names.add(name)
        _host_port_conflicts(errors, [container], path)
        if restart_policy == "Always":  # a sidecar: may have probes and hooks
            if isinstance(container.get("lifecycle"), dict):
                _lifecycle(errors, container["lifecycle"], f"{at}.lifecycle")
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                _probe(errors, container.get(probe), f"{at}.{probe}", probe)
        else:
            for key in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if container.get(key) is not None:
                    errors.forbidden(
                        f"{at}.{key}", "may not be set for init containers without restartPolicy=Always"
                    )


def _containers_only_for_pod(errors: ErrorList, containers: list, path: str) -> None:
    for index, container in enumerate(containers):
        image = _str(_obj(container).get("image"))
        if image != image.strip():
            errors.invalid(f"{path}[{index}].image", image, "must not have leading or trailing whitespace")


def validate_pod_template(errors: ErrorList, template: dict, path: str) -> None:
    """ValidatePodTemplateSpec: a controller's pod template (labels, annotations, spec)."""
    meta = _obj(template.get("metadata"))
    validate_labels(errors, f"{path}.labels", meta.get("labels"))
    validate_annotations(errors, f"{path}.annotations", meta.get("annotations"))
    spec = _obj(template.get("spec"))
    validate_pod_spec(errors, spec, f"{path}.spec", is_pod=False)
    if _list(spec.get("ephemeralContainers")):
        errors.forbidden(
            f"{path}.spec.ephemeralContainers", "ephemeral containers not allowed in pod template"
        )


# --- Pod ----------------------------------------------------------------------------------


def _pod_metadata_and_spec(errors: ErrorList, info: ResourceInfo, pod: dict) -> None:
    validate_object_meta(errors, info.kind, _obj(pod.get("metadata")), info.namespaced)
    spec = _obj(pod.get("spec"))
    validate_pod_spec(errors, spec, "spec", is_pod=True)
    _containers_only_for_pod(errors, _list(spec.get("containers")), "spec.containers")
    _containers_only_for_pod(errors, _list(spec.get("initContainers")), "spec.initContainers")


def validate_pod(errors: ErrorList, info: ResourceInfo, pod: dict) -> None:
    """ValidatePodCreate."""
    _pod_metadata_and_spec(errors, info, pod)
    spec = _obj(pod.get("spec"))
    if _list(spec.get("ephemeralContainers")):
        errors.forbidden("spec.ephemeralContainers", "cannot be set on create")
    if _str(spec.get("nodeName")) and _list(spec.get("schedulingGates")):
        errors.forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared")


def validate_pod_update(errors: ErrorList, info: ResourceInfo, pod: dict, old: dict) -> None:
    """ValidatePodUpdate: a running pod's spec is fixed, except images, deadline, tolerations (added)."""
    meta_errors = ErrorList()
    _pod_metadata_and_spec(meta_errors, info, pod)
    errors.extend(_without_meta_create_rules(meta_errors))
    spec, old_spec = _obj(pod.get("spec")), _obj(old.get("spec"))
    for key in ("containers", "initContainers"):
        new_containers, old_containers = _list(spec.get(key)), _list(old_spec.get(key))
        if len(new_containers) != len(old_containers):
            errors.forbidden(f"spec.{key}", "pod updates may not add or remove containers")
            return
        for index, container in enumerate(new_containers):
            image = _str(_obj(container).get("image"))
            if not image:
                errors.required(f"spec.{key}[{index}].image")
    deadline, old_deadline = spec.get("activeDeadlineSeconds"), old_spec.get("activeDeadlineSeconds")
    if deadline is not None:
        number = _int(deadline) or 0
        if not 0 <= number <= MAX_INT32:
            errors.invalid("spec.activeDeadlineSeconds", number, inclusive_range_error(0, MAX_INT32))
            return
        if old_deadline is not None and (_int(old_deadline) or 0) < number:
            errors.invalid(
                "spec.activeDeadlineSeconds", number, "must be less than or equal to previous value"
            )
            return
    elif old_deadline is not None:
        errors.invalid(
            "spec.activeDeadlineSeconds", "null", "must not update from a positive integer to nil value"
        )
    _only_added_tolerations(errors, _list(spec.get("tolerations")), _list(old_spec.get("tolerations")))
    if spec == old_spec:
        return
    munged = copy.deepcopy(spec)
    for key in ("containers", "initContainers"):
        for container, old_container in zip(_list(munged.get(key)), _list(old_spec.get(key)), strict=False):
            if isinstance(container, dict) and isinstance(old_container, dict):
                _put(container, "image", old_container.get("image"))
    _put(munged, "activeDeadlineSeconds", old_spec.get("activeDeadlineSeconds"))
    _put(munged, "tolerations", old_spec.get("tolerations"))
    old_grace = _int(old_spec.get("terminationGracePeriodSeconds"))
    if old_grace is not None and old_grace < 0 and _int(munged.get("terminationGracePeriodSeconds")) == 1:
        munged["terminationGracePeriodSeconds"] = old_spec["terminationGracePeriodSeconds"]
    if munged != old_spec:
        difference = "\n".join(spec_diff(old_spec, munged, "spec"))
        errors.forbidden(
            "spec",
            "pod updates may not change fields other than "
            + ",".join(UPDATABLE_POD_SPEC_FIELDS)
            + "\n"
            + difference,
        )


def _put(target: dict, key: str, value: Any) -> None:
    """target[key] = value, where None means "absent" (as a nil pointer is omitted from JSON)."""
    if value is None:
        target.pop(key, None)
    else:
        target[key] = copy.deepcopy(value)


def spec_diff(old: Any, new: Any, path: str) -> list[str]:
    """The changed fields between two specs, one `-` line (old) and one `+` line (new) each.

    kube-apiserver appends a diff of the Go structs to this error (cmp.Diff); ours
    names the changed fields by their path, which says the same in fewer lines.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        lines: list[str] = []
        for key in sorted(set(old) | set(new), key=str):
            lines += spec_diff(old.get(key), new.get(key), f"{path}.{key}")
        return lines
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        lines = []
        for index, (old_item, new_item) in enumerate(zip(old, new, strict=True)):
            lines += spec_diff(old_item, new_item, f"{path}[{index}]")
        return lines
    if old == new:
        return []
    return [f"-  {path}: {_json(old)}", f"+  {path}: {_json(new)}"]


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _only_added_tolerations(errors: ErrorList, tolerations: list, old_tolerations: list) -> None:
    """validateOnlyAddedTolerations: old tolerations stay (only tolerationSeconds may change)."""
    for old in old_tolerations:
        old = _obj(old)
        kept = any(
            {k: v for k, v in _obj(new).items() if k != "tolerationSeconds"}
            == {k: v for k, v in old.items() if k != "tolerationSeconds"}
            for new in tolerations
        )
        if not kept:
            errors.forbidden(
                "spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"
            )
            return


def validate_pod_status_update(errors: ErrorList, pod: dict, old: dict) -> None:
    """ValidatePodStatusUpdate (the kubelet's writes): the pod may not move to another node this way."""
    if _str(_obj(pod.get("spec")).get("nodeName")) != _str(_obj(old.get("spec")).get("nodeName")):
        errors.forbidden("status.nodeName", "may not be changed directly")
    status = _obj(pod.get("status"))
    for index, pod_ip in enumerate(_list(status.get("podIPs"))):
        _ip_errors(errors, f"status.podIPs[{index}]", _str(_obj(pod_ip).get("ip")))
    old_qos = _obj(old.get("status")).get("qosClass")
    if old_qos and status.get("qosClass") != old_qos:
        errors.invalid("status.qosClass", _str(status.get("qosClass")), FIELD_IMMUTABLE)


# --- ReplicaSet and Deployment (pkg/apis/apps/validation) ------------------------------------


def _selector_and_template(errors: ErrorList, spec: dict, controller: str) -> None:
    """The selector rules and ValidatePodTemplateSpecForReplicaSet, shared by ReplicaSets and Deployments."""
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        errors.required("spec.selector")
    else:
        errors.extend(validate_label_selector(selector, "spec.selector"))
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            _invalid_shown(
                errors,
                "spec.selector",
                go_json(label_selector_value(selector)),
                "empty selector is invalid for deployment",
            )
    template = spec.get("template")
    try:
        parsed = selector_from_label_selector(selector) if isinstance(selector, dict) else None
    except SelectorError:
        shown = go_json(label_selector_value(selector))
        _invalid_shown(errors, "spec.selector", shown, "invalid label selector")
        return
    if not isinstance(template, dict):
        errors.required("spec.template")
        return
    labels = _obj(template.get("metadata")).get("labels")
    if parsed is not None and parsed.requirements and not parsed.matches(_string_map(labels)):
        _invalid_shown(
            errors,
            "spec.template.metadata.labels",
            go_json(label_map(labels)),
            "`selector` does not match template `labels`",
        )
    validate_pod_template(errors, template, "spec.template")
    template_spec = _obj(template.get("spec"))
    restart_policy = template_spec.get("restartPolicy")
    if restart_policy != "Always":
        errors.not_supported("spec.template.spec.restartPolicy", restart_policy or "", ["Always"])
    if template_spec.get("activeDeadlineSeconds") is not None:
        errors.forbidden(
            "spec.template.spec.activeDeadlineSeconds",
            f"activeDeadlineSeconds in {controller} is not Supported",
        )


def validate_replica_set(errors: ErrorList, info: ResourceInfo, rs: dict) -> None:
    """ValidateReplicaSet."""
    validate_object_meta(errors, info.kind, _obj(rs.get("metadata")), info.namespaced)
    _replica_set_spec(errors, _obj(rs.get("spec")))


def _replica_set_spec(errors: ErrorList, spec: dict) -> None:
    _nonnegative(errors, "spec.replicas", spec.get("replicas"))
    _nonnegative(errors, "spec.minReadySeconds", spec.get("minReadySeconds"))
    _selector_and_template(errors, spec, "ReplicaSet")


def validate_replica_set_update(errors: ErrorList, info: ResourceInfo, rs: dict, old: dict) -> None:
    """ValidateReplicaSetUpdate, plus the apps/v1 strategy's rule that the selector never changes."""
    _replica_set_spec(errors, _obj(rs.get("spec")))
    _immutable_selector(errors, _obj(rs.get("spec")), _obj(old.get("spec")))


def _immutable_selector(errors: ErrorList, spec: dict, old_spec: dict) -> None:
    if spec.get("selector") != old_spec.get("selector"):
        _invalid_shown(
            errors, "spec.selector", go_json(label_selector_value(spec.get("selector"))), FIELD_IMMUTABLE
        )


def validate_deployment(errors: ErrorList, info: ResourceInfo, deployment: dict) -> None:
    """ValidateDeployment."""
    validate_object_meta(errors, info.kind, _obj(deployment.get("metadata")), info.namespaced)
    _deployment_spec(errors, _obj(deployment.get("spec")))


def _deployment_spec(errors: ErrorList, spec: dict) -> None:
    """ValidateDeploymentSpec."""
    _nonnegative(errors, "spec.replicas", spec.get("replicas"))
    # A Deployment's template is checked by the same function as a ReplicaSet's, so its
    # messages say "ReplicaSet" too, as upstream's do.
    _selector_and_template(errors, spec, "ReplicaSet")
    _deployment_strategy(errors, _obj(spec.get("strategy")), "spec.strategy")
    _nonnegative(errors, "spec.minReadySeconds", spec.get("minReadySeconds"))
    if spec.get("revisionHistoryLimit") is not None:
        _nonnegative(errors, "spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))
    deadline = spec.get("progressDeadlineSeconds")
    if deadline is not None:
        _nonnegative(errors, "spec.progressDeadlineSeconds", deadline)
        if (_int(deadline) or 0) <= (_int(spec.get("minReadySeconds")) or 0):
            errors.invalid(
                "spec.progressDeadlineSeconds", _int(deadline) or 0, "must be greater than minReadySeconds"
            )


def _deployment_strategy(errors: ErrorList, strategy: dict, path: str) -> None:
    kind = strategy.get("type")
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            errors.forbidden(
                f"{path}.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"
            )
    elif kind == "RollingUpdate":
        if not isinstance(rolling, dict):
            errors.required(f"{path}.rollingUpdate", "this should be defaulted and never be nil")
        else:
            _rolling_update(errors, rolling, f"{path}.rollingUpdate")
    else:
        # The whole internal struct is the bad value, printed with its Go field names.
        rolling_value = None
        if isinstance(rolling, dict):
            rolling_value = {
                "MaxUnavailable": rolling.get("maxUnavailable", 0),
                "MaxSurge": rolling.get("maxSurge", 0),
            }
        shown = go_json({"Type": _str(kind), "RollingUpdate": rolling_value})
        _not_supported_shown(errors, path, shown, ["Recreate", "RollingUpdate"])


def _int_or_percent_value(value: Any) -> int:
    """getIntOrPercentValue: 25 for "25%", the number itself for an int, 0 for anything else."""
    if isinstance(value, str):
        return int(value[:-1]) if not validate_percent(value) else 0
    return _int(value) or 0


def _positive_int_or_percent(errors: ErrorList, value: Any, path: str) -> None:
    if isinstance(value, str):
        for message in validate_percent(value):
            errors.invalid(path, value, message)
    elif (_int(value) or 0) < 0:
        errors.invalid(path, _int(value), IS_NEGATIVE)


def _or_zero(value: Any) -> Any:
    """An unset IntOrString is the integer 0 (the Go zero value)."""
    return 0 if value is None else value


def _rolling_update(errors: ErrorList, rolling: dict, path: str) -> None:
    """ValidateRollingUpdateDeployment."""
    max_unavailable, max_surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    _positive_int_or_percent(errors, max_unavailable, f"{path}.maxUnavailable")
    _positive_int_or_percent(errors, max_surge, f"{path}.maxSurge")
    if _int_or_percent_value(max_unavailable) == 0 and _int_or_percent_value(max_surge) == 0:
        zero = _or_zero(max_unavailable)
        errors.invalid(f"{path}.maxUnavailable", zero, "may not be 0 when `maxSurge` is 0")
    if isinstance(max_unavailable, str) and _int_or_percent_value(max_unavailable) > 100:
        errors.invalid(f"{path}.maxUnavailable", max_unavailable, "must not be greater than 100%")


def validate_deployment_update(errors: ErrorList, info: ResourceInfo, deployment: dict, old: dict) -> None:
    """ValidateDeploymentUpdate, plus the apps/v1 strategy's rule that the selector never changes."""
    _deployment_spec(errors, _obj(deployment.get("spec")))
    _immutable_selector(errors, _obj(deployment.get("spec")), _obj(old.get("spec")))


def _workload_status_update(errors: ErrorList, obj: dict, old: dict) -> None:
    """ValidateReplicaSetStatus / ValidateDeploymentStatus: counts are never negative or above replicas."""
    status = _obj(obj.get("status"))
    for key in (
        "replicas",
        "fullyLabeledReplicas",
        "readyReplicas",
        "availableReplicas",
        "updatedReplicas",
        "unavailableReplicas",
        "observedGeneration",
    ):
        _nonnegative(errors, f"status.{key}", status.get(key))
    replicas = _int(status.get("replicas")) or 0
    for key in ("fullyLabeledReplicas", "updatedReplicas", "readyReplicas", "availableReplicas"):
        count = _int(status.get(key))
        if count is not None and count > replicas:
            errors.invalid(f"status.{key}", count, "cannot be greater than status.replicas")
    available, ready = _int(status.get("availableReplicas")) or 0, _int(status.get("readyReplicas")) or 0
    if available > ready:
        errors.invalid("status.availableReplicas", available, "cannot be greater than readyReplicas")


# --- Service ---------------------------------------------------------------------------------

_SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]


def _is_headless(spec: dict) -> bool:
    return _list(spec.get("clusterIPs")) == ["None"]


def validate_service(errors: ErrorList, info: ResourceInfo, service: dict) -> None:
    """ValidateService, plus the node-port range check of the Service registry's allocator."""
    validate_object_meta(errors, info.kind, _obj(service.get("metadata")), info.namespaced)
    spec = _obj(service.get("spec"))
    service_type = spec.get("type")
    ports = [_obj(p) for p in _list(spec.get("ports"))]
    cluster_ips = _list(spec.get("clusterIPs"))
    if not ports and not _is_headless(spec) and service_type != "ExternalName":
        errors.required("spec.ports")
    if service_type in ("LoadBalancer", "NodePort") and _is_headless(spec):
        errors.invalid(
            "spec.clusterIPs[0]", cluster_ips[0], f"may not be set to 'None' for {service_type} services"
        )
    elif service_type == "ExternalName":
        if cluster_ips:
            errors.forbidden("spec.clusterIPs", "may not be set for ExternalName services")
        if _list(spec.get("ipFamilies")):
            errors.forbidden("spec.ipFamilies", "may not be set for ExternalName services")
        if spec.get("ipFamilyPolicy") is not None:
            errors.forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services")
        cname = _str(spec.get("externalName")).removesuffix(".")
        if cname:
            _dns1123_subdomain(errors, "spec.externalName", cname)
        else:
            errors.required("spec.externalName")
    names: set[str] = set()
    for index, port in enumerate(ports):
        _service_port(errors, port, len(ports) > 1, names, f"spec.ports[{index}]")
    if spec.get("selector") is not None:
        validate_labels(errors, "spec.selector", spec.get("selector"))
    affinity = spec.get("sessionAffinity")
    if not affinity:
        errors.required("spec.sessionAffinity")
    elif affinity not in ("ClientIP", "None"):
        errors.not_supported("spec.sessionAffinity", affinity, ["ClientIP", "None"])
    if affinity == "ClientIP":
        timeout = _obj(_obj(spec.get("sessionAffinityConfig")).get("clientIP")).get("timeoutSeconds")
        if timeout is None:
            errors.required("spec.sessionAffinityConfig", "when session affinity type is ClientIP")
        elif not 0 < (_int(timeout) or 0) <= 86400:
            errors.invalid(
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                _int(timeout),
                "must be greater than 0 and less than 86400",
            )
    elif affinity == "None" and spec.get("sessionAffinityConfig") is not None:
        errors.forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None")
    _cluster_ips(errors, spec)
    for index, external_ip in enumerate(_list(spec.get("externalIPs"))):
        _ip_errors(errors, f"spec.externalIPs[{index}]", _str(external_ip))
    if not service_type:
        errors.required("spec.type")
    elif service_type not in _SERVICE_TYPES:
        errors.not_supported("spec.type", service_type, _SERVICE_TYPES)
    if service_type == "ClusterIP":
        for index, port in enumerate(ports):
            if _int(port.get("nodePort")):
                errors.forbidden(
                    f"spec.ports[{index}].nodePort", "may not be used when `type` is 'ClusterIP'"
                )
    _duplicate_ports(errors, ports)
    if _list(spec.get("loadBalancerSourceRanges")) and service_type != "LoadBalancer":
        errors.forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'")
    if spec.get("allocateLoadBalancerNodePorts") is not None and service_type != "LoadBalancer":
        errors.forbidden(
            "spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"
        )
    if service_type == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        errors.required("allocateLoadBalancerNodePorts")  # (sic: upstream leaves out "spec.")
    _traffic_policies(errors, spec, service_type)
    if service_type in ("NodePort", "LoadBalancer"):
        low, high = NODE_PORT_RANGE
        for index, port in enumerate(ports):
            node_port = _int(port.get("nodePort"))
            if node_port and not low <= node_port <= high:
                errors.invalid(
                    f"spec.ports[{index}].nodePort",
                    node_port,
                    f"provided port is not in the valid range. The range of valid ports is {low}-{high}",
                )


def _service_port(errors: ErrorList, port: dict, require_name: bool, names: set[str], path: str) -> None:
    name = _str(port.get("name"))
    if require_name and not name:
        errors.required(f"{path}.name")
    elif name:
        _dns1123_label(errors, f"{path}.name", name)
        if name in names:
            errors.duplicate(f"{path}.name", name)
        names.add(name)
    number = _int(port.get("port")) or 0
    for message in validate_port_number(number):
        errors.invalid(f"{path}.port", number, message)
    protocol = _str(port.get("protocol"))
    if not protocol:
        errors.required(f"{path}.protocol")
    elif protocol not in _SUPPORTED_PROTOCOLS:
        errors.not_supported(f"{path}.protocol", protocol, _SUPPORTED_PROTOCOLS)
    _port_number_or_name(errors, port.get("targetPort"), f"{path}.targetPort")
    if port.get("appProtocol") is not None:
        _qualified_name(errors, f"{path}.appProtocol", _str(port.get("appProtocol")))


def _duplicate_ports(errors: ErrorList, ports: list[dict]) -> None:
    node_ports: set[tuple[str, int]] = set()
    for index, port in enumerate(ports):
        node_port = _int(port.get("nodePort")) or 0
        if node_port:
            key = (_str(port.get("protocol")), node_port)
            if key in node_ports:
                errors.duplicate(f"spec.ports[{index}].nodePort", node_port)
            node_ports.add(key)
    seen: set[tuple[str, int]] = set()
    for index, port in enumerate(ports):
        protocol, number = _str(port.get("protocol")), _int(port.get("port")) or 0
        if (protocol, number) in seen:
            _duplicate_shown(
                errors,
                f"spec.ports[{index}]",
                go_json(
                    {
                        "Name": "",
                        "Protocol": protocol,
                        "AppProtocol": None,
                        "Port": number,
                        "TargetPort": 0,
                        "NodePort": 0,
                    }
                ),
            )
        seen.add((protocol, number))


def _cluster_ips(errors: ErrorList, spec: dict) -> None:
    """ValidateServiceClusterIPsRelatedFields."""
    if spec.get("type") == "ExternalName":
        return
    cluster_ip, cluster_ips = _str(spec.get("clusterIP")), [_str(ip) for ip in _list(spec.get("clusterIPs"))]
    if cluster_ip:
        if not cluster_ips:
            errors.required("spec.clusterIPs")
        elif cluster_ips[0] != cluster_ip:
            errors.invalid("spec.clusterIPs", cluster_ips, "first value must match `clusterIP`")
    elif cluster_ips:
        errors.invalid("spec.clusterIPs", cluster_ips, "must be empty when `clusterIP` is not specified")
    families = [_str(f) for f in _list(spec.get("ipFamilies"))]
    for index, family in enumerate(families):
        if family not in ("IPv4", "IPv6"):
            errors.not_supported(f"spec.ipFamilies[{index}]", family, ["IPv4", "IPv6"])
        if family in families[:index]:
            errors.duplicate(f"spec.ipFamilies[{index}]", family)
    policy = spec.get("ipFamilyPolicy")
    policies = ["PreferDualStack", "RequireDualStack", "SingleStack"]
    if policy is not None and policy not in policies:
        errors.not_supported("spec.ipFamilyPolicy", policy, policies)
    for index, ip in enumerate(cluster_ips):
        if index == 0 and ip == "None":
            if len(cluster_ips) > 1:
                errors.invalid("spec.clusterIPs", cluster_ips, "'None' must be the first and only value")
            continue
        _ip_errors(errors, f"spec.clusterIPs[{index}]", ip)
    if len(cluster_ips) > 2:
        errors.invalid("spec.clusterIPs", cluster_ips, "may only hold up to 2 values")


def _traffic_policies(errors: ErrorList, spec: dict, service_type: Any) -> None:
    external = spec.get("externalTrafficPolicy")
    externally_accessible = service_type in ("NodePort", "LoadBalancer") or bool(
        _list(spec.get("externalIPs"))
    )
    if not externally_accessible:
        if external:
            errors.invalid(
                "spec.externalTrafficPolicy", external, "may only be set for externally-accessible services"
            )
    elif not external:
        errors.required("spec.externalTrafficPolicy")
    elif external not in ("Cluster", "Local"):
        errors.not_supported("spec.externalTrafficPolicy", external, ["Cluster", "Local"])
    internal = spec.get("internalTrafficPolicy")
    if internal is None:
        if service_type in ("NodePort", "LoadBalancer", "ClusterIP"):
            errors.required("spec.internalTrafficPolicy")
    elif internal not in ("Cluster", "Local"):
        errors.not_supported("spec.internalTrafficPolicy", internal, ["Cluster", "Local"])


def validate_service_update(errors: ErrorList, info: ResourceInfo, service: dict, old: dict) -> None:
    """ValidateServiceUpdate: a cluster IP, once set, may not change."""
    spec, old_spec = _obj(service.get("spec")), _obj(old.get("spec"))
    if "ExternalName" not in (spec.get("type"), old_spec.get("type")) and not (
        _is_headless(spec) and _is_headless(old_spec)
    ):
        new_ips, old_ips = (
            _normalized_cluster_ips(spec, old_spec),
            [_str(ip) for ip in _list(old_spec.get("clusterIPs"))],
        )
        if len(new_ips) == len(old_ips):
            for index, ip in enumerate(old_ips):
                if ip != new_ips[index]:
                    errors.invalid(f"spec.clusterIPs[{index}]", new_ips, "may not change once set")
        elif len(new_ips) < len(old_ips):
            if not new_ips:
                errors.invalid("spec.clusterIPs[0]", new_ips, "primary clusterIP can not be unset")
            elif new_ips[0] != old_ips[0]:
                errors.invalid("spec.clusterIPs[0]", new_ips, "may not change once set")
        elif old_ips and new_ips[0] != old_ips[0]:
            errors.invalid("spec.clusterIPs[0]", new_ips, "may not change once set")
    service_errors = ErrorList()
    validate_service(service_errors, info, service)
    errors.extend(_without_meta_create_rules(service_errors))


def _normalized_cluster_ips(spec: dict, old_spec: dict) -> list[str]:
    """The Service registry's rule: a client that changed only clusterIP meant clusterIPs too."""
    cluster_ips = [_str(ip) for ip in _list(spec.get("clusterIPs"))]
    cluster_ip = _str(spec.get("clusterIP"))
    if cluster_ip != _str(old_spec.get("clusterIP")) and cluster_ips == _list(old_spec.get("clusterIPs")):
        return [cluster_ip] if cluster_ip else []
    return cluster_ips


# --- EndpointSlice (pkg/apis/discovery/validation) -------------------------------------------


def validate_endpoint_slice(errors: ErrorList, info: ResourceInfo, slice_: dict) -> None:
    """ValidateEndpointSlice."""
    validate_object_meta(errors, info.kind, _obj(slice_.get("metadata")), info.namespaced)
    address_type = _str(slice_.get("addressType"))
    if not address_type:
        errors.required("addressType")
    elif address_type not in ("FQDN", "IPv4", "IPv6"):
        errors.not_supported("addressType", address_type, ["FQDN", "IPv4", "IPv6"])
    for index, endpoint in enumerate(_list(slice_.get("endpoints"))):
        endpoint, at = _obj(endpoint), f"endpoints[{index}]"
        addresses = _list(endpoint.get("addresses"))
        if not addresses:
            errors.required(f"{at}.addresses", "must contain at least 1 address")
        for address_index, address in enumerate(addresses):
            address_path = f"{at}.addresses[{address_index}]"
            if address_type in ("IPv4", "IPv6"):
                try:
                    parsed = ipaddress.ip_address(_str(address))
                except ValueError:
                    errors.invalid(address_path, _str(address), f"must be a valid {address_type} address")
                    continue
                if parsed.version != (4 if address_type == "IPv4" else 6):
                    errors.invalid(address_path, _str(address), f"must be a valid {address_type} address")
        validate_labels(errors, f"{at}.topology", endpoint.get("deprecatedTopology"))
        if endpoint.get("hostname") is not None:
            _dns1123_label(errors, f"{at}.hostname", _str(endpoint.get("hostname")))
    names: set[str] = set()
    for index, port in enumerate(_list(slice_.get("ports"))):
        port, at = _obj(port), f"ports[{index}]"
        name = _str(port.get("name"))
        if name:
            _dns1123_label(errors, f"{at}.name", name)
        if name in names:
            errors.duplicate(f"{at}.name", name)
        names.add(name)
        protocol = port.get("protocol")
        if protocol is None:
            errors.required(f"{at}.protocol")
        elif protocol not in _SUPPORTED_PROTOCOLS:
            errors.not_supported(f"{at}.protocol", protocol, _SUPPORTED_PROTOCOLS)
        if port.get("appProtocol") is not None:
            _qualified_name(errors, f"{at}.appProtocol", _str(port.get("appProtocol")))


def validate_endpoint_slice_update(errors: ErrorList, info: ResourceInfo, slice_: dict, old: dict) -> None:
    slice_errors = ErrorList()
    validate_endpoint_slice(slice_errors, info, slice_)
    errors.extend(_without_meta_create_rules(slice_errors))
    if slice_.get("addressType") != old.get("addressType"):
        errors.invalid("addressType", _str(slice_.get("addressType")), FIELD_IMMUTABLE)


# --- Namespace, Node ---------------------------------------------------------------------------


def validate_namespace(errors: ErrorList, info: ResourceInfo, namespace: dict) -> None:
    """ValidateNamespace: a DNS label, with valid spec.finalizers."""
    validate_object_meta(errors, info.kind, _obj(namespace.get("metadata")), info.namespaced)
    for finalizer in _list(_obj(namespace.get("spec")).get("finalizers")):
        _qualified_name(errors, "spec.finalizers", _str(finalizer))
        _kube_finalizer_name(errors, "spec.finalizers", _str(finalizer))


def validate_node(errors: ErrorList, info: ResourceInfo, node: dict) -> None:
    """ValidateNode: the name, the taints and the resource amounts it reports."""
    validate_object_meta(errors, info.kind, _obj(node.get("metadata")), info.namespaced)
    _node_rules(errors, node)


def _node_rules(errors: ErrorList, node: dict) -> None:
    spec, status = _obj(node.get("spec")), _obj(node.get("status"))
    # (sic) kube-apiserver reports taint problems under "metadata.taints", not "spec.taints".
    unique: set[tuple[str, str]] = set()
    for index, taint in enumerate(_list(spec.get("taints"))):
        taint, at = _obj(taint), f"metadata.taints[{index}]"
        key, value, effect = _str(taint.get("key")), _str(taint.get("value")), _str(taint.get("effect"))
        _label_name(errors, f"{at}.key", key)
        messages = validate_label_value(value)
        if messages:
            errors.invalid(f"{at}.value", value, ";".join(messages))
        _taint_effect(errors, effect, f"{at}.effect", allow_empty=False)
        if (effect, key) in unique:
            _duplicate_shown(
                errors,
                at,
                go_json({"Key": key, "Value": value, "Effect": effect, "TimeAdded": None}),
                "taints must be unique by key and effect pair",
            )
            continue
        unique.add((effect, key))
    for section in ("capacity", "allocatable"):
        for name, value in sorted(_obj(status.get(section)).items()):
            quantity = _quantity(value)
            if quantity is not None and quantity < 0:
                errors.invalid(f"status.{section}.{name}", str(quantity), IS_NEGATIVE)
    pod_cidrs = [_str(c) for c in _list(spec.get("podCIDRs"))]
    for index, cidr in enumerate(pod_cidrs):
        try:
            ipaddress.ip_network(cidr)
        except ValueError:
            errors.invalid(
                f"spec.podCIDRs[{index}]",
                cidr,
                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            )


def validate_node_update(errors: ErrorList, info: ResourceInfo, node: dict, old: dict) -> None:
    """ValidateNodeUpdate: taints may change; podCIDRs and providerID only from empty."""
    _node_rules(errors, node)
    spec, old_spec = _obj(node.get("spec")), _obj(old.get("spec"))
    if _list(old_spec.get("podCIDRs")) and _list(spec.get("podCIDRs")) != _list(old_spec.get("podCIDRs")):
        errors.forbidden("spec.podCIDRs", 'node updates may not change podCIDR except from "" to valid')
    if _str(old_spec.get("providerID")) and spec.get("providerID") != old_spec.get("providerID"):
        errors.forbidden("spec.providerID", 'node updates may not change providerID except from "" to valid')


def _node_status_update(errors: ErrorList, node: dict, old: dict) -> None:
    _node_rules(errors, node)


# --- ConfigMap, Secret ---------------------------------------------------------------------------


def validate_config_map(errors: ErrorList, info: ResourceInfo, config_map: dict) -> None:
    """ValidateConfigMap: keys are file-name-like, all values together at most 1 MiB."""
    validate_object_meta(errors, info.kind, _obj(config_map.get("metadata")), info.namespaced)
    data, binary = _obj(config_map.get("data")), _obj(config_map.get("binaryData"))
    total = 0
    for key in sorted(data, key=str):
        for message in validate_config_map_key(str(key)):
            errors.invalid(f"data[{key}]", str(key), message)
        if key in binary:
            errors.invalid(f"data[{key}]", str(key), "duplicate of key present in binaryData")
        total += len(_str(data[key]).encode())
    for key in sorted(binary, key=str):
        for message in validate_config_map_key(str(key)):
            errors.invalid(f"binaryData[{key}]", str(key), message)
        total += len(_decoded(binary[key]))
    if total > MAX_SECRET_SIZE:
        errors.too_long("", "", MAX_SECRET_SIZE)


def _decoded(value: Any) -> bytes:
    try:
        return base64.b64decode(_str(value), validate=True)
    except (binascii.Error, ValueError):
        return b""


def _immutable_data(errors: ErrorList, obj: dict, old: dict, keys: tuple[str, ...]) -> None:
    if old.get("immutable") is True:
        if obj.get("immutable") is not True:
            errors.forbidden("immutable", "field is immutable when `immutable` is set")
        for key in keys:
            if obj.get(key) != old.get(key):
                errors.forbidden(key, "field is immutable when `immutable` is set")


def validate_config_map_update(errors: ErrorList, info: ResourceInfo, config_map: dict, old: dict) -> None:
    _immutable_data(errors, config_map, old, ("data", "binaryData"))
    config_errors = ErrorList()
    validate_config_map(config_errors, info, config_map)
    errors.extend(_without_meta_create_rules(config_errors))


_SECRET_REQUIRED_KEYS = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}


def validate_secret(errors: ErrorList, info: ResourceInfo, secret: dict) -> None:
    """ValidateSecret: key names, 1 MiB in all, and the keys each Secret type needs."""
    validate_object_meta(errors, info.kind, _obj(secret.get("metadata")), info.namespaced)
    data = _obj(secret.get("data"))
    total = 0
    for key in sorted(data, key=str):
        for message in validate_config_map_key(str(key)):
            errors.invalid(f"data[{key}]", str(key), message)
        total += len(_decoded(data[key]))
    if total > MAX_SECRET_SIZE:
        errors.too_long("data", "", MAX_SECRET_SIZE)
    secret_type = _str(secret.get("type"))
    if secret_type == "kubernetes.io/service-account-token":
        annotations = _obj(_obj(secret.get("metadata")).get("annotations"))
        if not _str(annotations.get("kubernetes.io/service-account.name")):
            errors.required("metadata.annotations[kubernetes.io/service-account.name]")
    elif secret_type == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            errors.required("data[username]")
            errors.required("data[password]")
    elif secret_type == "kubernetes.io/ssh-auth":
        if not _decoded(data.get("ssh-privatekey")):
            errors.required("data[ssh-privatekey]")
    else:
        for key in _SECRET_REQUIRED_KEYS.get(secret_type, ()):
            if key not in data:
                errors.required(f"data[{key}]")


def validate_secret_update(errors: ErrorList, info: ResourceInfo, secret: dict, old: dict) -> None:
    if secret.get("type") != old.get("type"):
        errors.invalid("type", _str(secret.get("type")), FIELD_IMMUTABLE)
    _immutable_data(errors, secret, old, ("data",))
    secret_errors = ErrorList()
    validate_secret(secret_errors, info, secret)
    errors.extend(_without_meta_create_rules(secret_errors))


# --- Event, Lease, PriorityClass --------------------------------------------------------------------


def validate_event(errors: ErrorList, info: ResourceInfo, event: dict) -> None:
    """legacyValidateEvent (core/v1 Events), plus the lab's rule that an event is about something.

    kube-apiserver does not run the usual metadata checks on core/v1 Events, but it
    cannot store one without a name, so the name is still required here.
    """
    meta = _obj(event.get("metadata"))
    if not _str(meta.get("name")):
        errors.required("metadata.name", "name or generateName is required")
    namespace = _str(meta.get("namespace"))
    involved = event.get("involvedObject")
    if not isinstance(involved, dict) or not involved:
        errors.required("involvedObject")
    involved = _obj(involved)
    involved_namespace = _str(involved.get("namespace"))
    if not event.get("eventTime"):
        if not involved_namespace:
            if namespace not in ("", "default"):
                errors.invalid(
                    "involvedObject.namespace", involved_namespace, "does not match event.namespace"
                )
        elif namespace != involved_namespace:
            errors.invalid("involvedObject.namespace", involved_namespace, "does not match event.namespace")
    else:
        if not involved_namespace and namespace not in ("default", "kube-system"):
            errors.invalid("involvedObject.namespace", involved_namespace, "does not match event.namespace")
        for key, limit in (
            ("reportingComponent", 0),
            ("reportingInstance", 128),
            ("action", 128),
            ("reason", 128),
        ):
            value = _str(event.get(key))
            field_name = "reportingController" if key == "reportingComponent" else key
            if not value:
                errors.required(field_name)
            elif limit and len(value) > limit:
                errors.invalid(field_name, "", f"can have at most {limit} characters")
        if len(_str(event.get("message"))) > 1024:
            errors.invalid("message", "", "can have at most 1024 characters")
    for message in validate_dns1123_subdomain(namespace):
        errors.invalid("namespace", namespace, message)


def validate_lease(errors: ErrorList, info: ResourceInfo, lease: dict) -> None:
    """ValidateLease."""
    validate_object_meta(errors, info.kind, _obj(lease.get("metadata")), info.namespaced)
    _lease_spec(errors, _obj(lease.get("spec")))


def _lease_spec(errors: ErrorList, spec: dict) -> None:
    duration = spec.get("leaseDurationSeconds")
    if duration is not None and (_int(duration) or 0) <= 0:
        errors.invalid("spec.leaseDurationSeconds", _int(duration) or 0, "must be greater than 0")
    transitions = spec.get("leaseTransitions")
    if transitions is not None and (_int(transitions) or 0) < 0:
        errors.invalid("spec.leaseTransitions", _int(transitions), IS_NEGATIVE)
    strategy = spec.get("strategy")
    if strategy is not None and "/" not in _str(strategy) and strategy != "OldestEmulationVersion":
        errors.not_supported("spec.strategy.strategy", strategy, ["OldestEmulationVersion"])
    if _str(spec.get("preferredHolder")) and not strategy:
        errors.forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined")


def validate_lease_update(errors: ErrorList, info: ResourceInfo, lease: dict, old: dict) -> None:
    _lease_spec(errors, _obj(lease.get("spec")))


def validate_priority_class(errors: ErrorList, info: ResourceInfo, pc: dict) -> None:
    """ValidatePriorityClass: `system-` names are reserved; user classes stay at or below 1e9."""
    meta = _obj(pc.get("metadata"))
    validate_object_meta(errors, info.kind, meta, info.namespaced)
    name = _str(meta.get("name"))
    value = _int(pc.get("value")) or 0
    if name.startswith("system-"):
        problem = _system_priority_class_problem(name, value, pc.get("globalDefault") is True)
        if problem:
            errors.forbidden(
                "metadata.name",
                "priority class names with 'system-' prefix are reserved for system "
                f"use only. error: {problem}",
            )
    elif value > HIGHEST_USER_DEFINABLE_PRIORITY:
        errors.forbidden(
            "value", f"maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}"
        )
    policy = pc.get("preemptionPolicy")
    if policy is not None:
        if not policy:
            errors.required("preemptionPolicy")
        elif policy not in ("PreemptLowerPriority", "Never"):
            errors.not_supported("preemptionPolicy", policy, ["PreemptLowerPriority", "Never"])


def _system_priority_class_problem(name: str, value: int, global_default: bool) -> str:
    if name not in SYSTEM_PRIORITY_CLASSES:
        return f"{name} is not a known system priority class"
    if value != SYSTEM_PRIORITY_CLASSES[name]:
        return f"value of {name} PriorityClass must be {SYSTEM_PRIORITY_CLASSES[name]}"
    if global_default:
        return f"globalDefault of {name} PriorityClass must be false"
    return ""


def validate_priority_class_update(errors: ErrorList, info: ResourceInfo, pc: dict, old: dict) -> None:
    """ValidatePriorityClassUpdate: value and preemptionPolicy are fixed once created."""
    if _int(pc.get("value")) != _int(old.get("value")):
        errors.forbidden("value", "may not be changed in an update.")
    if pc.get("preemptionPolicy") != old.get("preemptionPolicy"):
        errors.invalid("preemptionPolicy", _str(pc.get("preemptionPolicy")), FIELD_IMMUTABLE)


# --- which rules apply to which kind ------------------------------------------------------------

_CREATE = {
    "Pod": validate_pod,
    "ReplicaSet": validate_replica_set,
    "Deployment": validate_deployment,
    "Service": validate_service,
    "EndpointSlice": validate_endpoint_slice,
    "Namespace": validate_namespace,
    "Node": validate_node,
    "ConfigMap": validate_config_map,
    "Secret": validate_secret,
    "Event": validate_event,
    "Lease": validate_lease,
    "PriorityClass": validate_priority_class,
}

# Update validators add only what the create rules do not cover; validate_update has
# already checked the metadata update rules.
_UPDATE = {
    "Pod": validate_pod_update,
    "ReplicaSet": validate_replica_set_update,
    "Deployment": validate_deployment_update,
    "Service": validate_service_update,
    "EndpointSlice": validate_endpoint_slice_update,
    "Node": validate_node_update,
    "ConfigMap": validate_config_map_update,
    "Secret": validate_secret_update,
    "Lease": validate_lease_update,
    "PriorityClass": validate_priority_class_update,
}

_STATUS_UPDATE = {
    "Pod": validate_pod_status_update,
    "ReplicaSet": _workload_status_update,
    "Deployment": _workload_status_update,
    "Node": _node_status_update,
}


# --- decoding: values of the wrong JSON type ------------------------------------------------------


def decode_errors(info: ResourceInfo, obj: dict) -> list[str]:
    """Why the server's decoder would refuse `obj` (400 Bad Request), first problem first.

    Go's JSON decoder reports a value of the wrong type by the struct and JSON path
    of its field (list indexes left out) and the Go type it wanted:

        Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go
        struct field ContainerPort.spec.containers.ports.containerPort of type int32

    A quantity that does not parse (`cpu: lots`) and Secret data that is not base64
    fail at the same step. kube-apiserver reports only the first of these.
    """
    kind_schema = shapes.KIND_SCHEMAS.get(info.kind)
    if kind_schema is None or not isinstance(obj, dict):
        return []
    problems: list[str] = []
    _decode_struct(kind_schema, obj, [], problems)
    prefix = f'{info.kind} in version "{info.version}" cannot be handled as a {info.kind}: '
    return [prefix + problem for problem in problems]


def _json_kind(value: Any) -> str:
    """How Go's decoder names a JSON value: string, number, bool, array or object."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object"


_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _decode_struct(struct: shapes.Struct, value: dict, path: list[str], problems: list[str]) -> None:
    if struct.open:
        return
    for key, child in value.items():
        known = struct.fields.get(key)
        if known is not None:
            _decode_value(known.type, child, struct.name, path + [str(key)], problems)


def _decode_value(
    type_: shapes.Type, value: Any, struct_name: str, path: list[str], problems: list[str]
) -> None:
    if value is None:
        return  # JSON null leaves the field unset
    field_name = ".".join(path)

    def mismatch(shown: str, go_type: str) -> None:
        problems.append(
            f"json: cannot unmarshal {shown} into Go struct field {struct_name}.{field_name} "
            f"of type {go_type}"
        )

    if isinstance(type_, shapes.Struct):
        if not isinstance(value, dict):
            mismatch(_json_kind(value), shapes.go_type_name(type_))
        else:
            _decode_struct(type_, value, path, problems)
    elif isinstance(type_, shapes.ListOf):
        if not isinstance(value, list):
            mismatch(_json_kind(value), shapes.go_type_name(type_))
        else:
            for item in value:
                _decode_value(type_.item, item, struct_name, path, problems)
    elif isinstance(type_, shapes.MapOf):
        if not isinstance(value, dict):
            mismatch(_json_kind(value), shapes.go_type_name(type_))
        else:
            for item in value.values():
                _decode_value(type_.value, item, struct_name, path, problems)
    else:
        _decode_scalar(type_, value, mismatch, problems)


def _decode_scalar(type_: shapes.Scalar, value: Any, mismatch, problems: list[str]) -> None:
    kind = _json_kind(value)
    if type_ in (shapes.STRING, shapes.TIME, shapes.MICRO_TIME):
        if kind != "string":
            mismatch(kind, "string")
    elif type_ is shapes.BOOL:
        if kind != "bool":
            mismatch(kind, "bool")
    elif type_ in (shapes.INT32, shapes.INT64):
        _decode_integer(value, type_.go, mismatch)
    elif type_ is shapes.INT_OR_STRING:
        if kind != "string":  # anything but a string is read as an int32
            _decode_integer(value, "int32", mismatch)
    elif type_ is shapes.QUANTITY:
        if kind in ("string", "number"):
            try:
                Quantity(value)
            except QuantityParseError as error:
                problems.append(error.reason)
        else:
            problems.append(
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            )
    elif type_ is shapes.BYTES:
        if kind != "string":
            mismatch(kind, "[]uint8")
        else:
            bad = _base64_error_offset(value)
            if bad is not None:
                problems.append(f"illegal base64 data at input byte {bad}")


def _decode_integer(value: Any, go_type: str, mismatch) -> None:
    kind = _json_kind(value)
    if kind != "number":
        mismatch(kind, go_type)
        return
    low, high = _INT_RANGES[go_type]
    if isinstance(value, float) and not value.is_integer():
        mismatch(f"number {value!r}", go_type)
    elif not low <= int(value) <= high:
        mismatch(f"number {int(value)}", go_type)


_BASE64_ALPHABET = re.compile("[A-Za-z0-9+/]")


def _base64_error_offset(text: str) -> int | None:
    """Where Go's base64 decoder would give up on `text`, or None when it decodes."""
    try:
        base64.b64decode(text, validate=True)
        return None
    except (binascii.Error, ValueError):
        pass
    for index, character in enumerate(text):
        if character != "=" and not _BASE64_ALPHABET.fullmatch(character):
            return index
    stripped = text.rstrip("=")
    return len(stripped) - len(stripped) % 4 if len(stripped) % 4 == 1 else len(text)
