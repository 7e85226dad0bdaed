"""kubectl get's printers: its columns, ages and spacing, checked against kubectl's documented output.

Expected tables are the ones kubernetes.io shows for `kubectl get deployments`,
`kubectl get pods -o wide`, `kubectl get nodes` ..., rebuilt from hand-made
objects at known times. Ages come from apimachinery's HumanDuration table.
"""

from datetime import UTC, datetime, timedelta

import pytest

from k8slab.kubectl.printers import (
    PRINTERS,
    age,
    human_duration,
    name_lines,
    no_resources,
    pod_summary,
    resource_name,
    server_table,
    table,
    tables,
    tabwriter,
)

START = datetime(2024, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def stamp(seconds: float) -> str:
    return at(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


def container(name="web", ready=False, restarts=0, **state):
    """A container status: `container(waiting={"reason": "ErrImagePull"})`."""
    return {"name": name, "ready": ready, "restartCount": restarts, "state": state}


def pod(name="web", phase="Running", statuses=None, created=0, **extra):
    """A one-container pod, running and ready unless told otherwise."""
    if statuses is None:
        statuses = [{"name": "web", "ready": True, "restartCount": 0,
                     "state": {"running": {"startedAt": stamp(created + 2)}}}]
    obj = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "creationTimestamp": stamp(created),
                     "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
        "status": {"phase": phase, "containerStatuses": statuses},
    }
    for key, value in extra.items():
        section, field = key.split("__")
        obj[section][field] = value
    return obj


def status_of(obj) -> str:
    return pod_summary(obj).status


def lines(text: str) -> list[str]:
    return text.splitlines()


# -- ages: apimachinery's HumanDuration ---------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "expected"), [
    (1, "1s"), (70, "70s"), (190, "3m10s"), (70 * 60, "70m"), (47 * 3600, "47h"), (49 * 3600, "2d1h"),
    ((8 * 24 + 2) * 3600, "8d"), (367 * 24 * 3600, "367d"), ((365 * 2 * 24 + 25) * 3600, "2y1d"),
    ((365 * 8 * 24 + 2) * 3600, "8y"),
])
def test_human_duration_matches_apimachinery_examples(seconds, expected):
    assert human_duration(seconds) == expected


@pytest.mark.parametrize(("seconds", "expected"), [
    (-2, "<invalid>"), (-1.999999999, "0s"), (0, "0s"), (0.999, "0s"), (119.999, "119s"), (120, "2m"),
    (121, "2m1s"), (599.999, "9m59s"), (600, "10m"), (601, "10m"), (3 * 3600 - 0.001, "179m"),
    (3 * 3600, "3h"), (3 * 3600 + 60, "3h1m"), (8 * 3600 - 0.001, "7h59m"), (8 * 3600, "8h"),
    (8 * 3600 + 59 * 60, "8h"), (48 * 3600 - 0.001, "47h"), (48 * 3600, "2d"), (49 * 3600, "2d1h"),
    (8 * 86400 - 0.001, "7d23h"), (8 * 86400, "8d"), (8 * 86400 + 23 * 3600, "8d"),
    (2 * 365 * 86400 - 0.001, "729d"), (2 * 365 * 86400, "2y"), (2 * 365 * 86400 + 86400 - 0.001, "2y"),
    (2 * 365 * 86400 + 86400, "2y1d"), (8 * 365 * 86400 - 0.001, "7y364d"), (8 * 365 * 86400, "8y"),
    (9 * 365 * 86400, "9y"),
])
def test_human_duration_boundaries_match_apimachinery(seconds, expected):
    assert human_duration(seconds) == expected


def test_age_counts_from_creation_timestamp_to_now():
    assert age(pod(created=5), at(185)) == "3m"


def test_age_is_unknown_without_a_creation_timestamp():
    assert age({"metadata": {"name": "x"}}, at(10)) == "<unknown>"


# -- pods: READY, STATUS and RESTARTS worked out as printPod does ----------------------------------------


