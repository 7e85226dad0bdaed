"""The fields each kind knows: unknown-field warnings and `kubectl explain` (notebook 02).

kube-apiserver knows the exact shape of every kind it serves (it publishes it
as OpenAPI). Two things a learner meets come from that shape:

* **Unknown fields.** A typo such as `imagee:` is not silently dropped. With
  `fieldValidation=Strict` (kubectl's default) the request fails; with
  `fieldValidation=Warn` it succeeds and the server answers with a warning,
  `unknown field "spec.containers[0].imagee"`, which kubectl prints as
  `Warning: unknown field ...`. `unknown_fields(info, obj)` returns those
  warnings, in the server's words; it never changes the object.
* **`kubectl explain`.** `explain("pod.spec.containers")` prints the kind, the
  field's type and description and its sub-fields, as kubectl does.

The shapes below follow `k8s.io/api` field for field (every field a real
manifest may carry), with short descriptions in our own words. A few corners
that the lab does not model are kept as *open* objects: the field is known,
but what is inside it is not checked (for example the cloud volume sources,
or `managedFields[*].fieldsV1`).

The same shapes also tell `validation.decode_errors` which Go type each field
has, so a string where an integer belongs is refused the way the server's JSON
decoder refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k8slab.api.kinds import ResourceInfo, lookup

# --- the shape language --------------------------------------------------------


@dataclass(frozen=True)
class Scalar:
    """A leaf value: `name` is how `kubectl explain` prints it, `go` how Go's decoder names it."""

    name: str
    go: str


STRING = Scalar("string", "string")
INT32 = Scalar("integer", "int32")
INT64 = Scalar("integer", "int64")
BOOL = Scalar("boolean", "bool")
QUANTITY = Scalar("Quantity", "resource.Quantity")  # "500m", "1Gi" or a plain number
INT_OR_STRING = Scalar("IntOrString", "intstr.IntOrString")  # 8080 or "http"
TIME = Scalar("string", "v1.Time")  # an RFC 3339 timestamp, "2024-01-01T00:00:00Z"
MICRO_TIME = Scalar("string", "v1.MicroTime")  # the same, with microseconds
BYTES = Scalar("string", "[]uint8")  # base64 text (Secret data)


@dataclass
class Struct:
    """An object with named fields. `open` objects are known but their insides are not checked."""

    name: str
    doc: str
    fields: dict[str, Field] = field(default_factory=dict)
    open: bool = False


@dataclass(frozen=True)
class ListOf:
    item: Type


@dataclass(frozen=True)
class MapOf:
    value: Type


Type = Scalar | Struct | ListOf | MapOf


@dataclass
class Field:
    type: Type
    doc: str
    required: bool = False
    enum: tuple[str, ...] = ()


def f(type_: Type, doc: str, *, required: bool = False, enum: tuple[str, ...] = ()) -> Field:
    return Field(type_, doc, required, enum)


def type_name(type_: Type) -> str:
    """How `kubectl explain` writes a type: `string`, `[]Container`, `map[string]string`."""
    if isinstance(type_, ListOf):
        return "[]" + type_name(type_.item)
    if isinstance(type_, MapOf):
        return "map[string]" + type_name(type_.value)
    if isinstance(type_, Struct) and type_.open and not type_.fields:
        return "Object"
    return type_.name


def go_type_name(type_: Type) -> str:
    """How Go's JSON decoder names a type in its errors: `int32`, `[]v1.Container`, `v1.PodSpec`."""
    if isinstance(type_, ListOf):
        return "[]" + go_type_name(type_.item)
    if isinstance(type_, MapOf):
        return "map[string]" + go_type_name(type_.value)
    if isinstance(type_, Struct):
        return "v1." + type_.name
    return type_.go


def opaque(name: str, doc: str) -> Struct:
    """An object the lab accepts as it is, without modelling its fields."""
    return Struct(name, doc, {}, open=True)


STRINGS = ListOf(STRING)
LABELS = MapOf(STRING)
RESOURCE_LIST = MapOf(QUANTITY)

# --- metadata ------------------------------------------------------------------

OWNER_REFERENCE = Struct(
    "OwnerReference",
    "Points to the object that owns this one (the garbage collector follows it).",
    {
        "apiVersion": f(STRING, "API version of the owner.", required=True),
        "blockOwnerDeletion": f(
            BOOL, "If true, the owner cannot be deleted (foreground) before this object is."
        ),
        "controller": f(BOOL, "If true, this owner is the managing controller; at most one owner may be."),
        "kind": f(STRING, "Kind of the owner.", required=True),
        "name": f(STRING, "Name of the owner.", required=True),
        "uid": f(STRING, "UID of the owner.", required=True),
    },
)

MANAGED_FIELDS_ENTRY = Struct(
    "ManagedFieldsEntry",
    "Which manager set which fields (server-side apply bookkeeping).",
    {
        "apiVersion": f(STRING, "Version of the resource the fields were set in."),
        "fieldsType": f(STRING, "Format of fieldsV1; always FieldsV1."),
        "fieldsV1": f(
            opaque("FieldsV1", "The set of fields, as a tree of field names."),
            "The fields this manager owns.",
        ),
        "manager": f(
            STRING, "Name of the workflow that manages the fields (kubectl, kube-controller-manager, ...)."
        ),
        "operation": f(STRING, "Apply or Update.", enum=("Apply", "Update")),
        "subresource": f(STRING, "Subresource used to set the fields, such as status."),
        "time": f(TIME, "When the fields were last changed."),
    },
)

OBJECT_META = Struct(
    "ObjectMeta",
    "Metadata every stored object carries: name, namespace, labels, owners.",
    {
        "annotations": f(LABELS, "Free-form key/value notes for tools; not used to select objects."),
        "creationTimestamp": f(TIME, "When the server created the object; set by the server."),
        "deletionGracePeriodSeconds": f(INT64, "Seconds left for graceful deletion; set by the server."),
        "deletionTimestamp": f(TIME, "When the object will be deleted; set once deletion is requested."),
        "finalizers": f(STRINGS, "Tasks that must finish before the object is removed from storage."),
        "generateName": f(STRING, "Prefix from which the server generates a unique name when name is empty."),
        "generation": f(INT64, "Number of changes to the desired state (spec); set by the server."),
        "labels": f(LABELS, "Key/value pairs used to organise and select objects."),
        "managedFields": f(
            ListOf(MANAGED_FIELDS_ENTRY), "Which manager set which fields; kept by the server."
        ),
        "name": f(STRING, "Name, unique in its namespace for the kind."),
        "namespace": f(STRING, "Namespace the object lives in; empty for cluster-wide kinds."),
        "ownerReferences": f(
            ListOf(OWNER_REFERENCE), "Objects this one depends on; it is deleted when they all are."
        ),
        "resourceVersion": f(
            STRING, "Opaque version of this object (etcd's revision); used for optimistic concurrency."
        ),
        "selfLink": f(STRING, "Deprecated; never set."),
        "uid": f(STRING, "Unique id of this object for all time; set by the server."),
    },
)

LABEL_SELECTOR_REQUIREMENT = Struct(
    "LabelSelectorRequirement",
    "One condition on a label: key, operator, values.",
    {
        "key": f(STRING, "Label key the condition is about.", required=True),
        "operator": f(
            STRING,
            "In, NotIn, Exists or DoesNotExist.",
            required=True,
            enum=("DoesNotExist", "Exists", "In", "NotIn"),
        ),
        "values": f(STRINGS, "Values for In and NotIn; must be empty for Exists and DoesNotExist."),
    },
)

LABEL_SELECTOR = Struct(
    "LabelSelector",
    "Selects objects by their labels; all conditions must hold (AND).",
    {
        "matchExpressions": f(ListOf(LABEL_SELECTOR_REQUIREMENT), "Conditions on labels."),
        "matchLabels": f(LABELS, "Labels that must be present with exactly these values."),
    },
)

OBJECT_REFERENCE = Struct(
    "ObjectReference",
    "Points to another object by kind, namespace and name.",
    {
        "apiVersion": f(STRING, "API version of the referent."),
        "fieldPath": f(STRING, "A field inside the referent, such as spec.containers{web}."),
        "kind": f(STRING, "Kind of the referent."),
        "name": f(STRING, "Name of the referent."),
        "namespace": f(STRING, "Namespace of the referent."),
        "resourceVersion": f(STRING, "Version of the referent this reference was made to."),
        "uid": f(STRING, "UID of the referent."),
    },
)

LOCAL_OBJECT_REFERENCE = Struct(
    "LocalObjectReference",
    "Points to an object in the same namespace by name.",
    {
        "name": f(STRING, "Name of the referent."),
    },
)

CONDITION = Struct(
    "Condition",
    "One aspect of an object's state (the standard metav1 condition).",
    {
        "lastTransitionTime": f(TIME, "When the status last changed.", required=True),
        "message": f(STRING, "Human-readable details.", required=True),
        "observedGeneration": f(INT64, "The generation the condition was computed for."),
        "reason": f(STRING, "One-word CamelCase reason for the last transition.", required=True),
        "status": f(STRING, "True, False or Unknown.", required=True, enum=("False", "True", "Unknown")),
        "type": f(STRING, "Type of the condition, in CamelCase.", required=True),
    },
)


def with_type_meta(fields: dict[str, Field]) -> dict[str, Field]:
    """The fields every top-level object has: apiVersion, kind, metadata, then its own."""
    return {
        "apiVersion": f(STRING, "Versioned schema of this object, such as v1 or apps/v1."),
        "kind": f(STRING, "Kind of this object, in CamelCase, such as Pod."),
        "metadata": f(OBJECT_META, "Standard object metadata."),
        **fields,
    }


# --- containers ----------------------------------------------------------------

CONTAINER_PORT = Struct(
    "ContainerPort",
    "A network port a container listens on.",
    {
        "containerPort": f(INT32, "Port number on the pod's IP address, 1-65535.", required=True),
        "hostIP": f(STRING, "Host IP to bind the host port to."),
        "hostPort": f(INT32, "Port number to expose on the node as well; rarely needed."),
        "name": f(STRING, "IANA_SVC_NAME for the port, unique in the pod; a Service can target it by name."),
        "protocol": f(STRING, "TCP (the default), UDP or SCTP.", enum=("SCTP", "TCP", "UDP")),
    },
)

OBJECT_FIELD_SELECTOR = Struct(
    "ObjectFieldSelector",
    "Selects a field of the pod (the downward API).",
    {
        "apiVersion": f(STRING, "Version the fieldPath is written in; defaults to v1."),
        "fieldPath": f(STRING, "Path of the field, such as metadata.name or status.podIP.", required=True),
    },
)

RESOURCE_FIELD_SELECTOR = Struct(
    "ResourceFieldSelector",
    "Selects a container's resource request or limit.",
    {
        "containerName": f(STRING, "Container to read from; required in volumes."),
        "divisor": f(QUANTITY, "Unit to express the value in, such as 1m or 1Mi; defaults to 1."),
        "resource": f(STRING, "Resource to select, such as limits.cpu or requests.memory.", required=True),
    },
)

