"""kubectl describe: its labels, sections and spacing, checked against kubectl's documented output.

The expected texts follow the `kubectl describe` outputs on kubernetes.io
("Debug Running Pods", "Deployments", "Nodes"), rebuilt from hand-made objects
at known times. Times print in UTC, as RFC 1123 with a numeric zone.
"""

import copy
from datetime import UTC, datetime, timedelta

import pytest

from k8slab.kubectl.describe import (
    describe,
    describe_probe,
    event_age,
    qos_class,
    smart_label,
    toleration_string,
)

START = datetime(2024, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def stamp(seconds: float) -> str:
    return at(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


NOT_READY = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300}
UNREACHABLE = {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
               "tolerationSeconds": 300}


def nginx_pod() -> dict:
    """The pod of the "Debug Running Pods" page: one nginx container with limits, on kube-worker-1."""
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "nginx-deployment-67d4bdd6f5-w6kd7", "namespace": "default", "uid": "pod-uid",
            "creationTimestamp": stamp(0), "labels": {"app": "nginx", "pod-template-hash": "67d4bdd6f5"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "uid": "rs-uid",
                                 "name": "nginx-deployment-67d4bdd6f5", "controller": True}],
        },
        "spec": {
            "priority": 0, "serviceAccountName": "default", "nodeName": "kube-worker-1",
            "containers": [{
                "name": "nginx", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "resources": {"limits": {"cpu": "500m", "memory": "128Mi"},
                              "requests": {"cpu": "500m", "memory": "128Mi"}},
                "volumeMounts": [{"name": "kube-api-access-bgsgp", "readOnly": True,
                                  "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
            }],
            "volumes": [{"name": "kube-api-access-bgsgp", "projected": {"sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt"}},
                {"downwardAPI": {"items": [{"path": "namespace",
                                            "fieldRef": {"fieldPath": "metadata.namespace"}}]}},
            ]}}],
            "tolerations": [UNREACHABLE, NOT_READY],
        },
        "status": {
            "phase": "Running", "hostIP": "192.168.0.113", "podIP": "10.88.0.3",
            "podIPs": [{"ip": "10.88.0.3"}, {"ip": "2001:db8::1"}], "startTime": stamp(1),
            "conditions": [{"type": t, "status": "True"}
                           for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
            "containerStatuses": [{
                "name": "nginx", "ready": True, "restartCount": 0,
                "containerID": "containerd://5403af59a2b4",
                "imageID": "docker.io/library/nginx@sha256:2834dc50",
                "state": {"running": {"startedAt": stamp(5)}},
            }],
        },
    }


def event(reason, message, last, first=None, count=1, type="Normal", component="kubelet", kind="Pod",
          name="nginx-deployment-67d4bdd6f5-w6kd7", uid="pod-uid", field_path=None, namespace="default"):
    involved = {"kind": kind, "name": name, "namespace": namespace, "uid": uid}
    if field_path:
        involved["fieldPath"] = field_path
    return {
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": f"{name}.{reason}", "namespace": namespace},
        "involvedObject": involved, "reason": reason, "message": message, "type": type,
        "source": {"component": component}, "count": count,
        "firstTimestamp": stamp(last if first is None else first), "lastTimestamp": stamp(last),
    }


POD_EVENTS = [
    event("Scheduled", "Successfully assigned default/nginx-deployment-67d4bdd6f5-w6kd7 to kube-worker-1",
          1, component="default-scheduler"),
    event("Pulling", 'Pulling image "nginx"', 2, field_path="spec.containers{nginx}"),
    event("Pulled", 'Successfully pulled image "nginx" in 2.2s', 4, field_path="spec.containers{nginx}"),
    event("Created", "Created container nginx", 4, field_path="spec.containers{nginx}"),
    event("Started", "Started container nginx", 5, field_path="spec.containers{nginx}"),
]


# -- pods ------------------------------------------------------------------------------------------------


