"""The shapes of the kinds: unknown-field warnings and `kubectl explain` (k8slab.api.schema)."""

from __future__ import annotations

import copy

import pytest
import yaml

from k8slab.api.defaults import apply_defaults
from k8slab.api.errors import NotFound
from k8slab.api.kinds import KINDS, lookup
from k8slab.api.schema import KIND_SCHEMAS, FieldNotFound, explain, unknown_fields
from k8slab.api.validation import decode_errors, validate

# Manifests as published on kubernetes.io (docs/concepts and docs/tasks), unchanged.
KUBERNETES_IO_MANIFESTS = """
# controllers/nginx-deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
---
# controllers/frontend.yaml
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels:
    app: guestbook
    tier: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5
---
# pods/probe/exec-liveness.yaml
apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox:1.27.2
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
---
# pods/probe/http-liveness.yaml
apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-http
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args:
    - liveness
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
        httpHeaders:
        - name: Custom-Header
          value: Awesome
      initialDelaySeconds: 3
      periodSeconds: 3
---
# pods/probe/tcp-liveness-readiness.yaml
apiVersion: v1
kind: Pod
metadata:
  name: goproxy
  labels:
    app: goproxy
spec:
  containers:
  - name: goproxy
    image: registry.k8s.io/goproxy:0.1
    ports:
    - containerPort: 8080
    readinessProbe:
      tcpSocket:
        port: 8080
      initialDelaySeconds: 15
      periodSeconds: 10
    livenessProbe:
      tcpSocket:
        port: 8080
      initialDelaySeconds: 15
      periodSeconds: 10
---
# pods/resource/memory-request-limit.yaml
apiVersion: v1
kind: Pod
metadata:
  name: memory-demo
  namespace: mem-example
spec:
  containers:
  - name: memory-demo-ctr
    image: polinux/stress
    resources:
      requests:
        memory: "100Mi"
      limits:
        memory: "200Mi"
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"]
---
# pods/pod-nginx-required-affinity.yaml
apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - key: disktype
            operator: In
            values:
            - ssd
  containers:
  - name: nginx
    image: nginx
    imagePullPolicy: IfNotPresent
---
# pods/pod-with-toleration.yaml
apiVersion: v1
kind: Pod
metadata:
  name: nginx
  labels:
    env: test
spec:
  containers:
  - name: nginx
    image: nginx
    imagePullPolicy: IfNotPresent
  tolerations:
  - key: "example-key"
    operator: "Exists"
    effect: "NoSchedule"
---
# pods/security/security-context.yaml
apiVersion: v1
kind: Pod
metadata:
  name: security-context-demo
spec:
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    fsGroup: 2000
    supplementalGroups: [4000]
  volumes:
  - name: sec-ctx-vol
    emptyDir: {}
  containers:
  - name: sec-ctx-demo
    image: busybox:1.28
    command: [ "sh", "-c", "sleep 1h" ]
    volumeMounts:
    - name: sec-ctx-vol
      mountPath: /data/demo
    securityContext:
      allowPrivilegeEscalation: false
---
# pods/inject/dapi-volume.yaml
apiVersion: v1
kind: Pod
metadata:
  name: kubernetes-downwardapi-volume-example
  labels:
    zone: us-est-coast
    cluster: test-cluster1
    rack: rack-22
  annotations:
    build: two
    builder: john-doe
spec:
  containers:
    - name: client-container
      image: registry.k8s.io/busybox:1.27.2
      command: ["sh", "-c"]
      args:
      - while true; do
          if [[ -e /etc/podinfo/labels ]]; then
            echo -en '\\n\\n'; cat /etc/podinfo/labels; fi;
          if [[ -e /etc/podinfo/annotations ]]; then
            echo -en '\\n\\n'; cat /etc/podinfo/annotations; fi;
          sleep 5;
        done;
      volumeMounts:
        - name: podinfo
          mountPath: /etc/podinfo
  volumes:
    - name: podinfo
      downwardAPI:
        items:
          - path: "labels"
            fieldRef:
              fieldPath: metadata.labels
          - path: "annotations"
            fieldRef:
              fieldPath: metadata.annotations
---
# pods/pod-configmap-env-var-valueFrom.yaml
apiVersion: v1
kind: Pod
metadata:
  name: dapi-test-pod
spec:
  containers:
    - name: test-container
      image: registry.k8s.io/busybox
      command: [ "/bin/echo", "$(SPECIAL_LEVEL_KEY) $(SPECIAL_TYPE_KEY)" ]
      env:
        - name: SPECIAL_LEVEL_KEY
          valueFrom:
            configMapKeyRef:
              name: special-config
              key: SPECIAL_LEVEL
        - name: SPECIAL_TYPE_KEY
          valueFrom:
            configMapKeyRef:
              name: special-config
              key: SPECIAL_TYPE
  restartPolicy: Never
---
# service/simple-service.yaml
apiVersion: v1
kind: Service
metadata:
  name: my-service
spec:
  selector:
    app.kubernetes.io/name: MyApp
  ports:
    - protocol: TCP
      port: 80
      targetPort: 9376
---
# service/nodeport
apiVersion: v1
kind: Service
metadata:
  name: my-service
spec:
  type: NodePort
  selector:
    app.kubernetes.io/name: MyApp
  ports:
    - port: 80
      targetPort: 80
      nodePort: 30007
---
# configmap/configure-pod.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: game-demo
data:
  player_initial_lives: "3"
  ui_properties_file_name: "user-interface.properties"
  game.properties: |
    enemy.types=aliens,monsters
    player.maximum-lives=5
  user-interface.properties: |
    color.good=purple
    color.bad=yellow
    allow.textmode=true
---
# secret/basicauth-secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: secret-basic-auth
type: kubernetes.io/basic-auth
stringData:
  username: admin
  password: t0p-Secret
---
# priority-class
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high-priority
value: 1000000
globalDefault: false
description: "This priority class should be used for XYZ service pods only."
---
# admin/namespace-dev.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: development
  labels:
    name: development
"""