def test_get_pods_prints_name_ready_status_restarts_and_age():
    assert table([pod("nginx-1"), pod("nginx-2", created=3)], at(60)) == (
        "NAME      READY   STATUS    RESTARTS   AGE\n"
        "nginx-1   1/1     Running   0          60s\n"
        "nginx-2   1/1     Running   0          57s\n"
    )


def test_a_waiting_container_shows_its_reason_instead_of_the_phase():
    creating = pod(phase="Pending", statuses=[
        container("web", waiting={"reason": "ContainerCreating"})])
    assert lines(table([creating], at(3)))[1] == "web    0/1     ContainerCreating   0          3s"


@pytest.mark.parametrize("reason", ["ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff"])
def test_waiting_reasons_become_the_status(reason):
    waiting = pod(statuses=[container("web", waiting={"reason": reason})])
    assert status_of(waiting) == reason


def test_restarts_show_how_long_ago_the_last_container_restarted():
    crashing = pod(statuses=[{
        "name": "web", "ready": False, "restartCount": 4,
        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": stamp(270)}},
    }])
    assert lines(table([crashing], at(300)))[1] == "web    0/1     CrashLoopBackOff   4 (30s ago)   5m"


@pytest.mark.parametrize("reason", ["Completed", "Error", "OOMKilled"])
def test_a_terminated_container_shows_its_reason(reason):
    done = pod(phase="Succeeded" if reason == "Completed" else "Failed", statuses=[
        container("web", terminated={"exitCode": 0, "reason": reason})])
    assert status_of(done) == reason


def test_a_terminated_container_without_reason_shows_its_exit_code():
    failed = pod(phase="Failed", statuses=[
        container("web", terminated={"exitCode": 137})])
    assert status_of(failed) == "ExitCode:137"


def test_the_first_container_with_a_reason_wins():
    two = pod(statuses=[
        container("a", waiting={"reason": "ImagePullBackOff"}),
        container("b", waiting={"reason": "CrashLoopBackOff"}),
    ])
    assert status_of(two) == "ImagePullBackOff"


def test_a_completed_container_beside_a_running_one_reads_running_or_not_ready():
    statuses = [
        container("job", terminated={"exitCode": 0, "reason": "Completed"}),
        container("web", ready=True, running={}),
    ]
    ready = pod(statuses=statuses, status__conditions=[{"type": "Ready", "status": "True"}])
    not_ready = pod(statuses=statuses, status__conditions=[{"type": "Ready", "status": "False"}])
    assert (status_of(ready), status_of(not_ready)) == ("Running", "NotReady")


def test_a_pod_being_deleted_reads_terminating():
    deleting = pod(metadata__deletionTimestamp=stamp(40))
    assert status_of(deleting) == "Terminating"


def test_a_finished_pod_being_deleted_keeps_its_status():
    done = pod(phase="Succeeded", metadata__deletionTimestamp=stamp(40), statuses=[
        container("web", terminated={"exitCode": 0, "reason": "Completed"})])
    assert status_of(done) == "Completed"


def test_an_evicted_pod_shows_the_status_reason():
    evicted = pod(phase="Failed", statuses=[], status__reason="Evicted")
    assert status_of(evicted) == "Evicted"


def test_an_unscheduled_pod_reads_pending_and_zero_of_one_ready():
    pending = pod(phase="Pending", statuses=[])
    assert lines(table([pending], at(9)))[1] == "web    0/1     Pending   0          9s"


def test_init_containers_in_progress_read_init_done_of_total():
    initializing = pod(phase="Pending", statuses=[
        container("web", waiting={"reason": "PodInitializing"})],
        spec__initContainers=[{"name": "migrate"}, {"name": "warm"}],
        status__initContainerStatuses=[
            container("migrate", terminated={"exitCode": 0}),
            container("warm", running={}),
        ])
    assert status_of(initializing) == "Init:1/2"