def test_describe_pod_matches_kubectls_layout():
    assert describe(nginx_pod(), POD_EVENTS, at(35)) == """\
Name:             nginx-deployment-67d4bdd6f5-w6kd7
Namespace:        default
Priority:         0
Service Account:  default
Node:             kube-worker-1/192.168.0.113
Start Time:       Mon, 01 Jan 2024 00:00:01 +0000
Labels:           app=nginx
                  pod-template-hash=67d4bdd6f5
Annotations:      <none>
Status:           Running
IP:               10.88.0.3
IPs:
  IP:           10.88.0.3
  IP:           2001:db8::1
Controlled By:  ReplicaSet/nginx-deployment-67d4bdd6f5
Containers:
  nginx:
    Container ID:   containerd://5403af59a2b4
    Image:          nginx
    Image ID:       docker.io/library/nginx@sha256:2834dc50
    Port:           80/TCP
    Host Port:      0/TCP
    State:          Running
      Started:      Mon, 01 Jan 2024 00:00:05 +0000
    Ready:          True
    Restart Count:  0
    Limits:
      cpu:     500m
      memory:  128Mi
    Requests:
      cpu:        500m
      memory:     128Mi
    Environment:  <none>
    Mounts:
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-bgsgp (ro)
Conditions:
  Type              Status
  Initialized       True·
  Ready             True·
  ContainersReady   True·
  PodScheduled      True·
Volumes:
  kube-api-access-bgsgp:
    Type:                    Projected (a volume that contains injected data from multiple sources)
    TokenExpirationSeconds:  3607
    ConfigMapName:           kube-root-ca.crt
    Optional:                false
    DownwardAPI:             true
QoS Class:                   Guaranteed
Node-Selectors:              <none>
Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
Events:
  Type    Reason     Age   From               Message
  ----    ------     ----  ----               -------
  Normal  Scheduled  34s   default-scheduler  Successfully assigned default/nginx-deployment-67d4bdd6f5-w6kd7 to kube-worker-1
  Normal  Pulling    33s   kubelet            spec.containers{nginx}: Pulling image "nginx"
  Normal  Pulled     31s   kubelet            spec.containers{nginx}: Successfully pulled image "nginx" in 2.2s
  Normal  Created    31s   kubelet            spec.containers{nginx}: Created container nginx
  Normal  Started    30s   kubelet            spec.containers{nginx}: Started container nginx
""".replace("·", " ")  # noqa: E501 (· marks the space kubectl leaves after a condition's status)


def test_no_events_print_events_none_aligned_with_the_lines_above():
    assert describe(nginx_pod(), [], at(35)).endswith(
        "Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n"
        "                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"
        "Events:                      <none>\n"
    )


def test_events_none_means_show_events_false_and_prints_no_events_section():
    assert "Events" not in describe(nginx_pod(), None, at(35))


def test_only_the_events_about_the_described_object_are_shown():
    other = event("Killing", "Stopping container web", 3, name="web-0", uid="other-uid")
    printed = describe(nginx_pod(), [other, POD_EVENTS[0]], at(35))
    assert "Killing" not in printed and "Scheduled" in printed


def test_events_are_listed_oldest_last_seen_first():
    printed = describe(nginx_pod(), [POD_EVENTS[4], POD_EVENTS[0]], at(35))
    assert printed.index("Normal  Scheduled") < printed.index("Normal  Started")


def test_a_repeated_event_shows_its_count_and_how_long_it_has_gone_on():
    backoff = event("BackOff", "Back-off restarting failed container", 290, first=170, count=7,
                    type="Warning")
    assert event_age(backoff, at(300)) == "10s (x7 over 2m10s)"


def test_a_pod_not_yet_scheduled_has_node_none_and_no_ips():
    pending = nginx_pod()
    del pending["spec"]["nodeName"]
    pending["status"] = {"phase": "Pending"}
    printed = describe(pending, [], at(1))
    assert "Node:             <none>\n" in printed
    assert "IP:               \nIPs:              <none>\n" in printed


