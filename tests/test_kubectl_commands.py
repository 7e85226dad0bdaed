"""kubectl's commands against a real API server: what they print, what they change, and how they refuse.

Expected texts are kubectl v1.35's (k8s.io/kubectl at kubernetes-1.35.0). Each
test is one behaviour; objects are made by hand or applied from manifests
written into a temporary folder, and nothing runs but the API server, so
controllers' work (ReplicaSets, pods, status) is done by hand where needed.
"""

from __future__ import annotations

import copy
import json

import pytest

from k8slab.api.server import APIServer
from k8slab.kubectl import Kubectl, KubectlOutput
from k8slab.kubectl.commands import LAST_APPLIED, with_last_applied

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
"""

BAD_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bad
spec:
  replicas: -1
  selector:
    matchLabels:
      app: bad
  template:
    metadata:
      labels:
        app: bad
    spec:
      containers:
      - name: c
        image: nginx
"""


def configmap(name: str, **data: str) -> str:
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"
    if data:
        text += "data:\n" + "".join(f'  {key}: "{value}"\n' for key, value in data.items())
    return text


@pytest.fixture
def api() -> APIServer:
    return APIServer()


@pytest.fixture
def kubectl(api, tmp_path) -> Kubectl:
    return Kubectl(api, cwd=tmp_path)


@pytest.fixture
def files(tmp_path):
    """Write manifests into the temporary folder kubectl reads -f paths from."""

    def write(name: str, text: str) -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return name

    return write


def pod(name: str, labels: dict | None = None, node: str = "", containers=("web",)) -> dict:
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {"app": "web"}},
           "spec": {"containers": [{"name": c, "image": "nginx"} for c in containers]}}
    if node:
        obj["spec"]["nodeName"] = node
    return obj


def unchanged(api: APIServer, kubectl: Kubectl, command: str, stdin: str | None = None) -> KubectlOutput:
    """Run a command that must fail, and check that it wrote nothing."""
    before = api.store.revision
    output = kubectl.run(command, stdin=stdin)
    assert output.exit_code == 1, output
    assert api.store.revision == before, f"{command!r} changed the cluster"
    return output


# =================================================================================================
# The output object
# =================================================================================================


def test_the_output_is_what_a_terminal_shows_with_its_streams_and_exit_code(kubectl):
    output = kubectl.run("get pods")
    assert isinstance(output, str)
    assert output == "No resources found in default namespace.\n"
    assert output.stdout == ""
    assert output.stderr == "No resources found in default namespace.\n"
    assert output.exit_code == 0


def test_the_output_shows_without_quotes_in_a_notebook(kubectl):
    output = kubectl.run("get ns default -o name")
    assert repr(output) == "namespace/default"

    class Printer:
        text = ""

        def text_method(self, value):
            Printer.text += value

    printer = Printer()
    printer.text = printer.text_method  # IPython's pretty printer calls p.text(...)
    output._repr_pretty_(printer, False)
    assert Printer.text == "namespace/default"


def test_the_leading_word_kubectl_is_optional(kubectl):
    assert kubectl.run("kubectl get ns default -o name") == kubectl.run("get ns default -o name")


def test_a_command_may_be_given_as_a_list_of_words(kubectl):
    assert kubectl.run(["get", "ns", "default", "-o", "name"]) == "namespace/default\n"


# =================================================================================================
# Refusals: kubectl's words, exit code 1, nothing changed
# =================================================================================================


def test_an_unknown_command_is_refused_as_kubectl_refuses_it(api, kubectl):
    output = unchanged(api, kubectl, "frobnicate pods")
    assert output == 'error: unknown command "frobnicate" for "kubectl"\n'


def test_an_unknown_command_close_to_a_real_one_gets_a_suggestion(api, kubectl):
    output = unchanged(api, kubectl, "gte pods")
    assert output == 'error: unknown command "gte" for "kubectl"\n\nDid you mean this?\n\tget\n'


def test_a_real_command_the_lab_does_not_model_says_so(api, kubectl):
    output = unchanged(api, kubectl, "port-forward web 8080:80")
    assert "is a real kubectl command that k8slab does not model" in output


def test_an_unknown_flag_is_refused_with_the_usage_hint(api, kubectl):
    output = unchanged(api, kubectl, "apply -f web.yaml --bogus")
    assert output == "error: unknown flag: --bogus\nSee 'kubectl apply --help' for usage.\n"


def test_an_unknown_sub_command_is_refused(api, kubectl):
    output = unchanged(api, kubectl, "rollout frob deployment/web")
    assert output == ('error: unknown command "frob deployment/web"\n'
                      "See 'kubectl rollout -h' for help and examples\n")


def test_an_unterminated_quote_is_an_error_not_a_traceback(api, kubectl):
    output = unchanged(api, kubectl, "get pods -l 'app=web")
    assert output.startswith("error: cannot read the command line")


def test_no_command_prints_the_help(kubectl):
    output = kubectl.run("")
    assert output.exit_code == 0
    assert "kubectl controls the Kubernetes cluster manager." in output
    assert "  get             Display one or many resources" in output


def test_help_for_a_command_lists_its_flags(kubectl):
    output = kubectl.run("get --help")
    assert output.startswith("Display one or many resources.")
    assert "    -l, --selector='':" in output
    assert kubectl.run("help get") == output


# =================================================================================================
# get
# =================================================================================================


def test_get_without_a_resource_type_asks_for_one(api, kubectl):
    output = unchanged(api, kubectl, "get")
    assert output.stderr == (
        'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of '
        "supported resources.\n\n"
        "error: Required resource not specified.\n"
        'Use "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain '
        "pods).\nSee 'kubectl get -h' for help and examples\n")