def test_a_crashing_init_container_reads_init_and_its_reason():
    crashing = pod(phase="Pending", statuses=[],
                   spec__initContainers=[{"name": "migrate"}],
                   status__initContainerStatuses=[
                       container("migrate", restarts=3, waiting={"reason": "CrashLoopBackOff"})])
    assert (status_of(crashing), pod_summary(crashing).restarts) == ("Init:CrashLoopBackOff", 3)


def test_init_containers_done_and_app_container_starting_reads_pod_initializing():
    starting = pod(phase="Pending", statuses=[
        container("web", waiting={"reason": "PodInitializing"})],
        spec__initContainers=[{"name": "migrate"}],
        status__initContainerStatuses=[
            container("migrate", terminated={"exitCode": 0})])
    assert status_of(starting) == "PodInitializing"


def test_wide_pods_add_ip_node_nominated_node_and_readiness_gates():
    placed = pod("nginx-1", status__podIPs=[{"ip": "10.244.1.5"}], spec__nodeName="node-1")
    unplaced = pod("nginx-2", phase="Pending", statuses=[])
    assert table([placed, unplaced], at(60), wide=True) == (
        "NAME      READY   STATUS    RESTARTS   AGE   IP           NODE     "
        "NOMINATED NODE   READINESS GATES\n"
        "nginx-1   1/1     Running   0          60s   10.244.1.5   node-1   <none>           <none>\n"
        "nginx-2   0/1     Pending   0          60s   <none>       <none>   <none>           <none>\n"
    )


def test_readiness_gates_count_the_gates_whose_condition_is_true():
    gates = [{"conditionType": "example.com/lb"}, {"conditionType": "example.com/dns"}]
    gated = pod(spec__readinessGates=gates,
                status__conditions=[{"type": "example.com/lb", "status": "True"}])
    assert lines(table([gated], at(1), wide=True))[1].split()[-1] == "1/2"


# -- the other kinds -----------------------------------------------------------------------------------


def deployment(name="nginx-deployment", replicas=3, ready=3, updated=3, available=3, created=0):
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default", "creationTimestamp": stamp(created)},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "nginx"}},
                 "template": {"metadata": {"labels": {"app": "nginx"}},
                              "spec": {"containers": [{"name": "nginx", "image": "nginx:1.14.2"}]}}},
        "status": {"replicas": replicas, "readyReplicas": ready, "updatedReplicas": updated,
                   "availableReplicas": available},
    }


def test_get_deployments_prints_ready_up_to_date_and_available():
    assert table([deployment()], at(18)) == (
        "NAME               READY   UP-TO-DATE   AVAILABLE   AGE\n"
        "nginx-deployment   3/3     3            3           18s\n"
    )


def test_a_new_deployment_counts_zero_ready():
    fresh = deployment(ready=0, updated=0, available=0)
    del fresh["status"]["readyReplicas"]
    assert lines(table([fresh], at(1)))[1] == "nginx-deployment   0/3     0            0           1s"


def test_wide_deployments_add_containers_images_and_selector():
    assert table([deployment()], at(18), wide=True) == (
        "NAME               READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES         SELECTOR\n"
        "nginx-deployment   3/3     3            3           18s   nginx        nginx:1.14.2   app=nginx\n"
    )


def test_get_replicasets_prints_desired_current_and_ready():
    replica_set = deployment("nginx-deployment-75675f5897") | {"kind": "ReplicaSet"}
    assert table([replica_set], at(18)) == (
        "NAME                          DESIRED   CURRENT   READY   AGE\n"
        "nginx-deployment-75675f5897   3         3         3       18s\n"
    )


def service(name="my-service", type="ClusterIP", ports=({"port": 80, "protocol": "TCP"},), **spec):
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": "default", "creationTimestamp": stamp(0)},
        "spec": {"type": type, "clusterIP": "10.96.12.34", "clusterIPs": ["10.96.12.34"],
                 "ports": list(ports), "selector": {"app": "web"}, **spec},
    }