def real_manifests() -> list[dict]:
    return [doc for doc in yaml.safe_load_all(KUBERNETES_IO_MANIFESTS) if doc]


def pod_with(**container_fields) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web"},
        "spec": {"containers": [{"name": "web", "image": "nginx", **container_fields}]},
    }


# --- unknown fields --------------------------------------------------------------------------


def test_every_kind_has_a_shape():
    assert set(KIND_SCHEMAS) == {info.kind for info in KINDS}


@pytest.mark.parametrize("manifest", real_manifests(), ids=lambda m: f"{m['kind']}-{m['metadata']['name']}")
def test_real_manifest_from_kubernetes_io_has_no_unknown_fields(manifest):
    assert unknown_fields(lookup(manifest["kind"]), manifest) == []


@pytest.mark.parametrize("manifest", real_manifests(), ids=lambda m: f"{m['kind']}-{m['metadata']['name']}")
def test_real_manifest_from_kubernetes_io_decodes_and_validates(manifest):
    info = lookup(manifest["kind"])
    assert decode_errors(info, manifest) == []
    obj = copy.deepcopy(manifest)
    if info.namespaced:
        obj["metadata"].setdefault("namespace", "default")
    apply_defaults(info, obj)
    assert [str(cause) for cause in validate(info, obj).causes] == []


def test_defaulted_objects_have_no_unknown_fields():
    for manifest in real_manifests():
        info = lookup(manifest["kind"])
        apply_defaults(info, manifest)
        assert unknown_fields(info, manifest) == [], manifest["kind"]


def test_typo_in_a_container_field_is_reported_with_its_path():
    assert unknown_fields(lookup("Pod"), pod_with(imagee="nginx")) == [
        'unknown field "spec.containers[0].imagee"'
    ]


def test_field_names_are_case_sensitive():
    assert unknown_fields(lookup("Pod"), pod_with(livenessprobe={})) == [
        'unknown field "spec.containers[0].livenessprobe"'
    ]


def test_unknown_field_in_a_deployment_template_is_reported():
    deployment = real_manifests()[0]
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerport"] = 80
    assert unknown_fields(lookup("Deployment"), deployment) == [
        'unknown field "spec.template.spec.containers[0].ports[0].containerport"'
    ]


def test_unknown_top_level_field_is_reported():
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "spec": {"a": "b"}}
    assert unknown_fields(lookup("ConfigMap"), config_map) == ['unknown field "spec"']


def test_every_unknown_field_is_reported():
    pod = pod_with(imagee="nginx", port=80)
    pod["spec"]["restartPolicyy"] = "Never"
    pod["metadata"]["label"] = {"app": "web"}
    assert unknown_fields(lookup("Pod"), pod) == [
        'unknown field "metadata.label"',
        'unknown field "spec.containers[0].imagee"',
        'unknown field "spec.containers[0].port"',
        'unknown field "spec.restartPolicyy"',
    ]