def test_a_pod_within_its_grace_period_reads_terminating_lasts_invalid():
    deleting = nginx_pod()
    deleting["metadata"].update(deletionTimestamp=stamp(130), deletionGracePeriodSeconds=30)
    printed = describe(deleting, [], at(100))
    assert "Status:                    Terminating (lasts <invalid>)\n" in printed
    assert "Termination Grace Period:  30s\n" in printed


def test_a_crashing_container_shows_waiting_reason_and_last_state():
    crashing = nginx_pod()
    crashing["status"]["containerStatuses"][0].update(
        ready=False, restartCount=3,
        state={"waiting": {"reason": "CrashLoopBackOff"}},
        lastState={"terminated": {"exitCode": 1, "reason": "Error", "startedAt": stamp(40),
                                  "finishedAt": stamp(41)}},
    )
    printed = describe(crashing, [], at(60))
    assert (
        "    State:          Waiting\n"
        "      Reason:       CrashLoopBackOff\n"
        "    Last State:     Terminated\n"
        "      Reason:       Error\n"
        "      Exit Code:    1\n"
        "      Started:      Mon, 01 Jan 2024 00:00:40 +0000\n"
        "      Finished:     Mon, 01 Jan 2024 00:00:41 +0000\n"
        "    Ready:          False\n"
        "    Restart Count:  3\n"
    ) in printed