def test_get_services_prints_type_cluster_ip_external_ip_and_ports():
    kubernetes = service("kubernetes", ports=[{"port": 443, "protocol": "TCP"}])
    kubernetes["spec"]["clusterIPs"] = ["10.96.0.1"]
    assert table([kubernetes], at(300)) == (
        "NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
        "kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   5m\n"
    )


def test_a_node_port_service_shows_port_colon_node_port():
    node_port = service(type="NodePort", ports=[{"port": 80, "nodePort": 30080, "protocol": "TCP"}])
    assert lines(table([node_port], at(60)))[1] == \
        "my-service   NodePort   10.96.12.34   <none>        80:30080/TCP   60s"


def test_a_load_balancer_is_pending_until_it_gets_an_address():
    balancer = service(type="LoadBalancer", ports=[{"port": 80, "nodePort": 31000, "protocol": "TCP"}])
    pending = lines(table([balancer], at(60)))[1]
    balancer["status"] = {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}
    assigned = lines(table([balancer], at(60)))[1]
    assert "<pending>" in pending.split()
    assert "203.0.113.10" in assigned.split()


def test_wide_services_add_the_selector_and_several_ports_are_comma_separated():
    two = service(ports=[{"port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}])
    assert table([two], at(60), wide=True) == (
        "NAME         TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)         AGE   SELECTOR\n"
        "my-service   ClusterIP   10.96.12.34   <none>        80/TCP,53/UDP   60s   app=web\n"
    )


def node(name="node-1", ready="True", labels=None, unschedulable=False):
    obj = {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "creationTimestamp": stamp(0), "labels": labels or {}},
        "spec": {"unschedulable": True} if unschedulable else {},
        "status": {
            "conditions": [{"type": "Ready", "status": ready}] if ready else [],
            "addresses": [{"type": "InternalIP", "address": "172.18.0.2"},
                          {"type": "Hostname", "address": name}],
            "nodeInfo": {"kubeletVersion": "v1.31.0", "osImage": "Debian GNU/Linux 12 (bookworm)",
                         "kernelVersion": "6.1.0", "containerRuntimeVersion": "containerd://1.7.18"},
        },
    }
    return obj


def test_get_nodes_prints_status_roles_age_and_version():
    control_plane = node("control-plane", labels={"node-role.kubernetes.io/control-plane": ""})
    assert table([control_plane, node("node-1")], at(3 * 86400)) == (
        "NAME            STATUS   ROLES           AGE   VERSION\n"
        "control-plane   Ready    control-plane   3d    v1.31.0\n"
        "node-1          Ready    <none>          3d    v1.31.0\n"
    )


@pytest.mark.parametrize(("ready", "unschedulable", "expected"), [
    ("False", False, "NotReady"), ("Unknown", False, "NotReady"), (None, False, "Unknown"),
    ("True", True, "Ready,SchedulingDisabled"),
])
def test_node_status_follows_the_ready_condition_and_cordoning(ready, unschedulable, expected):
    printed = table([node(ready=ready, unschedulable=unschedulable)], at(60))
    assert lines(printed)[1].split()[1] == expected


def test_wide_nodes_add_addresses_and_system_info():
    assert table([node()], at(60), wide=True) == (
        "NAME     STATUS   ROLES    AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   "
        "OS-IMAGE                         KERNEL-VERSION   CONTAINER-RUNTIME\n"
        "node-1   Ready    <none>   60s   v1.31.0   172.18.0.2    <none>        "
        "Debian GNU/Linux 12 (bookworm)   6.1.0            containerd://1.7.18\n"
    )


def test_get_namespaces_prints_status_and_age():
    namespaces = [{"apiVersion": "v1", "kind": "Namespace", "status": {"phase": "Active"},
                   "metadata": {"name": name, "creationTimestamp": stamp(0)}}
                  for name in ("default", "kube-node-lease")]
    assert table(namespaces, at(600)) == (
        "NAME              STATUS   AGE\n"
        "default           Active   10m\n"
        "kube-node-lease   Active   10m\n"
    )


def test_get_configmaps_counts_data_and_binary_data_keys():
    config_map = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "game-demo", "namespace": "default", "creationTimestamp": stamp(0)},
                  "data": {"player_initial_lives": "3",
                           "ui_properties_file_name": "user-interface.properties"},
                  "binaryData": {"logo": "aGVsbG8="}}
    assert table([config_map], at(5)) == "NAME        DATA   AGE\ngame-demo   3      5s\n"