CONFIG_MAP_KEY_SELECTOR = Struct(
    "ConfigMapKeySelector",
    "Selects one key of a ConfigMap.",
    {
        "key": f(STRING, "The key to select.", required=True),
        "name": f(STRING, "Name of the ConfigMap."),
        "optional": f(BOOL, "If true, the ConfigMap or key need not exist."),
    },
)

SECRET_KEY_SELECTOR = Struct(
    "SecretKeySelector",
    "Selects one key of a Secret.",
    {
        "key": f(STRING, "The key to select.", required=True),
        "name": f(STRING, "Name of the Secret."),
        "optional": f(BOOL, "If true, the Secret or key need not exist."),
    },
)

FILE_KEY_SELECTOR = Struct(
    "FileKeySelector",
    "Selects a key from an env file in a volume.",
    {
        "key": f(STRING, "The key to select.", required=True),
        "optional": f(BOOL, "If true, the file or key need not exist."),
        "path": f(STRING, "Path of the env file inside the volume.", required=True),
        "volumeName": f(STRING, "Name of the volume holding the file.", required=True),
    },
)

ENV_VAR_SOURCE = Struct(
    "EnvVarSource",
    "Where an environment variable's value comes from.",
    {
        "configMapKeyRef": f(CONFIG_MAP_KEY_SELECTOR, "A key of a ConfigMap."),
        "fieldRef": f(OBJECT_FIELD_SELECTOR, "A field of the pod, such as metadata.name."),
        "fileKeyRef": f(FILE_KEY_SELECTOR, "A key of an env file in a volume."),
        "resourceFieldRef": f(RESOURCE_FIELD_SELECTOR, "A resource request or limit of a container."),
        "secretKeyRef": f(SECRET_KEY_SELECTOR, "A key of a Secret."),
    },
)

ENV_VAR = Struct(
    "EnvVar",
    "An environment variable set in the container.",
    {
        "name": f(STRING, "Name of the variable.", required=True),
        "value": f(STRING, "Value; $(OTHER_VAR) references to earlier variables are expanded."),
        "valueFrom": f(ENV_VAR_SOURCE, "Take the value from elsewhere; may not be used together with value."),
    },
)

CONFIG_MAP_ENV_SOURCE = Struct(
    "ConfigMapEnvSource",
    "Every key of a ConfigMap as environment variables.",
    {
        "name": f(STRING, "Name of the ConfigMap."),
        "optional": f(BOOL, "If true, the ConfigMap need not exist."),
    },
)

SECRET_ENV_SOURCE = Struct(
    "SecretEnvSource",
    "Every key of a Secret as environment variables.",
    {
        "name": f(STRING, "Name of the Secret."),
        "optional": f(BOOL, "If true, the Secret need not exist."),
    },
)

ENV_FROM_SOURCE = Struct(
    "EnvFromSource",
    "A source of many environment variables at once.",
    {
        "configMapRef": f(CONFIG_MAP_ENV_SOURCE, "The ConfigMap to read."),
        "prefix": f(STRING, "Text put in front of every variable name."),
        "secretRef": f(SECRET_ENV_SOURCE, "The Secret to read."),
    },
)

RESOURCE_CLAIM = Struct(
    "ResourceClaim",
    "Refers to one of the pod's resource claims (dynamic resource allocation).",
    {
        "name": f(STRING, "Name of an entry in pod.spec.resourceClaims.", required=True),
        "request": f(STRING, "One request of that claim, if not all of them."),
    },
)

RESOURCE_REQUIREMENTS = Struct(
    "ResourceRequirements",
    "Compute resources a container asks for and may use.",
    {
        "claims": f(ListOf(RESOURCE_CLAIM), "Dynamically allocated resources the container uses."),
        "limits": f(RESOURCE_LIST, "Most it may use, such as cpu: 500m, memory: 128Mi."),
        "requests": f(
            RESOURCE_LIST,
            "What the scheduler reserves for it; defaults to the limits when only those are set.",
        ),
    },
)

CONTAINER_RESIZE_POLICY = Struct(
    "ContainerResizePolicy",
    "What to do when a resource is resized in place.",
    {
        "resourceName": f(STRING, "cpu or memory.", required=True),
        "restartPolicy": f(
            STRING,
            "NotRequired or RestartContainer.",
            required=True,
            enum=("NotRequired", "RestartContainer"),
        ),
    },
)

CONTAINER_RESTART_RULE = Struct(
    "ContainerRestartRule",
    "When to restart a container, by its exit code.",
    {
        "action": f(STRING, "What to do when the rule matches: Restart.", required=True),
        "exitCodes": f(
            opaque("ContainerRestartRuleOnExitCodes", "Exit codes the rule matches."),
            "Exit codes the rule matches.",
        ),
    },
)

VOLUME_MOUNT = Struct(
    "VolumeMount",
    "Mounts one of the pod's volumes into the container.",
    {
        "mountPath": f(STRING, "Path inside the container; must not contain ':'.", required=True),
        "mountPropagation": f(
            STRING,
            "How mounts propagate between host and container.",
            enum=("Bidirectional", "HostToContainer", "None"),
        ),
        "name": f(STRING, "Name of a volume in pod.spec.volumes.", required=True),
        "readOnly": f(BOOL, "Mount read-only."),
        "recursiveReadOnly": f(STRING, "Make sub-mounts read-only too: Disabled, IfPossible or Enabled."),
        "subPath": f(STRING, "Mount this path inside the volume instead of its root."),
        "subPathExpr": f(STRING, "Like subPath, with $(VAR) expanded from the container's environment."),
        "bindMountOptions": f(STRINGS, "Extra options for the bind mount."),
    },
)

VOLUME_DEVICE = Struct(
    "VolumeDevice",
    "Maps a raw block volume to a device path in the container.",
    {
        "devicePath": f(STRING, "Device path inside the container.", required=True),
        "name": f(STRING, "Name of a persistentVolumeClaim volume of the pod.", required=True),
    },
)

EXEC_ACTION = Struct(
    "ExecAction",
    "Runs a command in the container; exit status 0 means healthy.",
    {
        "command": f(STRINGS, "Command and arguments; not run in a shell unless you call one."),
    },
)

HTTP_HEADER = Struct(
    "HTTPHeader",
    "A custom header for an HTTP probe.",
    {
        "name": f(STRING, "Header name.", required=True),
        "value": f(STRING, "Header value.", required=True),
    },
)

HTTP_GET_ACTION = Struct(
    "HTTPGetAction",
    "Sends an HTTP GET; a status from 200 to 399 means healthy.",
    {
        "host": f(STRING, "Host to connect to; defaults to the pod IP."),
        "httpHeaders": f(ListOf(HTTP_HEADER), "Extra request headers."),
        "path": f(STRING, "Path to request; defaults to /."),
        "port": f(INT_OR_STRING, "Port number or name of a container port.", required=True),
        "protocol": f(STRING, "HTTP protocol version to use."),
        "scheme": f(STRING, "HTTP (the default) or HTTPS.", enum=("HTTP", "HTTPS")),
    },
)

TCP_SOCKET_ACTION = Struct(
    "TCPSocketAction",
    "Opens a TCP connection; success means healthy.",
    {
        "host": f(STRING, "Host to connect to; defaults to the pod IP."),
        "port": f(INT_OR_STRING, "Port number or name of a container port.", required=True),
    },
)

GRPC_ACTION = Struct(
    "GRPCAction",
    "Calls the gRPC health-checking service.",
    {
        "mode": f(STRING, "How to interpret the health-check reply."),
        "port": f(INT32, "Port number of the gRPC service.", required=True),
        "service": f(STRING, "Service name sent in the health-check request."),
    },
)

SLEEP_ACTION = Struct(
    "SleepAction",
    "Waits before going on (used in lifecycle hooks).",
    {
        "seconds": f(INT64, "Seconds to sleep.", required=True),
    },
)

PROBE = Struct(
    "Probe",
    "A periodic health check the kubelet runs against a container.",
    {
        "exec": f(EXEC_ACTION, "Run a command in the container."),
        "failureThreshold": f(INT32, "Failures in a row before the probe counts as failed; defaults to 3."),
        "grpc": f(GRPC_ACTION, "Call a gRPC health service."),
        "httpGet": f(HTTP_GET_ACTION, "Send an HTTP GET request."),
        "initialDelaySeconds": f(INT32, "Seconds after the container starts before the first probe."),
        "periodSeconds": f(INT32, "Seconds between probes; defaults to 10."),
        "successThreshold": f(INT32, "Successes in a row before the probe counts as passing; defaults to 1."),
        "tcpSocket": f(TCP_SOCKET_ACTION, "Open a TCP connection."),
        "terminationGracePeriodSeconds": f(
            INT64, "Grace period used when this probe fails; overrides the pod's."
        ),
        "timeoutSeconds": f(INT32, "Seconds before one probe attempt times out; defaults to 1."),
    },
)

LIFECYCLE_HANDLER = Struct(
    "LifecycleHandler",
    "An action run at a point of the container's life.",
    {
        "exec": f(EXEC_ACTION, "Run a command in the container."),
        "httpGet": f(HTTP_GET_ACTION, "Send an HTTP GET request."),
        "sleep": f(SLEEP_ACTION, "Wait for a while."),
        "tcpSocket": f(TCP_SOCKET_ACTION, "Deprecated; kept for compatibility."),
    },
)

LIFECYCLE = Struct(
    "Lifecycle",
    "Actions the kubelet runs when the container starts or is about to stop.",
    {
        "postStart": f(LIFECYCLE_HANDLER, "Run right after the container is created."),
        "preStop": f(LIFECYCLE_HANDLER, "Run before the container is sent its stop signal."),
        "stopSignal": f(STRING, "Signal used to stop the container, such as SIGTERM."),
    },
)

CAPABILITIES = Struct(
    "Capabilities",
    "Linux capabilities to add to or drop from the container.",
    {
        "add": f(STRINGS, "Capabilities to add, such as NET_ADMIN."),
        "drop": f(STRINGS, "Capabilities to drop, such as ALL."),
    },
)

SE_LINUX_OPTIONS = Struct(
    "SELinuxOptions",
    "SELinux labels for the container.",
    {
        "level": f(STRING, "SELinux level."),
        "role": f(STRING, "SELinux role."),
        "type": f(STRING, "SELinux type."),
        "user": f(STRING, "SELinux user."),
    },
)

SECCOMP_PROFILE = Struct(
    "SeccompProfile",
    "The seccomp system-call filter to apply.",
    {
        "localhostProfile": f(STRING, "Profile file on the node, for type Localhost."),
        "type": f(
            STRING,
            "Localhost, RuntimeDefault or Unconfined.",
            required=True,
            enum=("Localhost", "RuntimeDefault", "Unconfined"),
        ),
    },
)

APP_ARMOR_PROFILE = Struct(
    "AppArmorProfile",
    "The AppArmor profile to apply.",
    {
        "localhostProfile": f(STRING, "Profile loaded on the node, for type Localhost."),
        "type": f(
            STRING,
            "Localhost, RuntimeDefault or Unconfined.",
            required=True,
            enum=("Localhost", "RuntimeDefault", "Unconfined"),
        ),
    },
)