def test_get_prints_kubectls_table(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("get pods") == ("NAME   READY   STATUS    RESTARTS   AGE\n"
                                       "web    0/1     Pending   0          0s\n")


def test_get_of_nothing_says_so_on_stderr(kubectl):
    output = kubectl.run("get deployments")
    assert output.stdout == ""
    assert output.stderr == "No resources found in default namespace.\n"


def test_get_finds_one_object_by_type_and_name_in_either_spelling(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("get pod web -o name") == "pod/web\n"
    assert kubectl.run("get po/web -o name") == "pod/web\n"


def test_get_prints_the_objects_it_finds_and_reports_the_missing_ones(api, kubectl):
    api.create(pod("web"))
    output = kubectl.run("get pods web nothere -o name")
    assert output.stdout == "pod/web\n"
    assert output.stderr == 'Error from server (NotFound): pods "nothere" not found\n'
    assert output.exit_code == 1


def test_get_ignore_not_found_suppresses_not_found(kubectl):
    output = kubectl.run("get pod nothere --ignore-not-found")
    assert output == ""
    assert output.exit_code == 0


def test_get_of_an_unknown_type_is_refused(api, kubectl):
    output = unchanged(api, kubectl, "get frobs")
    assert output == 'error: the server doesn\'t have a resource type "frobs"\n'


def test_get_of_several_types_prints_one_table_each_with_kind_prefixes(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    output = kubectl.run("get deploy,svc")
    tables = output.split("\n\n")
    assert tables[0].startswith("NAME                  READY")
    assert "deployment.apps/web   0/3" in tables[0]
    assert "service/kubernetes" in tables[1]


def test_get_all_lists_the_kinds_of_the_all_category(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    api.create(pod("web-1"))
    output = kubectl.run("get all -o name")
    assert output == "pod/web-1\nservice/kubernetes\ndeployment.apps/web\n"


def test_get_in_another_namespace(api, kubectl):
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    api.create(pod("web"), namespace="dev")
    assert kubectl.run("get pods -n dev -o name") == "pod/web\n"
    assert kubectl.run("get pods").stderr == "No resources found in default namespace.\n"


def test_get_across_all_namespaces_adds_the_namespace_column(api, kubectl):
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    api.create(pod("web"), namespace="dev")
    api.create(pod("db"))
    output = kubectl.run("get pods -A")
    assert output.splitlines() == [
        "NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE",
        "default     db     0/1     Pending   0          0s",
        "dev         web    0/1     Pending   0          0s",
    ]


def test_get_by_name_across_all_namespaces_is_refused(api, kubectl):
    output = unchanged(api, kubectl, "get pod web -A")
    assert output == "error: a resource cannot be retrieved by name across all namespaces\n"


def test_get_with_a_label_selector(api, kubectl):
    api.create(pod("web", {"app": "web"}))
    api.create(pod("db", {"app": "db"}))
    assert kubectl.run("get pods -l app=db -o name") == "pod/db\n"
    assert kubectl.run("get pods --selector 'app in (web,db)' -o name") == "pod/db\npod/web\n"


def test_get_with_a_field_selector(api, kubectl):
    api.create(pod("web", node="node-1"))
    api.create(pod("db"))
    assert kubectl.run("get pods --field-selector spec.nodeName=node-1 -o name") == "pod/web\n"


def test_get_with_a_bad_selector_is_a_bad_request(api, kubectl):
    output = unchanged(api, kubectl, "get pods -l 'app in (web'")
    assert output.startswith('Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match '
                             'label selector "app in (web", field selector "": ')


def test_get_output_name_yaml_and_json_of_one_named_object_print_it_bare(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("get pod web -o yaml").startswith("apiVersion: v1\nkind: Pod\nmetadata:\n")
    document = json.loads(kubectl.run("get pod web -o json"))
    assert document["metadata"]["name"] == "web"


def test_get_output_yaml_of_a_list_query_is_a_kubectl_list(api, kubectl):
    api.create(pod("web"))
    output = kubectl.run("get pods -o yaml")
    assert output.startswith("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n")
    assert output.endswith('kind: List\nmetadata:\n  resourceVersion: ""\n')


def test_get_output_json_escapes_html_characters_as_go_does(api, kubectl):
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "<a&b>"}})
    assert '"k": "\\u003ca\\u0026b\\u003e"' in kubectl.run("get cm c -o json")


def test_get_jsonpath_of_one_object(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("get pod web -o jsonpath='{.spec.containers[0].image}'") == "nginx"


def test_get_jsonpath_of_a_list_walks_the_items(api, kubectl):
    api.create(pod("a"))
    api.create(pod("b"))
    assert kubectl.run("get pods -o jsonpath={.items[*].metadata.name}") == "a b"
    template = "'{range .items[*]}{.metadata.name}{\"\\n\"}{end}'"
    assert kubectl.run(f"get pods -o jsonpath={template}") == "a\nb\n"


def test_get_jsonpath_that_does_not_parse_is_refused(api, kubectl):
    api.create(pod("web"))
    output = kubectl.run("get pod web -o jsonpath={.metadata.name")
    assert output == "error: error parsing jsonpath {.metadata.name, unclosed action\n"


def test_get_jsonpath_without_a_template_is_refused(api, kubectl):
    output = unchanged(api, kubectl, "get pods -o jsonpath")
    assert output == "error: template format specified but no template given\n"


def test_get_with_an_unknown_output_format_lists_the_allowed_ones(api, kubectl):
    output = unchanged(api, kubectl, "get pods -o xml")
    assert output == (
        'error: unable to match a printer suitable for the output format "xml", allowed formats are: '
        "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,"
        "jsonpath-file,kyaml,name,template,templatefile,wide,yaml\n")


def test_get_custom_columns(api, kubectl):
    api.create(pod("web", node="node-1"))
    columns = "NAME:.metadata.name,NODE:.spec.nodeName,IP:.status.podIP"
    output = kubectl.run(f"get pods -o custom-columns={columns}")
    assert output == "NAME   NODE     IP\nweb    node-1   <none>\n"


def test_get_wide_shows_the_extra_columns(api, kubectl):
    api.create(pod("web", node="node-1"))
    header = kubectl.run("get pods -o wide").splitlines()[0]
    assert header.split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE",
                              "READINESS", "GATES"]


def test_get_show_labels_and_label_columns(api, kubectl):
    api.create(pod("web", {"app": "web", "tier": "front"}))
    assert kubectl.run("get pods --show-labels").splitlines()[1].endswith("app=web,tier=front")
    assert kubectl.run("get pods -L tier").splitlines() == [
        "NAME   READY   STATUS    RESTARTS   AGE   TIER",
        "web    0/1     Pending   0          0s    front",
    ]


def test_get_show_labels_is_refused_with_another_printer(api, kubectl):
    output = unchanged(api, kubectl, "get pods --show-labels -o name")
    assert output == "error: --show-labels option cannot be used with name printer\n"


def test_get_no_headers(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("get pods --no-headers") == "web   0/1   Pending   0     0s\n"


def test_get_sort_by_a_field(api, kubectl):
    for name, replicas in (("a", 3), ("b", 1), ("c", 2)):
        api.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name},
                    "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                             "template": {"metadata": {"labels": {"app": name}},
                                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    assert kubectl.run("get rs --sort-by=.spec.replicas -o name") == (
        "replicaset.apps/b\nreplicaset.apps/c\nreplicaset.apps/a\n")


def test_get_from_a_manifest_file_shows_the_live_objects(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    assert kubectl.run("get -f web.yaml -o name") == "deployment.apps/web\n"


# --- get -w ----------------------------------------------------------------------------------


def test_get_watch_prints_the_table_then_a_row_per_change(api, kubectl):
    api.create(pod("web"))
    api.loop.call_later(5, lambda: api.bind("default", "web", "node-1"))
    api.loop.call_later(8, lambda: api.create(pod("a-much-longer-name")))
    output = kubectl.run("get pods -w --watch-seconds=10")
    assert output.splitlines() == [
        "NAME   READY   STATUS    RESTARTS   AGE",
        "web    0/1     Pending   0          0s",
        "web    0/1     Pending   0          5s",  # kubectl's tabwriter remembers the columns' widths
        "a-much-longer-name   0/1     Pending   0          0s",
    ]


def test_get_watch_of_one_named_object_follows_only_that_object(api, kubectl):
    api.create(pod("web"))
    api.create(pod("db"))
    api.loop.call_later(2, lambda: api.bind("default", "db", "node-1"))
    api.loop.call_later(4, lambda: api.bind("default", "web", "node-1"))
    assert kubectl.run("get pod web -w --watch-seconds=5 -o name") == "pod/web\npod/web\n"


def test_get_watch_runs_the_clock_for_the_watch_seconds(api, kubectl):
    kubectl.run("get pods -w --watch-seconds 30")
    assert api.loop.now == 30.0


def test_get_watch_only_prints_just_the_changes(api, kubectl):
    api.create(pod("web"))
    api.loop.call_later(3, lambda: api.delete("pods", "web", "default"))
    assert kubectl.run("get pods --watch-only --watch-seconds=5 -o name") == "pod/web\n"


def test_get_watch_of_two_types_is_refused(api, kubectl):
    output = unchanged(api, kubectl, "get pods,services -w")
    assert output == "error: you may only specify a single resource type\n"


# =================================================================================================
# describe
# =================================================================================================


def test_describe_shows_the_object_and_its_events(api, kubectl):
    created = api.create(pod("web"))
    api.create({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "web.1"},
                "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default",
                                   "uid": created["metadata"]["uid"]},
                "reason": "Scheduled", "message": "Successfully assigned default/web to node-1",
                "type": "Normal", "source": {"component": "default-scheduler"},
                "firstTimestamp": "2024-01-01T00:00:00Z", "lastTimestamp": "2024-01-01T00:00:00Z",
                "count": 1})
    output = kubectl.run("describe pod web")
    assert output.startswith("Name:")
    assert "Successfully assigned default/web to node-1" in output


def test_describe_finds_objects_by_name_prefix(api, kubectl):
    api.create(pod("web-7d4b9c-x2x9q"))
    api.create(pod("db"))
    output = kubectl.run("describe pods web")
    assert output.exit_code == 0
    assert "web-7d4b9c-x2x9q" in output
    assert "\ndb" not in output


def test_describe_of_a_missing_object_is_not_found(api, kubectl):
    output = unchanged(api, kubectl, "describe pod nothere")
    assert output == 'Error from server (NotFound): pods "nothere" not found\n'


def test_describe_of_several_objects_separates_them_with_a_blank_line(api, kubectl):
    api.create(pod("a"))
    api.create(pod("b"))
    output = kubectl.run("describe pods")
    assert output.count("Name:         ") == 2
    assert "\n\n\nName:" in output


# =================================================================================================
# apply
# =================================================================================================


def test_apply_creates_then_configures_then_leaves_unchanged(kubectl, files):
    files("web.yaml", WEB)
    assert kubectl.run("apply -f web.yaml") == "deployment.apps/web created\n"
    assert kubectl.run("apply -f web.yaml") == "deployment.apps/web unchanged\n"
    files("web.yaml", WEB.replace("replicas: 3", "replicas: 5"))
    assert kubectl.run("apply -f web.yaml") == "deployment.apps/web configured\n"
    assert kubectl.run("get deploy web -o jsonpath={.spec.replicas}") == "5"


def test_apply_keeps_the_manifest_in_the_last_applied_annotation_as_kubectl_writes_it(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    annotation = api.get("deployments", "web", "default")["metadata"]["annotations"][LAST_APPLIED]
    assert annotation == (
        '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"labels":{"app":"web"},'
        '"name":"web","namespace":"default"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},'
        '"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.27",'
        '"name":"nginx","ports":[{"containerPort":80}]}]}}}}\n')


def test_a_field_removed_from_the_manifest_is_removed_by_the_next_apply(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    files("web.yaml", WEB.replace("        ports:\n        - containerPort: 80\n", ""))
    assert kubectl.run("apply -f web.yaml") == "deployment.apps/web configured\n"
    container = api.get("deployments", "web", "default")["spec"]["template"]["spec"]["containers"][0]
    assert "ports" not in container


def test_apply_keeps_what_other_writers_added(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    kubectl.run("label deployment web team=blue")
    files("web.yaml", WEB.replace("replicas: 3", "replicas: 4"))
    kubectl.run("apply -f web.yaml")
    assert api.get("deployments", "web", "default")["metadata"]["labels"] == {"app": "web", "team": "blue"}


def test_apply_of_several_documents_reports_each_and_goes_on_past_a_bad_one(api, kubectl, files):
    files("all.yaml", "---\n".join([configmap("a", x="1"), BAD_DEPLOYMENT, configmap("b", y="2")]))
    output = kubectl.run("apply -f all.yaml")
    assert output.stdout == "configmap/a created\nconfigmap/b created\n"
    assert output.stderr == (
        'The Deployment "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal '
        "to 0\n")
    assert output.exit_code == 1
    assert [cm["metadata"]["name"] for cm in api.list("configmaps", "default")["items"]] == ["a", "b"]


def test_apply_with_several_failures_prints_one_line_for_each(kubectl, files):
    broken_pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n")
    files("all.yaml", "---\n".join([BAD_DEPLOYMENT, configmap("ok"), broken_pod]))
    output = kubectl.run("apply -f all.yaml")
    assert output.stdout == "configmap/ok created\n"
    assert output.stderr.splitlines() == [
        'Error from server (Invalid): error when creating "all.yaml": Deployment.apps "bad" is invalid: '
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
        'Error from server (Invalid): error when creating "all.yaml": Pod "p" is invalid: '
        "spec.containers[0].image: Required value",
    ]


def test_apply_of_an_unknown_kind_says_no_mapping_was_found(kubectl, files):
    files("frob.yaml", "apiVersion: v1\nkind: Frob\nmetadata:\n  name: f\n")
    output = kubectl.run("apply -f frob.yaml")
    assert output == ('error: resource mapping not found for name: "f" namespace: "" from "frob.yaml": '
                      'no matches for kind "Frob" in version "v1"\nensure CRDs are installed first\n')


def test_apply_of_a_document_without_kind_stops_reading_that_file(api, kubectl, files):
    files("two.yaml", "apiVersion: v1\nmetadata:\n  name: x\n---\n" + configmap("later"))
    output = kubectl.run("apply -f two.yaml")
    assert output == ('error: error validating "two.yaml": error validating data: kind not set; if you '
                      "choose to ignore these errors, turn validation off with --validate=false\n")
    assert api.list("configmaps", "default")["items"] == []


def test_apply_prints_the_servers_warnings_for_unknown_fields(kubectl, files):
    files("cm.yaml", configmap("c").replace("  name: c\n", "  name: c\n  colour: blue\n"))
    output = kubectl.run("apply -f cm.yaml")
    assert output.stderr == 'Warning: unknown field "metadata.colour"\n'
    assert output.stdout == "configmap/c created\n"


def test_apply_with_strict_validation_refuses_unknown_fields(api, kubectl, files):
    files("cm.yaml", configmap("c").replace("  name: c\n", "  name: c\n  colour: blue\n"))
    output = unchanged(api, kubectl, "apply -f cm.yaml --validate=strict")
    assert output == ('Error from server (BadRequest): error when creating "cm.yaml": ConfigMap in '
                      'version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field '
                      '"metadata.colour"\n')


def test_apply_reads_standard_input_for_a_dash(kubectl):
    output = kubectl.run("apply -f -", stdin=configmap("from-stdin"))
    assert output == "configmap/from-stdin created\n"


def test_apply_of_a_folder_applies_its_manifests_and_recursive_goes_deeper(api, kubectl, files):
    files("app/a.yaml", configmap("a"))
    files("app/notes.txt", "not a manifest")
    files("app/more/b.yaml", configmap("b"))
    assert kubectl.run("apply -f app") == "configmap/a created\n"
    assert kubectl.run("apply -f app -R") == "configmap/a unchanged\nconfigmap/b created\n"


def test_apply_of_a_folder_reports_a_file_that_does_not_parse_and_applies_the_others(api, kubectl, files):
    files("app/a.yaml", configmap("a"))
    files("app/b.yaml", "kind: [unclosed\n")
    output = kubectl.run("apply -f app")
    assert output.stdout == "configmap/a created\n"
    assert output.stderr.startswith("error: error parsing app/b.yaml: error converting YAML to JSON: yaml: ")
    assert output.exit_code == 1


def test_apply_of_a_url_is_refused_clearly(api, kubectl):
    output = unchanged(api, kubectl, "apply -f https://example.com/web.yaml")
    assert "no network" in output


def test_apply_of_a_missing_file(api, kubectl):
    output = unchanged(api, kubectl, "apply -f nothere.yaml")
    assert output == 'error: the path "nothere.yaml" does not exist\n'


def test_apply_of_yaml_that_does_not_parse(api, kubectl, files):
    files("broken.yaml", "kind: [unclosed\n")
    output = unchanged(api, kubectl, "apply -f broken.yaml")
    assert output.startswith("error: error parsing ")


def test_apply_needs_a_file(api, kubectl):
    assert unchanged(api, kubectl, "apply") == "error: must specify one of -f and -k\n"


def test_apply_refuses_a_namespace_flag_that_contradicts_the_manifest(api, kubectl, files):
    files("cm.yaml", configmap("c").replace("  name: c\n", "  name: c\n  namespace: kube-system\n"))
    output = unchanged(api, kubectl, "apply -f cm.yaml -n default")
    assert output == ('error: the namespace from the provided object "kube-system" does not match the '
                      "namespace \"default\". You must pass '--namespace=kube-system' to perform this "
                      "operation.\n")


def test_apply_dry_run_creates_nothing(api, kubectl, files):
    files("cm.yaml", configmap("c"))
    assert kubectl.run("apply -f cm.yaml --dry-run=client") == "configmap/c created (dry run)\n"
    assert kubectl.run("apply -f cm.yaml --dry-run=server") == "configmap/c created (server dry run)\n"
    assert api.list("configmaps", "default")["items"] == []


def test_apply_to_an_object_made_without_apply_warns_and_adds_the_annotation(api, kubectl, files):
    kubectl.run("create configmap c --from-literal=a=1")
    output = kubectl.run(f"apply -f {files('cm.yaml', configmap('c', a='2'))}")
    assert output.stderr.startswith("Warning: resource configmaps/c is missing the "
                                    "kubectl.kubernetes.io/last-applied-configuration annotation")
    assert output.stdout == "configmap/c configured\n"
    assert LAST_APPLIED in api.get("configmaps", "c", "default")["metadata"]["annotations"]


def test_apply_from_python_takes_yaml_text_or_dicts(api, kubectl):
    assert kubectl.apply(configmap("a")) == "configmap/a created\n"
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}
    assert kubectl.apply(obj) == "configmap/b created\n"
    both = [obj, {**obj, "metadata": {"name": "c"}}]
    assert kubectl.apply(both) == "configmap/b unchanged\nconfigmap/c created\n"


def test_the_last_applied_annotation_is_go_json_of_the_manifest_without_itself():
    manifest = {"kind": "ConfigMap",
                "metadata": {"name": "c", "annotations": {LAST_APPLIED: "old", "a": "<b>"}}}
    annotations = with_last_applied(manifest)["metadata"]["annotations"]
    assert annotations["a"] == "<b>"
    assert annotations[LAST_APPLIED] == (
        '{"kind":"ConfigMap","metadata":{"annotations":{"a":"\\u003cb\\u003e"},"name":"c"}}\n')


# =================================================================================================
# create
# =================================================================================================


def test_create_from_a_file(kubectl, files):
    assert kubectl.run(f"create -f {files('web.yaml', WEB)}") == "deployment.apps/web created\n"


def test_create_of_an_existing_object_names_the_file(api, kubectl, files):
    kubectl.run(f"create -f {files('web.yaml', WEB)}")
    output = unchanged(api, kubectl, "create -f web.yaml")
    assert output == ('Error from server (AlreadyExists): error when creating "web.yaml": '
                      'deployments.apps "web" already exists\n')


def test_create_namespace(api, kubectl):
    assert kubectl.run("create namespace dev") == "namespace/dev created\n"
    assert api.get("namespaces", "dev")["status"]["phase"] == "Active"


def test_create_deployment_generates_kubectls_deployment(api, kubectl):
    assert kubectl.run("create deployment hello --image=registry.k8s.io/echoserver:1.4 --replicas=2") == (
        "deployment.apps/hello created\n")
    deployment = api.get("deployments", "hello", "default")
    assert deployment["metadata"]["labels"] == {"app": "hello"}
    assert deployment["spec"]["replicas"] == 2
    assert deployment["spec"]["selector"] == {"matchLabels": {"app": "hello"}}
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert (container["name"], container["image"]) == ("echoserver", "registry.k8s.io/echoserver:1.4")


def test_create_deployment_with_dry_run_prints_the_manifest(api, kubectl):
    output = kubectl.run("create deployment web --image=nginx --dry-run=client -o yaml")
    assert output.startswith("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n    app: web\n")
    assert "      - image: nginx\n        name: nginx\n" in output
    assert api.list("deployments", "default")["items"] == []


def test_create_deployment_needs_an_image(api, kubectl):
    assert unchanged(api, kubectl, "create deployment web") == 'error: required flag(s) "image" not set\n'


def test_create_deployment_needs_exactly_one_name(api, kubectl):
    output = unchanged(api, kubectl, "create deployment a b --image=nginx")
    assert output == ("error: exactly one NAME is required, got 2\n"
                      "See 'kubectl create deployment -h' for help and examples\n")


def test_create_configmap_from_literals(api, kubectl):
    output = kubectl.run("create configmap cfg --from-literal=a=1 --from-literal=b=x=y")
    assert output == "configmap/cfg created\n"
    assert api.get("configmaps", "cfg", "default")["data"] == {"a": "1", "b": "x=y"}


def test_create_configmap_refuses_a_literal_without_a_value(api, kubectl):
    output = unchanged(api, kubectl, "create configmap cfg --from-literal=a")
    assert output == "error: invalid literal source a, expected key=value\n"


def test_create_with_unexpected_arguments(api, kubectl):
    output = unchanged(api, kubectl, "create frob")
    assert output == "error: Unexpected args: [frob]\nSee 'kubectl create -h' for help and examples\n"


# =================================================================================================
# delete
# =================================================================================================


def test_delete_names_the_namespace_it_deleted_from(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("delete pod web") == 'pod "web" deleted from default namespace\n'
    assert api.list("pods", "default")["items"] == []


def test_delete_of_a_cluster_wide_object_has_no_namespace(api, kubectl):
    kubectl.run("create namespace dev")
    assert kubectl.run("delete namespace dev") == 'namespace "dev" deleted\n'


def test_delete_by_label_deletes_the_matching_objects_only(api, kubectl):
    api.create(pod("a", {"app": "web"}))
    api.create(pod("b", {"app": "web"}))
    api.create(pod("c", {"app": "db"}))
    assert kubectl.run("delete pods -l app=web") == ('pod "a" deleted from default namespace\n'
                                                     'pod "b" deleted from default namespace\n')
    assert [p["metadata"]["name"] for p in api.list("pods", "default")["items"]] == ["c"]


def test_delete_all_of_a_type(api, kubectl):
    api.create(pod("a"))
    api.create(pod("b"))
    kubectl.run("delete pods --all")
    assert api.list("pods", "default")["items"] == []


def test_delete_with_a_selector_that_matches_nothing(kubectl):
    assert kubectl.run("delete pods -l app=nothing") == "No resources found\n"


def test_delete_from_a_file(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    assert kubectl.run("delete -f web.yaml") == 'deployment.apps "web" deleted from default namespace\n'


def test_delete_of_a_missing_object_is_not_found_unless_ignored(api, kubectl):
    output = unchanged(api, kubectl, "delete pod nothere")
    assert output == 'Error from server (NotFound): pods "nothere" not found\n'
    assert kubectl.run("delete pod nothere --ignore-not-found") == ""


def test_delete_without_resources_shows_kubectls_examples(api, kubectl):
    output = unchanged(api, kubectl, "delete")
    assert output == ("error: You must provide one or more resources by argument or filename.\n"
                      "Example resource specifications include:\n"
                      "   '-f rsrc.yaml'\n"
                      "   '--filename=rsrc.json'\n"
                      "   '<resource> <name>'\n"
                      "   '<resource>'\n")


def test_delete_of_a_type_without_names_is_refused(api, kubectl):
    api.create(pod("web"))
    output = unchanged(api, kubectl, "delete pods")
    assert output == "error: resource(s) were provided, but no name was specified\n"


def test_delete_of_a_type_and_a_slashed_name_together_is_refused(api, kubectl):
    output = unchanged(api, kubectl, "delete pod pod/web")
    assert output.startswith("error: there is no need to specify a resource type as a separate argument")


def test_delete_waits_for_a_graceful_deletion_to_finish(api, kubectl):
    api.create(pod("web", node="node-1"))

    def kubelet(event):  # a stand-in kubelet: stops the containers 3 s after the deletion starts
        if event.type == "MODIFIED" and event.object["metadata"].get("deletionTimestamp"):
            api.loop.call_later(3, lambda: api.delete("pods", "web", "default", grace_period_seconds=0))

    api.watch("pods", "default", callback=kubelet)
    start = api.loop.now
    assert kubectl.run("delete pod web") == 'pod "web" deleted from default namespace\n'
    assert api.loop.now == start + 3
    assert api.list("pods", "default")["items"] == []


def test_delete_without_wait_returns_while_the_pod_terminates(api, kubectl):
    api.create(pod("web", node="node-1"))
    kubectl.run("delete pod web --wait=false")
    assert api.get("pods", "web", "default")["metadata"]["deletionTimestamp"]


def test_delete_reports_a_timeout_it_was_given(api, kubectl):
    api.create(pod("web", node="node-1"))
    output = kubectl.run("delete pod web --timeout=5s")
    assert output.stderr == "error: timed out waiting for the condition on pods/web\n"


def test_force_delete_warns_and_removes_at_once(api, kubectl):
    api.create(pod("web", node="node-1"))
    output = kubectl.run("delete pod web --force --grace-period=0")
    assert output.stderr == ("Warning: Immediate deletion does not wait for confirmation that the running "
                             "resource has been terminated. The resource may continue to run on the cluster "
                             "indefinitely.\n")
    assert output.stdout == 'pod "web" force deleted from default namespace\n'
    assert api.list("pods", "default")["items"] == []


def test_delete_output_name(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("delete pod web -o name") == "pod/web\n"


def test_delete_refuses_an_unknown_cascade(api, kubectl):
    api.create(pod("web"))
    output = unchanged(api, kubectl, "delete pod web --cascade=sideways")
    assert output == ('error: invalid cascade value (sideways). Must be "background", "foreground", or '
                      '"orphan"\n')


def test_delete_with_orphan_cascade_asks_the_garbage_collector_to_orphan_the_dependents(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    assert kubectl.run("delete deployment web --cascade=orphan").exit_code == 0
    assert api.get("deployments", "web", "default")["metadata"]["finalizers"] == ["orphan"]


# =================================================================================================
# scale
# =================================================================================================


def test_scale_through_the_scale_subresource(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    assert kubectl.run("scale deployment/web --replicas=5") == "deployment.apps/web scaled\n"
    assert kubectl.run("scale deployment web --replicas=2") == "deployment.apps/web scaled\n"
    assert api.requests[-1].verb.startswith("patch")
    assert api.get("deployments", "web", "default")["spec"]["replicas"] == 2


def test_scale_with_a_current_replicas_precondition(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    output = unchanged(api, kubectl, "scale deployment web --current-replicas=2 --replicas=5")
    assert output == "error: Expected replicas to be 2, was 3\n"
    assert kubectl.run("scale deployment web --current-replicas=3 --replicas=5").exit_code == 0


def test_scale_needs_replicas(api, kubectl):
    assert unchanged(api, kubectl, "scale deployment web") == 'error: required flag(s) "replicas" not set\n'


def test_scale_of_a_missing_object(api, kubectl):
    output = unchanged(api, kubectl, "scale deployment nothere --replicas=2")
    assert output == 'Error from server (NotFound): deployments.apps "nothere" not found\n'


# =================================================================================================
# label, annotate
# =================================================================================================


def test_label_adds_a_label(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("label pod web tier=front") == "pod/web labeled\n"
    assert api.get("pods", "web", "default")["metadata"]["labels"] == {"app": "web", "tier": "front"}


def test_label_refuses_to_change_a_value_without_overwrite(api, kubectl):
    api.create(pod("web"))
    output = unchanged(api, kubectl, "label pod web app=db")
    assert output == "error: 'app' already has a value (web), and --overwrite is false\n"


def test_label_changes_a_value_with_overwrite(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("label pod web app=db --overwrite") == "pod/web labeled\n"
    assert api.get("pods", "web", "default")["metadata"]["labels"] == {"app": "db"}


def test_label_removes_a_label_with_a_trailing_dash(api, kubectl):
    api.create(pod("web", {"app": "web", "tier": "front"}))
    assert kubectl.run("label pod web tier-") == "pod/web unlabeled\n"
    assert api.get("pods", "web", "default")["metadata"]["labels"] == {"app": "web"}


def test_label_says_when_a_label_to_remove_is_not_there(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("label pod web tier-") == 'label "tier" not found.\npod/web not labeled\n'


def test_label_with_the_same_value_changes_nothing(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("label pod web app=web") == "pod/web not labeled\n"


def test_label_refuses_an_invalid_value(api, kubectl):
    api.create(pod("web"))
    output = unchanged(api, kubectl, "label pod web tier=-bad-")
    assert output.startswith('error: invalid label value: "tier=-bad-": a valid label must be an empty '
                             "string")


def test_label_every_object_a_selector_finds(api, kubectl):
    api.create(pod("a"))
    api.create(pod("b"))
    assert kubectl.run("label pods -l app=web tier=front") == "pod/a labeled\npod/b labeled\n"


def test_label_needs_a_label(api, kubectl):
    api.create(pod("web"))
    assert unchanged(api, kubectl, "label pod web") == "error: at least one label update is required\n"


def test_annotate_adds_and_removes_annotations(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("annotate pod web note=hello") == "pod/web annotated\n"
    assert api.get("pods", "web", "default")["metadata"]["annotations"] == {"note": "hello"}
    assert kubectl.run("annotate pod web note-") == "pod/web annotated\n"
    assert not api.get("pods", "web", "default")["metadata"].get("annotations")


def test_annotate_refuses_to_change_a_value_without_overwrite(api, kubectl):
    api.create(pod("web"))
    kubectl.run("annotate pod web note=hello")
    output = unchanged(api, kubectl, "annotate pod web note=bye")
    assert output == ("error: --overwrite is false but found the following declared annotation(s): 'note' "
                      "already has a value (hello)\n")
    assert kubectl.run("annotate pod web note=bye --overwrite") == "pod/web annotated\n"


# =================================================================================================
# patch
# =================================================================================================


def test_patch_with_a_strategic_merge_patch_merges_containers_by_name(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    patch = '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}}}'
    assert kubectl.run(f"patch deployment web -p '{patch}'") == "deployment.apps/web patched\n"
    container = api.get("deployments", "web", "default")["spec"]["template"]["spec"]["containers"][0]
    assert (container["image"], container["ports"][0]["containerPort"]) == ("nginx:1.28", 80)


def test_patch_that_changes_nothing_says_so(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("patch pod web -p '{\"metadata\":{\"labels\":{\"app\":\"web\"}}}'") == (
        "pod/web patched (no change)\n")


def test_patch_with_a_merge_patch_written_in_yaml(api, kubectl):
    kubectl.run("create configmap c --from-literal=a=1")
    assert kubectl.run("patch configmap c --type merge -p 'data: {b: \"2\"}'") == "configmap/c patched\n"
    assert api.get("configmaps", "c", "default")["data"] == {"a": "1", "b": "2"}


def test_patch_with_a_json_patch(api, kubectl):
    kubectl.run("create configmap c --from-literal=a=1")
    patch = '[{"op":"replace","path":"/data/a","value":"9"}]'
    assert kubectl.run(f"patch cm c --type json -p '{patch}'") == "configmap/c patched\n"
    assert api.get("configmaps", "c", "default")["data"] == {"a": "9"}


def test_patch_refuses_an_unknown_type(api, kubectl):
    output = unchanged(api, kubectl, "patch cm c --type xml -p '{}'")
    assert output == 'error: --type must be one of [json merge strategic], not "xml"\n'


def test_patch_needs_a_patch(api, kubectl):
    output = unchanged(api, kubectl, "patch cm c")
    assert output == "error: must specify --patch or --patch-file containing the contents of the patch\n"


# =================================================================================================
# set image
# =================================================================================================


def test_set_image_changes_the_pod_templates_image(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    assert kubectl.run("set image deployment/web nginx=nginx:1.28") == "deployment.apps/web image updated\n"
    container = api.get("deployments", "web", "default")["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "nginx:1.28"
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]


def test_set_image_to_the_same_image_prints_nothing(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    output = kubectl.run("set image deployment/web nginx=nginx:1.27")
    assert (output, output.exit_code) == ("", 0)


def test_set_image_of_a_container_the_template_does_not_have(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    output = unchanged(api, kubectl, "set image deployment/web sidecar=busybox")
    assert output == 'error: unable to find container named "sidecar"\n'


def test_set_image_with_a_star_sets_every_container(api, kubectl):
    api.create(pod("web", containers=("a", "b")))
    kubectl.run("set image pod/web '*=busybox'")
    containers = api.get("pods", "web", "default")["spec"]["containers"]
    assert [c["image"] for c in containers] == ["busybox", "busybox"]


# =================================================================================================
# logs
# =================================================================================================


def test_logs_come_from_the_log_provider_when_there_is_one(api, kubectl):
    api.create(pod("web", node="node-1"))
    calls = []

    def logs(namespace, name, container, previous):
        calls.append((namespace, name, container, previous))
        return "one\ntwo\nthree\n"

    api.logs = logs
    assert kubectl.run("logs web") == "one\ntwo\nthree\n"
    assert kubectl.run("logs web --tail=2") == "two\nthree\n"
    assert kubectl.run("logs web -p").exit_code == 0
    assert calls[-1] == ("default", "web", "web", True)


def test_logs_with_a_selector_print_the_last_ten_lines_of_each_pod(api, kubectl):
    api.create(pod("a", node="node-1"))
    api.create(pod("b", node="node-1"))
    api.logs = lambda namespace, name, container, previous: "".join(f"{name}{i}\n" for i in range(12))
    output = kubectl.run("logs -l app=web")
    assert output.splitlines() == [f"a{i}" for i in range(2, 12)] + [f"b{i}" for i in range(2, 12)]


def test_logs_of_a_pod_without_a_node_are_empty(api, kubectl):
    api.create(pod("web"))
    output = kubectl.run("logs web")
    assert output == ""
    assert output.exit_code == 0


def test_logs_of_a_container_not_started_yet(api, kubectl):
    api.create(pod("web", node="node-1"))
    output = kubectl.run("logs web")
    assert output == ('Error from server (BadRequest): container "web" in pod "web" is waiting to start: '
                      "ContainerCreating\n")


def test_logs_of_a_container_the_pod_does_not_have(api, kubectl):
    api.create(pod("web"))
    assert kubectl.run("logs web -c sidecar") == "error: container sidecar is not valid for pod web\n"


def test_logs_of_a_pod_with_several_containers_names_the_one_chosen(api, kubectl):
    api.create(pod("web", containers=("app", "sidecar")))
    assert kubectl.run("logs web").stderr == 'Defaulted container "app" out of: app, sidecar\n'


def test_logs_of_a_missing_pod(api, kubectl):
    assert kubectl.run("logs nothere") == 'Error from server (NotFound): pods "nothere" not found\n'


# =================================================================================================
# rollout
# =================================================================================================


@pytest.fixture
def history(api, kubectl, files):
    """A Deployment with two hand-made ReplicaSets: revision 1 (nginx:1.26) and 2 (nginx:1.27, current)."""
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    deployment = api.get("deployments", "web", "default")
    for revision, image in ((1, "nginx:1.26"), (2, "nginx:1.27")):
        template = copy.deepcopy(deployment["spec"]["template"])
        template["metadata"]["labels"]["pod-template-hash"] = f"hash{revision}"
        template["spec"]["containers"][0]["image"] = image
        annotations = {"deployment.kubernetes.io/revision": str(revision)}
        if revision == 2:
            annotations["kubernetes.io/change-cause"] = "kubectl set image deployment/web nginx=nginx:1.27"
        api.create({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"web-hash{revision}", "annotations": annotations,
                         "labels": {"app": "web", "pod-template-hash": f"hash{revision}"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                              "uid": deployment["metadata"]["uid"], "controller": True}]},
            "spec": {"replicas": 0, "selector": {"matchLabels": template["metadata"]["labels"]},
                     "template": template},
        })
    return deployment


def image_of(api) -> str:
    return api.get("deployments", "web", "default")["spec"]["template"]["spec"]["containers"][0]["image"]


def test_rollout_history_lists_the_revisions_and_their_change_causes(kubectl, history):
    assert kubectl.run("rollout history deployment/web") == (
        "deployment.apps/web \n"
        "REVISION  CHANGE-CAUSE\n"
        "1         <none>\n"
        "2         kubectl set image deployment/web nginx=nginx:1.27\n\n")


def test_rollout_history_of_one_revision_shows_its_pod_template(kubectl, history):
    output = kubectl.run("rollout history deployment web --revision=1")
    assert output.startswith("deployment.apps/web with revision #1\nPod Template:\n")
    assert "nginx:1.26" in output


def test_rollout_history_of_a_revision_that_does_not_exist(api, kubectl, history):
    output = unchanged(api, kubectl, "rollout history deployment/web --revision=7")
    assert output == "error: unable to find the specified revision\n"


def test_rollout_undo_goes_back_to_the_previous_revision_without_the_hash_label(api, kubectl, history):
    kubectl.run("patch deployment web -p '{\"spec\":{\"template\":{\"spec\":{\"containers\":"
                "[{\"name\":\"nginx\",\"image\":\"nginx:1.27\"}]}}}}'")
    assert kubectl.run("rollout undo deployment/web") == "deployment.apps/web rolled back\n"
    deployment = api.get("deployments", "web", "default")
    assert image_of(api) == "nginx:1.26"
    assert deployment["spec"]["template"]["metadata"]["labels"] == {"app": "web"}
    assert LAST_APPLIED in deployment["metadata"]["annotations"]


def test_rollout_undo_to_a_chosen_revision(api, kubectl, history):
    kubectl.run("rollout undo deployment/web --to-revision=1")
    assert image_of(api) == "nginx:1.26"
    assert kubectl.run("rollout undo deployment/web --to-revision=2") == "deployment.apps/web rolled back\n"
    assert image_of(api) == "nginx:1.27"


def test_rollout_undo_to_the_current_template_is_skipped(api, kubectl, history):
    before = api.store.revision
    assert kubectl.run("rollout undo deployment/web --to-revision=2") == (
        "deployment.apps/web skipped rollback (current template already matches revision 2)\n")
    assert api.store.revision == before


def test_rollout_undo_to_a_missing_revision(api, kubectl, history):
    output = unchanged(api, kubectl, "rollout undo deployment/web --to-revision=9")
    assert output == "error: unable to find specified revision 9 in history\n"


def test_rollout_undo_of_a_paused_deployment_is_refused(api, kubectl, history):
    kubectl.run("rollout pause deployment/web")
    output = unchanged(api, kubectl, "rollout undo deployment/web --to-revision=1")
    assert output == ("error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout "
                      "resume' and try again\n")


def test_rollout_restart_stamps_the_pod_template_with_the_virtual_time(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    api.loop.run(seconds=90)
    assert kubectl.run("rollout restart deployment/web") == "deployment.apps/web restarted\n"
    annotations = api.get("deployments", "web", "default")["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"kubectl.kubernetes.io/restartedAt": "2024-01-01T00:01:30Z"}


def test_rollout_restart_twice_in_one_second_is_refused(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    kubectl.run("rollout restart deployment/web")
    output = unchanged(api, kubectl, "rollout restart deployment/web")
    assert output == ("error: failed to create patch for web: if restart has already been triggered within "
                      "the past second, please wait before attempting to trigger another\n")


def test_rollout_pause_and_resume(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    assert kubectl.run("rollout pause deployment/web") == "deployment.apps/web paused\n"
    assert api.get("deployments", "web", "default")["spec"]["paused"] is True
    assert unchanged(api, kubectl, "rollout pause deployment/web") == (
        'error: deployments.apps "web" is already paused\n')
    assert kubectl.run("rollout resume deployment/web") == "deployment.apps/web resumed\n"
    assert not api.get("deployments", "web", "default")["spec"].get("paused")
    assert unchanged(api, kubectl, "rollout resume deployment/web") == (
        'error: deployments.apps "web" is not paused\n')


def set_status(api, generation_seen: bool = True, **status) -> None:
    deployment = api.get("deployments", "web", "default")
    if generation_seen:
        status.setdefault("observedGeneration", deployment["metadata"]["generation"])
    deployment["status"] = status
    api.update_status(deployment)


def test_rollout_status_of_a_finished_rollout(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    set_status(api, replicas=3, updatedReplicas=3, availableReplicas=3, readyReplicas=3)
    assert kubectl.run("rollout status deployment/web") == 'deployment "web" successfully rolled out\n'


def test_rollout_status_without_watch_prints_where_the_rollout_is(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    set_status(api, replicas=3, updatedReplicas=3, readyReplicas=1, availableReplicas=1)
    assert kubectl.run("rollout status deployment/web --watch=false") == (
        'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...\n')


def test_rollout_status_watches_in_virtual_time_until_the_rollout_is_done(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    set_status(api, replicas=3, updatedReplicas=1)
    api.loop.call_later(4, lambda: set_status(api, replicas=4, updatedReplicas=3))
    api.loop.call_later(9, lambda: set_status(api, replicas=3, updatedReplicas=3, readyReplicas=3,
                                              availableReplicas=3))
    output = kubectl.run("rollout status deployment/web")
    assert output == (
        'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...\n'
        'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...\n'
        'deployment "web" successfully rolled out\n')
    assert api.loop.now == 9


def test_rollout_status_gives_up_at_its_timeout(api, kubectl, files):
    kubectl.run(f"apply -f {files('web.yaml', WEB)}")
    output = kubectl.run("rollout status deployment/web --timeout=10s")
    assert output == ("Waiting for deployment spec update to be observed...\n"
                      "error: timed out waiting for the condition\n")
    assert api.loop.now == 10


def test_rollout_status_of_a_pod_has_no_status_viewer(api, kubectl):
    api.create(pod("web"))
    assert unchanged(api, kubectl, "rollout status pod/web") == (
        "error: no status viewer has been implemented for Pod\n")


# =================================================================================================
# explain, api-resources, version, config, cluster-info
# =================================================================================================


def test_explain_delegates_to_the_schema(kubectl):
    output = kubectl.run("explain pods.spec.containers.image")
    assert output.startswith("KIND:       Pod\nVERSION:    v1\n\nFIELD: image <string>")


def test_explain_of_unknown_things(api, kubectl):
    assert unchanged(api, kubectl, "explain frobs") == (
        'error: the server doesn\'t have a resource type "frobs"\n')
    assert unchanged(api, kubectl, "explain pods.spec.nope") == 'error: field "nope" does not exist\n'


def test_api_resources_lists_the_kinds_sorted_by_group_then_name(kubectl):
    lines = kubectl.run("api-resources").splitlines()
    assert lines[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    assert lines[1].split() == ["configmaps", "cm", "v1", "true", "ConfigMap"]
    assert lines.index(next(line for line in lines if line.startswith("deployments"))) > lines.index(
        next(line for line in lines if line.startswith("services")))


def test_api_resources_filtered_to_cluster_wide_kinds(kubectl):
    assert kubectl.run("api-resources --namespaced=false -o name") == (
        "namespaces\nnodes\npriorityclasses.scheduling.k8s.io\n")


def test_version_says_it_is_k8slab(kubectl):
    output = kubectl.run("version")
    assert output.startswith("Client Version: v1.35.0-k8slab.")
    assert "Server Version:" in output


def test_config_set_context_changes_the_default_namespace(api, kubectl):
    kubectl.run("create namespace dev")
    assert kubectl.run("config set-context --current --namespace=dev") == (
        'Context "kubernetes-admin@k8slab" modified.\n')
    assert kubectl.run("create configmap c") == "configmap/c created\n"
    assert api.get("configmaps", "c", "dev")["metadata"]["namespace"] == "dev"
    assert "namespace: dev" in kubectl.run("config view")


def test_cluster_info_names_the_control_plane(kubectl):
    assert kubectl.run("cluster-info").startswith("Kubernetes control plane is running at ")


# =================================================================================================
# Bad input never changes the cluster
# =================================================================================================


@pytest.mark.parametrize("command", [
    "get pods --output",
    "delete pod",
    "delete pods --all -l app=web",
    "scale deployment web --replicas=-2",
    "label pod web a=b=c",
    "annotate pod web =x",
    "patch pod web -p '{bad json'",
    "create deployment web --image=nginx --replicas=x",
    "rollout undo deployment/web --to-revision=-1",
    "apply -f - --dry-run=maybe",
    "logs",
    "explain",
    "api-resources --sort-by=colour",
])
def test_bad_commands_change_nothing_and_exit_1(api, kubectl, command):
    api.create(pod("web"))
    output = unchanged(api, kubectl, command, stdin=configmap("c"))
    assert output.stderr
    assert "Traceback" not in output


def test_apply_server_dry_run_of_a_change_reaches_the_server_but_writes_nothing(api, kubectl):
    manifest = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n"
    )
    kubectl.run("apply -f -", stdin=manifest)
    revision = api.store.revision
    requests = len(api.requests)
    output = kubectl.run("apply -f - --dry-run=server", stdin=manifest.replace("fast", "slow"))
    assert output.strip() == "configmap/settings configured (server dry run)"
    assert api.store.revision == revision
    assert any(r.verb == "patch" for r in api.requests[requests:])
    assert api.get("configmaps", "settings")["data"]["mode"] == "fast"