def test_environment_shows_values_field_references_and_secret_keys():
    pod = nginx_pod()
    pod["spec"]["containers"][0]["env"] = [
        {"name": "GREETING", "value": "hello"},
        {"name": "MY_POD_NAME",
         "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
        {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
    ]
    printed = describe(pod, [], at(60))
    assert (
        "    Environment:\n"
        "      GREETING:     hello\n"
        "      MY_POD_NAME:  nginx-deployment-67d4bdd6f5-w6kd7 (v1:metadata.name)\n"
        "      PASSWORD:     <set to the key 'password' in secret 'db'>  Optional: false\n"
    ) in printed


@pytest.mark.parametrize(("probe", "expected"), [
    ({"httpGet": {"path": "/healthz", "port": 8080}, "initialDelaySeconds": 3, "periodSeconds": 3},
     "http-get http://:8080/healthz delay=3s timeout=1s period=3s #success=1 #failure=3"),
    ({"exec": {"command": ["cat", "/tmp/healthy"]}, "initialDelaySeconds": 5, "periodSeconds": 5},
     "exec [cat /tmp/healthy] delay=5s timeout=1s period=5s #success=1 #failure=3"),
    ({"tcpSocket": {"port": 8080}, "initialDelaySeconds": 15, "periodSeconds": 10},
     "tcp-socket :8080 delay=15s timeout=1s period=10s #success=1 #failure=3"),
    ({"httpGet": {"path": "/ready", "port": "http", "scheme": "HTTPS"}, "failureThreshold": 1},
     "http-get https://:http/ready delay=0s timeout=1s period=10s #success=1 #failure=1"),
])
def test_probes_are_written_as_kubectl_writes_them(probe, expected):
    assert describe_probe(probe) == expected


def test_a_probe_line_aligns_with_the_resources_block_it_follows():
    pod = nginx_pod()
    pod["spec"]["containers"][0]["readinessProbe"] = {"tcpSocket": {"port": 80}}
    assert (
        "    Requests:\n"
        "      cpu:        500m\n"
        "      memory:     128Mi\n"
        "    Readiness:    tcp-socket :80 delay=0s timeout=1s period=10s #success=1 #failure=3\n"
        "    Environment:  <none>\n"
    ) in describe(pod, [], at(60))


@pytest.mark.parametrize(("toleration", "expected"), [
    (NOT_READY, "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s"),
    ({"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
     "dedicated=gpu:NoSchedule"),
    ({"operator": "Exists"}, "op=Exists"),
    ({"key": "example.com/special", "operator": "Exists"}, "example.com/special op=Exists"),
])
def test_tolerations_are_written_as_kubectl_writes_them(toleration, expected):
    assert toleration_string(toleration) == expected


@pytest.mark.parametrize(("resources", "expected"), [
    ({"limits": {"cpu": "500m", "memory": "128Mi"}}, "Guaranteed"),  # requests default to the limits
    ({"requests": {"cpu": "0.5", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "128Mi"}},
     "Guaranteed"),
    ({"requests": {"cpu": "250m"}, "limits": {"cpu": "500m", "memory": "128Mi"}}, "Burstable"),
    ({"requests": {"memory": "64Mi"}}, "Burstable"),
    ({}, "BestEffort"),
])
def test_qos_class_follows_requests_and_limits(resources, expected):
    pod = {"spec": {"containers": [{"name": "c", "resources": resources}]}, "status": {}}
    assert qos_class(pod) == expected


def test_qos_class_reported_in_status_wins():
    pod = {"spec": {"containers": [{"name": "c"}]}, "status": {"qosClass": "Burstable"}}
    assert qos_class(pod) == "Burstable"


def test_a_long_annotation_gets_lines_of_its_own():
    pod = nginx_pod()
    pod["metadata"]["annotations"] = {"note": "x" * 150, "team": "web"}
    printed = describe(pod, [], at(60))
    assert (
        "Annotations:      note:\n"
        f"                    {'x' * 138}...\n"
        "                  team: web\n"
    ) in printed


def test_last_applied_configuration_is_never_shown():
    pod = nginx_pod()
    pod["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": "{}"}
    assert "Annotations:      <none>\n" in describe(pod, [], at(60))


# -- deployments and replica sets ----------------------------------------------------------------------------


def nginx_deployment() -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "nginx-deployment", "namespace": "default", "uid": "deploy-uid",
                     "creationTimestamp": stamp(0), "labels": {"app": "nginx"},
                     "annotations": {"deployment.kubernetes.io/revision": "1"}},
        "spec": {
            "replicas": 3, "selector": {"matchLabels": {"app": "nginx"}}, "minReadySeconds": 0,
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
            "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [
                {"name": "nginx", "image": "nginx:1.14.2",
                 "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}},
        },
        "status": {"replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
                   "conditions": [
                       {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                       {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]},
    }


def replica_set_of(deployment: dict, hash: str, replicas: int, created: float, image=None) -> dict:
    template = copy.deepcopy(deployment["spec"]["template"])
    template["metadata"]["labels"]["pod-template-hash"] = hash
    if image:
        template["spec"]["containers"][0]["image"] = image
    return {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": f"nginx-deployment-{hash}", "namespace": "default", "uid": f"rs-{hash}",
                     "creationTimestamp": stamp(created),
                     "labels": {"app": "nginx", "pod-template-hash": hash},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "uid": "deploy-uid",
                                          "name": "nginx-deployment", "controller": True}]},
        "spec": {"replicas": replicas, "template": template,
                 "selector": {"matchLabels": {"app": "nginx", "pod-template-hash": hash}}},
        "status": {"replicas": replicas},
    }


def test_describe_deployment_matches_kubectls_layout():
    deployment = nginx_deployment()
    scaled = event("ScalingReplicaSet", "Scaled up replica set nginx-deployment-75675f5897 to 3", 0,
                   component="deployment-controller", kind="Deployment", name="nginx-deployment",
                   uid="deploy-uid")
    replica_set = replica_set_of(deployment, "75675f5897", 3, 0)
    printed = describe(deployment, [scaled], at(18), replica_sets=[replica_set])
    assert printed == """\
Name:                   nginx-deployment
Namespace:              default
CreationTimestamp:      Mon, 01 Jan 2024 00:00:00 +0000
Labels:                 app=nginx
Annotations:            deployment.kubernetes.io/revision: 1
Selector:               app=nginx
Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable
StrategyType:           RollingUpdate
MinReadySeconds:        0
RollingUpdateStrategy:  25% max unavailable, 25% max surge
Pod Template:
  Labels:  app=nginx
  Containers:
   nginx:
    Image:         nginx:1.14.2
    Port:          80/TCP
    Host Port:     0/TCP
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Conditions:
  Type           Status  Reason
  ----           ------  ------
  Available      True    MinimumReplicasAvailable
  Progressing    True    NewReplicaSetAvailable
OldReplicaSets:  <none>
NewReplicaSet:   nginx-deployment-75675f5897 (3/3 replicas created)
Events:
  Type    Reason             Age   From                   Message
  ----    ------             ----  ----                   -------
  Normal  ScalingReplicaSet  18s   deployment-controller  Scaled up replica set nginx-deployment-75675f5897 to 3
"""  # noqa: E501 (the Events table is as wide as kubectl prints it)


def test_a_rollout_shows_the_old_replica_sets_and_the_new_one():
    deployment = nginx_deployment()
    deployment["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.16.1"
    old = replica_set_of(deployment, "75675f5897", 0, 0, image="nginx:1.14.2")
    new = replica_set_of(deployment, "6b474476c4", 3, 60)
    printed = describe(deployment, [], at(120), replica_sets=[new, old])
    assert (
        "OldReplicaSets:  nginx-deployment-75675f5897 (0/0 replicas created)\n"
        "NewReplicaSet:   nginx-deployment-6b474476c4 (3/3 replicas created)\n"
    ) in printed


def test_replica_sets_of_other_owners_are_not_listed():
    deployment = nginx_deployment()
    stranger = replica_set_of(deployment, "75675f5897", 3, 0)
    stranger["metadata"]["ownerReferences"][0]["uid"] = "another-deployment"
    assert "NewReplicaSet:" not in describe(deployment, [], at(10), replica_sets=[stranger])


def test_describe_replica_set_counts_its_pods_by_phase():
    replica_set = replica_set_of(nginx_deployment(), "75675f5897", 3, 0)

    def owned_pod(phase):
        owned = nginx_pod()
        owned["metadata"]["ownerReferences"][0].update(uid="rs-75675f5897")
        owned["status"]["phase"] = phase
        return owned

    printed = describe(replica_set, [], at(30), pods=[owned_pod("Running"), owned_pod("Running"),
                                                       owned_pod("Pending"), nginx_pod()])
    assert printed.startswith("""\
Name:           nginx-deployment-75675f5897
Namespace:      default
Selector:       app=nginx,pod-template-hash=75675f5897
Labels:         app=nginx
                pod-template-hash=75675f5897
Annotations:    <none>
Controlled By:  Deployment/nginx-deployment
Replicas:       3 current / 3 desired
Pods Status:    2 Running / 1 Waiting / 0 Succeeded / 0 Failed
Pod Template:
  Labels:  app=nginx
           pod-template-hash=75675f5897
""")


# -- services ----------------------------------------------------------------------------------------------


def my_service() -> dict:
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "my-service", "namespace": "default", "uid": "svc-uid",
                     "creationTimestamp": stamp(0)},
        "spec": {"selector": {"app.kubernetes.io/name": "MyApp"}, "type": "ClusterIP",
                 "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"],
                 "clusterIP": "10.96.12.34", "clusterIPs": ["10.96.12.34"],
                 "ports": [{"protocol": "TCP", "port": 80, "targetPort": 9376}],
                 "sessionAffinity": "None", "internalTrafficPolicy": "Cluster"},
    }