WINDOWS_OPTIONS = Struct(
    "WindowsSecurityContextOptions",
    "Windows-only security settings.",
    {
        "gmsaCredentialSpec": f(STRING, "Contents of the GMSA credential spec."),
        "gmsaCredentialSpecName": f(STRING, "Name of the GMSA credential spec to use."),
        "hostProcess": f(BOOL, "Run as a Windows host process."),
        "runAsUserName": f(STRING, "Windows user name to run as."),
    },
)

SECURITY_CONTEXT = Struct(
    "SecurityContext",
    "Security settings of one container (overrides the pod's).",
    {
        "allowPrivilegeEscalation": f(BOOL, "Whether a process may gain more privileges than its parent."),
        "appArmorProfile": f(APP_ARMOR_PROFILE, "AppArmor profile of the container."),
        "capabilities": f(CAPABILITIES, "Linux capabilities to add or drop."),
        "privileged": f(BOOL, "Run privileged, like root on the host."),
        "procMount": f(STRING, "Default or Unmasked /proc.", enum=("Default", "Unmasked")),
        "readOnlyRootFilesystem": f(BOOL, "Mount the root filesystem read-only."),
        "runAsGroup": f(INT64, "Group id to run the entrypoint as."),
        "runAsNonRoot": f(BOOL, "Refuse to start if the image would run as root."),
        "runAsUser": f(INT64, "User id to run the entrypoint as."),
        "seLinuxOptions": f(SE_LINUX_OPTIONS, "SELinux labels."),
        "seccompProfile": f(SECCOMP_PROFILE, "Seccomp profile."),
        "windowsOptions": f(WINDOWS_OPTIONS, "Windows-only settings."),
    },
)

_CONTAINER_FIELDS: dict[str, Field] = {
    "args": f(STRINGS, "Arguments to the entrypoint; replace the image's CMD."),
    "command": f(STRINGS, "Entrypoint to run; replaces the image's ENTRYPOINT, not run in a shell."),
    "env": f(ListOf(ENV_VAR), "Environment variables to set."),
    "envFrom": f(
        ListOf(ENV_FROM_SOURCE), "ConfigMaps and Secrets whose keys all become environment variables."
    ),
    "image": f(STRING, "Container image to run, such as nginx:1.25."),
    "imagePullPolicy": f(
        STRING,
        "Always, Never or IfNotPresent; Always when the tag is latest or missing.",
        enum=("Always", "IfNotPresent", "Never"),
    ),
    "lifecycle": f(LIFECYCLE, "Actions to run after start and before stop."),
    "livenessProbe": f(PROBE, "Health check; the container is restarted when it fails."),
    "name": f(STRING, "Name of the container, a DNS label unique in the pod.", required=True),
    "ports": f(
        ListOf(CONTAINER_PORT), "Ports the container listens on; informational, but Services may name them."
    ),
    "readinessProbe": f(PROBE, "Readiness check; the pod gets no Service traffic while it fails."),
    "resizePolicy": f(ListOf(CONTAINER_RESIZE_POLICY), "How each resource may be resized in place."),
    "resources": f(RESOURCE_REQUIREMENTS, "CPU, memory and other resources requested and limited."),
    "restartPolicy": f(STRING, "For init containers only: Always makes it a sidecar."),
    "restartPolicyRules": f(ListOf(CONTAINER_RESTART_RULE), "Restart rules by exit code."),
    "securityContext": f(SECURITY_CONTEXT, "Security settings for this container."),
    "startupProbe": f(PROBE, "Start-up check; other probes wait until it has passed once."),
    "stdin": f(BOOL, "Keep a stdin buffer open for the container."),
    "stdinOnce": f(BOOL, "Close stdin after the first attach ends."),
    "terminationMessagePath": f(
        STRING, "File the container may write its last words to; /dev/termination-log."
    ),
    "terminationMessagePolicy": f(
        STRING, "File, or FallbackToLogsOnError to use the log tail.", enum=("FallbackToLogsOnError", "File")
    ),
    "tty": f(BOOL, "Allocate a TTY (needs stdin)."),
    "volumeDevices": f(ListOf(VOLUME_DEVICE), "Raw block devices to map in."),
    "volumeMounts": f(ListOf(VOLUME_MOUNT), "The pod's volumes to mount into the container."),
    "workingDir": f(STRING, "Working directory; defaults to the image's."),
}

CONTAINER = Struct("Container", "One application container of a pod.", _CONTAINER_FIELDS)

EPHEMERAL_CONTAINER = Struct(
    "EphemeralContainer",
    "A temporary container added to a running pod for debugging.",
    {
        **_CONTAINER_FIELDS,
        "targetContainerName": f(STRING, "Container whose process namespace to share."),
    },
)

# --- volumes -------------------------------------------------------------------

KEY_TO_PATH = Struct(
    "KeyToPath",
    "Puts one key into a file of the volume.",
    {
        "key": f(STRING, "The key to project.", required=True),
        "mode": f(INT32, "File mode bits, 0000-0777 (octal) or 0-511 (decimal)."),
        "path": f(STRING, "Relative path of the file.", required=True),
        "user": f(INT64, "User id owning the file."),
    },
)

EMPTY_DIR = Struct(
    "EmptyDirVolumeSource",
    "A scratch directory that lives as long as the pod.",
    {
        "medium": f(STRING, "Storage medium: empty for the node's disk, Memory for tmpfs."),
        "mode": f(INT32, "File mode of the directory."),
        "sizeLimit": f(QUANTITY, "Most space the directory may use."),
    },
)

HOST_PATH = Struct(
    "HostPathVolumeSource",
    "A file or directory of the node itself.",
    {
        "path": f(STRING, "Path on the node.", required=True),
        "type": f(STRING, "What must exist at the path: DirectoryOrCreate, Directory, File, Socket, ..."),
    },
)

SECRET_VOLUME = Struct(
    "SecretVolumeSource",
    "The keys of a Secret as files.",
    {
        "defaultMode": f(INT32, "File mode of the files; defaults to 0644 (420)."),
        "defaultUser": f(INT64, "User id owning the files."),
        "items": f(ListOf(KEY_TO_PATH), "Only these keys, at these paths; all keys when empty."),
        "optional": f(BOOL, "If true, the Secret need not exist."),
        "secretName": f(STRING, "Name of the Secret in the pod's namespace."),
    },
)

CONFIG_MAP_VOLUME = Struct(
    "ConfigMapVolumeSource",
    "The keys of a ConfigMap as files.",
    {
        "defaultMode": f(INT32, "File mode of the files; defaults to 0644 (420)."),
        "defaultUser": f(INT64, "User id owning the files."),
        "items": f(ListOf(KEY_TO_PATH), "Only these keys, at these paths; all keys when empty."),
        "name": f(STRING, "Name of the ConfigMap in the pod's namespace."),
        "optional": f(BOOL, "If true, the ConfigMap need not exist."),
    },
)

PVC_VOLUME = Struct(
    "PersistentVolumeClaimVolumeSource",
    "A PersistentVolumeClaim's volume.",
    {
        "claimName": f(STRING, "Name of the claim in the pod's namespace.", required=True),
        "readOnly": f(BOOL, "Mount read-only."),
    },
)

DOWNWARD_API_FILE = Struct(
    "DownwardAPIVolumeFile",
    "A file holding a field of the pod or a resource value.",
    {
        "fieldRef": f(
            OBJECT_FIELD_SELECTOR, "A field of the pod: name, namespace, labels, annotations, uid."
        ),
        "mode": f(INT32, "File mode bits."),
        "path": f(STRING, "Relative path of the file.", required=True),
        "resourceFieldRef": f(RESOURCE_FIELD_SELECTOR, "A container's resource request or limit."),
        "user": f(INT64, "User id owning the file."),
    },
)

DOWNWARD_API_VOLUME = Struct(
    "DownwardAPIVolumeSource",
    "Facts about the pod itself, as files.",
    {
        "defaultMode": f(INT32, "File mode of the files; defaults to 0644 (420)."),
        "defaultUser": f(INT64, "User id owning the files."),
        "items": f(ListOf(DOWNWARD_API_FILE), "The files to create."),
    },
)

SECRET_PROJECTION = Struct(
    "SecretProjection",
    "A Secret's keys in a projected volume.",
    {
        "items": f(ListOf(KEY_TO_PATH), "Only these keys, at these paths."),
        "name": f(STRING, "Name of the Secret."),
        "optional": f(BOOL, "If true, the Secret need not exist."),
    },
)

CONFIG_MAP_PROJECTION = Struct(
    "ConfigMapProjection",
    "A ConfigMap's keys in a projected volume.",
    {
        "items": f(ListOf(KEY_TO_PATH), "Only these keys, at these paths."),
        "name": f(STRING, "Name of the ConfigMap."),
        "optional": f(BOOL, "If true, the ConfigMap need not exist."),
    },
)

DOWNWARD_API_PROJECTION = Struct(
    "DownwardAPIProjection",
    "Downward API files in a projected volume.",
    {
        "items": f(ListOf(DOWNWARD_API_FILE), "The files to create."),
    },
)

SERVICE_ACCOUNT_TOKEN_PROJECTION = Struct(
    "ServiceAccountTokenProjection",
    "A short-lived token of the pod's service account.",
    {
        "audience": f(STRING, "Who the token is meant for; defaults to the API server."),
        "expirationSeconds": f(INT64, "Requested lifetime; defaults to 3600."),
        "path": f(STRING, "Relative path of the token file.", required=True),
        "user": f(INT64, "User id owning the file."),
    },
)

CLUSTER_TRUST_BUNDLE_PROJECTION = Struct(
    "ClusterTrustBundleProjection",
    "Certificates of ClusterTrustBundle objects as one file.",
    {
        "labelSelector": f(LABEL_SELECTOR, "Bundles with these labels."),
        "name": f(STRING, "One bundle, by name."),
        "optional": f(BOOL, "If true, a missing bundle is not an error."),
        "path": f(STRING, "Relative path of the file.", required=True),
        "signerName": f(STRING, "Bundles of this signer."),
        "user": f(INT64, "User id owning the file."),
    },
)

VOLUME_PROJECTION = Struct(
    "VolumeProjection",
    "One source of a projected volume.",
    {
        "clusterTrustBundle": f(CLUSTER_TRUST_BUNDLE_PROJECTION, "Trust-bundle certificates."),
        "configMap": f(CONFIG_MAP_PROJECTION, "A ConfigMap's keys."),
        "downwardAPI": f(DOWNWARD_API_PROJECTION, "Facts about the pod."),
        "podCertificate": f(
            opaque("PodCertificateProjection", "A certificate issued for the pod."),
            "A certificate issued for the pod.",
        ),
        "secret": f(SECRET_PROJECTION, "A Secret's keys."),
        "serviceAccountToken": f(SERVICE_ACCOUNT_TOKEN_PROJECTION, "A service account token."),
    },
)