def test_get_secrets_prints_type_and_data_count():
    secret = {"apiVersion": "v1", "kind": "Secret",
              "metadata": {"name": "db-user-pass", "namespace": "default", "creationTimestamp": stamp(0)},
              "type": "Opaque", "data": {"password": "UyFCXCpkJHpEc2I9", "username": "YWRtaW4="}}
    assert table([secret], at(51)) == (
        "NAME           TYPE     DATA   AGE\n"
        "db-user-pass   Opaque   2      51s\n"
    )


def event(reason, message, last, first=None, count=1, type="Normal", kind="Pod", name="web", fieldPath=None):
    involved = {"kind": kind, "name": name, "namespace": "default"}
    if fieldPath:
        involved["fieldPath"] = fieldPath
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"{name}.{reason.lower()}", "namespace": "default",
                     "creationTimestamp": stamp(last)},
        "involvedObject": involved, "reason": reason, "message": message, "type": type,
        "source": {"component": "kubelet", "host": "node-1"},
        "firstTimestamp": stamp(last if first is None else first), "lastTimestamp": stamp(last),
        "count": count,
    }


def test_get_events_prints_last_seen_type_reason_object_and_message():
    events = [event("Scheduled", "Successfully assigned default/web to node-1", 1),
              event("BackOff", "Back-off restarting failed container", 100, first=40, count=5,
                    type="Warning")]
    assert table(events, at(120)) == (
        "LAST SEEN   TYPE      REASON      OBJECT    MESSAGE\n"
        "119s        Normal    Scheduled   pod/web   Successfully assigned default/web to node-1\n"
        "20s         Warning   BackOff     pod/web   Back-off restarting failed container\n"
    )


def test_events_in_all_namespaces_start_with_namespace():
    printed = table([event("Pulled", "Container image already present", 10)], at(20), all_namespaces=True)
    assert lines(printed)[0] == "NAMESPACE   LAST SEEN   TYPE     REASON   OBJECT    MESSAGE"


def test_wide_events_add_subobject_source_first_seen_count_and_name():
    printed = table([event("BackOff", "Back-off", 100, first=40, count=5, fieldPath="spec.containers{web}")],
                    at(120), wide=True)
    assert lines(printed) == [
        "LAST SEEN   TYPE     REASON    OBJECT    SUBOBJECT              SOURCE            "
        "MESSAGE    FIRST SEEN   COUNT   NAME",
        "20s         Normal   BackOff   pod/web   spec.containers{web}   kubelet, node-1   "
        "Back-off   80s          5       web.backoff",
    ]


def test_get_endpointslices_prints_address_type_ports_and_endpoints():
    endpoint_slice = {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "web-abc12", "namespace": "default", "creationTimestamp": stamp(0)},
        "addressType": "IPv4", "ports": [{"name": "", "port": 80, "protocol": "TCP"}],
        "endpoints": [{"addresses": [f"10.244.{i}.5"]} for i in range(1, 6)],
    }
    assert table([endpoint_slice], at(60)) == (
        "NAME        ADDRESSTYPE   PORTS   ENDPOINTS                                      AGE\n"
        "web-abc12   IPv4          80      10.244.1.5,10.244.2.5,10.244.3.5 + 2 more...   60s\n"
    )


def test_an_endpointslice_without_ports_or_endpoints_reads_unset():
    empty = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
             "metadata": {"name": "web-abc12", "namespace": "default", "creationTimestamp": stamp(0)},
             "addressType": "IPv4", "ports": None, "endpoints": []}
    assert lines(table([empty], at(1)))[1] == "web-abc12   IPv4          <unset>   <unset>     1s"


