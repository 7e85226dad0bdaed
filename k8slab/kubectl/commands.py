"""kubectl: a person's commands, turned into API requests (step 3 of the fifteen, notebook 02).

kubectl is only a client. Every command below becomes one or more requests to
the API server (`api.get`, `api.list`, `api.create`, `api.patch`, ...), and
what it prints is built from the answers: nothing here touches etcd, a
controller or a kubelet. That is the point notebook 02 makes by reading this
file next to `k8slab.api.server`.

    kubectl = Kubectl(api)
    kubectl.run("apply -f web.yaml")        # deployment.apps/web created
    kubectl.run("get pods -o wide")         # the table real kubectl prints
    kubectl.run("scale deployment/web --replicas=5")

`run()` returns a `KubectlOutput`: the text a terminal would show (standard
output and standard error, in the order kubectl writes them), plus `.stdout`,
`.stderr` and `.exit_code`. A command kubectl refuses is answered with
kubectl's own words and exit code 1; it never raises, and it never changes
the cluster.

The texts are those of kubectl v1.35 (k8s.io/kubectl at tag kubernetes-1.35.0),
for example `pod "web" deleted from default namespace` (v1.34 added the
namespace). Where the lab differs from real kubectl it says so here:

* Time is the simulation's. `get -w` watches for `--watch-seconds` virtual
  seconds (default 30) instead of until Ctrl-C; `rollout status` waits at most
  `--timeout` virtual seconds (default 60, where kubectl waits forever);
  `delete` waits for the objects to go, as kubectl does, at most their grace
  period plus a minute of virtual time. Waiting runs the event loop, so the
  rest of the cluster (controllers, scheduler, kubelets) acts meanwhile.
* `kubectl apply` is the classic client-side apply (the last-applied
  annotation and a three-way strategic merge patch); server-side apply is not
  modelled. Unknown fields are reported as the server's warnings
  (`--validate=warn`); real kubectl's default, `--validate=strict`, refuses
  them, and is available with that flag.
* No kubeconfig, no network: `-f` reads files and standard input, not URLs.
"""

from __future__ import annotations

import copy
import json
import pathlib
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from k8slab import __version__
from k8slab.api.errors import BadRequest, NotFound, StatusError
from k8slab.api.kinds import ResourceInfo, all_kinds, for_kind, lookup
from k8slab.api.manifests import Document, load_manifests, to_json, to_yaml
from k8slab.kubectl import describe as describing
from k8slab.kubectl import printers
from k8slab.kubectl.parser import (
    CommandSpec,
    Flag,
    Invocation,
    JSONPathError,
    UsageError,
    evaluate_jsonpath,
    flag_help,
    go_json,
    jsonpath_values,
    parse,
    parse_jsonpath,
    relaxed_jsonpath,
    suggestions,
)

KUBECTL_VERSION = "v1.35.0"  # the kubectl whose messages and formats this file copies
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
POD_TEMPLATE_HASH = "pod-template-hash"
#: `kubectl get all`: the lab's kinds in the "all" category, in discovery order.
ALL_CATEGORY = ("pods", "services", "deployments", "replicasets")
#: Real kubectl commands the lab does not model (answered with a clear message, not "unknown command").
NOT_MODELLED = (
    "alpha", "attach", "auth", "autoscale", "certificate", "completion", "cp", "debug", "diff",
    "drain", "edit", "events", "exec", "expose", "kustomize", "options", "plugin", "port-forward", "proxy",
    "replace", "run", "wait",
)
#: The output formats `kubectl get -o` knows (kubectl lists them, sorted, when given another).
OUTPUT_FORMATS = (
    "custom-columns", "custom-columns-file", "go-template", "go-template-file", "json", "jsonpath",
    "jsonpath-as-json", "jsonpath-file", "kyaml", "name", "template", "templatefile", "wide", "yaml",
)
MISSING_RESOURCE = """You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'"""
STOP_VALIDATE = "if you choose to ignore these errors, turn validation off with --validate=false"
DEFAULT_VALIDATE = "warn"  # real kubectl's default is "strict"; see the module docstring
WATCH_SECONDS = 30.0  # `get -w`: how long the lab watches, in virtual seconds
ROLLOUT_TIMEOUT = 60.0  # `rollout status`: the lab's longest wait, in virtual seconds
NO_TIMEOUT_CAP = 3600.0  # `--timeout=0` ("forever" in kubectl) waits at most an hour of virtual time
METRICS_CREATION_DELAY = 120.0  # `top pod`: a pod older than this with no metrics is reported by name
DELETE_WAIT_MARGIN = 60.0  # `delete` waits for an object's grace period plus this, in virtual seconds


# ====================================================================================================
# What a command prints
# ====================================================================================================


class KubectlOutput(str):
    """What a terminal shows after a kubectl command: standard output and standard error, as written.

    It is a `str` (the terminal text), with `.stdout`, `.stderr` and
    `.exit_code` (0 for success, 1 for an error, as kubectl). In a notebook it
    shows as the terminal would, without quotes.
    """

    stdout: str
    stderr: str
    exit_code: int
    chunks: list[tuple[str, str]]  # ("stdout" or "stderr", text), in the order kubectl wrote them

    def __new__(cls, chunks: Sequence[tuple[str, str]] = (), exit_code: int = 0) -> KubectlOutput:
        output = super().__new__(cls, "".join(text for _, text in chunks))
        output.chunks = list(chunks)
        output.stdout = "".join(text for stream, text in chunks if stream == "stdout")
        output.stderr = "".join(text for stream, text in chunks if stream == "stderr")
        output.exit_code = exit_code
        return output

    def __repr__(self) -> str:
        return str(self).removesuffix("\n")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