PROJECTED_VOLUME = Struct(
    "ProjectedVolumeSource",
    "Several sources merged into one directory.",
    {
        "defaultMode": f(INT32, "File mode of the files; defaults to 0644 (420)."),
        "defaultUser": f(INT64, "User id owning the files."),
        "sources": f(ListOf(VOLUME_PROJECTION), "The sources to merge."),
    },
)

NFS_VOLUME = Struct(
    "NFSVolumeSource",
    "An NFS export.",
    {
        "path": f(STRING, "Path exported by the server.", required=True),
        "readOnly": f(BOOL, "Mount read-only."),
        "server": f(STRING, "Host name or IP of the NFS server.", required=True),
    },
)

CSI_VOLUME = Struct(
    "CSIVolumeSource",
    "An ephemeral volume provided by a CSI driver.",
    {
        "driver": f(STRING, "Name of the CSI driver.", required=True),
        "fsType": f(STRING, "Filesystem type to mount."),
        "nodePublishSecretRef": f(LOCAL_OBJECT_REFERENCE, "Secret passed to the driver."),
        "readOnly": f(BOOL, "Mount read-only."),
        "volumeAttributes": f(LABELS, "Driver-specific settings."),
    },
)

IMAGE_VOLUME = Struct(
    "ImageVolumeSource",
    "The contents of an OCI image as a read-only volume.",
    {
        "pullPolicy": f(STRING, "Always, Never or IfNotPresent.", enum=("Always", "IfNotPresent", "Never")),
        "reference": f(STRING, "Image reference, as for a container."),
    },
)

EPHEMERAL_VOLUME = Struct(
    "EphemeralVolumeSource",
    "A volume claimed for the pod and deleted with it.",
    {
        "volumeClaimTemplate": f(
            opaque("PersistentVolumeClaimTemplate", "The claim to create for the pod."),
            "The claim to create for the pod.",
        ),
    },
)

# Volume sources the lab does not model: known by name, not checked inside.
_OTHER_VOLUME_SOURCES = {
    "awsElasticBlockStore": ("AWSElasticBlockStoreVolumeSource", "Deprecated: an AWS EBS disk."),
    "azureDisk": ("AzureDiskVolumeSource", "Deprecated: an Azure data disk."),
    "azureFile": ("AzureFileVolumeSource", "Deprecated: an Azure File share."),
    "cephfs": ("CephFSVolumeSource", "Deprecated: a Ceph filesystem."),
    "cinder": ("CinderVolumeSource", "Deprecated: an OpenStack Cinder volume."),
    "fc": ("FCVolumeSource", "A Fibre Channel disk."),
    "flexVolume": ("FlexVolumeSource", "Deprecated: a FlexVolume driver."),
    "flocker": ("FlockerVolumeSource", "Deprecated: a Flocker dataset."),
    "gcePersistentDisk": ("GCEPersistentDiskVolumeSource", "Deprecated: a GCE persistent disk."),
    "gitRepo": ("GitRepoVolumeSource", "Deprecated: a git repository cloned into a directory."),
    "glusterfs": ("GlusterfsVolumeSource", "Deprecated: a GlusterFS volume."),
    "iscsi": ("ISCSIVolumeSource", "An iSCSI disk."),
    "photonPersistentDisk": ("PhotonPersistentDiskVolumeSource", "Deprecated: a Photon disk."),
    "portworxVolume": ("PortworxVolumeSource", "Deprecated: a Portworx volume."),
    "quobyte": ("QuobyteVolumeSource", "Deprecated: a Quobyte volume."),
    "rbd": ("RBDVolumeSource", "Deprecated: a Ceph RBD image."),
    "scaleIO": ("ScaleIOVolumeSource", "Deprecated: a ScaleIO volume."),
    "storageos": ("StorageOSVolumeSource", "Deprecated: a StorageOS volume."),
    "vsphereVolume": ("VsphereVirtualDiskVolumeSource", "Deprecated: a vSphere disk."),
}

VOLUME = Struct(
    "Volume",
    "A named volume the pod's containers may mount; exactly one source.",
    {
        "configMap": f(CONFIG_MAP_VOLUME, "A ConfigMap's keys as files."),
        "csi": f(CSI_VOLUME, "An ephemeral CSI volume."),
        "downwardAPI": f(DOWNWARD_API_VOLUME, "Facts about the pod as files."),
        "emptyDir": f(EMPTY_DIR, "A scratch directory that lives as long as the pod."),
        "ephemeral": f(EPHEMERAL_VOLUME, "A claim created and deleted with the pod."),
        "hostPath": f(HOST_PATH, "A path on the node."),
        "image": f(IMAGE_VOLUME, "The contents of an OCI image."),
        "name": f(STRING, "Name of the volume, a DNS label unique in the pod.", required=True),
        "nfs": f(NFS_VOLUME, "An NFS export."),
        "persistentVolumeClaim": f(PVC_VOLUME, "A PersistentVolumeClaim."),
        "projected": f(PROJECTED_VOLUME, "Several sources in one directory."),
        "secret": f(SECRET_VOLUME, "A Secret's keys as files."),
        **{key: f(opaque(name, doc), doc) for key, (name, doc) in _OTHER_VOLUME_SOURCES.items()},
    },
)

# --- scheduling: affinity, tolerations, spreading -------------------------------

NODE_SELECTOR_REQUIREMENT = Struct(
    "NodeSelectorRequirement",
    "One condition on a node's labels or fields.",
    {
        "key": f(STRING, "Label key (or field name) the condition is about.", required=True),
        "operator": f(
            STRING,
            "In, NotIn, Exists, DoesNotExist, Gt or Lt.",
            required=True,
            enum=("DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"),
        ),
        "values": f(STRINGS, "Values to compare with; one integer for Gt and Lt."),
    },
)

NODE_SELECTOR_TERM = Struct(
    "NodeSelectorTerm",
    "Conditions that must all hold for a node (AND).",
    {
        "matchExpressions": f(ListOf(NODE_SELECTOR_REQUIREMENT), "Conditions on node labels."),
        "matchFields": f(ListOf(NODE_SELECTOR_REQUIREMENT), "Conditions on node fields (metadata.name)."),
    },
)

NODE_SELECTOR = Struct(
    "NodeSelector",
    "Terms of which at least one must hold for a node (OR).",
    {
        "nodeSelectorTerms": f(ListOf(NODE_SELECTOR_TERM), "The terms.", required=True),
    },
)

PREFERRED_SCHEDULING_TERM = Struct(
    "PreferredSchedulingTerm",
    "A node preference with a weight.",
    {
        "preference": f(NODE_SELECTOR_TERM, "The nodes preferred.", required=True),
        "weight": f(INT32, "Weight, 1-100, added to a node's score when it matches.", required=True),
    },
)

NODE_AFFINITY = Struct(
    "NodeAffinity",
    "Which nodes the pod may or would like to run on.",
    {
        "preferredDuringSchedulingIgnoredDuringExecution": f(
            ListOf(PREFERRED_SCHEDULING_TERM), "Nodes the scheduler prefers (soft)."
        ),
        "requiredDuringSchedulingIgnoredDuringExecution": f(
            NODE_SELECTOR, "Nodes the pod may run on (hard)."
        ),
    },
)

POD_AFFINITY_TERM = Struct(
    "PodAffinityTerm",
    "Pods to be near (or away from) within a topology domain.",
    {
        "labelSelector": f(LABEL_SELECTOR, "The pods this term is about."),
        "matchLabelKeys": f(STRINGS, "Label keys whose values are copied from this pod into the selector."),
        "mismatchLabelKeys": f(STRINGS, "Label keys whose values must differ from this pod's."),
        "namespaceSelector": f(LABEL_SELECTOR, "Namespaces to look for the pods in, by label."),
        "namespaces": f(STRINGS, "Namespaces to look for the pods in; this pod's namespace when empty."),
        "topologyKey": f(
            STRING, "Node label defining the domain, such as kubernetes.io/hostname.", required=True
        ),
    },
)

WEIGHTED_POD_AFFINITY_TERM = Struct(
    "WeightedPodAffinityTerm",
    "A pod-affinity preference with a weight.",
    {
        "podAffinityTerm": f(POD_AFFINITY_TERM, "The term.", required=True),
        "weight": f(INT32, "Weight, 1-100.", required=True),
    },
)

POD_AFFINITY = Struct(
    "PodAffinity",
    "Run near pods matching these terms.",
    {
        "preferredDuringSchedulingIgnoredDuringExecution": f(
            ListOf(WEIGHTED_POD_AFFINITY_TERM), "Preferred (soft) terms."
        ),
        "requiredDuringSchedulingIgnoredDuringExecution": f(
            ListOf(POD_AFFINITY_TERM), "Required (hard) terms."
        ),
    },
)

POD_ANTI_AFFINITY = Struct(
    "PodAntiAffinity",
    "Run away from pods matching these terms.",
    {
        "preferredDuringSchedulingIgnoredDuringExecution": f(
            ListOf(WEIGHTED_POD_AFFINITY_TERM), "Preferred (soft) terms."
        ),
        "requiredDuringSchedulingIgnoredDuringExecution": f(
            ListOf(POD_AFFINITY_TERM), "Required (hard) terms."
        ),
    },
)

AFFINITY = Struct(
    "Affinity",
    "Scheduling constraints relative to nodes and to other pods.",
    {
        "nodeAffinity": f(NODE_AFFINITY, "Constraints on the node."),
        "podAffinity": f(POD_AFFINITY, "Be near certain pods."),
        "podAntiAffinity": f(POD_ANTI_AFFINITY, "Stay away from certain pods."),
    },
)

TOLERATION = Struct(
    "Toleration",
    "Lets the pod run on nodes with a matching taint.",
    {
        "effect": f(
            STRING,
            "Taint effect to match: NoSchedule, PreferNoSchedule or NoExecute; all when empty.",
            enum=("NoExecute", "NoSchedule", "PreferNoSchedule"),
        ),
        "key": f(STRING, "Taint key to match; empty with Exists matches every taint."),
        "operator": f(STRING, "Equal (the default) or Exists.", enum=("Equal", "Exists")),
        "tolerationSeconds": f(INT64, "For NoExecute: how long the pod stays bound after the taint appears."),
        "value": f(STRING, "Taint value to match, for Equal."),
    },
)

TOPOLOGY_SPREAD_CONSTRAINT = Struct(
    "TopologySpreadConstraint",
    "How evenly to spread matching pods over domains.",
    {
        "labelSelector": f(LABEL_SELECTOR, "The pods counted."),
        "matchLabelKeys": f(STRINGS, "Label keys whose values are copied from this pod into the selector."),
        "maxSkew": f(INT32, "Largest allowed difference in pod count between two domains.", required=True),
        "minDomains": f(INT32, "Fewest domains to spread over."),
        "nodeAffinityPolicy": f(
            STRING, "Honor or Ignore the pod's node affinity when counting.", enum=("Honor", "Ignore")
        ),
        "nodeTaintsPolicy": f(STRING, "Honor or Ignore node taints when counting.", enum=("Honor", "Ignore")),
        "topologyKey": f(
            STRING, "Node label defining the domains, such as topology.kubernetes.io/zone.", required=True
        ),
        "whenUnsatisfiable": f(
            STRING,
            "DoNotSchedule or ScheduleAnyway.",
            required=True,
            enum=("DoNotSchedule", "ScheduleAnyway"),
        ),
    },
)