def test_get_leases_prints_the_holder():
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": "node-1", "namespace": "kube-node-lease", "creationTimestamp": stamp(0)},
             "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40}}
    assert table([lease], at(600)) == "NAME     HOLDER   AGE\nnode-1   node-1   10m\n"


def test_get_priorityclasses_shows_the_preemption_policy_without_wide():
    classes = [
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
         "metadata": {"name": "high-priority", "creationTimestamp": stamp(0)},
         "value": 1000000, "globalDefault": False, "preemptionPolicy": "PreemptLowerPriority"},
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
         "metadata": {"name": "system-node-critical", "creationTimestamp": stamp(0)},
         "value": 2000001000, "globalDefault": False, "preemptionPolicy": "PreemptLowerPriority"},
    ]
    assert table(classes, at(86400)) == (
        "NAME                   VALUE        GLOBAL-DEFAULT   AGE   PREEMPTIONPOLICY\n"
        "high-priority          1000000      false            24h   PreemptLowerPriority\n"
        "system-node-critical   2000001000   false            24h   PreemptLowerPriority\n"
    )


def test_a_kind_without_a_printer_prints_name_and_age():
    other = {"apiVersion": "v1", "kind": "ServiceAccount",
             "metadata": {"name": "default", "namespace": "default", "creationTimestamp": stamp(0)}}
    assert table([other], at(60)) == "NAME      AGE\ndefault   60s\n"


# -- kubectl's decorations: -A, --show-kind, --show-labels, -L, --no-headers ---------------------------------


def test_all_namespaces_adds_a_namespace_column_first():
    other = pod("coredns-7db6d8ff4d-2xj9k")
    other["metadata"]["namespace"] = "kube-system"
    assert table([pod("web"), other], at(60), all_namespaces=True) == (
        "NAMESPACE     NAME                       READY   STATUS    RESTARTS   AGE\n"
        "default       web                        1/1     Running   0          60s\n"
        "kube-system   coredns-7db6d8ff4d-2xj9k   1/1     Running   0          60s\n"
    )


def test_all_namespaces_adds_no_namespace_column_for_cluster_wide_kinds():
    header = lines(table([node()], at(60), all_namespaces=True))[0]
    assert header == "NAME     STATUS   ROLES    AGE   VERSION"


def test_show_kind_prefixes_core_names_with_the_kind():
    assert lines(table([pod("web")], at(60), show_kind=True))[1].split()[0] == "pod/web"


def test_show_kind_prefixes_other_groups_with_kind_dot_group():
    assert lines(table([deployment("web")], at(60), show_kind=True))[1].split()[0] == "deployment.apps/web"


def test_show_labels_adds_sorted_labels_or_none():
    labelled = pod("web")
    labelled["metadata"]["labels"] = {"tier": "front", "app": "web"}
    bare = pod("job")
    bare["metadata"]["labels"] = {}
    assert table([labelled, bare], at(60), show_labels=True) == (
        "NAME   READY   STATUS    RESTARTS   AGE   LABELS\n"
        "web    1/1     Running   0          60s   app=web,tier=front\n"
        "job    1/1     Running   0          60s   <none>\n"
    )


def test_label_columns_add_one_upper_cased_column_per_key():
    labelled = pod("web")
    labelled["metadata"]["labels"] = {"app.kubernetes.io/name": "web", "tier": "front"}
    assert table([labelled], at(60), label_columns=["app.kubernetes.io/name", "tier"]) == (
        "NAME   READY   STATUS    RESTARTS   AGE   NAME   TIER\n"
        "web    1/1     Running   0          60s   web    front\n"
    )


def test_a_missing_label_leaves_its_column_empty_and_pads_the_one_before():
    row = lines(table([pod("web")], at(60), label_columns=["tier"]))[1]
    assert row == "web    1/1     Running   0          60s   "