def endpoint_slice(addresses, ready=True, service="my-service", port=9376):
    return {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": f"{service}-abc12", "namespace": "default",
                     "labels": {"kubernetes.io/service-name": service}},
        "addressType": "IPv4", "ports": [{"name": "", "port": port, "protocol": "TCP"}],
        "endpoints": [{"addresses": [address], "conditions": {"ready": ready}} for address in addresses],
    }


def test_describe_service_matches_kubectls_layout():
    slices = [endpoint_slice(["10.244.1.5", "10.244.2.6"])]
    printed = describe(my_service(), [], at(60), endpoint_slices=slices)
    assert printed == """\
Name:                     my-service
Namespace:                default
Labels:                   <none>
Annotations:              <none>
Selector:                 app.kubernetes.io/name=MyApp
Type:                     ClusterIP
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.96.12.34
IPs:                      10.96.12.34
Port:                     <unset>  80/TCP
TargetPort:               9376/TCP
Endpoints:                10.244.1.5:9376,10.244.2.6:9376
Session Affinity:         None
Internal Traffic Policy:  Cluster
Events:                   <none>
"""


def test_service_endpoints_show_three_ready_addresses_then_how_many_more():
    slices = [endpoint_slice([f"10.244.{i}.5" for i in range(1, 6)]),
              endpoint_slice(["10.244.9.9"], ready=False)]
    printed = describe(my_service(), [], at(60), endpoint_slices=slices)
    assert "Endpoints:                10.244.1.5:9376,10.244.2.5:9376,10.244.3.5:9376 + 2 more...\n" \
        in printed