SYSCTL = Struct(
    "Sysctl",
    "A kernel parameter to set for the pod.",
    {
        "name": f(STRING, "Name of the parameter.", required=True),
        "value": f(STRING, "Value to set.", required=True),
    },
)

POD_SECURITY_CONTEXT = Struct(
    "PodSecurityContext",
    "Security settings for every container of the pod.",
    {
        "appArmorProfile": f(APP_ARMOR_PROFILE, "AppArmor profile."),
        "fsGroup": f(INT64, "Group that owns the pod's volumes."),
        "fsGroupChangePolicy": f(STRING, "OnRootMismatch or Always.", enum=("Always", "OnRootMismatch")),
        "runAsGroup": f(INT64, "Group id to run the entrypoints as."),
        "runAsNonRoot": f(BOOL, "Refuse to start containers that would run as root."),
        "runAsUser": f(INT64, "User id to run the entrypoints as."),
        "seLinuxChangePolicy": f(STRING, "How SELinux labels are applied to volumes."),
        "seLinuxOptions": f(SE_LINUX_OPTIONS, "SELinux labels."),
        "seccompProfile": f(SECCOMP_PROFILE, "Seccomp profile."),
        "supplementalGroups": f(ListOf(INT64), "Extra group ids for the first process of each container."),
        "supplementalGroupsPolicy": f(STRING, "Merge or Strict.", enum=("Merge", "Strict")),
        "sysctls": f(ListOf(SYSCTL), "Kernel parameters for the pod."),
        "windowsOptions": f(WINDOWS_OPTIONS, "Windows-only settings."),
    },
)

HOST_ALIAS = Struct(
    "HostAlias",
    "An extra line for the pod's /etc/hosts.",
    {
        "hostnames": f(STRINGS, "Host names for the IP."),
        "ip": f(STRING, "The IP address.", required=True),
    },
)

POD_DNS_CONFIG_OPTION = Struct(
    "PodDNSConfigOption",
    "A resolver option.",
    {
        "name": f(STRING, "Option name, such as ndots."),
        "value": f(STRING, "Option value."),
    },
)

POD_DNS_CONFIG = Struct(
    "PodDNSConfig",
    "DNS settings merged into the pod's resolv.conf.",
    {
        "nameservers": f(STRINGS, "DNS server IPs."),
        "options": f(ListOf(POD_DNS_CONFIG_OPTION), "Resolver options."),
        "searches": f(STRINGS, "Search domains."),
    },
)

POD_READINESS_GATE = Struct(
    "PodReadinessGate",
    "An extra condition the pod must have to be Ready.",
    {
        "conditionType": f(STRING, "Type of a condition in the pod's status.", required=True),
    },
)

POD_OS = Struct(
    "PodOS",
    "The operating system the pod needs.",
    {
        "name": f(STRING, "linux or windows.", required=True, enum=("linux", "windows")),
    },
)

POD_SCHEDULING_GATE = Struct(
    "PodSchedulingGate",
    "Holds the pod back from scheduling while present.",
    {
        "name": f(STRING, "Name of the gate.", required=True),
    },
)

POD_RESOURCE_CLAIM = Struct(
    "PodResourceClaim",
    "A dynamically allocated resource the pod uses.",
    {
        "name": f(STRING, "Name containers use to refer to the claim.", required=True),
        "resourceClaimName": f(STRING, "An existing ResourceClaim."),
        "resourceClaimTemplateName": f(STRING, "A template to create a claim from."),
    },
)

POD_SPEC = Struct(
    "PodSpec",
    "The desired state of a pod: its containers, volumes and scheduling rules.",
    {
        "activeDeadlineSeconds": f(INT64, "Seconds the pod may run before the kubelet fails it."),
        "affinity": f(AFFINITY, "Node affinity, pod affinity and pod anti-affinity."),
        "automountServiceAccountToken": f(BOOL, "Whether to mount the service account token."),
        "containers": f(ListOf(CONTAINER), "The pod's containers; at least one.", required=True),
        "dnsConfig": f(POD_DNS_CONFIG, "Extra DNS settings."),
        "dnsPolicy": f(
            STRING,
            "How DNS is set up: ClusterFirst (the default), ClusterFirstWithHostNet, Default or None.",
            enum=("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"),
        ),
        "enableServiceLinks": f(
            BOOL, "Put the namespace's Services into environment variables; true by default."
        ),
        "ephemeralContainers": f(ListOf(EPHEMERAL_CONTAINER), "Debug containers added to a running pod."),
        "evictionResponders": f(
            ListOf(opaque("EvictionResponder", "A component that handles this pod's eviction.")),
            "Components that handle the pod's eviction.",
        ),
        "hostAliases": f(ListOf(HOST_ALIAS), "Extra /etc/hosts entries."),
        "hostIPC": f(BOOL, "Use the node's IPC namespace."),
        "hostNetwork": f(BOOL, "Use the node's network namespace; ports are opened on the node."),
        "hostPID": f(BOOL, "Use the node's process namespace."),
        "hostUsers": f(BOOL, "Use the node's user namespace; true by default."),
        "hostname": f(STRING, "Host name of the pod; defaults to its name."),
        "hostnameOverride": f(STRING, "Exact host name to set, overriding hostname and subdomain."),
        "imagePullSecrets": f(ListOf(LOCAL_OBJECT_REFERENCE), "Secrets holding registry credentials."),
        "initContainers": f(
            ListOf(CONTAINER), "Containers run one by one, to completion, before the others."
        ),
        "nodeName": f(STRING, "The node the pod is bound to; set by the scheduler."),
        "nodeSelector": f(LABELS, "Labels a node must have for the pod to run there."),
        "os": f(POD_OS, "The operating system the pod needs."),
        "overhead": f(RESOURCE_LIST, "Resources the pod's sandbox uses, from its RuntimeClass."),
        "preemptionPolicy": f(
            STRING,
            "PreemptLowerPriority or Never; set from the PriorityClass.",
            enum=("Never", "PreemptLowerPriority"),
        ),
        "priority": f(INT32, "Scheduling priority; set by admission from priorityClassName."),
        "priorityClassName": f(STRING, "Name of the PriorityClass giving the pod's priority."),
        "readinessGates": f(ListOf(POD_READINESS_GATE), "Extra conditions for readiness."),
        "resourceClaims": f(ListOf(POD_RESOURCE_CLAIM), "Dynamically allocated resources."),
        "resources": f(RESOURCE_REQUIREMENTS, "Resources for the pod as a whole."),
        "restartPolicy": f(
            STRING, "Always (the default), OnFailure or Never.", enum=("Always", "Never", "OnFailure")
        ),
        "runtimeClassName": f(STRING, "RuntimeClass to run the pod with."),
        "schedulerName": f(STRING, "Scheduler that places the pod; default-scheduler."),
        "schedulingGates": f(ListOf(POD_SCHEDULING_GATE), "Gates that hold the pod back from scheduling."),
        "schedulingGroup": f(
            opaque("PodSchedulingGroup", "The group the pod is scheduled with."),
            "The group the pod is scheduled with.",
        ),
        "securityContext": f(POD_SECURITY_CONTEXT, "Security settings for all containers."),
        "serviceAccount": f(STRING, "Deprecated alias of serviceAccountName."),
        "serviceAccountName": f(STRING, "Service account the pod runs as."),
        "setHostnameAsFQDN": f(BOOL, "Make the host name the fully qualified domain name."),
        "shareProcessNamespace": f(BOOL, "Share one process namespace between the containers."),
        "subdomain": f(
            STRING, "Subdomain, giving the pod a DNS name <hostname>.<subdomain>.<namespace>.svc."
        ),
        "terminationGracePeriodSeconds": f(
            INT64, "Seconds between the stop signal and the kill; 30 by default."
        ),
        "tolerations": f(ListOf(TOLERATION), "Taints the pod tolerates."),
        "topologySpreadConstraints": f(
            ListOf(TOPOLOGY_SPREAD_CONSTRAINT), "How to spread pods over domains."
        ),
        "volumes": f(ListOf(VOLUME), "Volumes the containers may mount."),
    },
)

# --- pod status ------------------------------------------------------------------

POD_CONDITION = Struct(
    "PodCondition",
    "One aspect of the pod's state: PodScheduled, Initialized, Ready, ...",
    {
        "lastProbeTime": f(TIME, "When the condition was last checked."),
        "lastTransitionTime": f(TIME, "When the status last changed."),
        "message": f(STRING, "Human-readable details."),
        "observedGeneration": f(INT64, "Pod generation the condition was computed for."),
        "reason": f(STRING, "One-word CamelCase reason, such as Unschedulable."),
        "status": f(STRING, "True, False or Unknown.", required=True, enum=("False", "True", "Unknown")),
        "type": f(
            STRING,
            "PodScheduled, PodReadyToStartContainers, Initialized, ContainersReady or Ready.",
            required=True,
        ),
    },
)

CONTAINER_STATE = Struct(
    "ContainerState",
    "Exactly one of waiting, running or terminated.",
    {
        "running": f(
            Struct(
                "ContainerStateRunning",
                "The container is running.",
                {
                    "startedAt": f(TIME, "When it (re)started."),
                },
            ),
            "The container is running.",
        ),
        "terminated": f(
            Struct(
                "ContainerStateTerminated",
                "The container has exited.",
                {
                    "containerID": f(STRING, "Runtime id of the container."),
                    "exitCode": f(INT32, "Exit status of its last run.", required=True),
                    "finishedAt": f(TIME, "When it exited."),
                    "message": f(STRING, "Details."),
                    "reason": f(STRING, "Why it exited, such as Completed, Error or OOMKilled."),
                    "signal": f(INT32, "Signal that stopped it."),
                    "startedAt": f(TIME, "When it started."),
                },
            ),
            "The container has exited.",
        ),
        "waiting": f(
            Struct(
                "ContainerStateWaiting",
                "The container is not running yet.",
                {
                    "message": f(STRING, "Details."),
                    "reason": f(
                        STRING,
                        "Why it waits, such as ContainerCreating, ImagePullBackOff or CrashLoopBackOff.",
                    ),
                },
            ),
            "The container is not running yet.",
        ),
    },
)

