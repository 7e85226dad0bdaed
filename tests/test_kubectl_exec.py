"""`kubectl exec`: kube-apiserver forwards it to the pod's kubelet, which runs it in the container."""

import pytest

from k8slab import Cluster


@pytest.fixture
def cluster():
    cluster = Cluster(nodes=2, seed=0)
    cluster.apply({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "box"},
        "spec": {"containers": [{"name": "shell", "image": "busybox",
                                 "command": ["sh", "-c", "echo hi > /tmp/greeting; sleep 3600"]}]},
    })
    cluster.run(seconds=10)
    return cluster


def test_exec_prints_the_commands_output_and_exits_0(cluster):
    output = cluster.kubectl("exec box -- cat /tmp/greeting")
    assert (output.exit_code, output.stdout) == (0, "hi\n")


def test_a_failing_command_ends_kubectl_with_its_exit_code(cluster):
    output = cluster.kubectl("exec box -- sh -c 'exit 3'")
    assert output.exit_code == 3
    assert output.stderr == "command terminated with exit code 3\n"


def test_exec_without_a_dash_dash_command_is_a_usage_error(cluster):
    output = cluster.kubectl("exec box")
    assert output.exit_code == 1
    assert "you must specify at least one command for the container" in output.stderr


def test_exec_in_an_unknown_container_is_refused(cluster):
    output = cluster.kubectl("exec box -c nope -- true")
    assert output.exit_code == 1
    assert "container nope is not valid for pod box" in output.stderr


def test_exec_on_a_failed_node_cannot_reach_the_kubelet(cluster):
    cluster.fail_node(cluster.api.get("pods", "box")["spec"]["nodeName"])
    output = cluster.kubectl("exec box -- true")
    assert output.exit_code == 1
    assert "error dialing backend" in output.stderr and "no route to host" in output.stderr