def test_a_service_without_endpoint_slices_has_endpoints_none():
    assert "Endpoints:                <none>\n" in describe(my_service(), [], at(60), endpoint_slices=[])


def test_a_node_port_service_shows_its_node_port():
    service = my_service()
    service["spec"].update(type="NodePort", externalTrafficPolicy="Cluster")
    service["spec"]["ports"][0].update(name="http", nodePort=30080)
    printed = describe(service, [], at(60))
    assert "Port:                     http  80/TCP\nTargetPort:               9376/TCP\n" \
           "NodePort:                 http  30080/TCP\n" in printed


# -- nodes -------------------------------------------------------------------------------------------------


def kube_worker() -> dict:
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "kube-worker-1", "uid": "node-uid", "creationTimestamp": stamp(0),
                     "labels": {"kubernetes.io/hostname": "kube-worker-1", "kubernetes.io/os": "linux"}},
        "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"]},
        "status": {
            "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110", "ephemeral-storage": "100Gi"},
            "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110", "ephemeral-storage": "100Gi"},
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "kubelet is posting ready status", "lastHeartbeatTime": stamp(590),
                            "lastTransitionTime": stamp(10)}],
            "addresses": [{"type": "InternalIP", "address": "192.168.0.113"},
                          {"type": "Hostname", "address": "kube-worker-1"}],
            "nodeInfo": {"machineID": "m-1", "systemUUID": "s-1", "bootID": "b-1", "kernelVersion": "6.1.0",
                         "osImage": "Debian GNU/Linux 12 (bookworm)", "operatingSystem": "linux",
                         "architecture": "amd64", "containerRuntimeVersion": "containerd://1.7.18",
                         "kubeletVersion": "v1.31.0"},
        },
    }


def node_lease() -> dict:
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": "kube-worker-1", "namespace": "kube-node-lease"},
            "spec": {"holderIdentity": "kube-worker-1", "acquireTime": "2024-01-01T00:00:10.000000Z",
                     "renewTime": "2024-01-01T00:09:58.000000Z"}}