CONTAINER_STATUS = Struct(
    "ContainerStatus",
    "What the kubelet last saw of one container.",
    {
        "allocatedResources": f(RESOURCE_LIST, "Resources the node allocated to the container."),
        "allocatedResourcesStatus": f(
            ListOf(opaque("ResourceStatus", "Health of an allocated resource.")),
            "Health of allocated resources.",
        ),
        "containerID": f(STRING, "Runtime id, such as containerd://<id>."),
        "image": f(STRING, "Image the container runs.", required=True),
        "imageID": f(STRING, "Id (digest) of that image.", required=True),
        "lastState": f(CONTAINER_STATE, "State of the previous run, if any."),
        "name": f(STRING, "Name of the container.", required=True),
        "ready": f(BOOL, "Whether the readiness probe passes.", required=True),
        "resources": f(RESOURCE_REQUIREMENTS, "Resources the runtime has configured."),
        "restartCount": f(INT32, "Number of restarts.", required=True),
        "started": f(BOOL, "Whether the startup probe has passed."),
        "state": f(CONTAINER_STATE, "Current state."),
        "stopSignal": f(STRING, "Signal that will stop the container."),
        "user": f(
            opaque("ContainerUser", "Identity of the container's first process."), "Identity of the process."
        ),
        "volumeMounts": f(
            ListOf(opaque("VolumeMountStatus", "State of a volume mount.")), "State of mounts."
        ),
    },
)

POD_IP = Struct("PodIP", "An IP address of the pod.", {"ip": f(STRING, "The address.", required=True)})
HOST_IP = Struct(
    "HostIP", "An IP address of the pod's node.", {"ip": f(STRING, "The address.", required=True)}
)

POD_STATUS = Struct(
    "PodStatus",
    "The observed state of a pod, reported by the scheduler and the kubelet.",
    {
        "allocatedResources": f(RESOURCE_LIST, "Resources allocated to the pod."),
        "conditions": f(ListOf(POD_CONDITION), "Conditions of the pod."),
        "containerStatuses": f(ListOf(CONTAINER_STATUS), "One status per container."),
        "ephemeralContainerStatuses": f(ListOf(CONTAINER_STATUS), "One status per ephemeral container."),
        "extendedResourceClaimStatus": f(
            opaque("PodExtendedResourceClaimStatus", "Claims for extended resources."),
            "Claims made for extended resources.",
        ),
        "hostIP": f(STRING, "IP of the node the pod runs on."),
        "hostIPs": f(ListOf(HOST_IP), "IPs of the node."),
        "initContainerStatuses": f(ListOf(CONTAINER_STATUS), "One status per init container."),
        "message": f(STRING, "Why the pod is in this state."),
        "nodeAllocatableResourceClaimStatuses": f(
            ListOf(opaque("NodeAllocatableResourceClaimStatus", "Node resources from a claim.")),
            "Node resources claimed.",
        ),
        "nominatedNodeName": f(STRING, "Node preemption is making room on."),
        "observedGeneration": f(INT64, "Pod generation the status was computed for."),
        "phase": f(
            STRING,
            "Pending, Running, Succeeded, Failed or Unknown.",
            enum=("Failed", "Pending", "Running", "Succeeded", "Unknown"),
        ),
        "podIP": f(STRING, "IP address of the pod."),
        "podIPs": f(ListOf(POD_IP), "IP addresses of the pod."),
        "qosClass": f(
            STRING, "Guaranteed, Burstable or BestEffort.", enum=("BestEffort", "Burstable", "Guaranteed")
        ),
        "reason": f(STRING, "One-word reason, such as Evicted."),
        "resize": f(STRING, "Progress of an in-place resize."),
        "resourceClaimStatuses": f(
            ListOf(opaque("PodResourceClaimStatus", "The claim made for the pod.")),
            "Claims made for the pod.",
        ),
        "resources": f(RESOURCE_REQUIREMENTS, "Resources of the pod as a whole."),
        "startTime": f(TIME, "When the kubelet accepted the pod."),
        "volumeHealth": f(ListOf(opaque("PodVolumeHealth", "Health of a volume.")), "Health of the volumes."),
    },
)

POD = Struct(
    "Pod",
    "A group of containers that run together on one node and share a network address.",
    with_type_meta(
        {
            "spec": f(POD_SPEC, "The desired state of the pod."),
            "status": f(POD_STATUS, "The observed state of the pod; written by the system."),
        }
    ),
)

POD_TEMPLATE_SPEC = Struct(
    "PodTemplateSpec",
    "The pods a controller creates: their metadata and spec.",
    {
        "metadata": f(OBJECT_META, "Labels and annotations for the pods (must match the selector)."),
        "spec": f(POD_SPEC, "The spec of the pods."),
    },
)

# --- workloads -------------------------------------------------------------------

REPLICA_SET_CONDITION = Struct(
    "ReplicaSetCondition",
    "One aspect of a ReplicaSet's state.",
    {
        "lastTransitionTime": f(TIME, "When the status last changed."),
        "message": f(STRING, "Human-readable details."),
        "reason": f(STRING, "One-word CamelCase reason."),
        "status": f(STRING, "True, False or Unknown.", required=True),
        "type": f(STRING, "Type of the condition, such as ReplicaFailure.", required=True),
    },
)

REPLICA_SET = Struct(
    "ReplicaSet",
    "Keeps a number of identical pods running.",
    with_type_meta(
        {
            "spec": f(
                Struct(
                    "ReplicaSetSpec",
                    "How many pods, which ones, and from what template.",
                    {
                        "minReadySeconds": f(
                            INT32, "Seconds a new pod must be ready before it counts as available."
                        ),
                        "replicas": f(INT32, "Desired number of pods; defaults to 1."),
                        "selector": f(
                            LABEL_SELECTOR,
                            "Which pods belong to it; must match the template's labels.",
                            required=True,
                        ),
                        "template": f(POD_TEMPLATE_SPEC, "The pods to create when there are too few."),
                    },
                ),
                "The desired state.",
            ),
            "status": f(
                Struct(
                    "ReplicaSetStatus",
                    "Counts of the ReplicaSet's pods.",
                    {
                        "availableReplicas": f(INT32, "Pods ready for at least minReadySeconds."),
                        "conditions": f(ListOf(REPLICA_SET_CONDITION), "Conditions of the ReplicaSet."),
                        "fullyLabeledReplicas": f(INT32, "Pods whose labels match the template's."),
                        "observedGeneration": f(INT64, "Generation the controller last acted on."),
                        "readyReplicas": f(INT32, "Pods that are ready."),
                        "replicas": f(INT32, "Pods that exist.", required=True),
                        "terminatingReplicas": f(INT32, "Pods being deleted."),
                    },
                ),
                "The observed state; written by the ReplicaSet controller.",
            ),
        }
    ),
)

ROLLING_UPDATE_DEPLOYMENT = Struct(
    "RollingUpdateDeployment",
    "How fast a rolling update replaces pods.",
    {
        "maxSurge": f(
            INT_OR_STRING, "Pods allowed above the desired count during the update; 25% by default."
        ),
        "maxUnavailable": f(
            INT_OR_STRING, "Pods allowed to be unavailable during the update; 25% by default."
        ),
    },
)

DEPLOYMENT_STRATEGY = Struct(
    "DeploymentStrategy",
    "How old pods are replaced by new ones.",
    {
        "rollingUpdate": f(ROLLING_UPDATE_DEPLOYMENT, "Settings for RollingUpdate."),
        "type": f(STRING, "RollingUpdate (the default) or Recreate.", enum=("Recreate", "RollingUpdate")),
    },
)

DEPLOYMENT_CONDITION = Struct(
    "DeploymentCondition",
    "One aspect of a Deployment's state.",
    {
        "lastTransitionTime": f(TIME, "When the status last changed."),
        "lastUpdateTime": f(TIME, "When the condition was last updated."),
        "message": f(STRING, "Human-readable details."),
        "reason": f(STRING, "One-word CamelCase reason, such as NewReplicaSetAvailable."),
        "status": f(STRING, "True, False or Unknown.", required=True),
        "type": f(STRING, "Available, Progressing or ReplicaFailure.", required=True),
    },
)

DEPLOYMENT = Struct(
    "Deployment",
    "Declarative updates for pods, through ReplicaSets.",
    with_type_meta(
        {
            "spec": f(
                Struct(
                    "DeploymentSpec",
                    "The desired pods and how to roll out changes to them.",
                    {
                        "minReadySeconds": f(
                            INT32, "Seconds a new pod must be ready before it counts as available."
                        ),
                        "paused": f(BOOL, "Stop rolling out changes until unpaused."),
                        "progressDeadlineSeconds": f(
                            INT32,
                            "Seconds without progress before the rollout is reported as "
                            "failed; 600 by default.",
                        ),
                        "replicas": f(INT32, "Desired number of pods; defaults to 1."),
                        "revisionHistoryLimit": f(INT32, "Old ReplicaSets kept for rollback; 10 by default."),
                        "selector": f(
                            LABEL_SELECTOR,
                            "Which pods belong to it; must match the template's labels.",
                            required=True,
                        ),
                        "strategy": f(DEPLOYMENT_STRATEGY, "How to replace old pods with new ones."),
                        "template": f(POD_TEMPLATE_SPEC, "The pods to run.", required=True),
                    },
                ),
                "The desired state.",
            ),
            "status": f(
                Struct(
                    "DeploymentStatus",
                    "Progress of the Deployment.",
                    {
                        "availableReplicas": f(INT32, "Pods available (ready for minReadySeconds)."),
                        "collisionCount": f(INT32, "Count of template hash collisions."),
                        "conditions": f(ListOf(DEPLOYMENT_CONDITION), "Conditions of the Deployment."),
                        "observedGeneration": f(INT64, "Generation the controller last acted on."),
                        "readyReplicas": f(INT32, "Pods that are ready."),
                        "replicas": f(INT32, "Pods of all its ReplicaSets."),
                        "terminatingReplicas": f(INT32, "Pods being deleted."),
                        "unavailableReplicas": f(INT32, "Pods still needed to reach the desired count."),
                        "updatedReplicas": f(INT32, "Pods running the current template."),
                    },
                ),
                "The observed state; written by the Deployment controller.",
            ),
        }
    ),
)

# --- services and endpoints ------------------------------------------------------

SERVICE_PORT = Struct(
    "ServicePort",
    "A port the Service exposes and where it sends the traffic.",
    {
        "appProtocol": f(STRING, "Application protocol, such as http or kubernetes.io/h2c."),
        "name": f(STRING, "Name of the port, required when there are several."),
        "nodePort": f(INT32, "Port on every node, for NodePort and LoadBalancer; 30000-32767."),
        "port": f(INT32, "Port the Service listens on.", required=True),
        "protocol": f(STRING, "TCP (the default), UDP or SCTP.", enum=("SCTP", "TCP", "UDP")),
        "targetPort": f(INT_OR_STRING, "Port number or name on the pods; defaults to port."),
    },
)

SESSION_AFFINITY_CONFIG = Struct(
    "SessionAffinityConfig",
    "Settings of session affinity.",
    {
        "clientIP": f(
            Struct(
                "ClientIPConfig",
                "Settings of ClientIP affinity.",
                {
                    "timeoutSeconds": f(INT32, "How long a client sticks to one pod; 10800 by default."),
                },
            ),
            "Settings for ClientIP affinity.",
        ),
    },
)

PORT_STATUS = Struct(
    "PortStatus",
    "State of one load-balancer port.",
    {
        "error": f(STRING, "Why the port failed, if it did."),
        "port": f(INT32, "Port number.", required=True),
        "protocol": f(STRING, "TCP, UDP or SCTP.", required=True),
    },
)