def test_unknown_fields_are_never_dropped():
    pod = pod_with(imagee="nginx")
    before = copy.deepcopy(pod)
    unknown_fields(lookup("Pod"), pod)
    assert pod == before


def test_open_objects_accept_whatever_they_hold():
    pod = pod_with()
    pod["metadata"]["managedFields"] = [{"manager": "kubectl", "fieldsV1": {"f:spec": {"f:containers": {}}}}]
    pod["spec"]["volumes"] = [{"name": "disk", "gcePersistentDisk": {"pdName": "data", "anything": 1}}]
    assert unknown_fields(lookup("Pod"), pod) == []


def test_map_values_are_not_field_names():
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
        "data": {"whatever": "x"},
    }
    assert unknown_fields(lookup("ConfigMap"), config_map) == []


def test_status_fields_are_known():
    pod = pod_with()
    pod["status"] = {
        "phase": "Running",
        "podIP": "10.244.1.5",
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [
            {
                "name": "web",
                "ready": True,
                "restartCount": 0,
                "state": {"running": {"startedAt": "2024-01-01T00:00:00Z"}},
            }
        ],
    }
    assert unknown_fields(lookup("Pod"), pod) == []


# --- kubectl explain -------------------------------------------------------------------------


def test_explain_a_kind_lists_its_top_level_fields():
    text = explain("pods")
    assert text.startswith("KIND:       Pod\nVERSION:    v1\n\nDESCRIPTION:\n")
    assert "FIELDS:\n  apiVersion\t<string>\n" in text
    for line in ("  metadata\t<ObjectMeta>", "  spec\t<PodSpec>", "  status\t<PodStatus>"):
        assert line in text


def test_explain_shows_the_group_of_a_non_core_kind():
    assert explain("deploy").startswith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n")


def test_explain_a_field_shows_its_type_description_and_subfields():
    text = explain("pod.spec.containers")
    assert "FIELD: containers <[]Container>\n" in text
    assert (
        "DESCRIPTION:\n    The pod's containers; at least one.\n    One application container of a pod.\n"
        in text
    )
    assert "  name\t<string> -required-\n" in text
    assert "  livenessProbe\t<Probe>\n" in text


def test_explain_lists_fields_alphabetically():
    lines = [
        line for line in explain("pod.spec.containers").splitlines() if line.startswith("  ") and "\t" in line
    ]
    names = [line.split("\t")[0].strip() for line in lines]
    assert names == sorted(names)


def test_explain_a_leaf_field_shows_its_allowed_values():
    text = explain("pod.spec.restartPolicy")
    assert "FIELD: restartPolicy <string>\nENUM:\n    Always\n    Never\n    OnFailure\n" in text
    assert "FIELDS:" not in text


def test_explain_walks_through_a_deployment_template():
    text = explain("deployment.spec.template.spec.containers.livenessProbe.httpGet")
    assert "FIELD: httpGet <HTTPGetAction>" in text
    assert "  port\t<IntOrString> -required-" in text


def test_explain_covers_affinity_and_volumes():
    assert "  podAntiAffinity\t<PodAntiAffinity>" in explain("pod.spec.affinity")
    volume_fields = explain("pod.spec.volumes")
    for source in (
        "emptyDir",
        "configMap",
        "secret",
        "hostPath",
        "persistentVolumeClaim",
        "projected",
        "downwardAPI",
    ):
        assert f"  {source}\t<" in volume_fields


def test_explain_a_map_field():
    assert "FIELD: nodeSelector <map[string]string>" in explain("pod.spec.nodeSelector")


def test_explain_unknown_field_is_an_error_in_kubectl_words():
    with pytest.raises(FieldNotFound, match='^field "imagee" does not exist$'):
        explain("pod.spec.containers.imagee")


def test_explain_unknown_resource_is_an_error_in_kubectl_words():
    with pytest.raises(NotFound, match='the server doesn\'t have a resource type "widgets"'):
        explain("widgets")


def test_explain_recursive_shows_the_nested_field_tree():
    text = explain("svc.spec.ports", recursive=True)
    assert "FIELDS:\n  appProtocol\t<string>\n  name\t<string>\n" in text
    nested = explain("pod.spec.affinity", recursive=True)
    assert "    requiredDuringSchedulingIgnoredDuringExecution\t<NodeSelector>" in nested


@pytest.mark.parametrize("info", KINDS, ids=lambda info: info.kind)
def test_every_kind_can_be_explained(info):
    assert f"KIND:       {info.kind}" in explain(info.resource)