def test_describe_node_matches_kubectls_layout():
    pod = nginx_pod()
    pod["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "250m", "memory": "64Mi"},
                                                 "limits": {"cpu": "500m", "memory": "128Mi"}}
    finished = copy.deepcopy(pod)
    finished["metadata"]["name"] = "job-1"
    finished["status"]["phase"] = "Succeeded"
    printed = describe(kube_worker(), [], at(600), pods=[pod, finished], lease=node_lease())
    assert printed == """\
Name:               kube-worker-1
Roles:              <none>
Labels:             kubernetes.io/hostname=kube-worker-1
                    kubernetes.io/os=linux
Annotations:        <none>
CreationTimestamp:  Mon, 01 Jan 2024 00:00:00 +0000
Taints:             <none>
Unschedulable:      false
Lease:
  HolderIdentity:  kube-worker-1
  AcquireTime:     Mon, 01 Jan 2024 00:00:10 +0000
  RenewTime:       Mon, 01 Jan 2024 00:09:58 +0000
Conditions:
  Type    Status  LastHeartbeatTime                 LastTransitionTime                Reason         Message
  ----    ------  -----------------                 ------------------                ------         -------
  Ready   True    Mon, 01 Jan 2024 00:09:50 +0000   Mon, 01 Jan 2024 00:00:10 +0000   KubeletReady   kubelet is posting ready status
Addresses:
  InternalIP:  192.168.0.113
  Hostname:    kube-worker-1
Capacity:
  cpu:                4
  ephemeral-storage:  100Gi
  memory:             8Gi
  pods:               110
Allocatable:
  cpu:                4
  ephemeral-storage:  100Gi
  memory:             8Gi
  pods:               110
System Info:
  Machine ID:                 m-1
  System UUID:                s-1
  Boot ID:                    b-1
  Kernel Version:             6.1.0
  OS Image:                   Debian GNU/Linux 12 (bookworm)
  Operating System:           linux
  Architecture:               amd64
  Container Runtime Version:  containerd://1.7.18
  Kubelet Version:            v1.31.0
PodCIDR:                      10.244.1.0/24
PodCIDRs:                     10.244.1.0/24
Non-terminated Pods:          (1 in total)
  Namespace                   Name                                 CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
  ---------                   ----                                 ------------  ----------  ---------------  -------------  ---
  default                     nginx-deployment-67d4bdd6f5-w6kd7    250m (6%)     500m (12%)  64Mi (0%)        128Mi (1%)     10m
Allocated resources:
  (Total limits may be over 100 percent, i.e., overcommitted.)
  Resource           Requests   Limits
  --------           --------   ------
  cpu                250m (6%)  500m (12%)
  memory             64Mi (0%)  128Mi (1%)
  ephemeral-storage  0 (0%)     0 (0%)
Events:              <none>
"""  # noqa: E501 (node conditions and the pod table are as wide as kubectl prints them)


def test_a_control_plane_node_shows_its_role_and_taint():
    control_plane = kube_worker()
    control_plane["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] = ""
    control_plane["spec"]["taints"] = [
        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
    printed = describe(control_plane, [], at(600), pods=[], lease=node_lease())
    assert "Roles:              control-plane\n" in printed
    assert "Taints:             node-role.kubernetes.io/control-plane:NoSchedule\n" in printed


def test_a_node_without_a_lease_says_it_could_not_get_one():
    printed = describe(kube_worker(), [], at(600), pods=[])
    assert 'Lease:              Failed to get lease: leases.coordination.k8s.io "kube-worker-1" not found\n' \
        in printed


def test_node_events_from_the_kubelet_name_the_node_by_name_instead_of_uid():
    starting = event("Starting", "Starting kubelet.", 1, kind="Node", name="kube-worker-1",
                     uid="kube-worker-1", namespace="")
    assert "Starting kubelet." in describe(kube_worker(), [starting], at(600), pods=[], lease=node_lease())


# -- namespaces, config maps, secrets, and the rest ---------------------------------------------------------


def test_describe_namespace_prints_name_labels_annotations_and_status():
    namespace = {"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": "default", "labels": {"kubernetes.io/metadata.name": "default"}},
                 "status": {"phase": "Active"}}
    assert describe(namespace, [], at(60)) == """\
Name:         default
Labels:       kubernetes.io/metadata.name=default
Annotations:  <none>
Status:       Active
"""


def test_describe_configmap_prints_each_key_and_value():
    config_map = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "game-demo", "namespace": "default", "uid": "cm-uid"},
                  "data": {"player_initial_lives": "3", "game.properties": "enemy.types=aliens,monsters\n"}}
    assert describe(config_map, [], at(60)) == """\
Name:         game-demo
Namespace:    default
Labels:       <none>
Annotations:  <none>

Data
====
game.properties:
----
enemy.types=aliens,monsters


player_initial_lives:
----
3


BinaryData
====

Events:  <none>
"""