def test_no_headers_prints_only_the_rows():
    assert table([pod("web")], at(60), no_headers=True) == "web   1/1   Running   0     60s\n"


def test_no_objects_print_nothing():
    assert table([], at(60)) == ""


def test_several_kinds_print_as_separate_tables_with_kind_prefixed_names():
    kubernetes = service("kubernetes", ports=[{"port": 443, "protocol": "TCP"}])
    kubernetes["spec"]["clusterIPs"] = ["10.96.0.1"]
    assert tables([("Pod", [pod("web")]), ("Service", [kubernetes])], at(60)) == (
        "NAME      READY   STATUS    RESTARTS   AGE\n"
        "pod/web   1/1     Running   0          60s\n"
        "\n"
        "NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
        "service/kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   60s\n"
    )


def test_a_kind_with_no_objects_is_skipped_and_the_other_keeps_plain_names():
    assert tables([("Pod", []), ("Deployment", [deployment("web")])], at(60)) == (
        "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n"
        "web    3/3     3            3           60s\n"
    )


def test_table_of_mixed_kinds_splits_them_by_kind():
    assert table([pod("web"), deployment("web")], at(60)) == tables(
        [("Pod", [pod("web")]), ("Deployment", [deployment("web")])], at(60))


def test_several_tables_without_headers_have_no_blank_line_between():
    printed = tables([("Pod", [pod("web")]), ("Deployment", [deployment("web")])], at(60), no_headers=True)
    assert printed == "pod/web   1/1   Running   0     60s\ndeployment.apps/web   3/3   3     3     60s\n"


# -- -o name, and what kubectl says when there is nothing ------------------------------------------------


def test_name_lines_print_kind_slash_name_with_the_group_when_there_is_one():
    assert name_lines([pod("web"), deployment("web")]) == "pod/web\ndeployment.apps/web\n"


def test_resource_name_of_a_core_object_has_no_group():
    assert resource_name(service("web")) == "service/web"


def test_no_resources_names_the_namespace_for_namespaced_kinds():
    assert no_resources("default", all_namespaces=False) == "No resources found in default namespace.\n"


def test_no_resources_names_no_namespace_with_all_namespaces_or_cluster_wide_kinds():
    assert no_resources("default", all_namespaces=True) == no_resources("default", namespaced=False) == \
        "No resources found\n"


# -- the tabwriter and the Table the API server sends -----------------------------------------------------


def test_tabwriter_pads_cells_to_the_widest_plus_padding_but_not_the_last():
    assert tabwriter("a\tbb\tc\nccc\td\te\n", minwidth=0, padding=2) == "a    bb  c\nccc  d   e\n"


def test_tabwriter_keeps_a_minimum_column_width():
    assert tabwriter("IP\tX\n1\tY\n", minwidth=6, padding=3) == "IP    X\n1     Y\n"


def test_tabwriter_aligns_each_block_of_consecutive_tabbed_lines_on_its_own():
    text = "Name:\tweb\nContainers:\n  Image:\tnginx\n  Environment:\t<none>\n"
    assert tabwriter(text, minwidth=0, padding=2) == (
        "Name:  web\nContainers:\n  Image:        nginx\n  Environment:  <none>\n"
    )


def test_the_server_table_keeps_every_column_and_typed_cells():
    sent = server_table([deployment("web") | {"kind": "ReplicaSet"}], at(18))
    assert [c["name"] for c in sent["columnDefinitions"]] == [
        "Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"]
    assert [c["priority"] for c in sent["columnDefinitions"]] == [0, 0, 0, 0, 0, 1, 1, 1]
    assert sent["rows"][0]["cells"] == ["web", 3, 3, 3, "18s", "nginx", "nginx:1.14.2", "app=nginx"]


def test_every_printer_names_exactly_one_name_column():
    for kind, printer in PRINTERS.items():
        assert sum(column.format == "name" for column in printer.columns) == 1, kind