LOAD_BALANCER_INGRESS = Struct(
    "LoadBalancerIngress",
    "An address of the external load balancer.",
    {
        "hostname": f(STRING, "DNS name of the load balancer."),
        "ip": f(STRING, "IP of the load balancer."),
        "ipMode": f(STRING, "VIP or Proxy.", enum=("Proxy", "VIP")),
        "ports": f(ListOf(PORT_STATUS), "State of its ports."),
    },
)

SERVICE = Struct(
    "Service",
    "A stable name and virtual IP that load-balances over a set of pods.",
    with_type_meta(
        {
            "spec": f(
                Struct(
                    "ServiceSpec",
                    "Which pods, which ports, and how the Service is exposed.",
                    {
                        "allocateLoadBalancerNodePorts": f(
                            BOOL, "Allocate node ports for a LoadBalancer; true by default."
                        ),
                        "clusterIP": f(
                            STRING,
                            "Virtual IP of the Service; allocated when empty, None for a headless Service.",
                        ),
                        "clusterIPs": f(
                            STRINGS, "Virtual IPs, one per IP family; the first equals clusterIP."
                        ),
                        "externalIPs": f(
                            STRINGS, "Extra IPs, routed to the nodes, on which the Service also answers."
                        ),
                        "externalName": f(STRING, "DNS name returned as a CNAME, for type ExternalName."),
                        "externalTrafficPolicy": f(
                            STRING,
                            "Cluster or Local: whether external traffic may cross nodes.",
                            enum=("Cluster", "Local"),
                        ),
                        "healthCheckNodePort": f(
                            INT32, "Node port for load-balancer health checks, with policy Local."
                        ),
                        "internalTrafficPolicy": f(
                            STRING,
                            "Cluster or Local: whether in-cluster traffic may cross nodes.",
                            enum=("Cluster", "Local"),
                        ),
                        "ipFamilies": f(STRINGS, "IPv4 and/or IPv6."),
                        "ipFamilyPolicy": f(
                            STRING,
                            "SingleStack, PreferDualStack or RequireDualStack.",
                            enum=("PreferDualStack", "RequireDualStack", "SingleStack"),
                        ),
                        "loadBalancerClass": f(STRING, "Which load-balancer implementation to use."),
                        "loadBalancerIP": f(STRING, "Deprecated: requested load-balancer IP."),
                        "loadBalancerSourceRanges": f(
                            STRINGS, "Client CIDRs allowed through the load balancer."
                        ),
                        "ports": f(ListOf(SERVICE_PORT), "Ports the Service exposes."),
                        "publishNotReadyAddresses": f(
                            BOOL, "Publish pods in DNS even before they are ready."
                        ),
                        "selector": f(LABELS, "Pods with these labels receive the traffic."),
                        "sessionAffinity": f(
                            STRING, "None (the default) or ClientIP.", enum=("ClientIP", "None")
                        ),
                        "sessionAffinityConfig": f(SESSION_AFFINITY_CONFIG, "Settings of session affinity."),
                        "trafficDistribution": f(
                            STRING, "Preference for nearby endpoints, such as PreferClose."
                        ),
                        "type": f(
                            STRING,
                            "ClusterIP (the default), NodePort, LoadBalancer or ExternalName.",
                            enum=("ClusterIP", "ExternalName", "LoadBalancer", "NodePort"),
                        ),
                    },
                ),
                "The desired behaviour of the Service.",
            ),
            "status": f(
                Struct(
                    "ServiceStatus",
                    "The observed state of the Service.",
                    {
                        "conditions": f(ListOf(CONDITION), "Conditions of the Service."),
                        "loadBalancer": f(
                            Struct(
                                "LoadBalancerStatus",
                                "The external load balancer, if any.",
                                {
                                    "ingress": f(
                                        ListOf(LOAD_BALANCER_INGRESS), "Addresses of the load balancer."
                                    ),
                                },
                            ),
                            "The external load balancer, if any.",
                        ),
                    },
                ),
                "The observed state; written by the system.",
            ),
        }
    ),
)

ENDPOINT = Struct(
    "Endpoint",
    "One backend of a Service, usually one pod.",
    {
        "addresses": f(STRINGS, "Addresses of the backend; usually one pod IP.", required=True),
        "conditions": f(
            Struct(
                "EndpointConditions",
                "Whether the backend should get traffic.",
                {
                    "ready": f(BOOL, "Ready for traffic."),
                    "serving": f(BOOL, "Ready, ignoring termination."),
                    "terminating": f(BOOL, "Being shut down."),
                },
            ),
            "Whether the backend should get traffic.",
        ),
        "deprecatedTopology": f(LABELS, "Deprecated topology labels."),
        "hints": f(
            Struct(
                "EndpointHints",
                "Where the backend should be used from.",
                {
                    "forNodes": f(
                        ListOf(
                            Struct("ForNode", "A node.", {"name": f(STRING, "Node name.", required=True)})
                        ),
                        "Nodes that should use it.",
                    ),
                    "forZones": f(
                        ListOf(
                            Struct("ForZone", "A zone.", {"name": f(STRING, "Zone name.", required=True)})
                        ),
                        "Zones that should use it.",
                    ),
                },
            ),
            "Topology hints for kube-proxy.",
        ),
        "hostname": f(STRING, "Host name of the backend."),
        "nodeName": f(STRING, "Node the backend runs on."),
        "targetRef": f(OBJECT_REFERENCE, "The pod behind the address."),
        "zone": f(STRING, "Zone the backend runs in."),
    },
)

ENDPOINT_PORT = Struct(
    "EndpointPort",
    "A port of the backends.",
    {
        "appProtocol": f(STRING, "Application protocol."),
        "name": f(STRING, "Name of the port; matches the Service port's name."),
        "port": f(INT32, "Port number on the backends."),
        "protocol": f(STRING, "TCP, UDP or SCTP.", enum=("SCTP", "TCP", "UDP")),
    },
)

ENDPOINT_SLICE = Struct(
    "EndpointSlice",
    "A slice of the backends of a Service, kept by the EndpointSlice controller.",
    with_type_meta(
        {
            "addressType": f(STRING, "IPv4, IPv6 or FQDN.", required=True, enum=("FQDN", "IPv4", "IPv6")),
            "endpoints": f(ListOf(ENDPOINT), "The backends.", required=True),
            "ports": f(ListOf(ENDPOINT_PORT), "Ports of the backends."),
        }
    ),
)

# --- cluster objects -------------------------------------------------------------

TAINT = Struct(
    "Taint",
    "Repels pods that do not tolerate it.",
    {
        "effect": f(
            STRING,
            "NoSchedule, PreferNoSchedule or NoExecute.",
            required=True,
            enum=("NoExecute", "NoSchedule", "PreferNoSchedule"),
        ),
        "key": f(STRING, "Taint key.", required=True),
        "timeAdded": f(TIME, "When a NoExecute taint was added."),
        "value": f(STRING, "Taint value."),
    },
)

NODE_CONDITION = Struct(
    "NodeCondition",
    "One aspect of a node's health: Ready, MemoryPressure, ...",
    {
        "lastHeartbeatTime": f(TIME, "When the kubelet last reported it."),
        "lastTransitionTime": f(TIME, "When the status last changed."),
        "message": f(STRING, "Human-readable details."),
        "reason": f(STRING, "One-word CamelCase reason, such as KubeletReady."),
        "status": f(STRING, "True, False or Unknown.", required=True, enum=("False", "True", "Unknown")),
        "type": f(
            STRING, "Ready, MemoryPressure, DiskPressure, PIDPressure or NetworkUnavailable.", required=True
        ),
    },
)

NODE_ADDRESS = Struct(
    "NodeAddress",
    "An address of the node.",
    {
        "address": f(STRING, "The address.", required=True),
        "type": f(STRING, "Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.", required=True),
    },
)

NODE_SYSTEM_INFO = Struct(
    "NodeSystemInfo",
    "Facts about the node's machine and software.",
    {
        "architecture": f(STRING, "CPU architecture, such as amd64.", required=True),
        "bootID": f(STRING, "Id of the current boot.", required=True),
        "containerRuntimeVersion": f(STRING, "Container runtime, such as containerd://1.7.0.", required=True),
        "kernelVersion": f(STRING, "Kernel version.", required=True),
        "kubeProxyVersion": f(STRING, "Deprecated: kube-proxy version.", required=True),
        "kubeletVersion": f(STRING, "Kubelet version.", required=True),
        "machineID": f(STRING, "Machine id.", required=True),
        "operatingSystem": f(STRING, "linux or windows.", required=True),
        "osImage": f(STRING, "Operating system image, such as Ubuntu 22.04.", required=True),
        "swap": f(opaque("NodeSwapStatus", "Swap memory on the node."), "Swap memory on the node."),
        "systemUUID": f(STRING, "System UUID.", required=True),
    },
)

NODE = Struct(
    "Node",
    "A worker machine in the cluster; its kubelet registers it and reports its status.",
    with_type_meta(
        {
            "spec": f(
                Struct(
                    "NodeSpec",
                    "How the node may be used.",
                    {
                        "configSource": f(
                            opaque("NodeConfigSource", "Deprecated dynamic kubelet config."), "Deprecated."
                        ),
                        "externalID": f(STRING, "Deprecated."),
                        "podCIDR": f(STRING, "Pod IP range of the node."),
                        "podCIDRs": f(STRINGS, "Pod IP ranges of the node, one per IP family."),
                        "podPreemptionPolicy": f(STRING, "How pods on the node may be preempted."),
                        "providerID": f(STRING, "Id of the machine at the cloud provider."),
                        "taints": f(ListOf(TAINT), "Taints that repel pods."),
                        "unschedulable": f(BOOL, "No new pods (kubectl cordon sets it)."),
                    },
                ),
                "The desired state of the node.",
            ),
            "status": f(
                Struct(
                    "NodeStatus",
                    "What the kubelet reports about the node.",
                    {
                        "addresses": f(ListOf(NODE_ADDRESS), "Addresses of the node."),
                        "allocatable": f(RESOURCE_LIST, "Resources available to pods."),
                        "capacity": f(RESOURCE_LIST, "Total resources of the node."),
                        "conditions": f(ListOf(NODE_CONDITION), "Health conditions."),
                        "config": f(
                            opaque("NodeConfigStatus", "Deprecated dynamic config status."), "Deprecated."
                        ),
                        "daemonEndpoints": f(
                            Struct(
                                "NodeDaemonEndpoints",
                                "Ports of the node's daemons.",
                                {
                                    "kubeletEndpoint": f(
                                        Struct(
                                            "DaemonEndpoint",
                                            "A daemon's port.",
                                            {
                                                "Port": f(INT32, "Port number.", required=True),
                                            },
                                        ),
                                        "Port of the kubelet.",
                                    ),
                                },
                            ),
                            "Ports of daemons on the node.",
                        ),
                        "declaredFeatures": f(STRINGS, "Features the node declares."),
                        "features": f(
                            opaque("NodeFeatures", "Features the node supports."), "Node features."
                        ),
                        "images": f(
                            ListOf(
                                Struct(
                                    "ContainerImage",
                                    "An image present on the node.",
                                    {
                                        "names": f(STRINGS, "Names of the image."),
                                        "sizeBytes": f(INT64, "Size of the image."),
                                    },
                                )
                            ),
                            "Images present on the node.",
                        ),
                        "nodeInfo": f(NODE_SYSTEM_INFO, "Facts about the machine."),
                        "phase": f(STRING, "Deprecated."),
                        "runtimeHandlers": f(
                            ListOf(opaque("NodeRuntimeHandler", "A runtime handler.")),
                            "Runtime handlers available.",
                        ),
                        "volumesAttached": f(
                            ListOf(
                                Struct(
                                    "AttachedVolume",
                                    "A volume attached to the node.",
                                    {
                                        "devicePath": f(STRING, "Device path.", required=True),
                                        "name": f(STRING, "Name of the volume.", required=True),
                                    },
                                )
                            ),
                            "Volumes attached to the node.",
                        ),
                        "volumesInUse": f(STRINGS, "Volumes in use."),
                    },
                ),
                "The observed state; written by the kubelet.",
            ),
        }
    ),
)