def test_describe_secret_shows_sizes_not_values():
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
              "metadata": {"name": "db-user-pass", "namespace": "default"},
              "data": {"password": "UyFCXCpkJHpEc2I9", "username": "YWRtaW4="}}
    assert describe(secret, [], at(60)) == """\
Name:         db-user-pass
Namespace:    default
Labels:       <none>
Annotations:  <none>

Type:  Opaque

Data
====
password:  12 bytes
username:  5 bytes
"""


def test_describe_endpointslice_lists_ports_and_endpoints():
    slice_ = endpoint_slice(["10.244.1.5"])
    slice_["endpoints"][0].update(nodeName="node-1", targetRef={"kind": "Pod", "name": "web-1"})
    assert describe(slice_, [], at(60)) == """\
Name:         my-service-abc12
Namespace:    default
Labels:       kubernetes.io/service-name=my-service
Annotations:  <none>
AddressType:  IPv4
Ports:
  Name     Port  Protocol
  ----     ----  --------
  <unset>  9376  TCP
Endpoints:
  - Addresses:  10.244.1.5
    Conditions:
      Ready:    true
    Hostname:   <unset>
    TargetRef:  Pod/web-1
    NodeName:   node-1
    Zone:       <unset>
Events:         <none>
"""


def test_describe_priorityclass_prints_value_and_policy():
    priority_class = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                      "metadata": {"name": "high-priority"}, "value": 1000000, "globalDefault": False,
                      "preemptionPolicy": "PreemptLowerPriority",
                      "description": "This priority class should be used for XYZ service pods only."}
    assert describe(priority_class, None, at(60)) == """\
Name:              high-priority
Value:             1000000
GlobalDefault:     false
PreemptionPolicy:  PreemptLowerPriority
Description:       This priority class should be used for XYZ service pods only.
Annotations:       <none>
"""


def test_other_kinds_are_described_field_by_field_with_labels_in_words():
    lease = node_lease()
    lease["metadata"].update(uid="lease-uid", resourceVersion="42", creationTimestamp=stamp(0))
    lease["spec"]["leaseDurationSeconds"] = 40
    assert describe(lease, [], at(600)) == """\
Name:         kube-worker-1
Namespace:    kube-node-lease
Labels:       <none>
Annotations:  <none>
API Version:  coordination.k8s.io/v1
Kind:         Lease
Metadata:
  Creation Timestamp:  2024-01-01T00:00:00Z
  Resource Version:    42
  UID:                 lease-uid
Spec:
  Acquire Time:            2024-01-01T00:00:10.000000Z
  Holder Identity:         kube-worker-1
  Lease Duration Seconds:  40
  Renew Time:              2024-01-01T00:09:58.000000Z
Events:                    <none>
"""


@pytest.mark.parametrize(("field", "label"), [
    ("holderIdentity", "Holder Identity"), ("apiVersion", "API Version"), ("uid", "UID"),
    ("podCIDRs", "Pod CIDRs"), ("leaseDurationSeconds", "Lease Duration Seconds"), ("kind", "Kind"),
    ("app.kubernetes.io/name", "app.kubernetes.io/name"),
])
def test_smart_labels_turn_field_names_into_words(field, label):
    assert smart_label(field) == label