class ExitCode(Exception):
    """kubectl ends with this exit code, having printed what it had to (`kubectl exec`'s command failed)."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


class KubectlError(Exception):
    """An error kubectl prints itself (not the API server's): kubectl writes it as `error: <message>`."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StopRun(Exception):
    """Raised by a command to end with the errors it collected."""

    def __init__(self, errors: Sequence[Exception]):
        super().__init__("stop")
        self.errors = list(errors)


class Session:
    """One command's output, written to stdout and stderr in the order kubectl writes them."""

    def __init__(self, api: Any, stdin: str | None):
        self.api = api
        self.stdin = stdin
        self.chunks: list[tuple[str, str]] = []
        self.warnings_seen = len(getattr(api, "warnings", []))

    def out(self, text: str) -> None:
        if text:
            self.chunks.append(("stdout", text))

    def err(self, text: str) -> None:
        if text:
            self.chunks.append(("stderr", text))

    def flush_warnings(self) -> None:
        """The API server's warnings since the last call, as kubectl prints them: `Warning: ...` on stderr."""
        warnings = getattr(self.api, "warnings", [])
        for warning in warnings[self.warnings_seen:]:
            text = warning if warning.startswith("Warning: ") else f"Warning: {warning}"
            self.err(text if text.endswith("\n") else text + "\n")
        self.warnings_seen = len(warnings)


def error_text(errors: Sequence[Exception]) -> str:
    """kubectl's checkErr: how the errors a command ended with are printed on stderr.

    One error: an Invalid from the server lists its causes (`The Pod "web" is
    invalid: ...`), another server error reads `Error from server (Reason):
    message`, kubectl's own reads `error: message`. Several errors: one line
    each, in the server's form or bare.
    """
    if len(errors) == 1:
        error = errors[0]
        if isinstance(error, StatusError) and error.reason == "Invalid":
            return _invalid_text(error)
        message = _message_for(error)
        if not isinstance(error, StatusError) and not message.startswith("error: "):
            message = f"error: {message}"
        return message if message.endswith("\n") else message + "\n"
    return "".join(_message_for(error) + "\n" for error in errors)


def _message_for(error: Exception) -> str:
    if isinstance(error, StatusError):
        if error.reason == "Invalid":  # several errors: an Invalid one reads like the others
            return f"Error from server (Invalid): {error.message}"
        return error.kubectl()
    if isinstance(error, KubectlError):
        return error.message
    return str(error)


def _invalid_text(error: StatusError) -> str:
    """`The Deployment "web" is invalid: spec.replicas: ...`, one cause per line when there are several."""
    if error.kind or error.name:
        prefix = f'The {error.kind} "{error.name}" is invalid'
    else:
        prefix = "The request is invalid" + (f": {error.message}" if not error.causes else "")
    causes = list(dict.fromkeys(f"{cause.field}: {cause.message}" for cause in error.causes))
    if not causes:
        return prefix + "\n"
    if len(causes) == 1:
        return f"{prefix}: {causes[0]}\n"
    return f"{prefix}: \n" + "".join(f"* {cause}\n" for cause in causes)


def with_source(verb: str, source: str, error: Exception) -> Exception:
    """kubectl's AddSourceToErr: `error when creating "web.yaml": ...` in front of an error's message."""
    if not source:
        return error
    if isinstance(error, StatusError):
        wrapped = copy.copy(error)
        wrapped.message = f'error when {verb} "{source}": {error.message}'
        wrapped.args = (wrapped.message,)
        return wrapped
    return KubectlError(f'error when {verb} "{source}": {_message_for(error)}')


# ====================================================================================================
# Resources named on the command line (cli-runtime's resource.Builder)
# ====================================================================================================


@dataclass
class Target:
    """One object a command works on (cli-runtime's resource.Info)."""

    info: ResourceInfo
    namespace: str  # "" for cluster-wide kinds
    name: str
    object: dict | None = None  # the live object, or the manifest (for -f)
    source: str = ""  # the file it came from; "" for command-line arguments

    @property
    def kind_name(self) -> str:
        """`pod/web`, `deployment.apps/web`: how kubectl names an object in its messages."""
        return f"{printers.kind_prefix(self.info.kind, self.info.group)}/{self.name}"

    @property
    def resource_string(self) -> str:
        """`pods`, `deployments.apps`: the resource as rollout's error messages name it."""
        return self.info.qualified

    def describe(self) -> str:
        """resource.Info.String(): what apply's longer error messages show about the object."""
        group_version = f"{self.info.group}/{self.info.version}"
        return (f'Resource: "{group_version}, Resource={self.info.resource}", GroupVersionKind: '
                f'"{group_version}, Kind={self.info.kind}"\nName: "{self.name}", Namespace: '
                f'"{self.namespace}"')


@dataclass
class Selection:
    targets: list[Target] = field(default_factory=list)
    errors: list[Exception] = field(default_factory=list)
    single_item: bool = False  # kubectl's singleItemImplied: one object was named
    resource_version: str = ""  # of the list, when a list was made: where a watch starts from


def resource_info(argument: str) -> ResourceInfo:
    """The resource a command-line type names (`po`, `pods`, `deploy`, `deployments.apps`)."""
    try:
        return lookup(argument)
    except StatusError:
        raise KubectlError(f'the server doesn\'t have a resource type "{argument.split(".")[0]}"') from None


def split_types(argument: str) -> list[str]:
    """`pods,svc,pods` -> [pods, svc]; `all` -> the kinds of the "all" category."""
    names: list[str] = []
    for name in argument.split(","):
        expanded = ALL_CATEGORY if name == "all" else (name,)
        for item in expanded:
            if item not in names:
                names.append(item)
    return names


# ====================================================================================================
# kubectl
# ====================================================================================================


class Kubectl:
    """kubectl against one API server, with a default namespace (`kubectl config set-context --current`).

    `cwd` is the folder relative `-f` paths are read from (default: the process's).
    """

    def __init__(self, api: Any, namespace: str = "default", cwd: str | pathlib.Path | None = None):
        self.api = api
        self.namespace = namespace
        self.cwd = pathlib.Path(cwd) if cwd is not None else None

    def __repr__(self) -> str:
        return f"Kubectl(namespace={self.namespace!r})"

    # ------------------------------------------------------------------ entry point

    def run(self, command: str | Sequence[str], stdin: str | None = None) -> KubectlOutput:
        """Run one kubectl command line (with or without the leading `kubectl`); stdin feeds `-f -`."""
        session = Session(self.api, stdin)
        try:
            words = shlex.split(command) if isinstance(command, str) else list(command)
        except ValueError as error:
            session.err(f"error: cannot read the command line: {error}\n")
            return KubectlOutput(session.chunks, 1)
        if words and words[0] == "kubectl":
            words = words[1:]
        code = 0
        try:
            invocation = parse(words, ROOT)
            self._dispatch(session, invocation)
        except UsageError as error:
            session.err(error.text())
            code = 1
        except StopRun as stop:
            if stop.errors:
                session.err(error_text(stop.errors))
                code = 1
        except ExitCode as exit_code:
            code = exit_code.code
        except (StatusError, KubectlError) as error:
            session.err(error_text([error]))
            code = 1
        except Exception as error:  # a bug in the lab must not look like a crash of the learner's cluster
            session.err(f"error: k8slab's kubectl failed: {type(error).__name__}: {error}\n")
            code = 1
        session.flush_warnings()
        return KubectlOutput(session.chunks, code)

    def apply(self, source: Any) -> KubectlOutput:
        """`kubectl apply` from Python: a path (file or folder), YAML text, a dict, or a list of dicts.

        A path is applied as `kubectl apply -f PATH`; text and objects as
        `kubectl apply -f -` with them on standard input.
        """
        if isinstance(source, pathlib.Path):
            return self.run(["apply", "-f", str(source)])
        if isinstance(source, str):
            if "\n" not in source and ":" not in source.split("/")[0]:
                return self.run(["apply", "-f", source])  # a path (a URL is refused by -f itself)
            return self.run(["apply", "-f", "-"], stdin=source)
        if isinstance(source, dict | list | tuple):
            items = [source] if isinstance(source, dict) else list(source)
            text = "---\n".join(json.dumps(item) + "\n" for item in items)  # JSON is YAML too
            return self.run(["apply", "-f", "-"], stdin=text)
        return KubectlOutput([("stderr", f"error: cannot apply a {type(source).__name__}: give a path, YAML "
                                         "text, a dict or a list of dicts\n")], 1)

    def _dispatch(self, session: Session, invocation: Invocation) -> None:
        if invocation["help"]:
            session.out(help_text(invocation.path))
            return
        command = invocation.command
        if command is ROOT:
            self._root(session, invocation)
            return
        handler = HANDLERS.get(invocation.command_path)
        if handler is None:  # a command with sub-commands, called without one
            if invocation.args:
                raise UsageError(f'unknown command "{" ".join(invocation.args)}"', invocation.command_path,
                                 "examples")
            session.out(help_text(invocation.path))
            return
        handler(self, session, invocation)

    def _root(self, session: Session, invocation: Invocation) -> None:
        if not invocation.args:
            session.out(help_text([ROOT]))
            return
        word = invocation.args[0]
        if word in NOT_MODELLED:
            hint = " Use kubectl patch or kubectl apply instead." if word in ("edit", "replace") else ""
            raise KubectlError(f'"kubectl {word}" is a real kubectl command that k8slab does not model.'
                               + hint)
        message = f'unknown command "{word}" for "kubectl"'
        close = suggestions(word, [spec.name for spec in ROOT.subcommands])
        if close:
            message += "\n\nDid you mean this?\n" + "".join(f"\t{name}\n" for name in close)
        raise KubectlError(message)

    # ------------------------------------------------------------------ shared helpers

    def _namespace(self, invocation: Invocation) -> str:
        return invocation.values.get("namespace") or self.namespace

    def _now(self):
        return self.api.loop.datetime()

    def _selection(
        self,
        session: Session,
        invocation: Invocation,
        args: Sequence[str],
        *,
        allow_empty_selector: bool,
        fetch: bool = True,
        select_all: bool = False,
        single_type: bool = False,
    ) -> Selection:
        """What kubectl's resource builder finds for these arguments and flags (ContinueOnError, Flatten).

        `type name...`, `type/name...`, `type1,type2 name`, `type -l selector`,
        `type --all`, or `-f file`. Errors about one object are collected so
        the others are still done; errors about the command line stop it.
        """
        values = invocation.values
        namespace = self._namespace(invocation)
        all_namespaces = bool(values.get("all-namespaces"))
        label = (values.get("selector") or "").strip() or None
        fields = (values.get("field-selector") or "").strip() or None
        if select_all:
            if label is not None or fields is not None:
                raise KubectlError("setting 'all' parameter but found a non empty selector. ")
            label = ""
        filenames = values.get("filename") or []

        args = list(args)
        tuples: list[tuple[str, str]] = []
        types: list[str] = []
        names: list[str] = []
        if len(args) >= 2 and len(split_types(args[0])) > 1 and "/" not in args[0]:
            args = [f"{kind}/{name}" for kind in split_types(args[0]) for name in args[1:]]
        slashes = sum(1 for arg in args if "/" in arg)
        if slashes and slashes != len(args):
            raise KubectlError(
                "there is no need to specify a resource type as a separate argument when passing arguments "
                "in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get "
                "resource resource/<resource_name>'"
            )
        if slashes:
            for arg in args:
                parts = arg.split("/")
                if len(parts) != 2:
                    raise KubectlError("arguments in resource/name form may not have more than one slash")
                if not parts[0] or not parts[1] or len(split_types(parts[0])) != 1:
                    raise KubectlError("arguments in resource/name form must have a single resource and name")
                tuples.append((parts[0], parts[1]))
        elif args:
            types = split_types(args[0])
            names = args[1:]
            if not names and label is None and allow_empty_selector:
                label = ""

        if filenames:
            if types:
                raise KubectlError("when paths, URLs, or stdin is provided as input, you may not specify "
                                   "resource arguments as well")
            if names or tuples:
                raise KubectlError("name cannot be provided when a path is specified")
            return self._selection_from_files(session, invocation, fetch)
        if label is not None or fields is not None:
            if names:
                raise KubectlError("name cannot be provided when a selector is specified")
            if tuples:
                raise KubectlError("selectors and the all flag cannot be used when passing resource/name "
                                   "arguments")
            if not types:
                raise KubectlError("at least one resource must be specified to use a selector")
            infos = [resource_info(name) for name in types]
            if single_type and len(infos) > 1:
                raise KubectlError("you may only specify a single resource type")
            return self._selection_by_selector(infos, namespace, all_namespaces, label or "", fields or "")
        if tuples:
            pairs = [(resource_info(kind), name) for kind, name in tuples]
            if single_type and len({info.kind for info, _ in pairs}) > 1:
                raise KubectlError("you may only specify a single resource type")
            return self._selection_by_name(pairs, namespace, all_namespaces, fetch, single=len(pairs) == 1)
        if names:
            if len(types) > 1:
                raise KubectlError("you must specify only one resource")
            info = resource_info(types[0])
            return self._selection_by_name([(info, name) for name in names], namespace, all_namespaces, fetch,
                                           single=len(names) == 1)
        if types:
            for name in types:
                resource_info(name)
            raise KubectlError("resource(s) were provided, but no name was specified")
        raise KubectlError(MISSING_RESOURCE)

    def _selection_by_name(self, pairs, namespace, all_namespaces, fetch, single) -> Selection:
        selection = Selection(single_item=single)
        for info, name in pairs:
            if info.namespaced and all_namespaces:
                raise KubectlError("a resource cannot be retrieved by name across all namespaces")
            target = Target(info, namespace if info.namespaced else "", name)
            if fetch:
                try:
                    target.object = self.api.get(info.resource, name, target.namespace or None)
                except StatusError as error:
                    selection.errors.append(error)
                    continue
            selection.targets.append(target)
        return selection

    def _selection_by_selector(self, infos, namespace, all_namespaces, label, fields) -> Selection:
        selection = Selection()
        for info in infos:
            scope = None if (all_namespaces or not info.namespaced) else namespace
            try:
                listed = self.api.list(info.resource, scope, label_selector=label or None,
                                       field_selector=fields or None)
            except (StatusError, ValueError) as error:
                selection.errors.append(_selector_error(info, label, fields, error))
                continue
            selection.resource_version = listed["metadata"]["resourceVersion"]
            for obj in listed["items"]:
                meta = obj["metadata"]
                selection.targets.append(Target(info, meta.get("namespace", ""), meta["name"], obj))
        return selection

    def _selection_from_files(self, session: Session, invocation: Invocation, fetch: bool) -> Selection:
        documents, errors = self._documents(session, invocation)
        selection = Selection(errors=errors)
        namespace = self._namespace(invocation)
        enforce = "namespace" in invocation.given
        for document in documents:
            try:
                target = self._target_for_document(document, namespace, enforce)
            except (StatusError, KubectlError) as error:
                selection.errors.append(error)
                continue
            if fetch:
                try:
                    target.object = self.api.get(target.info.resource, target.name, target.namespace or None)
                except StatusError as error:
                    selection.errors.append(error)
                    continue
            selection.targets.append(target)
        selection.single_item = len(selection.targets) == 1 and len(documents) == 1
        return selection

    def _documents(self, session: Session, invocation: Invocation) -> tuple[list[Document], list[Exception]]:
        """Every document in the -f files (a file, a folder, `-` for stdin), and what failed to read.

        Each file is read on its own, as kubectl does: one that does not parse
        is reported, and the others are still used.
        """
        documents: list[Document] = []
        errors: list[Exception] = []
        recursive = bool(invocation.values.get("recursive"))
        for name in invocation.values.get("filename") or []:
            try:
                files = self._files(name, recursive)
            except KubectlError as error:
                errors.append(error)
                continue
            for file in files:
                try:
                    documents.extend(self._read(file, session))
                except StatusError as error:  # load_manifests' BadRequest for a bad file: kubectl's own error
                    errors.append(KubectlError(error.message))
        return documents, errors

    def _files(self, name: str, recursive: bool) -> list[str]:
        """The files one -f names: itself, or a folder's manifests (.yaml, .yml, .json), deeper with -R."""
        if name == "-":
            return [name]
        if name.startswith(("http://", "https://")):
            raise KubectlError(f'unable to read URL "{name}": k8slab\'s kubectl has no network; download '
                               "the file and pass its path to -f")
        full = self._path(name)
        if not full.exists():
            raise KubectlError(f'the path "{name}" does not exist')
        if not full.is_dir():
            return [name]
        found = full.rglob("*") if recursive else full.iterdir()
        files = sorted(file for file in found if file.is_file() and file.suffix in (".yaml", ".yml", ".json"))
        return [str(pathlib.Path(name) / file.relative_to(full)) for file in files]

    def _read(self, name: str, session: Session) -> list[Document]:
        if name == "-":
            documents = load_manifests(session.stdin) if session.stdin is not None else []
            for document in documents:
                document.source = "STDIN"
            return documents
        return load_manifests(pathlib.Path(name), base=self.cwd)  # messages name the file as it was given

    def _target_for_document(self, document: Document, namespace: str, enforce: bool) -> Target:
        """Map a manifest to its resource, and settle its namespace as kubectl does (-n must agree)."""
        obj = document.object
        problems = type_meta_problems(obj)
        if problems:
            detail = problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]"
            raise KubectlError(f'error validating "{document.source}": error validating data: {detail}; '
                               f"{STOP_VALIDATE}")
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        name = meta.get("name") or ""
        given_namespace = meta.get("namespace") or ""
        try:
            info = for_kind(obj["apiVersion"], obj["kind"])
        except StatusError as error:
            raise KubectlError(
                f'resource mapping not found for name: "{name}" namespace: "{given_namespace}" from '
                f'"{document.source}": {error.message}\nensure CRDs are installed first'
            ) from None
        if not info.namespaced:
            return Target(info, "", name, obj, document.source)
        if enforce and given_namespace and given_namespace != namespace:
            raise KubectlError(
                f'the namespace from the provided object "{given_namespace}" does not match the namespace '
                f'"{namespace}". You must pass \'--namespace={given_namespace}\' to perform this operation.'
            )
        return Target(info, given_namespace or namespace, name, obj, document.source)

    def _flush(self, session: Session) -> None:
        session.flush_warnings()

    def _run_until(self, done: Callable[[], bool], seconds: float, jump_when_idle: bool = True) -> bool:
        """Advance virtual time until `done()` or `seconds` have passed; True if done.

        The event loop runs one callback at a time, so the cluster's components
        act while we wait, exactly as they would while a real kubectl blocks.
        """
        loop = self.api.loop
        deadline = loop.now + seconds
        while not done():
            upcoming = loop.next_time()
            if upcoming is None and not jump_when_idle:
                return False
            if upcoming is None or upcoming > deadline:
                loop.run(until=deadline)
                return done()
            loop.step()
        return True

    # ================================================================================================
    # get
    # ================================================================================================

    def run_get(self, session: Session, invocation: Invocation) -> None:
        values = invocation.values
        output, template = output_format(values["output"], OUTPUT_FORMATS_GET)
        if values["show-labels"] and output not in ("", "wide"):
            raise KubectlError(f"--show-labels option cannot be used with {output} printer")
        if not invocation.args and not values["filename"]:
            session.err('You must specify the type of resource to get. Use "kubectl api-resources" for a '
                        "complete list of supported resources.\n\n")
            raise UsageError('Required resource not specified.\nUse "kubectl explain <resource>" for a '
                             "detailed description of that resource (e.g. kubectl explain pods).",
                             "kubectl get", "examples")
        if values["watch"] or values["watch-only"]:
            self._get_watch(session, invocation, output, template)
            return
        selection = self._selection(session, invocation, invocation.args, allow_empty_selector=True)
        errors = list(selection.errors)
        if values["ignore-not-found"]:
            errors = [e for e in errors if not isinstance(e, NotFound)]
        objects = [target.object for target in selection.targets]
        if values["sort-by"]:
            objects = sort_objects(objects, values["sort-by"])
        if output in ("", "wide"):
            text = self._get_table(objects, invocation, output == "wide")
            session.out(text)
            if not text and not errors and not values["ignore-not-found"]:
                namespace = self._namespace(invocation)
                session.err(printers.no_resources(namespace, bool(values["all-namespaces"])))
        else:
            single = selection.single_item and len(objects) == 1 and not errors
            session.out(print_objects(objects, output, template, single, values["no-headers"]))
        if errors:
            raise StopRun(errors)

    def _get_table(self, objects: list[dict], invocation: Invocation, wide: bool) -> str:
        values = invocation.values
        groups: list[tuple[str, list[dict]]] = []
        for obj in objects:  # consecutive objects of one kind share a table, as kubectl's printer does
            if groups and groups[-1][0] == obj.get("kind"):
                groups[-1][1].append(obj)
            else:
                groups.append((obj.get("kind", ""), [obj]))
        return printers.tables(
            groups, self._now(), wide=wide, all_namespaces=bool(values["all-namespaces"]),
            show_kind=values["show-kind"], show_labels=values["show-labels"], no_headers=values["no-headers"],
            label_columns=[key for item in values["label-columns"] for key in item.split(",") if key],
        )

    def _get_watch(self, session: Session, invocation: Invocation, output: str, template: str | None) -> None:
        """`get -w`: the current objects, then one line per change, for --watch-seconds of virtual time."""
        values = invocation.values
        selection = self._selection(session, invocation, invocation.args, allow_empty_selector=True,
                                    single_type=True)
        if selection.errors:
            raise StopRun(selection.errors[:1])
        info = selection.targets[0].info if selection.targets else self._single_info(invocation)
        namespace = None if (values["all-namespaces"] or not info.namespaced) else self._namespace(invocation)
        names = {target.name for target in selection.targets} if selection.single_item else None
        printer = WatchPrinter(output, template, values)
        if not values["watch-only"]:
            printer.add([target.object for target in selection.targets], self._now())
        # A list tells where the watch starts; a named object, its own resourceVersion.
        start = selection.resource_version or max(
            (int(target.object["metadata"]["resourceVersion"]) for target in selection.targets), default=0)
        field_selector = values["field-selector"] or None
        if names is not None and len(names) == 1:
            name_term = f"metadata.name={next(iter(names))}"
            field_selector = f"{field_selector},{name_term}" if field_selector else name_term

        def on_event(event) -> None:
            printer.add([event.object], self._now())

        watch = self.api.watch(info.resource, namespace, label_selector=values["selector"] or None,
                               field_selector=field_selector, resource_version=start or None,
                               callback=on_event)
        try:
            self.api.loop.run(seconds=values["watch-seconds"])
        finally:
            watch.stop()
        session.out(printer.text())

    def _single_info(self, invocation: Invocation) -> ResourceInfo:
        first = invocation.args[0] if invocation.args else ""
        return resource_info(first.split("/")[0] if "/" in first else split_types(first)[0])

    # ================================================================================================
    # describe
    # ================================================================================================

    def run_describe(self, session: Session, invocation: Invocation) -> None:
        values = invocation.values
        if not invocation.args and not values["filename"]:
            session.err('You must specify the type of resource to describe. Use "kubectl api-resources" '
                        "for a complete list of supported resources.\n\n")
            raise UsageError("Required resource not specified.", "kubectl describe", "examples")
        selection = self._selection(session, invocation, invocation.args, allow_empty_selector=True)
        errors = list(selection.errors)
        if len(invocation.args) == 2 and errors and all(isinstance(e, NotFound) for e in errors):
            matches = self._describe_prefix_matches(invocation)  # `describe pods web` finds web-7d4b9c-x2x9q
            if matches:
                selection.targets, errors = matches, []
        texts = [self._describe_one(target.object, values["show-events"]) for target in selection.targets]
        session.out("\n\n".join(texts))
        if not texts and not errors:
            session.err(printers.no_resources(self._namespace(invocation), bool(values["all-namespaces"])))
        if errors:
            raise StopRun(errors)

    def _describe_prefix_matches(self, invocation: Invocation) -> list[Target]:
        kind, prefix = invocation.args
        info = resource_info(kind)
        scope = self._namespace(invocation) if info.namespaced else None
        items = self.api.list(info.resource, scope)["items"]
        return [Target(info, obj["metadata"].get("namespace", ""), obj["metadata"]["name"], obj)
                for obj in items if obj["metadata"]["name"].startswith(prefix)]

    def _describe_one(self, obj: dict, show_events: bool) -> str:
        meta = obj["metadata"]
        namespace = meta.get("namespace") or None
        kind = obj.get("kind")
        events = self.api.list("events", namespace)["items"] if show_events else None
        related: dict[str, Any] = {}
        if kind in ("ReplicaSet", "Node"):
            related["pods"] = self.api.list("pods", namespace)["items"]
        if kind == "Deployment":
            related["replica_sets"] = self.api.list("replicasets", namespace)["items"]
        if kind == "Service":
            related["endpoint_slices"] = self.api.list("endpointslices", namespace)["items"]
        if kind == "Node":
            try:
                related["lease"] = self.api.get("leases", meta["name"], "kube-node-lease")
            except StatusError:
                related["lease"] = None
        text = describing.describe(obj, events, self._now(), **related)
        return text if text.endswith("\n") else text + "\n"

    # ================================================================================================
    # apply, create
    # ================================================================================================

    def _file_command(self, session: Session, invocation: Invocation, verb: str):
        """What `apply -f` and `create -f` share: check the flags, read every document first."""
        values = invocation.values
        if invocation.args:
            raise UsageError(f"Unexpected args: [{' '.join(invocation.args)}]", f"kubectl {verb}", "examples")
        if not values["filename"]:
            raise KubectlError("must specify one of -f and -k")
        dry_run = dry_run_strategy(values["dry-run"])
        output, _ = output_format(values["output"], ("json", "yaml", "name"))
        documents, errors = self._documents(session, invocation)
        if not documents and not errors:
            raise KubectlError(f"no objects passed to {verb}")
        return values, dry_run, output, self._targets_for_documents(documents, invocation, errors), errors

    def run_apply(self, session: Session, invocation: Invocation) -> None:
        values, dry_run, output, targets, errors = self._file_command(session, invocation, "apply")
        for target in targets:  # like kubectl: read every document first, then apply each, reporting each
            try:
                self._apply_one(session, target, dry_run, output, values["validate"])
            except (StatusError, KubectlError) as error:
                errors.append(error)
        if errors:
            raise StopRun(errors)

    def _targets_for_documents(self, documents: list[Document], invocation: Invocation,
                               errors: list[Exception]) -> list[Target]:
        """Map each document to its resource; a document without kind or apiVersion ends its file's stream."""
        namespace = self._namespace(invocation)
        enforce = "namespace" in invocation.given
        targets: list[Target] = []
        stopped: set[str] = set()
        for document in documents:
            if document.source in stopped:
                continue
            try:
                targets.append(self._target_for_document(document, namespace, enforce))
            except (StatusError, KubectlError) as error:
                if type_meta_problems(document.object):
                    stopped.add(document.source)
                errors.append(error)
        return targets

    def _apply_one(self, session: Session, target: Target, dry_run: str, output: str, validate: str) -> None:
        """kubectl's applyOneObject: create with the last-applied annotation, or send a three-way patch."""
        manifest = copy.deepcopy(target.object)
        meta = manifest.setdefault("metadata", {})
        if not target.name:
            if meta.get("generateName"):
                raise KubectlError(f"from {meta['generateName']}: cannot use generate name with apply")
            raise with_source(f"retrieving current configuration of:\n{target.describe()}\nfrom server for:",
                              target.source, KubectlError("resource name may not be empty"))
        if target.info.namespaced:
            meta["namespace"] = target.namespace
        self._check_strict(target, manifest, validate)
        modified = with_last_applied(manifest)
        try:
            live = self.api.get(target.info.resource, target.name, target.namespace or None)
        except NotFound:
            live = None
        except StatusError as error:
            raise with_source(f"retrieving current configuration of:\n{target.describe()}\nfrom server for:",
                              target.source, error) from None

        if live is None:
            created = prune_nulls(modified)
            if dry_run != "client":
                try:
                    created = self.api.create(created, dry_run=dry_run == "server")
                except StatusError as error:
                    raise with_source("creating", target.source, error) from None
                self._flush(session)
            self._print_result(session, created, "created", dry_run, output)
            return

        if dry_run == "client":
            self._print_result(session, modified, "configured", dry_run, output)
            return
        if LAST_APPLIED not in ((live.get("metadata") or {}).get("annotations") or {}):
            session.err(f"Warning: resource {target.info.resource}/{target.name} is missing the "
                        f"{LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should "
                        "only be used on resources created declaratively by either kubectl create "
                        "--save-config or kubectl apply. The missing annotation will be patched "
                        "automatically.\n")
        for attempt in range(5):  # kubectl retries a patch that lost a race (409 Conflict) with a fresh GET
            patch, patch_type = apply_patch_for(live, modified, target.info.kind)
            if patch == {}:
                self._print_result(session, live, "unchanged", dry_run, output)
                return
            try:
                patched = self.api.patch(target.info.resource, target.name, patch, patch_type,
                                         target.namespace or None, dry_run=dry_run == "server")
                break
            except StatusError as error:
                if error.reason == "Conflict" and attempt < 4:
                    live = self.api.get(target.info.resource, target.name, target.namespace or None)
                    continue
                inner = with_source("patching", target.source, error)
                raise with_source(f"applying patch:\n{go_json(patch)}\nto:\n{target.describe()}\nfor:",
                                  target.source, inner) from None
        self._flush(session)
        if (patched.get("metadata") or {}).get("deletionTimestamp"):
            session.err(f"Warning: Detected changes to resource {target.name} which is currently being "
                        "deleted.\n")
        self._print_result(session, patched, "configured", dry_run, output)

    def _check_strict(self, target: Target, manifest: dict, validate: str) -> None:
        """--validate=strict: unknown fields fail the request, in the API server's words."""
        if validate not in ("strict", "true"):
            return
        from k8slab.api.schema import unknown_fields

        found = unknown_fields(target.info, manifest)
        if found:
            kind, version = target.info.kind, target.info.version
            raise with_source("creating", target.source, BadRequest(
                f'{kind} in version "{version}" cannot be handled as a {kind}: strict decoding error: '
                + ", ".join(found)))

    def _print_result(self, session: Session, obj: dict, operation: str, dry_run: str, output: str) -> None:
        if output in ("json", "yaml"):
            session.out(print_objects([obj], output, None, True, False))
            return
        suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")
        if output == "name":
            session.out(printers.resource_name(obj) + "\n")
            return
        session.out(f"{printers.resource_name(obj)} {operation}{suffix}\n")

    def run_create(self, session: Session, invocation: Invocation) -> None:
        values, dry_run, output, targets, errors = self._file_command(session, invocation, "create")
        for target in targets:
            try:
                obj = copy.deepcopy(target.object)
                if target.info.namespaced:
                    obj.setdefault("metadata", {})["namespace"] = target.namespace
                if values["save-config"]:
                    obj = with_last_applied(obj)
                self._check_strict(target, obj, values["validate"])
                self._create_object(session, obj, dry_run, output, target.source)
            except (StatusError, KubectlError) as error:
                errors.append(error)
        if errors:
            raise StopRun(errors)

    def _create_object(self, session: Session, obj: dict, dry_run: str, output: str,
                       source: str = "") -> None:
        created = obj
        if dry_run != "client":
            try:
                created = self.api.create(obj, dry_run=dry_run == "server")
            except StatusError as error:
                raise with_source("creating", source, error) from None
            self._flush(session)
        self._print_result(session, created, "created", dry_run, output)

    def run_create_namespace(self, session: Session, invocation: Invocation) -> None:
        name = single_name(invocation)
        obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}, "spec": {}, "status": {}}
        self._create_generated(session, invocation, obj)

    def run_create_deployment(self, session: Session, invocation: Invocation) -> None:
        """kubectl's generated Deployment: labels app=NAME, one container per image, named after it."""
        name = single_name(invocation)
        images = invocation["image"]
        if not images:
            raise KubectlError('required flag(s) "image" not set')
        labels = {"app": name}
        containers = []
        for image in images:
            container_name = image.split("/")[-1].split(":")[0].split("@")[0]
            if "_" in container_name or "." in container_name:  # sanitizeAndUniquify
                suffix = "".join(self.api.loop.random.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
                container_name = container_name.replace("_", "-").replace(".", "-") + "-" + suffix
            container: dict[str, Any] = {"image": image, "name": container_name, "resources": {}}
            if invocation.args[1:] and invocation.args_before_dash >= 0:
                container["command"] = invocation.args[invocation.args_before_dash:]
            containers.append(container)
        if invocation["port"] >= 0:
            containers[0]["ports"] = [{"containerPort": invocation["port"]}]
        metadata: dict[str, Any] = {"labels": dict(labels), "name": name}
        if "namespace" in invocation.given:
            metadata["namespace"] = self._namespace(invocation)
        obj = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": metadata,
            "spec": {
                "replicas": invocation["replicas"],
                "selector": {"matchLabels": dict(labels)},
                "strategy": {},
                "template": {"metadata": {"labels": dict(labels)}, "spec": {"containers": containers}},
            },
            "status": {},
        }
        self._create_generated(session, invocation, obj)

    def run_create_configmap(self, session: Session, invocation: Invocation) -> None:
        name = single_name(invocation)
        data: dict[str, str] = {}
        for literal in invocation["from-literal"]:
            key, equals, value = literal.partition("=")
            if not equals or not key:
                raise KubectlError(f"invalid literal source {literal}, expected key=value")
            if key in data:
                raise KubectlError(f'cannot add key "{key}", another key by that name already exists in Data '
                                   f"for ConfigMap \"{name}\"")
            data[key] = value
        for path in invocation["from-file"]:
            key, equals, file = path.partition("=")
            if not equals:
                key, file = pathlib.Path(path).name, path
            try:
                data[key] = self._path(file).read_text(encoding="utf-8")
            except OSError as error:
                reason = (error.strerror or str(error)).lower()
                raise KubectlError(f"error reading {file}: {reason}") from None
        obj: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}
        if data:
            obj["data"] = dict(sorted(data.items()))
        self._create_generated(session, invocation, obj)

    def _create_generated(self, session: Session, invocation: Invocation, obj: dict) -> None:
        dry_run = dry_run_strategy(invocation["dry-run"])
        output, _ = output_format(invocation["output"], ("json", "yaml", "name"))
        info = for_kind(obj["apiVersion"], obj["kind"])
        if info.namespaced and dry_run != "client":
            obj["metadata"]["namespace"] = self._namespace(invocation)
        if invocation["save-config"]:
            obj = with_last_applied(obj)
        self._create_object(session, obj, dry_run, output)

    # ================================================================================================
    # delete
    # ================================================================================================

    def run_delete(self, session: Session, invocation: Invocation) -> None:
        values = invocation.values
        output, _ = output_format(values["output"], ("name",), unexpected="delete")
        grace = values["grace-period"]
        if values["now"]:
            if grace != -1:
                raise KubectlError("--now and --grace-period cannot be specified together")
            grace = 1
        if grace == 0 and not values["force"]:
            grace = 1  # kubectl turns --grace-period=0 into 1 unless --force says "really"
        if values["force"] and grace < 0:
            grace = 0
        cascade = cascade_policy(values["cascade"], session)
        dry_run = dry_run_strategy(values["dry-run"])
        if values["all"] and values["selector"]:
            raise KubectlError("cannot set --all and --selector at the same time")
        if values["all"] and values["field-selector"]:
            raise KubectlError("cannot set --all and --field-selector at the same time")
        if values["force"] and grace > 0:
            raise KubectlError("--force and --grace-period greater than 0 cannot be specified together")
        if values["force"] and grace == 0:
            session.err("Warning: Immediate deletion does not wait for confirmation that the running "
                        "resource has been terminated. The resource may continue to run on the cluster "
                        "indefinitely.\n")
        ignore_not_found = values["ignore-not-found"]
        if "ignore-not-found" not in invocation.given and (values["all"] or values["selector"]
                                                            or values["field-selector"]):
            ignore_not_found = True
        selection = self._selection(session, invocation, invocation.args, allow_empty_selector=False,
                                    fetch=False, select_all=values["all"])
        errors = [e for e in selection.errors if not (ignore_not_found and isinstance(e, NotFound))]
        deleted: list[tuple[Target, dict]] = []
        for target in selection.targets:
            operation = "force deleted" if grace == 0 else "deleted"
            if target.info.namespaced:
                operation += f" from {target.namespace} namespace"
            operation += {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")
            if dry_run == "none":
                try:
                    last = self.api.delete(target.info.resource, target.name, target.namespace or None,
                                           grace_period_seconds=grace if grace >= 0 else None,
                                           propagation_policy=cascade)
                except StatusError as error:
                    if not (ignore_not_found and isinstance(error, NotFound)):
                        errors.append(with_source("deleting", target.source, error))
                    continue
                deleted.append((target, last))
            if output == "name":
                session.out(f"{target.kind_name}\n")
            else:
                session.out(f'{target.kind_name.split("/")[0]} "{target.name}" {operation}\n')
        if not selection.targets and not errors:
            session.out("No resources found\n")
        if deleted and values["wait"] and dry_run == "none":
            self._wait_for_deletion(deleted, values["timeout"], "timeout" in invocation.given, errors)
        if errors:
            raise StopRun(errors)

    def _wait_for_deletion(self, deleted, timeout: float, timeout_given: bool, errors: list) -> None:
        """kubectl delete waits until each object is gone (or replaced by a new one with another uid)."""

        def gone(target: Target, last: dict) -> bool:
            try:
                current = self.api.get(target.info.resource, target.name, target.namespace or None)
            except NotFound:
                return True
            return current["metadata"].get("uid") != last["metadata"].get("uid")

        def all_gone() -> bool:
            return all(gone(target, last) for target, last in deleted)

        if timeout_given and timeout > 0:
            seconds = timeout
        else:
            graces = [last["metadata"].get("deletionGracePeriodSeconds") or 0 for _, last in deleted]
            seconds = max(graces) + DELETE_WAIT_MARGIN
        if not self._run_until(all_gone, seconds, jump_when_idle=False) and timeout_given:
            for target, last in deleted:
                if not gone(target, last):
                    errors.append(KubectlError(
                        f"timed out waiting for the condition on {target.info.resource}/{target.name}"))

    # ================================================================================================
    # scale, label, annotate, patch
    # ================================================================================================

    def run_scale(self, session: Session, invocation: Invocation) -> None:
        values = invocation.values
        if "replicas" not in invocation.given:
            raise KubectlError('required flag(s) "replicas" not set')
        if values["replicas"] < 0:
            raise KubectlError("The --replicas=COUNT flag is required, and COUNT must be greater than or "
                               "equal to 0")
        if values["current-replicas"] < -1:
            raise KubectlError("The --current-replicas must specify an integer of -1 or greater")
        selection = self._selection(session, invocation, invocation.args, allow_empty_selector=False,
                                    select_all=values["all"])
        if values["resource-version"] and len(selection.targets) > 1:
            raise KubectlError("cannot use --resource-version with multiple resources")
        if not selection.targets:
            raise StopRun(selection.errors or [KubectlError("no objects passed to scale")])
        dry_run = dry_run_strategy(values["dry-run"])
        for target in selection.targets:
            if dry_run != "client":
                if values["current-replicas"] != -1 or values["resource-version"]:
                    scale = self.api.get_scale(target.info.resource, target.name, target.namespace or None)
                    current = scale["spec"]["replicas"]
                    if values["current-replicas"] != -1 and current != values["current-replicas"]:
                        raise KubectlError(f"Expected replicas to be {values['current-replicas']}, was "
                                           f"{current}")
                    version = scale["metadata"].get("resourceVersion")
                    if values["resource-version"] and version != values["resource-version"]:
                        raise KubectlError(f"Expected resource version to be {values['resource-version']}, "
                                           f"was {version}")
                if dry_run == "none":
                    self.api.update_scale(target.info.resource, target.name, values["replicas"],
                                          target.namespace or None)
            suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")
            session.out(f"{target.kind_name} scaled{suffix}\n")
        if selection.errors:
            raise StopRun(selection.errors)

    def run_label(self, session: Session, invocation: Invocation) -> None:
        self._label_or_annotate(session, invocation, "labels")

    def run_annotate(self, session: Session, invocation: Invocation) -> None:
        self._label_or_annotate(session, invocation, "annotations")

    def _label_or_annotate(self, session: Session, invocation: Invocation, field_name: str) -> None:
        """kubectl label / annotate: `key=value` sets, `key-` removes; changing a value needs --overwrite."""
        values = invocation.values
        word = "label" if field_name == "labels" else "annotation"
        resources, pairs = resources_and_pairs(invocation.args, word)
        if values["all"] and values["selector"]:
            raise KubectlError("cannot set --all and --selector at the same time")
        if not resources and not values["filename"]:
            raise KubectlError("one or more resources must be specified as <resource> <name> or "
                               "<resource>/<name>")
        if not pairs and not values["list"]:
            raise KubectlError(f"at least one {word} update is required")
        new, remove = parse_label_pairs(pairs) if field_name == "labels" else parse_annotation_pairs(pairs)
        selection = self._selection(session, invocation, resources, allow_empty_selector=False,
                                    select_all=values["all"])
        if values["resource-version"] and not selection.single_item:
            raise KubectlError("--resource-version may only be used with a single resource")
        dry_run = dry_run_strategy(values["dry-run"])
        for target in selection.targets:
            current = dict(target.object["metadata"].get(field_name) or {})
            if values["list"]:
                session.out("".join(f"{key}={value}\n" for key, value in current.items()))
                continue
            if not values["overwrite"]:
                clashes = [(key, current[key]) for key, value in new.items()
                           if key in current and current[key] != value
                           and not (field_name == "annotations" and key == CHANGE_CAUSE)]
                if clashes and field_name == "labels":
                    raise StopRun([KubectlError(f"'{key}' already has a value ({value}), and --overwrite is "
                                                "false")
                                   for key, value in clashes])
                if clashes:
                    found = "; ".join(f"'{key}' already has a value ({value})" for key, value in clashes)
                    raise KubectlError("--overwrite is false but found the following declared "
                                       f"annotation(s): {found}")
            if field_name == "labels":
                for key in remove:
                    if key not in current:
                        session.out(f'label "{key}" not found.\n')
            updated = {**current, **new}
            for key in remove:
                updated.pop(key, None)
            changes: dict[str, Any] = {key: value for key, value in new.items() if current.get(key) != value}
            changes.update({key: None for key in remove if key in current})
            patch: dict[str, Any] = {"metadata": {field_name: changes}} if changes else {}
            if values["resource-version"]:
                patch.setdefault("metadata", {})["resourceVersion"] = values["resource-version"]
            if dry_run == "none":
                self.api.patch(target.info.resource, target.name, patch, "merge", target.namespace or None)
                self._flush(session)
            if field_name == "labels":
                if updated == current:
                    operation = "not labeled"
                elif not values["overwrite"] and len(updated) < len(current):
                    operation = "unlabeled"
                else:
                    operation = "labeled"
            else:
                operation = "annotated"
            suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")
            session.out(f"{target.kind_name} {operation}{suffix}\n")
        if selection.errors:
            raise StopRun(selection.errors)

    def run_set_image(self, session: Session, invocation: Invocation) -> None:
        """`kubectl set image deployment/web nginx=nginx:1.28`: a new image, sent as a strategic merge patch.

        A Deployment's controller then rolls the change out (notebook 09);
        `*=IMAGE` sets every container.
        """
        from k8slab.api.patch import create_strategic_merge_patch

        values = invocation.values
        resources, pairs = resources_and_pairs(invocation.args, "image")
        if values["all"] and values["selector"]:
            raise KubectlError("cannot set --all and --selector at the same time")
        if not resources and not values["filename"]:
            raise KubectlError("one or more resources must be specified as <resource> <name> or "
                               "<resource>/<name>")
        if not pairs:
            raise KubectlError("at least one image update is required")
        invalid = [pair for pair in pairs if "=" not in pair or pair.startswith("=")]
        if invalid:
            raise KubectlError(f"invalid image format: {', '.join(invalid)}")
        images = dict(pair.split("=", 1) for pair in pairs)
        if "*" in images and len(images) > 1:
            raise KubectlError("all containers are already specified by *, but saw more than one "
                               "container_name=container_image pairs")
        dry_run = dry_run_strategy(values["dry-run"])
        selection = self._selection(session, invocation, resources, allow_empty_selector=False,
                                    select_all=values["all"])
        errors = list(selection.errors)
        for target in selection.targets:
            original = target.object
            modified = copy.deepcopy(original)
            spec = modified.get("spec") or {}
            pod_spec = spec if target.info.kind == "Pod" else (spec.get("template") or {}).get("spec")
            if target.info.kind not in ("Pod", "ReplicaSet", "Deployment") or pod_spec is None:
                errors.append(KubectlError(f"error: {target.info.resource}/{target.name} the object is not a "
                                           "pod or does not have a pod template"))
                continue
            for name, image in images.items():
                found = False
                containers = [*(pod_spec.get("initContainers") or []), *(pod_spec.get("containers") or [])]
                for container in containers:
                    if name in ("*", container.get("name")):
                        container["image"] = image
                        found = True
                if not found:
                    errors.append(KubectlError(f'error: unable to find container named "{name}"'))
            patch = create_strategic_merge_patch(original, modified, target.info.kind)
            if not patch:
                continue  # nothing to change: kubectl prints nothing
            if dry_run == "none":
                try:
                    self.api.patch(target.info.resource, target.name, patch, "strategic",
                                   target.namespace or None)
                except StatusError as error:
                    errors.append(KubectlError(f"failed to patch image update to pod template: "
                                               f"{_message_for(error)}"))
                    continue
                self._flush(session)
            suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")
            session.out(f"{target.kind_name} image updated{suffix}\n")
        if errors:
            raise StopRun(errors)

    def run_patch(self, session: Session, invocation: Invocation) -> None:
        values = invocation.values
        patch_type = (values["type"] or "strategic").lower()
        if patch_type not in ("json", "merge", "strategic"):
            raise KubectlError(f'--type must be one of [json merge strategic], not "{values["type"]}"')
        if values["patch"] and values["patch-file"]:
            raise KubectlError("cannot specify --patch and --patch-file together")
        if not values["patch"] and not values["patch-file"]:
            raise KubectlError("must specify --patch or --patch-file containing the contents of the patch")
        text = values["patch"]
        if values["patch-file"]:
            try:
                text = self._path(values["patch-file"]).read_text(encoding="utf-8")
            except OSError as error:
                raise KubectlError(f"unable to read patch file: open {values['patch-file']}: "
                                   f"{(error.strerror or str(error)).lower()}") from None
        body = parse_patch(text)
        dry_run = dry_run_strategy(values["dry-run"])
        selection = self._selection(session, invocation, invocation.args, allow_empty_selector=False)
        for target in selection.targets:
            if dry_run == "none":
                patched = self.api.patch(target.info.resource, target.name, body, patch_type,
                                         target.namespace or None)
                self._flush(session)
                changed = patched["metadata"].get("resourceVersion") != target.object["metadata"].get(
                    "resourceVersion")
            else:
                changed = True
            operation = "patched" if changed else "patched (no change)"
            suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")
            session.out(f"{target.kind_name} {operation}{suffix}\n")
        if not selection.targets and not selection.errors:
            raise KubectlError("no objects passed to patch")
        if selection.errors:
            raise StopRun(selection.errors)

    def _path(self, name: str) -> pathlib.Path:
        path = pathlib.Path(name)
        return path if path.is_absolute() or self.cwd is None else self.cwd / path

    # ================================================================================================
    # cordon, uncordon, taint: the commands that change a Node's spec
    # ================================================================================================

    def run_cordon(self, session: Session, invocation: Invocation) -> None:
        """`kubectl cordon NODE`: set spec.unschedulable, so the scheduler places no new pod there.

        Pods already on the node keep running; `kubectl drain` cordons and
        then evicts them.
        """
        self._cordon_or_uncordon(session, invocation, True)

    def run_uncordon(self, session: Session, invocation: Invocation) -> None:
        """`kubectl uncordon NODE`: clear spec.unschedulable, so the scheduler may use the node again."""
        self._cordon_or_uncordon(session, invocation, False)

    def run_exec(self, session: Session, invocation: Invocation) -> None:
        """`kubectl exec POD [-c CONTAINER] -- COMMAND [args...]`: run a command in a running container.

        kube-apiserver forwards the stream to the pod's kubelet; the lab's
        kubelet layer answers through `api.exec(namespace, pod, container,
        argv) -> (exit code, output)`. As kubectl does, a non-zero exit prints
        "command terminated with exit code N" and kubectl exits with N.
        """
        args = list(invocation.args)
        dash = invocation.args_before_dash
        if dash < 0:
            if len(args) > 1:  # `exec POD COMMAND` without `--`: refused since kubectl 1.26
                raise KubectlError("exec [POD] [COMMAND] is not supported anymore. "
                                   "Use exec [POD] -- [COMMAND] instead")
            raise UsageError("you must specify at least one command for the container",
                             "kubectl exec", "examples")
        if dash != 1:
            raise UsageError("expected 'exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]'",
                             "kubectl exec", "examples")
        command = args[1:]
        if not command:
            raise UsageError("you must specify at least one command for the container", "kubectl exec",
                             "examples")
        namespace = self._namespace(invocation)
        pod = self._pod_for_logs(session, args[0], namespace)
        meta = pod["metadata"]
        containers = [c["name"] for c in pod["spec"].get("containers") or []]
        container = invocation.values["container"]
        if not container:
            default = (meta.get("annotations") or {}).get(DEFAULT_CONTAINER)
            container = default if default in containers else containers[0]
            if len(containers) > 1 and default not in containers:
                session.err(f'Defaulted container "{container}" out of: {", ".join(containers)}\n')
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            raise BadRequest(f"cannot exec into a container in a completed pod; current phase is {phase}")
        provider = getattr(self.api, "exec", None)
        if not callable(provider) or not pod["spec"].get("nodeName"):
            raise BadRequest(f'unable to upgrade connection: pod does not exist or has no running '
                             f'container ("{meta["name"]}")')
        code, output = provider(meta.get("namespace", ""), meta["name"], container, command)
        session.out(output)
        if code:
            session.err(f"command terminated with exit code {code}\n")
            raise ExitCode(code)

    def run_drain(self, session: Session, invocation: Invocation) -> None:
        """`kubectl drain NODE`: cordon, evict the node's pods, wait until they are gone (see drain.py)."""
        from k8slab.kubectl.drain import DRAIN_TIMEOUT, drain

        if len(invocation.args) != 1:
            raise UsageError("USAGE: drain NODE [flags]", "kubectl drain", "examples")
        values = invocation.values
        grace = values["grace-period"]
        result = drain(self.api, invocation.args[0], force=values["force"],
                       delete_emptydir_data=values["delete-emptydir-data"],
                       grace_period=None if grace < 0 else grace, timeout=values["timeout"] or DRAIN_TIMEOUT)
        for line in result.out:
            session.out(line + "\n")
        if not result.drained:
            for line in result.err[:-1]:
                session.err(line + "\n")
            raise KubectlError(result.err[-1].removeprefix("error: "))
        for line in result.err:
            session.err(line + "\n")

    def _cordon_or_uncordon(self, session: Session, invocation: Invocation, desired: bool) -> None:
        """RunCordonOrUncordon: every node is found first (one missing node stops the command before
        any change), then each is patched only if its spec.unschedulable differs."""
        word = "cordon" if desired else "uncordon"
        selector = invocation.values["selector"]
        if not invocation.args and "selector" not in invocation.given:
            raise UsageError(f"USAGE: {word} NODE [flags]", f"kubectl {word}", "examples")
        if invocation.args and selector:
            raise UsageError("error: cannot specify both a node name and a --selector option",
                             f"kubectl {word}", "examples")
        dry_run = dry_run_strategy(invocation.values["dry-run"])
        nodes = self._nodes_named(invocation.args, selector, fail_fast=True).targets
        suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")
        for target in nodes:
            current = bool((target.object.get("spec") or {}).get("unschedulable"))
            if current == desired:
                session.out(f"{target.kind_name} already {word}ed{suffix}\n")
                continue
            if dry_run != "client":
                # CordonHelper.PatchOrReplace: a strategic merge patch of the one field
                # (false is omitted from a Node, so uncordoning removes the field).
                patch = {"spec": {"unschedulable": True if desired else None}}
                try:
                    self.api.patch("nodes", target.name, patch, "strategic", dry_run=dry_run == "server")
                except StatusError as error:
                    session.err(f'error: unable to {word} node "{target.name}": {_message_for(error)}\n')
                    continue
                self._flush(session)
            session.out(f"{target.kind_name} {word}ed{suffix}\n")

    def _nodes_named(self, names: Sequence[str], selector: str, fail_fast: bool,
                     select_all: bool = False) -> Selection:
        """The Nodes a node command names: `NAME...` or `node/NAME...`, or every node `-l` (or --all) selects.

        With `fail_fast` (cordon's builder has no ContinueOnError) the first
        error stops the command; otherwise errors are collected (taint's).
        """
        node_info = lookup("nodes")
        selection = Selection(single_item=len(names) == 1 and not selector and not select_all)
        if selector or select_all:
            try:
                listed = self.api.list("nodes", label_selector=selector or None)
            except (StatusError, ValueError) as error:
                raise StopRun([_selector_error(node_info, selector, "", error)]) from None
            for obj in listed["items"]:
                selection.targets.append(Target(node_info, "", obj["metadata"]["name"], obj))
            return selection
        for name in names:
            info = node_info
            if "/" in name:
                kind, _, name = name.partition("/")
                if not kind or not name or "/" in name:
                    raise KubectlError("arguments in resource/name form may not have more than one slash")
                info = resource_info(kind)
                if info.resource != "nodes":
                    raise KubectlError(f'error: expected resource of type node, got '
                                       f'"{info.group}/{info.version}, Resource={info.resource}"')
            try:
                selection.targets.append(Target(info, "", name, self.api.get("nodes", name)))
            except StatusError as error:
                if fail_fast:
                    raise
                selection.errors.append(error)
        return selection

    def run_taint(self, session: Session, invocation: Invocation) -> None:
        """`kubectl taint nodes NODE key=value:Effect`: add, change (--overwrite) or remove (`key-`) taints.

        A taint repels pods that do not tolerate it (the scheduler's
        TaintToleration plugin); a NoExecute taint also evicts running pods
        that do not tolerate it (the node lifecycle controller's taint
        eviction). The new list of taints is sent as a patch of spec.taints.
        """
        values = invocation.values
        resources: list[str] = []
        taint_args: list[str] = []
        for arg in invocation.args:
            is_taint = "=" in arg or ":" in arg or arg.endswith("-")
            if is_taint:
                taint_args.append(arg)
            elif taint_args:
                raise KubectlError(f"all resources must be specified before taint changes: {arg}")
            else:
                resources.append(arg)
        if not resources:
            raise KubectlError("one or more resources must be specified as <resource> <name>")
        if not taint_args:
            raise KubectlError("at least one taint update is required")
        try:
            to_add, to_remove = parse_taints(taint_args)
        except KubectlError as error:
            raise UsageError(error.message, "kubectl taint", "examples") from None
        dry_run = dry_run_strategy(values["dry-run"])
        # Validate: the type must be nodes; no taint both added and removed; names, -l or --all.
        resource_type = resources[0].lower()
        if resource_info(resource_type).kind != "Node":
            raise KubectlError(f"invalid resource type {resource_type}, only node types are supported")
        conflicts = [f'{{"{removed["key"]}":"{removed.get("effect", "")}"}}'
                     for added in to_add for removed in to_remove
                     if added["key"] == removed["key"] and removed.get("effect", "") in ("", added["effect"])]
        if conflicts:
            raise KubectlError("can not both modify and remove the following taint(s) in the same command: "
                               + ", ".join(conflicts))
        selector = values["selector"]
        if values["all"] and selector:
            raise KubectlError("setting 'all' parameter with a non empty selector is prohibited")
        if not values["all"] and not selector and len(resources) < 2:
            raise KubectlError("at least one resource name must be specified since 'all' parameter is not "
                               "set")

        selection = self._nodes_named(resources[1:], selector, fail_fast=False, select_all=values["all"])
        errors = list(selection.errors)
        suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry_run, "")
        for target in selection.targets:
            old = list((target.object.get("spec") or {}).get("taints") or [])
            try:
                operation, new = update_taints(target.name, old, to_add, to_remove, values["overwrite"])
            except KubectlError as error:
                errors.append(error)
                continue
            except StopRun as stop:
                errors.extend(stop.errors)
                continue
            if dry_run != "client":
                try:
                    self.api.patch("nodes", target.name, {"spec": {"taints": new or None}}, "strategic",
                                   dry_run=dry_run == "server")
                except StatusError as error:
                    errors.append(error)
                    continue
                self._flush(session)
            session.out(f"{target.kind_name} {operation}{suffix}\n")
        if errors:
            raise StopRun(errors)


    # ================================================================================================
    # top: what the pods and nodes use, from the metrics API
    # ================================================================================================

    def _metrics_api(self) -> Any:
        """The metrics.k8s.io API (metrics-server), or kubectl's error when the cluster serves none."""
        metrics = getattr(self.api, "metrics", None)
        if metrics is None:
            raise KubectlError("Metrics API not available")
        return metrics

    def _top_checks(self, invocation: Invocation, use: str, selector_word: str) -> str | None:
        """Complete and Validate of `kubectl top node|pod`: at most one name, a known --sort-by."""
        if len(invocation.args) > 1:
            raise UsageError(use, invocation.command_path, "examples")
        sort_by = invocation.values["sort-by"]
        if sort_by and sort_by not in ("cpu", "memory"):
            raise KubectlError("--sort-by accepts only cpu or memory")
        name = invocation.args[0] if invocation.args else None
        selectors = invocation.values["selector"] or invocation.values.get("field-selector")
        if name and selectors:
            raise KubectlError(f"only one of NAME or {selector_word} can be provided")
        if invocation.values["selector"]:
            from k8slab.api.selectors import SelectorError, parse_selector

            try:
                parse_selector(invocation.values["selector"])
            except SelectorError as error:
                raise KubectlError(str(error)) from None
        return name

    def run_top_node(self, session: Session, invocation: Invocation) -> None:
        """`kubectl top nodes`: each node's CPU and memory, and the share of its allocatable they are.

        The numbers come from metrics-server (the metrics.k8s.io API), which
        scrapes every kubelet's cAdvisor; kubectl adds the percentages from
        the Nodes' status.allocatable (status.capacity with --show-capacity).
        """
        values = invocation.values
        name = self._top_checks(invocation, "node [NAME | -l label]", "--selector")
        selector = values["selector"] or None
        metrics = self._metrics_api().nodes(name=name, label_selector=selector)
        if not metrics:
            raise KubectlError("metrics not available yet")
        if name:
            nodes = [self.api.get("nodes", name)]
        else:
            nodes = self.api.list("nodes", label_selector=selector)["items"]
        field_name = "capacity" if values["show-capacity"] else "allocatable"
        available = {node["metadata"]["name"]: (node.get("status") or {}).get(field_name) or {}
                     for node in nodes}
        session.out(printers.top_nodes(metrics, available, values["no-headers"], values["sort-by"]))

    def run_top_pod(self, session: Session, invocation: Invocation) -> None:
        """`kubectl top pods`: each pod's CPU and memory (--containers: each container's) from metrics-server.

        A pod appears once metrics-server has scraped it twice (CPU is a rate
        between two readings); until then kubectl says `metrics not available
        yet`, or, for a pod older than two minutes, that its metrics are missing.
        """
        values = invocation.values
        name = self._top_checks(invocation, "pod [NAME | -l label]", "selector")
        namespace = self._namespace(invocation)
        all_namespaces = bool(values["all-namespaces"])
        label = values["selector"] or None
        fields = values["field-selector"] or None
        metrics = self._metrics_api().pods(None if all_namespaces else namespace, name=name,
                                           label_selector=label)
        if metrics and fields:
            listed = self.api.list("pods", None if all_namespaces else namespace, label_selector=label,
                                   field_selector=fields)["items"]
            chosen = {(pod["metadata"]["namespace"], pod["metadata"]["name"]) for pod in listed}
            metrics = [item for item in metrics
                       if (item["metadata"]["namespace"], item["metadata"]["name"]) in chosen]
        if not metrics:
            self._verify_empty_metrics(namespace, name, label, fields)
            session.err(printers.no_resources(namespace, all_namespaces))
            return
        session.out(printers.top_pods(metrics, values["containers"], all_namespaces, values["no-headers"],
                                      values["sort-by"], values["sum"]))

    def _verify_empty_metrics(self, namespace: str, name: str | None, label: str | None,
                              fields: str | None) -> None:
        """Why there are no metrics (verifyEmptyMetrics): no pods at all is fine; pods younger than two
        minutes are "not available yet"; an older pod without metrics is named. (kubectl looks in the
        current namespace here even with -A, and so does the lab.)"""
        if name:
            pods = [self.api.get("pods", name, namespace)]
        else:
            pods = self.api.list("pods", namespace, label_selector=label, field_selector=fields)["items"]
            if not pods:
                return
        from k8slab.cadvisor import go_duration

        now = self._now()
        for pod in pods:
            created = printers.parse_time(pod["metadata"].get("creationTimestamp"))
            age = (now - created).total_seconds() if created is not None else 0.0
            if age > METRICS_CREATION_DELAY:
                raise KubectlError(f"Metrics not available for pod {pod['metadata']['namespace']}/"
                                   f"{pod['metadata']['name']}, age: {go_duration(age)}")
        raise KubectlError("metrics not available yet")

    # ================================================================================================
    # logs
    # ================================================================================================

    def run_logs(self, session: Session, invocation: Invocation) -> None:
        """Container logs come from the kubelet of the pod's node; the API server only forwards them.

        The lab's kubelet layer provides them as `api.logs(namespace, pod,
        container, previous) -> str`. Without it, the answers are what
        kube-apiserver gives when no kubelet could have any: nothing for a pod
        not yet on a node, "waiting to start" for a container not started.
        """
        values = invocation.values
        args = list(invocation.args)
        if values["selector"]:
            if args:
                raise UsageError("only a selector (-l) or a POD name is allowed", "kubectl logs", "examples")
        elif not args or len(args) > 2:
            raise UsageError("expected POD_NAME or TYPE/NAME [CONTAINER_NAME]\nlogs POD [-c CONTAINER]",
                             "kubectl logs", "examples")
        if values["tail"] < -1:
            raise KubectlError("--tail must be greater than or equal to -1")
        container = values["container"]
        if len(args) == 2:
            if container:
                raise KubectlError("only one of -c or an inline [CONTAINER] arg is allowed")
            container = args[1]
        namespace = self._namespace(invocation)
        if values["selector"]:
            pods = self.api.list("pods", namespace, label_selector=values["selector"])["items"]
            if not pods:
                session.err(printers.no_resources(namespace))
                return
        else:
            pods = [self._pod_for_logs(session, args[0], namespace)]
        tail = values["tail"]
        if "tail" not in invocation.given and values["selector"]:
            tail = 10  # kubectl's default with a selector: the last 10 lines of each
        for pod in pods:
            text = self._pod_logs(session, pod, container, values["previous"], values["all-containers"])
            if tail >= 0:
                lines = text.splitlines(keepends=True)
                text = "".join(lines[-tail:]) if tail else ""
            if values["prefix"]:
                name = container or pod["spec"]["containers"][0]["name"]
                text = "".join(f"[pod/{pod['metadata']['name']}/{name}] {line}"
                               for line in text.splitlines(keepends=True))
            session.out(text)

    def _pod_for_logs(self, session: Session, argument: str, namespace: str) -> dict:
        if "/" not in argument:
            return self.api.get("pods", argument, namespace)
        kind, name = argument.split("/", 1)
        info = resource_info(kind)
        if info.kind == "Pod":
            return self.api.get("pods", name, namespace)
        owner = self.api.get(info.resource, name, namespace if info.namespaced else None)
        selector = ((owner.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        if info.kind not in ("Deployment", "ReplicaSet") or not selector:
            raise KubectlError(f"cannot get the logs from {info.kind}")
        label = ",".join(f"{key}={value}" for key, value in sorted(selector.items()))
        pods = self.api.list("pods", namespace, label_selector=label)["items"]
        if not pods:
            raise KubectlError("timed out waiting for the condition")
        pods.sort(key=pod_activity, reverse=True)
        if len(pods) > 1:
            session.err(f"Found {len(pods)} pods, using pod/{pods[0]['metadata']['name']}\n")
        return pods[0]

    def _pod_logs(self, session: Session, pod: dict, container: str, previous: bool,
                  all_containers: bool) -> str:
        containers = [c["name"] for c in (pod.get("spec") or {}).get("containers") or []]
        init = [c["name"] for c in (pod.get("spec") or {}).get("initContainers") or []]
        name = pod["metadata"]["name"]
        chosen = [*init, *containers] if all_containers else [container] if container else []
        if not chosen:
            default = (pod["metadata"].get("annotations") or {}).get(DEFAULT_CONTAINER)
            if default and default in containers + init:
                chosen = [default]
            else:
                chosen = [containers[0]]
                if len(containers) > 1 or init:
                    session.err(f'Defaulted container "{containers[0]}" out of: {", ".join(containers)}\n')
        text = ""
        for container_name in chosen:
            if container_name not in containers + init:
                raise KubectlError(f"container {container_name} is not valid for pod {name}")
            text += self._container_logs(pod, container_name, previous)
        return text

    def _container_logs(self, pod: dict, container: str, previous: bool) -> str:
        meta = pod["metadata"]
        provider = getattr(self.api, "logs", None)
        if callable(provider):
            return provider(meta.get("namespace", ""), meta["name"], container, previous)
        if not (pod.get("spec") or {}).get("nodeName"):
            return ""  # kube-apiserver streams nothing for a pod that has no node yet
        statuses = (pod.get("status") or {}).get("containerStatuses") or []
        status = next((s for s in statuses if s.get("name") == container), {})
        if previous:
            if not (status.get("lastState") or {}).get("terminated"):
                raise BadRequest(f'previous terminated container "{container}" in pod "{meta["name"]}" not '
                                 'found')
            return ""
        waiting = (status.get("state") or {}).get("waiting")
        if not status or waiting is not None:
            reason = (waiting or {}).get("reason") or "ContainerCreating"
            raise BadRequest(f'container "{container}" in pod "{meta["name"]}" is waiting to start: {reason}')
        return ""

    # ================================================================================================
    # rollout
    # ================================================================================================

    def _rollout_targets(self, session: Session, invocation: Invocation) -> list[Target]:
        values = invocation.values
        if not invocation.args and not values.get("filename") and not values.get("selector"):
            raise KubectlError("required resource not specified")
        selection = self._selection(session, invocation, invocation.args, allow_empty_selector=True)
        if selection.errors:
            raise StopRun(selection.errors)
        return selection.targets

    def run_rollout_status(self, session: Session, invocation: Invocation) -> None:
        """Read the Deployment's status as kubectl does; with --watch (the default), wait for the rollout."""
        values = invocation.values
        targets = self._rollout_targets(session, invocation)
        if not targets:
            session.err(printers.no_resources(self._namespace(invocation)))
            return
        timeout = values["timeout"] if values["timeout"] > 0 else NO_TIMEOUT_CAP
        if "timeout" not in invocation.given:
            timeout = ROLLOUT_TIMEOUT
        for target in targets:
            if target.info.kind != "Deployment":
                group_kind = target.info.kind + (f".{target.info.group}" if target.info.group else "")
                raise KubectlError(f"no status viewer has been implemented for {group_kind}")
            self._watch_rollout(session, target, values["watch"], values["revision"], timeout)

    def _watch_rollout(self, session: Session, target: Target, watch: bool, revision: int,
                       timeout: float) -> None:
        state: dict[str, Any] = {"done": False, "error": None}

        def show(deployment: dict) -> None:
            try:
                message, done = deployment_status(deployment, revision)
            except KubectlError as error:
                state["done"], state["error"] = True, error
                return
            session.out(message)
            state["done"] = done or not watch

        show(target.object)
        if state["error"] is not None:
            raise state["error"]
        if state["done"]:
            return

        def on_event(event) -> None:
            if state["done"]:
                return
            if event.type == "DELETED":
                state["done"], state["error"] = True, KubectlError("object has been deleted")
                return
            show(event.object)

        watcher = self.api.watch("deployments", target.namespace,
                                 field_selector=f"metadata.name={target.name}",
                                 resource_version=target.object["metadata"]["resourceVersion"],
                                 callback=on_event)
        try:
            finished = self._run_until(lambda: state["done"], timeout)
        finally:
            watcher.stop()
        if state["error"] is not None:
            raise state["error"]
        if not finished:
            raise KubectlError("timed out waiting for the condition")

    def run_rollout_history(self, session: Session, invocation: Invocation) -> None:
        revision = invocation["revision"]
        for target in self._rollout_targets(session, invocation):
            if target.info.kind != "Deployment":
                raise KubectlError(f'no history viewer has been implemented for "{group_kind(target.info)}"')
            history = self._revisions(target.object)
            if not history:
                session.out(f"{target.kind_name} \nNo rollout history found.\n")
                continue
            if revision > 0:
                if revision not in history:
                    raise KubectlError("unable to find the specified revision")
                writer = describing.PrefixWriter()
                template = (history[revision].get("spec") or {}).get("template")
                describing.describe_pod_template(writer, template)
                session.out(f"{target.kind_name} with revision #{revision}\n{writer.text()}\n")
                continue
            rows = "REVISION\tCHANGE-CAUSE\n" + "".join(
                f"{number}\t{change_cause(history[number])}\n" for number in sorted(history))
            session.out(f"{target.kind_name} \n{printers.tabwriter(rows, 0, 2)}\n")

    def _revisions(self, deployment: dict) -> dict[int, dict]:
        """The Deployment's ReplicaSets by their revision annotation (the rollout history)."""
        namespace = deployment["metadata"].get("namespace")
        replica_sets = self.api.list("replicasets", namespace)["items"]
        old, new = describing.deployment_replica_sets(deployment, replica_sets)
        history: dict[int, dict] = {}
        for replica_set in [*old, *([new] if new is not None else [])]:
            text = (replica_set["metadata"].get("annotations") or {}).get(REVISION)
            try:
                history[int(text)] = replica_set
            except (TypeError, ValueError):
                continue  # kubectl skips a ReplicaSet without a readable revision (with a warning in its log)
        return history

    def run_rollout_undo(self, session: Session, invocation: Invocation) -> None:
        """Put the pod template of an earlier revision's ReplicaSet back into the Deployment."""
        to_revision = invocation["to-revision"]
        dry_run = dry_run_strategy(invocation["dry-run"])
        for target in self._rollout_targets(session, invocation):
            if target.info.kind != "Deployment":
                raise KubectlError(f'no rollbacker has been implemented for "{group_kind(target.info)}"')
            if to_revision < 0:
                raise KubectlError(f"unable to find specified revision {to_revision} in history")
            deployment = target.object
            history = self._revisions(deployment)
            chosen = history.get(to_revision) if to_revision > 0 else None
            if to_revision > 0 and chosen is None:
                raise KubectlError(f"unable to find specified revision {to_revision} in history")
            if to_revision == 0:
                numbers = sorted(history)
                if len(numbers) < 2:
                    raise KubectlError(f'no rollout history found for deployment "{target.name}"')
                chosen = history[numbers[-2]]
            template = copy.deepcopy((chosen.get("spec") or {}).get("template") or {})
            if dry_run == "client":
                writer = describing.PrefixWriter()
                describing.describe_pod_template(writer, template)
                session.out(f"{target.kind_name} {writer.text()}\n")
                continue
            if (deployment.get("spec") or {}).get("paused"):
                raise KubectlError("you cannot rollback a paused deployment; resume it first with 'kubectl "
                                   "rollout resume' and try again")
            if without_hash(template) == without_hash((deployment.get("spec") or {}).get("template")):
                session.out(f"{target.kind_name} skipped rollback (current template already matches revision "
                            f"{to_revision})\n")
                continue
            labels = (template.get("metadata") or {}).get("labels")
            if labels is not None:
                labels.pop(POD_TEMPLATE_HASH, None)
            annotations = rollback_annotations(deployment, chosen)
            has_annotations = "annotations" in deployment["metadata"]
            patch = [
                {"op": "replace", "path": "/spec/template", "value": template},
                # kubectl sends "replace"; "add" sets the member whether or not it exists (RFC 6902's
                # replace refuses a Deployment without annotations, which only hand-made objects lack).
                {"op": "replace" if has_annotations else "add", "path": "/metadata/annotations",
                 "value": annotations},
            ]
            try:
                self.api.patch("deployments", target.name, patch, "json", target.namespace)
            except StatusError as error:
                revision_number = to_revision or next(n for n, rs in history.items() if rs is chosen)
                raise KubectlError(f"failed restoring revision {revision_number}: "
                                   f"{_message_for(error)}") from None
            self._flush(session)
            session.out(f"{target.kind_name} rolled back\n")

    def run_rollout_restart(self, session: Session, invocation: Invocation) -> None:
        errors: list[Exception] = []
        for target in self._rollout_targets(session, invocation):
            if target.info.kind != "Deployment":
                errors.append(KubectlError(f'error: {target.resource_string} "{target.name}" restarting is '
                                           "not supported"))
                continue
            spec = target.object.get("spec") or {}
            if spec.get("paused"):
                errors.append(KubectlError(f'error: {target.resource_string} "{target.name}" can\'t restart '
                                           "paused deployment (run rollout resume first)"))
                continue
            stamp = self.api.loop.timestamp()
            annotations = ((spec.get("template") or {}).get("metadata") or {}).get("annotations") or {}
            if annotations.get(RESTARTED_AT) == stamp:
                errors.append(KubectlError(f"failed to create patch for {target.name}: if restart has "
                                           "already been triggered within the past second, please wait "
                                           "before attempting to trigger another"))
                continue
            patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
            try:
                self.api.patch("deployments", target.name, patch, "strategic", target.namespace)
            except StatusError as error:
                errors.append(KubectlError(f"failed to patch: {_message_for(error)}"))
                continue
            self._flush(session)
            session.out(f"{target.kind_name} restarted\n")
        if errors:
            raise StopRun(errors)

    def run_rollout_pause(self, session: Session, invocation: Invocation) -> None:
        self._pause_or_resume(session, invocation, pause=True)

    def run_rollout_resume(self, session: Session, invocation: Invocation) -> None:
        self._pause_or_resume(session, invocation, pause=False)

    def _pause_or_resume(self, session: Session, invocation: Invocation, pause: bool) -> None:
        errors: list[Exception] = []
        verb = "paused" if pause else "resumed"
        for target in self._rollout_targets(session, invocation):
            if target.info.kind != "Deployment":
                what = "pausing" if pause else "resuming"
                errors.append(KubectlError(f'error: {target.resource_string} "{target.name}" {what} is not '
                                           "supported"))
                continue
            paused = bool((target.object.get("spec") or {}).get("paused"))
            if paused == pause:
                state = "is already paused" if pause else "is not paused"
                errors.append(KubectlError(f'error: {target.resource_string} "{target.name}" {state}'))
                continue
            patch = {"spec": {"paused": True if pause else None}}
            try:
                self.api.patch("deployments", target.name, patch, "strategic", target.namespace)
            except StatusError as error:
                errors.append(KubectlError(f"failed to patch: {_message_for(error)}"))
                continue
            session.out(f"{target.kind_name} {verb}\n")
        if errors:
            raise StopRun(errors)

    # ================================================================================================
    # explain, api-resources, version, config, cluster-info
    # ================================================================================================

    def run_explain(self, session: Session, invocation: Invocation) -> None:
        from k8slab.api.schema import FieldNotFound, explain

        if not invocation.args:
            session.err('You must specify the type of resource to explain. Use "kubectl api-resources" for a '
                        "complete list of supported resources.\n\n")
            raise UsageError("Required resource not specified.", "kubectl explain", "examples")
        if len(invocation.args) > 1:
            raise KubectlError("We accept only this format: explain RESOURCE")
        path = invocation.args[0]
        resource_info(path.split(".")[0])
        try:
            text = explain(path, recursive=invocation["recursive"])
        except FieldNotFound as error:
            raise KubectlError(str(error)) from None
        session.out(text if text.endswith("\n") else text + "\n")

    def run_api_resources(self, session: Session, invocation: Invocation) -> None:
        values = invocation.values
        output, _ = output_format(values["output"], ("wide", "name"))
        infos = list(all_kinds())
        if "namespaced" in invocation.given:
            infos = [info for info in infos if info.namespaced == values["namespaced"]]
        if "api-group" in invocation.given:
            infos = [info for info in infos if info.group == values["api-group"]]
        sort_by = values["sort-by"]
        if sort_by not in ("", "name", "kind"):
            raise KubectlError('--sort-by accepts only name or kind')

        def key(info: ResourceInfo):
            first = {"name": info.resource, "kind": info.kind}.get(sort_by, info.group)
            return (first, info.resource)

        infos.sort(key=key)
        if output == "name":
            session.out("".join(f"{info.qualified}\n" for info in infos))
            return
        rows = [] if values["no-headers"] else [["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
                                               + (["VERBS", "CATEGORIES"] if output == "wide" else [])]
        for info in infos:
            row = [info.resource, ",".join(info.short_names), info.api_version,
                   "true" if info.namespaced else "false", info.kind]
            if output == "wide":
                verbs = "create,delete,deletecollection,get,list,patch,update,watch"
                row += [f"[{verbs.replace(',', ' ')}]", "all" if info.resource in ALL_CATEGORY else ""]
            rows.append(row)
        session.out(printers.tabwriter("".join("\t".join(row) + "\n" for row in rows), 6, 3))

    def run_version(self, session: Session, invocation: Invocation) -> None:
        output, _ = output_format(invocation["output"], ("json", "yaml"))
        minor = KUBECTL_VERSION.split(".")[1]
        info = {"major": "1", "minor": minor, "gitVersion": f"{KUBECTL_VERSION}-k8slab.{__version__}",
                "platform": "k8slab/python"}
        if output in ("json", "yaml"):
            document: dict[str, Any] = {"clientVersion": info}
            if not invocation["client"]:
                document["serverVersion"] = dict(info)
            session.out(to_json(document) + "\n" if output == "json" else to_yaml(document))
            return
        session.out(f"Client Version: {info['gitVersion']} (k8slab {__version__}: kubectl rebuilt in "
                    "Python)\n")
        if not invocation["client"]:
            session.out(f"Server Version: {info['gitVersion']} (k8slab {__version__}: the API server of a "
                        "simulated cluster, in virtual time)\n")

    def run_config_view(self, session: Session, invocation: Invocation) -> None:
        session.out(to_yaml(self._kubeconfig()))

    def run_config_current_context(self, session: Session, invocation: Invocation) -> None:
        session.out(f"{CONTEXT}\n")

    def run_config_get_contexts(self, session: Session, invocation: Invocation) -> None:
        rows = ("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n"
                f"*\t{CONTEXT}\tk8slab\tkubernetes-admin\t{self.namespace}\n")
        session.out(printers.tabwriter(rows, 6, 3))

    def run_config_set_context(self, session: Session, invocation: Invocation) -> None:
        """Only `kubectl config set-context --current --namespace=NAME`: the namespace of later commands."""
        if not invocation["current"] and invocation.args != [CONTEXT]:
            raise KubectlError(f"k8slab has one context, {CONTEXT}: use kubectl config set-context --current "
                               "--namespace=NAME")
        if "namespace" in invocation.given:
            self.namespace = invocation["namespace"] or "default"
        session.out(f'Context "{CONTEXT}" modified.\n')

    def _kubeconfig(self) -> dict:
        return {
            "apiVersion": "v1",
            "clusters": [{"cluster": {"server": "k8slab://in-process"}, "name": "k8slab"}],
            "contexts": [{"context": {"cluster": "k8slab", "namespace": self.namespace,
                                      "user": "kubernetes-admin"}, "name": CONTEXT}],
            "current-context": CONTEXT,
            "kind": "Config",
            "preferences": {},
            "users": [{"name": "kubernetes-admin", "user": {}}],
        }

    def run_cluster_info(self, session: Session, invocation: Invocation) -> None:
        session.out("Kubernetes control plane is running at k8slab://in-process (virtual time "
                    f"{self.api.loop.now:g}s)\n\nTo further debug and diagnose cluster problems, use "
                    "'kubectl cluster-info dump'.\n")

    def run_help(self, session: Session, invocation: Invocation) -> None:
        path = [ROOT]
        for word in invocation.args:
            sub = path[-1].subcommand(word)
            if sub is None:
                session.out(f'Unknown help topic "{word}"\n')  # cobra's answer, before printing the root help
                session.out(help_text([ROOT]))
                return
            path.append(sub)
        session.out(help_text(path))


CONTEXT = "kubernetes-admin@k8slab"


# ====================================================================================================
# Small pieces the commands share
# ====================================================================================================


def output_format(output: str, allowed: Sequence[str], unexpected: str = "") -> tuple[str, str | None]:
    """Split `-o jsonpath={...}` into ("jsonpath", "{...}"); refuse a format the command does not print."""
    name, equals, template = output.partition("=")
    if not output:
        return "", None
    if unexpected == "delete" and output != "name":
        raise KubectlError(f"unexpected -o output mode: {output}. We only support '-o name'")
    if name in ("jsonpath", "custom-columns", "jsonpath-as-json") and not equals:
        if name == "custom-columns":
            raise KubectlError("custom-columns format specified but no custom columns given")
        raise KubectlError("template format specified but no template given")
    if name not in allowed:
        formats = sorted(allowed if allowed is not OUTPUT_FORMATS_GET else OUTPUT_FORMATS)
        raise KubectlError(f'unable to match a printer suitable for the output format "{output}", allowed '
                           f"formats are: {','.join(formats)}")
    return name, template if equals else None


#: The formats `kubectl get` prints here (the others in OUTPUT_FORMATS are real but not modelled).
OUTPUT_FORMATS_GET = ("wide", "name", "yaml", "json", "jsonpath", "custom-columns")


def print_objects(objects: list[dict], output: str, template: str | None, single: bool,
                  no_headers: bool) -> str:
    """-o name|yaml|json|jsonpath|custom-columns: one object bare when one was named, else a `List`."""
    if output == "name":
        return printers.name_lines(objects)
    if output == "custom-columns":
        return custom_columns(objects, template or "", no_headers)
    document: Any = objects[0] if single else {
        "apiVersion": "v1", "items": objects, "kind": "List", "metadata": {"resourceVersion": ""}}
    if output == "yaml":
        return to_yaml(document)
    if output == "json":
        return go_escape(to_json(document)) + "\n"
    try:
        nodes = parse_jsonpath(template or "")
    except JSONPathError as error:
        raise KubectlError(f"error parsing jsonpath {template}, {error}") from None
    return evaluate_jsonpath(nodes, document)


def custom_columns(objects: list[dict], spec: str, no_headers: bool) -> str:
    """-o custom-columns=NAME:.metadata.name,STATUS:.status.phase"""
    columns = []
    for part in spec.split(","):
        header, colon, path = part.partition(":")
        if not colon:
            raise KubectlError(f'unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>')
        columns.append((header, path))
    rows = [] if no_headers else [[header for header, _ in columns]]
    for obj in objects:
        row = []
        for _, path in columns:
            try:
                found = jsonpath_values(path, obj)
            except JSONPathError as error:
                raise KubectlError(f"error parsing jsonpath {relaxed_jsonpath(path)}, {error}") from None
            from k8slab.kubectl.parser import format_value

            row.append(",".join(format_value(value) for value in found) if found else "<none>")
        rows.append(row)
    return printers.tabwriter("".join("\t".join(row) + "\n" for row in rows), 6, 3)


def sort_objects(objects: list[dict], path: str) -> list[dict]:
    """--sort-by=.metadata.name: numbers by value, text alphabetically; objects without the field first."""

    def key(obj: dict):
        found = jsonpath_values(path, obj)
        if not found:
            return (0, 0, "")
        value = found[0]
        if isinstance(value, bool) or not isinstance(value, int | float):
            return (1, 0, json.dumps(value) if not isinstance(value, str) else value)
        return (1, value, "")

    try:
        return sorted(objects, key=key)
    except JSONPathError as error:
        raise KubectlError(f"error parsing jsonpath {relaxed_jsonpath(path)}, {error}") from None


def go_escape(text: str) -> str:
    """Go's encoding/json escapes <, > and & (kubectl -o json shows `\\u003cnone\\u003e`)."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def dry_run_strategy(value: str) -> str:
    """--dry-run: "none", "client" or "server" (kubectl's GetDryRunStrategy)."""
    if value in ("none", "client", "server"):
        return value
    if value in ("unchanged", "true"):
        return "client"
    if value == "false":
        return "none"
    raise KubectlError(f'Invalid dry-run value ({value}). Must be "none", "server", or "client".')


def cascade_policy(value: str, session: Session) -> str:
    """--cascade: the propagationPolicy of the delete (background, foreground or orphan)."""
    policies = {"background": "Background", "foreground": "Foreground", "orphan": "Orphan"}
    if value in policies:
        return policies[value]
    if value in ("true", "false"):
        replacement = "background" if value == "true" else "orphan"
        session.err(f"warning: --cascade={value} is deprecated (boolean value) and can be replaced with "
                    f"--cascade={replacement}.\n")
        return policies[replacement]
    raise KubectlError(f'invalid cascade value ({value}). Must be "background", "foreground", or "orphan"')


def single_name(invocation: Invocation) -> str:
    count = invocation.args_before_dash if invocation.args_before_dash >= 0 else len(invocation.args)
    if count != 1:
        raise UsageError(f"exactly one NAME is required, got {count}", invocation.command_path, "examples")
    return invocation.args[0]


def type_meta_problems(obj: dict) -> list[str]:
    """kubectl's client-side check before anything is sent: every manifest names its apiVersion and kind."""
    problems = []
    if obj.get("apiVersion") is None:
        problems.append("apiVersion not set")
    elif not isinstance(obj.get("apiVersion"), str):
        problems.append("apiVersion isn't string type")
    if obj.get("kind") is None:
        problems.append("kind not set")
    elif not isinstance(obj.get("kind"), str):
        problems.append("kind isn't string type")
    return problems


def with_last_applied(manifest: dict) -> dict:
    """The manifest plus the annotation `kubectl apply` keeps it in (GetModifiedConfiguration).

    The annotation's value is the manifest itself (without that annotation) as
    compact JSON with sorted keys and a final newline, exactly as Go's
    encoder writes it; `"annotations": {}` is kept when there were none.
    """
    obj = copy.deepcopy(manifest)
    meta = obj.setdefault("metadata", {})
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k != LAST_APPLIED}
    meta["annotations"] = annotations
    encoded = go_json(obj) + "\n"
    meta["annotations"] = {**annotations, LAST_APPLIED: encoded}
    return obj


def prune_nulls(value: Any) -> Any:
    """A create drops the manifest's `null`s, as a later apply's patch would (pruneNullsFromMap)."""
    if isinstance(value, dict):
        return {key: prune_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [prune_nulls(item) for item in value]
    return value


def apply_patch_for(live: dict, modified: dict, kind: str) -> tuple[dict, str]:
    """The patch `kubectl apply` sends, and its type: strategic for built-in kinds, merge otherwise."""
    from k8slab.api.patch import PatchError, three_way_merge

    annotation = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    try:
        original = json.loads(annotation) if annotation else None
    except ValueError:
        original = None
    try:
        return three_way_merge(original, modified, live, kind), "strategic"
    except PatchError as error:
        if error.code != 415:
            raise KubectlError(f"creating patch: {error}") from None
    return three_way_merge(original, modified, live, None), "merge"


def resources_and_pairs(args: Sequence[str], word: str) -> tuple[list[str], list[str]]:
    """kubectl's GetResourcesAndPairs: `pod web app=web tier-` -> ([pod, web], [app=web, tier-])."""
    resources: list[str] = []
    pairs: list[str] = []
    for arg in args:
        is_pair = ("=" in arg and not arg.startswith("=")) or (arg.endswith("-") and arg != "-")
        if is_pair:
            pairs.append(arg)
        elif pairs:
            raise KubectlError(f"all resources must be specified before {word} changes: {arg}")
        else:
            resources.append(arg)
    return resources, pairs


def parse_label_pairs(pairs: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    from k8slab.api.selectors import validate_label_value

    labels: dict[str, str] = {}
    remove: list[str] = []
    for pair in pairs:
        if "=" in pair:
            parts = pair.split("=")
            if len(parts) != 2:
                raise KubectlError(f"invalid label spec: {pair}")
            problems = validate_label_value(parts[1])
            if problems:
                raise KubectlError(f'invalid label value: "{pair}": {";".join(problems)}')
            labels[parts[0]] = parts[1]
        elif pair.endswith("-"):
            remove.append(pair[:-1])
        else:
            raise KubectlError(f"unknown label spec: {pair}")
    if any(key in labels for key in remove):
        raise KubectlError("can not both modify and remove a label in the same command")
    return labels, remove


def parse_annotation_pairs(pairs: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    annotations: dict[str, str] = {}
    remove: list[str] = []
    invalid = []
    for pair in pairs:
        if "=" in pair and not pair.startswith("="):
            key, _, value = pair.partition("=")
            annotations[key] = value
        elif pair.endswith("-") and pair != "-":
            remove.append(pair[:-1])
        else:
            invalid.append(pair)
    if invalid:
        raise KubectlError(f"invalid annotation format: {', '.join(invalid)}")
    both = [key for key in remove if key in annotations]
    if both:
        raise KubectlError("can not both modify and remove the following annotation(s) in the same command: "
                           + ", ".join(both))
    return annotations, remove


TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def taint_string(taint: dict) -> str:
    """Taint.ToString(): `key`, `key=value:`, `key:Effect` or `key=value:Effect`."""
    key, value, effect = taint["key"], taint.get("value") or "", taint.get("effect") or ""
    if not effect:
        return f"{key}={value}:" if value else key
    return f"{key}={value}:{effect}" if value else f"{key}:{effect}"


def parse_taint(spec: str) -> dict:
    """One taint from the command line: `key=value:Effect`, `key:Effect` or `key` (parseTaint)."""
    from k8slab.api.selectors import validate_label_key, validate_label_value

    parts = spec.split(":")
    value = effect = ""
    if len(parts) == 1:
        key = parts[0]
    elif len(parts) == 2:
        effect = parts[1]
        if effect not in TAINT_EFFECTS:
            raise KubectlError(f"invalid taint effect: {effect}, unsupported taint effect")
        key_value = parts[0].split("=")
        if len(key_value) > 2:
            raise KubectlError(f"invalid taint spec: {spec}")
        key = key_value[0]
        if len(key_value) == 2:
            value = key_value[1]
            problems = validate_label_value(value)
            if problems:
                raise KubectlError(f"invalid taint spec: {spec}, {'; '.join(problems)}")
    else:
        raise KubectlError(f"invalid taint spec: {spec}")
    problems = validate_label_key(key)
    if problems:
        raise KubectlError(f"invalid taint spec: {spec}, {'; '.join(problems)}")
    taint = {"key": key}
    if value:
        taint["value"] = value
    if effect:
        taint["effect"] = effect
    return taint


def parse_taints(specs: Sequence[str]) -> tuple[list[dict], list[dict]]:
    """The taints to add and to remove (a trailing `-`); an added taint needs an effect (parseTaints)."""
    to_add: list[dict] = []
    to_remove: list[dict] = []
    for spec in specs:
        if spec.endswith("-"):
            taint = parse_taint(spec[:-1])
            to_remove.append({key: taint[key] for key in ("key", "effect") if key in taint})
            continue
        taint = parse_taint(spec)
        if "effect" not in taint:
            raise KubectlError(f"invalid taint spec: {spec}")
        if any(other["key"] == taint["key"] and other["effect"] == taint["effect"] for other in to_add):
            # Go prints the Taint struct with %v: {key value effect timeAdded}
            raise KubectlError("duplicated taints with the same key and effect: "
                               f"{{{taint['key']} {taint.get('value', '')} {taint['effect']} <nil>}}")
        to_add.append(taint)
    return to_add, to_remove


def _same_taint(one: dict, other: dict) -> bool:
    """Taint.MatchTaint: the same key and effect (the value does not count)."""
    return one.get("key") == other.get("key") and (one.get("effect") or "") == (other.get("effect") or "")


def update_taints(node: str, old: list[dict], to_add: list[dict], to_remove: list[dict],
                  overwrite: bool) -> tuple[str, list[dict]]:
    """A node's new taints and the word kubectl prints: tainted, untainted or modified.

    kubectl's reorganizeTaints, including its quirks: the new taints come
    first, then the old ones they do not replace; the word is "modified"
    whenever --overwrite is given; removing a taint the node does not have is
    an error, and then nothing is changed.
    """
    if not overwrite:
        clashes = [taint["key"] for taint in to_add for existing in old if _same_taint(taint, existing)]
        if clashes:
            raise KubectlError(f"node {node} already has {','.join(clashes)} taint(s) with same effect(s) "
                               "and --overwrite is false")
    new = [dict(taint) for taint in to_add]
    new += [copy.deepcopy(taint) for taint in old if not any(_same_taint(taint, added) for added in to_add)]
    added = len(old) != len(new)
    errors: list[Exception] = []
    deleted = False
    for taint in to_remove:
        if taint.get("effect"):
            kept = [existing for existing in new if not _same_taint(taint, existing)]
        else:
            kept = [existing for existing in new if existing.get("key") != taint["key"]]
        deleted = len(kept) != len(new)  # (sic) only the last removal counts, as in kubectl
        if not deleted:
            errors.append(KubectlError(f'taint "{taint_string(taint)}" not found'))
        new = kept
    if errors:
        raise StopRun(errors)
    if (added and deleted) or overwrite:
        return "modified", new
    return ("tainted" if added else "untainted"), new


def parse_patch(text: str) -> Any:
    """-p accepts JSON or YAML (kubectl converts YAML to JSON first)."""
    import yaml

    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return json.loads(json.dumps(yaml.safe_load(text), default=str))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise KubectlError(f'unable to parse "{text}": yaml: {where}{problem}') from None


def deployment_status(deployment: dict, revision: int = 0) -> tuple[str, bool]:
    """kubectl's DeploymentStatusViewer: what `rollout status` prints, and whether the rollout is done."""
    meta, spec, status = deployment["metadata"], deployment.get("spec") or {}, deployment.get("status") or {}
    name = meta["name"]
    if revision > 0:
        current = (meta.get("annotations") or {}).get(REVISION)
        try:
            current_number = int(current)
        except (TypeError, ValueError):
            raise KubectlError(f'cannot get the revision of deployment "{name}": strconv.ParseInt: parsing '
                               f'"{current or ""}": invalid syntax') from None
        if current_number != revision:
            raise KubectlError(f"desired revision ({revision}) is different from the running revision "
                               f"({current_number})")
    if meta.get("generation", 0) <= status.get("observedGeneration", 0):
        conditions = status.get("conditions") or []
        progressing = next((c for c in conditions if c.get("type") == "Progressing"), None)
        if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
            raise KubectlError(f'deployment "{name}" exceeded its progress deadline')
        wanted = spec.get("replicas", 1)
        updated = status.get("updatedReplicas", 0)
        if updated < wanted:
            return (f'Waiting for deployment "{name}" rollout to finish: {updated} out of {wanted} new '
                    "replicas have been updated...\n", False)
        old_replicas = status.get("replicas", 0) - updated
        if old_replicas > 0:
            return (f'Waiting for deployment "{name}" rollout to finish: {old_replicas} old replicas are '
                    "pending termination...\n", False)
        available = status.get("availableReplicas", 0)
        if available < updated:
            return (f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} updated '
                    "replicas are available...\n", False)
        return f'deployment "{name}" successfully rolled out\n', True
    return "Waiting for deployment spec update to be observed...\n", False


def change_cause(replica_set: dict) -> str:
    annotations = replica_set["metadata"].get("annotations") or {}
    template = (replica_set.get("spec") or {}).get("template") or {}
    template_annotations = (template.get("metadata") or {}).get("annotations") or {}
    return annotations.get(CHANGE_CAUSE) or template_annotations.get(CHANGE_CAUSE) or "<none>"


def without_hash(template: dict | None) -> dict:
    template = copy.deepcopy(template or {})
    labels = (template.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(POD_TEMPLATE_HASH, None)
    return template


def rollback_annotations(deployment: dict, replica_set: dict) -> dict:
    """The Deployment keeps its own bookkeeping annotations and takes the others from the ReplicaSet."""
    skip = (LAST_APPLIED, REVISION, "deployment.kubernetes.io/revision-history",
            "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
            "deprecated.deployment.rollback.to")
    own = deployment["metadata"].get("annotations") or {}
    annotations = {key: own[key] for key in skip if key in own}
    for key, value in (replica_set["metadata"].get("annotations") or {}).items():
        if key not in skip:
            annotations[key] = value
    return annotations


def group_kind(info: ResourceInfo) -> str:
    return f"{info.kind}.{info.group}" if info.group else info.kind


def pod_activity(pod: dict) -> tuple:
    """How kubectl picks the pod to show logs of: running and ready first, then the oldest."""
    status = pod.get("status") or {}
    conditions = status.get("conditions") or []
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
    phase_rank = {"Running": 2, "Unknown": 1, "Pending": 0}.get(status.get("phase", ""), 0)
    created = pod["metadata"].get("creationTimestamp", "")
    return (bool(pod["spec"].get("nodeName")), phase_rank, ready, _reverse(created))


def _reverse(text: str) -> tuple:
    return tuple(-ord(char) for char in text)


def _selector_error(info: ResourceInfo, label: str, fields: str, error: Exception) -> Exception:
    """cli-runtime's words for a refused list: `Unable to find "/v1, Resource=pods" that match ...`."""
    if isinstance(error, StatusError) and error.reason not in ("BadRequest", "NotFound"):
        return error
    message = error.message if isinstance(error, StatusError) else str(error)
    resource = f"{info.group}/{info.version}, Resource={info.resource}"
    if not label and not fields:
        text = f'Unable to list "{resource}": {message}'
    else:
        text = (f'Unable to find "{resource}" that match label selector "{label}", field selector '
                f'"{fields}": {message}')
    wrapped = error if isinstance(error, StatusError) else BadRequest(message)
    wrapped = copy.copy(wrapped)
    wrapped.message = text
    wrapped.args = (text,)
    return wrapped


class WatchPrinter:
    """What `kubectl get -w` prints: the table, then one more row per change, in columns that never shrink.

    kubectl's tabwriter remembers column widths between flushes (the initial
    list is one flush, each change another), so a later row lines up with the
    table above it unless one of its cells is wider.
    """

    def __init__(self, output: str, template: str | None, values: dict):
        self.output = output
        self.template = template
        self.values = values
        self.chunks: list[str] = []
        self.widths: list[int] = []
        self.header_printed = False
        self.count = 0

    def add(self, objects: list[dict], now) -> None:
        """Print `objects` as one flush: the initial list, or the object of one watch event."""
        if not objects:
            return
        if self.output in ("", "wide"):
            text = printers.table(objects, now, wide=self.output == "wide",
                                  all_namespaces=bool(self.values["all-namespaces"]),
                                  show_labels=self.values["show-labels"],
                                  no_headers=self.values["no-headers"] or self.header_printed,
                                  label_columns=[key for item in self.values["label-columns"]
                                                 for key in item.split(",") if key])
            self.header_printed = True
            self.chunks.append(self._aligned(text.splitlines()))
            return
        for obj in objects:
            self.count += 1
            if self.output == "yaml":  # kubectl's YAML printer separates documents
                self.chunks.append(("---\n" if self.count > 1 else "") + to_yaml(obj))
            else:
                self.chunks.append(print_objects([obj], self.output, self.template, True, True))

    def _aligned(self, lines: list[str]) -> str:
        rows = [re.split(r" {3,}", line.rstrip()) for line in lines]
        ragged = any(len(row) != len(rows[0]) for row in rows)
        if ragged or (self.widths and len(rows[0]) != len(self.widths) + 1):
            return "".join(line + "\n" for line in lines)  # cells we cannot tell apart: print them as is
        widths = [max(len(row[column]) + 3 for row in rows) for column in range(len(rows[0]) - 1)]
        self.widths = [max(a, b, 6) for a, b in zip(self.widths or widths, widths, strict=True)]
        return "".join("".join(cell.ljust(width) for cell, width in zip(row, self.widths, strict=False))
                       + row[-1] + "\n" for row in rows)

    def text(self) -> str:
        return "".join(self.chunks)


# ====================================================================================================
# The commands kubectl knows: their flags and their help
# ====================================================================================================

def _sub(name: str, short: str, usage: str, flags: tuple[Flag, ...] = (),
         aliases: tuple[str, ...] = ()) -> CommandSpec:
    return CommandSpec(name, short, usage, flags, aliases=aliases)


_FILENAME = Flag("filename", "f", "stringSlice", [], "The files that hold the configurations (- for stdin).")
_RECURSIVE = Flag("recursive", "R", "bool", False, "Process the directory used in -f recursively.")
_SELECTOR = Flag("selector", "l", "string", "",
                 "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.")
_FIELD_SELECTOR = Flag("field-selector", "", "string", "",
                       "Selector (field query) to filter on, supports '=', '==', and '!='.")
_ALL_NAMESPACES = Flag("all-namespaces", "A", "bool", False,
                       "If present, list the requested object(s) across all namespaces.")
_DRY_RUN = Flag("dry-run", "", "string", "none", 'Must be "none", "server", or "client".',
                no_value="unchanged")
_OUTPUT = Flag("output", "o", "string", "", "Output format. One of: (json, yaml, name).")
_GET_OUTPUT = Flag("output", "o", "string", "",
                   "Output format. One of: (json, yaml, name, jsonpath, custom-columns, wide).")
_VALIDATE = Flag("validate", "", "string", DEFAULT_VALIDATE,
                 'strict (or true), warn, ignore (or false). The lab\'s default is warn, kubectl\'s strict.',
                 no_value="strict")
_SAVE_CONFIG = Flag("save-config", "", "bool", False,
                    "If true, the configuration of current object will be saved in its annotation.")
_ALL = Flag("all", "", "bool", False, "Select all resources of the specified types, in the namespace.")
_RESOURCE_VERSION = Flag("resource-version", "", "string", "",
                         "If non-empty, update only if this is the current resource-version.")
_OVERWRITE = Flag("overwrite", "", "bool", False, "If true, allow existing values to be overwritten.")
_LIST = Flag("list", "", "bool", False, "If true, display the current values for a given resource.")
_CREATE_GENERATED = (_DRY_RUN, _OUTPUT, _SAVE_CONFIG, _VALIDATE)
_NODE_SELECTOR = Flag("selector", "l", "string", "", "Selector (label query) to filter on")

GET = CommandSpec(
    "get", "Display one or many resources",
    "kubectl get [(-o|--output=)json|yaml|name|wide|custom-columns=...|jsonpath=...] "
    "(TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags] [options]",
    (_FILENAME, _RECURSIVE, _SELECTOR, _FIELD_SELECTOR, _ALL_NAMESPACES, _GET_OUTPUT,
     Flag("watch", "w", "bool", False, "After listing/getting the requested object, watch for changes."),
     Flag("watch-only", "", "bool", False, "Watch for changes, without listing first."),
     Flag("watch-seconds", "", "seconds", WATCH_SECONDS, "k8slab only: how long -w watches, virtual."),
     Flag("show-labels", "", "bool", False, "When printing, show all labels as the last column."),
     Flag("label-columns", "L", "stringSlice", [], "A comma separated list of labels to show as columns."),
     Flag("no-headers", "", "bool", False, "Don't print headers (default and custom-column output)."),
     Flag("show-kind", "", "bool", False, "If present, list the resource type for the requested object(s)."),
     Flag("sort-by", "", "string", "", "If non-empty, sort by this field (a JSONPath expression)."),
     Flag("ignore-not-found", "", "bool", False, "If true, suppresses NotFound error for specific objects."),
     Flag("chunk-size", "", "int", 500, "Return large lists in chunks (ignored: the lab does not page).")),
    group="Basic Commands (Intermediate)",
)

DELETE = CommandSpec(
    "delete",
    "Delete resources by file names, stdin, resources and names, or by resources and label selector",
    "kubectl delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)]) [options]",
    (_FILENAME, _RECURSIVE, _SELECTOR, _FIELD_SELECTOR, _ALL_NAMESPACES, _ALL, _DRY_RUN,
     Flag("output", "o", "string", "", 'Output mode. Use "-o name" for shorter output (resource/name).'),
     Flag("grace-period", "", "int", -1, "Seconds to terminate gracefully (-1: the object's own)."),
     Flag("now", "", "bool", False, "Immediate shutdown (same as --grace-period=1)."),
     Flag("force", "", "bool", False, "Remove at once from the API, bypassing graceful deletion."),
     Flag("cascade", "", "string", "background", 'Must be "background", "orphan", or "foreground".',
          no_value="background"),
     Flag("wait", "", "bool", True, "If true, wait for resources to be gone before returning."),
     Flag("timeout", "", "duration", 0.0, "The length of time to wait before giving up on a delete."),
     Flag("ignore-not-found", "", "bool", False, 'Treat "resource not found" as a successful delete.')),
    group="Basic Commands (Intermediate)",
)

CREATE = CommandSpec(
    "create", "Create a resource from a file or from stdin", "kubectl create -f FILENAME [options]",
    (_FILENAME, _RECURSIVE, _DRY_RUN, _OUTPUT, _SAVE_CONFIG, _VALIDATE),
    subcommands=(
        _sub("namespace", "Create a namespace with the specified name",
             "kubectl create namespace NAME [--dry-run=server|client|none] [options]", _CREATE_GENERATED,
             ("ns",)),
        _sub("deployment", "Create a deployment with the specified name",
             "kubectl create deployment NAME --image=image -- [COMMAND] [args...] [options]",
             (*_CREATE_GENERATED,
              Flag("image", "", "stringSlice", [], "Image names to run."),
              Flag("replicas", "r", "int", 1, "Number of replicas to create. Default is 1."),
              Flag("port", "", "int", -1, "The containerPort that this deployment exposes.")),
             ("deploy",)),
        _sub("configmap", "Create a config map from a local file, directory or literal value",
             "kubectl create configmap NAME [--from-file=[key=]source] [--from-literal=key1=value1] "
             "[options]",
             (*_CREATE_GENERATED,
              Flag("from-literal", "", "stringArray", [], "A key and literal value (mykey=somevalue)"),
              Flag("from-file", "", "stringSlice", [], "A file to insert, as [key=]path.")),
             ("cm",)),
    ),
    group="Basic Commands (Beginner)",
)

ROLLOUT = CommandSpec(
    "rollout", "Manage the rollout of a resource", "kubectl rollout SUBCOMMAND [options]",
    subcommands=(
        _sub("history", "View rollout history",
             "kubectl rollout history (TYPE NAME | TYPE/NAME) [flags] [options]",
             (_FILENAME, _SELECTOR,
              Flag("revision", "", "int", 0, "See the details of this revision"))),
        _sub("pause", "Mark the provided resource as paused", "kubectl rollout pause RESOURCE [options]",
             (_FILENAME, _SELECTOR)),
        _sub("restart", "Restart a resource", "kubectl rollout restart RESOURCE [options]",
             (_FILENAME, _SELECTOR)),
        _sub("resume", "Resume a paused resource", "kubectl rollout resume RESOURCE [options]",
             (_FILENAME, _SELECTOR)),
        _sub("status", "Show the status of the rollout",
             "kubectl rollout status (TYPE NAME | TYPE/NAME) [flags] [options]",
             (_FILENAME, _SELECTOR,
              Flag("watch", "w", "bool", True, "Watch the status of the rollout until it's done."),
              Flag("revision", "", "int", 0, "Pin to a specific revision (0: the last)."),
              Flag("timeout", "", "duration", 0.0, "How long to wait, in virtual time (default 60s)."))),
        _sub("undo", "Undo a previous rollout",
             "kubectl rollout undo (TYPE NAME | TYPE/NAME) [flags] [options]",
             (_FILENAME, _SELECTOR, _DRY_RUN,
              Flag("to-revision", "", "int", 0, "The revision to roll back to (0: the previous)."))),
    ),
    group="Deploy Commands",
)

SET = CommandSpec(
    "set", "Set specific features on objects", "kubectl set SUBCOMMAND [options]",
    subcommands=(
        _sub("image", "Update the image of a pod template",
             "kubectl set image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... [options]",
             (_FILENAME, _SELECTOR, _ALL, _DRY_RUN)),
    ),
    group="Basic Commands (Beginner)",
)

SCALE = CommandSpec(
    "scale", "Set a new size for a deployment, replica set, or replication controller",
    "kubectl scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT "
    "(-f FILENAME | TYPE NAME) [options]",
    (_FILENAME, _RECURSIVE, _SELECTOR, _ALL, _DRY_RUN, _RESOURCE_VERSION,
     Flag("replicas", "", "int", -1, "The new desired number of replicas. Required."),
     Flag("current-replicas", "", "int", -1, "Precondition for current size (-1: none)."),
     Flag("timeout", "", "duration", 0.0, "How long to wait for the scale (ignored).")),
    group="Deploy Commands",
)

DESCRIBE = CommandSpec(
    "describe", "Show details of a specific resource or group of resources",
    "kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [options]",
    (_FILENAME, _RECURSIVE, _SELECTOR, _ALL_NAMESPACES,
     Flag("show-events", "", "bool", True, "If true, display events related to the described object."),
     Flag("chunk-size", "", "int", 500, "Return large lists in chunks (ignored).")),
    group="Troubleshooting and Debugging Commands",
)

LOGS = CommandSpec(
    "logs", "Print the logs for a container in a pod",
    "kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]",
    (_SELECTOR,
     Flag("container", "c", "string", "", "Print the logs of this container"),
     Flag("tail", "", "int", -1, "Lines of recent log file to display (-1: all)."),
     Flag("previous", "p", "bool", False, "Print the logs of the previous instance."),
     Flag("follow", "f", "bool", False, "Stream the logs (the lab prints what there is)."),
     Flag("all-containers", "", "bool", False, "Get all containers' logs in the pod(s)."),
     Flag("prefix", "", "bool", False, "Prefix each log line with its pod and container"),
     Flag("timestamps", "", "bool", False, "Include timestamps on each line in the log output (ignored).")),
    group="Troubleshooting and Debugging Commands",
)

PATCH = CommandSpec(
    "patch", "Update fields of a resource",
    "kubectl patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE] [options]",
    (_FILENAME, _DRY_RUN,
     Flag("patch", "p", "string", "", "The patch to be applied to the resource JSON file."),
     Flag("patch-file", "", "string", "", "A file containing a patch to be applied to the resource."),
     Flag("type", "", "string", "strategic", "The type of patch: json, merge or strategic")),
    group="Advanced Commands",
)

API_RESOURCES = CommandSpec(
    "api-resources", "Print the supported API resources on the server",
    "kubectl api-resources [flags] [options]",
    (Flag("output", "o", "string", "", "Output format. One of: (wide, name)."),
     Flag("namespaced", "", "bool", True, "If false, non-namespaced resources will be returned."),
     Flag("api-group", "", "string", "", "Limit to resources in the specified API group."),
     Flag("no-headers", "", "bool", False, "When using the default output format, don't print headers."),
     Flag("sort-by", "", "string", "", "If non-empty, sort the resources by 'name' or 'kind'.")),
    group="Other Commands",
)

CONFIG = CommandSpec(
    "config", "Modify kubeconfig files", "kubectl config SUBCOMMAND [options]",
    subcommands=(
        _sub("current-context", "Display the current-context", "kubectl config current-context [options]"),
        _sub("get-contexts", "Describe one or many contexts", "kubectl config get-contexts [options]"),
        _sub("set-context", "Set a context entry in kubeconfig",
             "kubectl config set-context [NAME | --current] [--namespace=namespace] [options]",
             (Flag("current", "", "bool", False, "Modify the current context"),)),
        _sub("view", "Display merged kubeconfig settings", "kubectl config view [flags] [options]",
             (Flag("minify", "", "bool", False, "Remove all information not used by current-context"),)),
    ),
    group="Other Commands",
)

_SORT_BY_USAGE = Flag("sort-by", "", "string", "",
                      "If non-empty, sort the list using specified field. The field can be either 'cpu' or "
                      "'memory'.")
_TOP_NO_HEADERS = Flag("no-headers", "", "bool", False, "If present, print output without headers")
_PROTOCOL_BUFFERS = Flag("use-protocol-buffers", "", "bool", True,
                         "Enables using protocol-buffers to access Metrics API (ignored).")

TOP = CommandSpec(
    "top", "Display resource (CPU/memory) usage", "kubectl top [flags] [options]",
    subcommands=(
        _sub("node", "Display resource (CPU/memory) usage of nodes",
             "kubectl top node [NAME | -l label] [options]",
             (_SELECTOR, _SORT_BY_USAGE, _TOP_NO_HEADERS, _PROTOCOL_BUFFERS,
              Flag("show-capacity", "", "bool", False,
                   "Print node resources based on Capacity instead of Allocatable(default) of the nodes.")),
             ("nodes", "no")),
        _sub("pod", "Display resource (CPU/memory) usage of pods",
             "kubectl top pod [NAME | -l label] [options]",
             (_SELECTOR, _FIELD_SELECTOR, _SORT_BY_USAGE, _ALL_NAMESPACES, _TOP_NO_HEADERS, _PROTOCOL_BUFFERS,
              Flag("containers", "", "bool", False, "If present, print usage of containers within a pod."),
              Flag("sum", "", "bool", False, "Print the sum of the resource usage")),
             ("pods", "po")),
    ),
    group="Cluster Management Commands",
)

ROOT = CommandSpec(
    "kubectl", "kubectl controls the Kubernetes cluster manager.", "kubectl [flags] [options]",
    subcommands=(
        CREATE,
        CommandSpec("explain", "Get documentation for a resource",
                    "kubectl explain TYPE [--recursive=FALSE|TRUE] [options]",
                    (Flag("recursive", "", "bool", False, "Print the fields of fields."),
                     Flag("api-version", "", "string", "", "Use given api-version (ignored).")),
                    group="Basic Commands (Intermediate)"),
        SET,
        GET,
        DELETE,
        ROLLOUT,
        SCALE,
        CommandSpec("cluster-info", "Display cluster information", "kubectl cluster-info [flags] [options]",
                    group="Cluster Management Commands"),
        TOP,
        CommandSpec("cordon", "Mark node as unschedulable", "kubectl cordon NODE [options]",
                    (_NODE_SELECTOR, _DRY_RUN), group="Cluster Management Commands"),
        CommandSpec("exec", "Execute a command in a container",
                    "kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...] [options]",
                    (Flag("container", "c", "string", "",
                          "Container name. If omitted, use the kubectl.kubernetes.io/default-container "
                          "annotation for selecting the container to be attached or the first container in "
                          "the pod will be chosen"),
                     Flag("stdin", "i", "bool", False, "Pass stdin to the container (the lab has none)."),
                     Flag("tty", "t", "bool", False, "Stdin is a TTY (ignored).")),
                    group="Troubleshooting and Debugging Commands"),
        CommandSpec("drain", "Drain node in preparation for maintenance", "kubectl drain NODE [options]",
                    (Flag("force", "", "bool", False,
                          "Continue even if there are pods that do not declare a controller."),
                     Flag("delete-emptydir-data", "", "bool", False,
                          "Continue even if there are pods using emptyDir (local data that will be deleted "
                          "when the node is drained)."),
                     Flag("ignore-daemonsets", "", "bool", False,
                          "Ignore DaemonSet-managed pods (the lab has none)."),
                     Flag("grace-period", "", "int", -1,
                          "Period of time in seconds given to each pod to terminate gracefully. If negative, "
                          "the default value specified in the pod will be used."),
                     Flag("timeout", "", "duration", 0.0,
                          "The length of time to wait before giving up, zero means infinite (the lab: 600s "
                          "of virtual time).")),
                    group="Cluster Management Commands"),
        CommandSpec("uncordon", "Mark node as schedulable", "kubectl uncordon NODE [options]",
                    (_NODE_SELECTOR, _DRY_RUN), group="Cluster Management Commands"),
        CommandSpec("taint", "Update the taints on one or more nodes",
                    "kubectl taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N "
                    "[options]",
                    (Flag("selector", "l", "string", "",
                          "Selector (label query) to filter on, supports '=', '==', and '!='."),
                     Flag("overwrite", "", "bool", False,
                          "If true, allow taints to be overwritten, otherwise reject taint updates that "
                          "overwrite existing taints."),
                     Flag("all", "", "bool", False, "Select all nodes in the cluster"),
                     _DRY_RUN),
                    group="Cluster Management Commands"),
        DESCRIBE,
        LOGS,
        CommandSpec("apply", "Apply a configuration to a resource by file name or stdin",
                    "kubectl apply (-f FILENAME | -k DIRECTORY) [options]",
                    (_FILENAME, _RECURSIVE, _DRY_RUN, _OUTPUT, _VALIDATE), group="Advanced Commands"),
        PATCH,
        CommandSpec("label", "Update the labels on a resource",
                    "kubectl label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N "
                    "[options]",
                    (_FILENAME, _SELECTOR, _ALL, _DRY_RUN, _RESOURCE_VERSION, _OVERWRITE, _LIST),
                    group="Settings Commands"),
        CommandSpec("annotate", "Update the annotations on a resource",
                    "kubectl annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N "
                    "[options]",
                    (_FILENAME, _SELECTOR, _ALL, _DRY_RUN, _RESOURCE_VERSION, _OVERWRITE, _LIST),
                    group="Settings Commands"),
        API_RESOURCES,
        CONFIG,
        CommandSpec("version", "Print the client and server version information",
                    "kubectl version [flags] [options]",
                    (Flag("client", "", "bool", False, "If true, shows client version only."),
                     Flag("output", "o", "string", "", "One of 'yaml' or 'json'.")),
                    group="Other Commands"),
        CommandSpec("help", "Help about any command", "kubectl help [command] [options]"),
    ),
)

HANDLERS: dict[str, Callable[[Kubectl, Session, Invocation], None]] = {
    "kubectl get": Kubectl.run_get,
    "kubectl describe": Kubectl.run_describe,
    "kubectl apply": Kubectl.run_apply,
    "kubectl create": Kubectl.run_create,
    "kubectl create namespace": Kubectl.run_create_namespace,
    "kubectl create deployment": Kubectl.run_create_deployment,
    "kubectl create configmap": Kubectl.run_create_configmap,
    "kubectl delete": Kubectl.run_delete,
    "kubectl scale": Kubectl.run_scale,
    "kubectl label": Kubectl.run_label,
    "kubectl annotate": Kubectl.run_annotate,
    "kubectl patch": Kubectl.run_patch,
    "kubectl set image": Kubectl.run_set_image,
    "kubectl logs": Kubectl.run_logs,
    "kubectl rollout status": Kubectl.run_rollout_status,
    "kubectl rollout history": Kubectl.run_rollout_history,
    "kubectl rollout undo": Kubectl.run_rollout_undo,
    "kubectl rollout restart": Kubectl.run_rollout_restart,
    "kubectl rollout pause": Kubectl.run_rollout_pause,
    "kubectl rollout resume": Kubectl.run_rollout_resume,
    "kubectl explain": Kubectl.run_explain,
    "kubectl api-resources": Kubectl.run_api_resources,
    "kubectl version": Kubectl.run_version,
    "kubectl config view": Kubectl.run_config_view,
    "kubectl config current-context": Kubectl.run_config_current_context,
    "kubectl config get-contexts": Kubectl.run_config_get_contexts,
    "kubectl config set-context": Kubectl.run_config_set_context,
    "kubectl cluster-info": Kubectl.run_cluster_info,
    "kubectl top node": Kubectl.run_top_node,
    "kubectl top pod": Kubectl.run_top_pod,
    "kubectl cordon": Kubectl.run_cordon,
    "kubectl drain": Kubectl.run_drain,
    "kubectl exec": Kubectl.run_exec,
    "kubectl uncordon": Kubectl.run_uncordon,
    "kubectl taint": Kubectl.run_taint,
    "kubectl help": Kubectl.run_help,
}


def help_text(path: Sequence[CommandSpec]) -> str:
    """`kubectl --help` (the commands, grouped as kubectl groups them) or `kubectl <command> --help`."""
    command = path[-1]
    if command is ROOT:
        lines = [
            "kubectl controls the Kubernetes cluster manager.",
            "",
            " This is k8slab's kubectl: the commands below talk to the lab's simulated cluster.",
            " Find more information at: https://kubernetes.io/docs/reference/kubectl/",
            "",
        ]
        groups: dict[str, list[CommandSpec]] = {}
        for spec in ROOT.subcommands:
            if spec.group:
                groups.setdefault(spec.group, []).append(spec)
        for group, specs in groups.items():
            lines.append(f"{group}:")
            lines += [f"  {spec.name.ljust(15)} {spec.short}" for spec in specs]
            lines.append("")
        lines += ["Usage:", "  kubectl [flags] [options]", "",
                  'Use "kubectl <command> --help" for more information about a given command.', ""]
        return "\n".join(lines)
    full = " ".join(["kubectl", *(spec.name for spec in path[1:])])
    lines = [command.long or command.short + ".", ""]
    if command.subcommands:
        lines.append("Available Commands:")
        lines += [f"  {sub.name.ljust(15)} {sub.short}" for sub in command.subcommands]
        lines.append("")
    flags = [flag for spec in path[1:] for flag in spec.flags]
    if flags:
        lines += ["Options:", flag_help(flags)]
    lines += ["Usage:", f"  {command.usage}", ""]
    if command.subcommands:
        lines.append(f'Use "{full} <command> --help" for more information about a given command.')
    lines.append('Use "kubectl options" for a list of global command-line options (applies to all commands).')
    return "\n".join(lines) + "\n"


__all__ = ["Kubectl", "KubectlError", "KubectlOutput", "ROOT", "error_text", "with_last_applied"]