NAMESPACE = Struct(
    "Namespace",
    "A scope for names; most objects live in one.",
    with_type_meta(
        {
            "spec": f(
                Struct(
                    "NamespaceSpec",
                    "How the namespace is cleaned up.",
                    {
                        "finalizers": f(
                            STRINGS, "Must be empty before the namespace is removed; [kubernetes] by default."
                        ),
                    },
                ),
                "The desired state.",
            ),
            "status": f(
                Struct(
                    "NamespaceStatus",
                    "The state of the namespace.",
                    {
                        "conditions": f(
                            ListOf(
                                Struct(
                                    "NamespaceCondition",
                                    "One aspect of the namespace's state.",
                                    {
                                        "lastTransitionTime": f(TIME, "When the status last changed."),
                                        "message": f(STRING, "Human-readable details."),
                                        "reason": f(STRING, "One-word reason."),
                                        "status": f(STRING, "True, False or Unknown.", required=True),
                                        "type": f(STRING, "Type of the condition.", required=True),
                                    },
                                )
                            ),
                            "Conditions of the namespace.",
                        ),
                        "phase": f(STRING, "Active or Terminating.", enum=("Active", "Terminating")),
                    },
                ),
                "The observed state.",
            ),
        }
    ),
)

CONFIG_MAP = Struct(
    "ConfigMap",
    "Non-secret configuration data, as key/value pairs.",
    with_type_meta(
        {
            "binaryData": f(MapOf(BYTES), "Binary values, base64-encoded."),
            "data": f(LABELS, "Text values."),
            "immutable": f(BOOL, "If true, data can no longer be changed."),
        }
    ),
)

SECRET = Struct(
    "Secret",
    "Sensitive data, such as passwords or keys, as key/value pairs.",
    with_type_meta(
        {
            "data": f(MapOf(BYTES), "Values, base64-encoded."),
            "immutable": f(BOOL, "If true, data can no longer be changed."),
            "stringData": f(LABELS, "Plain-text values, merged into data on write; never read back."),
            "type": f(STRING, "Opaque (the default), kubernetes.io/tls, kubernetes.io/dockerconfigjson, ..."),
        }
    ),
)

EVENT = Struct(
    "Event",
    "A report of something that happened to an object, such as Scheduled or Pulled.",
    with_type_meta(
        {
            "action": f(STRING, "What was done, such as Binding."),
            "count": f(INT32, "How many times it happened."),
            "eventTime": f(MICRO_TIME, "When it first happened, in microseconds."),
            "firstTimestamp": f(TIME, "When it first happened."),
            "involvedObject": f(OBJECT_REFERENCE, "The object it is about.", required=True),
            "lastTimestamp": f(TIME, "When it last happened."),
            "message": f(STRING, "Human-readable description."),
            "reason": f(STRING, "Short CamelCase reason, such as FailedScheduling."),
            "related": f(OBJECT_REFERENCE, "A second object involved."),
            "reportingComponent": f(STRING, "Controller that reported it, such as kubelet."),
            "reportingInstance": f(STRING, "Instance of the reporter, such as the node name."),
            "series": f(
                Struct(
                    "EventSeries",
                    "A series of repeated events.",
                    {
                        "count": f(INT32, "Occurrences so far."),
                        "lastObservedTime": f(MICRO_TIME, "When it last happened."),
                    },
                ),
                "Repetitions of the event.",
            ),
            "source": f(
                Struct(
                    "EventSource",
                    "Who reported the event.",
                    {
                        "component": f(STRING, "Component, such as kubelet or default-scheduler."),
                        "host": f(STRING, "Node name."),
                    },
                ),
                "Who reported it.",
            ),
            "type": f(STRING, "Normal or Warning."),
        }
    ),
)

LEASE = Struct(
    "Lease",
    "A lock with an expiry, used for node heartbeats and leader election.",
    with_type_meta(
        {
            "spec": f(
                Struct(
                    "LeaseSpec",
                    "Who holds the lease and until when.",
                    {
                        "acquireTime": f(MICRO_TIME, "When the current holder acquired it."),
                        "holderIdentity": f(STRING, "Who holds it."),
                        "leaseDurationSeconds": f(INT32, "Seconds the holder may wait between renewals."),
                        "leaseTransitions": f(INT32, "How often the holder has changed."),
                        "preferredHolder": f(STRING, "Who should hold it next."),
                        "renewTime": f(MICRO_TIME, "When the holder last renewed it."),
                        "strategy": f(STRING, "How a coordinated leader is chosen."),
                    },
                ),
                "The state of the lease.",
            ),
        }
    ),
)

PRIORITY_CLASS = Struct(
    "PriorityClass",
    "A named scheduling priority that pods refer to.",
    with_type_meta(
        {
            "description": f(STRING, "When to use this class."),
            "globalDefault": f(BOOL, "Use for pods that name no class; at most one class may."),
            "preemptionPolicy": f(
                STRING, "PreemptLowerPriority (the default) or Never.", enum=("Never", "PreemptLowerPriority")
            ),
            "value": f(
                INT32, "The priority; higher runs first. At most 1000000000 for user classes.", required=True
            ),
        }
    ),
)

KIND_SCHEMAS: dict[str, Struct] = {
    "Namespace": NAMESPACE,
    "Node": NODE,
    "Pod": POD,
    "Service": SERVICE,
    "ConfigMap": CONFIG_MAP,
    "Secret": SECRET,
    "Event": EVENT,
    "ReplicaSet": REPLICA_SET,
    "Deployment": DEPLOYMENT,
    "EndpointSlice": ENDPOINT_SLICE,
    "Lease": LEASE,
    "PriorityClass": PRIORITY_CLASS,
}


# --- unknown fields ----------------------------------------------------------------


def unknown_fields(info: ResourceInfo, obj: dict) -> list[str]:
    """The server's warnings for fields the kind does not have: `unknown field "spec.foo"`."""
    schema = KIND_SCHEMAS.get(info.kind)
    if schema is None or not isinstance(obj, dict):
        return []
    found: list[str] = []
    _walk_unknown(schema, obj, "", found)
    return [f'unknown field "{path}"' for path in found]


def _walk_unknown(type_: Type, value: object, path: str, found: list[str]) -> None:
    if isinstance(type_, Struct):
        if type_.open or not isinstance(value, dict):
            return
        for key, child in value.items():
            child_path = f"{path}.{key}" if path else str(key)
            known = type_.fields.get(key)
            if known is None:
                found.append(child_path)
            else:
                _walk_unknown(known.type, child, child_path, found)
    elif isinstance(type_, ListOf) and isinstance(value, list):
        for index, item in enumerate(value):
            _walk_unknown(type_.item, item, f"{path}[{index}]", found)
    elif isinstance(type_, MapOf) and isinstance(value, dict):
        for key, item in value.items():
            _walk_unknown(type_.value, item, f"{path}[{key}]", found)


# --- kubectl explain -----------------------------------------------------------------


class FieldNotFound(ValueError):
    """kubectl explain's answer for a path that does not exist: `field "foo" does not exist`."""


def explain(path: str, recursive: bool = False) -> str:
    """What `kubectl explain <path>` prints, such as explain("pod.spec.containers")."""
    resource, *names = path.strip().split(".")
    info = lookup(resource)
    kind_schema = KIND_SCHEMAS[info.kind]
    header = ([f"GROUP:      {info.group}"] if info.group else []) + [
        f"KIND:       {info.kind}",
        f"VERSION:    {info.version}",
        "",
    ]
    if not names:
        lines = header + ["DESCRIPTION:", *_indent(kind_schema.doc, 4), ""]
        return "\n".join(lines + _fields_section(kind_schema, recursive))
    current: Field | None = None
    struct: Struct | None = kind_schema
    for name in names:
        if struct is None or name not in struct.fields:
            raise FieldNotFound(f'field "{name}" does not exist')
        current = struct.fields[name]
        struct = _struct_of(current.type)
    assert current is not None
    lines = header + [f"FIELD: {names[-1]} <{type_name(current.type)}>"]
    if current.enum:
        lines += ["ENUM:", *(f"    {value}" for value in current.enum)]
    lines += ["", "DESCRIPTION:", *_indent(current.doc, 4)]
    if struct is not None and struct.doc != current.doc:
        lines += _indent(struct.doc, 4)
    lines.append("")
    if struct is not None:
        lines += _fields_section(struct, recursive)
    return "\n".join(lines)


def _struct_of(type_: Type) -> Struct | None:
    """The object a field holds, looking through lists and maps (as explain does)."""
    while isinstance(type_, (ListOf, MapOf)):
        type_ = type_.item if isinstance(type_, ListOf) else type_.value
    return type_ if isinstance(type_, Struct) else None


def _fields_section(struct: Struct, recursive: bool) -> list[str]:
    if not struct.fields:
        return []
    lines = ["FIELDS:"]
    if recursive:
        _recursive_fields(struct, 1, lines, seen=())
        return lines
    for name in sorted(struct.fields):
        child = struct.fields[name]
        required = " -required-" if child.required else ""
        lines.append(f"  {name}\t<{type_name(child.type)}>{required}")
        lines += _indent(child.doc, 4)
        lines.append("")
    return lines


def _recursive_fields(struct: Struct, depth: int, lines: list[str], seen: tuple[str, ...]) -> None:
    for name in sorted(struct.fields):
        child = struct.fields[name]
        required = " -required-" if child.required else ""
        lines.append(f"{'  ' * depth}{name}\t<{type_name(child.type)}>{required}")
        inner = _struct_of(child.type)
        if inner is not None and inner.name not in seen:  # a type may contain itself; stop there
            _recursive_fields(inner, depth + 1, lines, seen + (inner.name,))


def _indent(text: str, width: int) -> list[str]:
    return [" " * width + line for line in text.splitlines()]
