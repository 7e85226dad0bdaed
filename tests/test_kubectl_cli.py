"""`python -m k8slab.kubectl`: kubectl in a terminal, against a cluster saved in a state file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-stdin\ndata:\n  a: '1'\n"


@pytest.fixture
def kubectl(tmp_path):
    """Run the command line in tmp_path with its own state file."""
    state = tmp_path / "lab.json"

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "k8slab.kubectl", "--state", str(state), *args],
                              input=stdin, capture_output=True, text=True, cwd=tmp_path, timeout=120)

    run.state = state
    return run


def test_a_command_prints_kubectls_output_and_exits_with_its_code(kubectl):
    done = kubectl("get", "namespaces", "-o", "name")
    assert done.returncode == 0
    assert done.stdout == ("namespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\n"
                           "namespace/kube-system\n")
    assert done.stderr == ""


def test_an_error_goes_to_stderr_with_exit_code_1(kubectl):
    done = kubectl("get", "pods", "nothere")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == 'Error from server (NotFound): pods "nothere" not found\n'


def test_the_cluster_is_saved_between_commands(kubectl):
    assert kubectl("create", "configmap", "c", "--from-literal=a=1").stdout == "configmap/c created\n"
    assert kubectl("get", "configmap", "c", "-o", "jsonpath={.data.a}").stdout == "1"


def test_objects_keep_their_uids_across_commands(kubectl):
    kubectl("create", "namespace", "dev")
    first = kubectl("get", "ns", "dev", "-o", "jsonpath={.metadata.uid}").stdout
    second = kubectl("get", "ns", "dev", "-o", "jsonpath={.metadata.uid}").stdout
    assert first and first == second


def test_new_objects_never_reuse_a_uid(kubectl):
    kubectl("create", "namespace", "a")
    kubectl("create", "namespace", "b")
    uids = kubectl("get", "ns", "-o", "jsonpath={.items[*].metadata.uid}").stdout.split()
    assert len(uids) == len(set(uids)) == 6


def test_the_state_file_is_readable_json(kubectl):
    kubectl("create", "configmap", "c")
    document = json.loads(kubectl.state.read_text())
    assert {"k8slab", "seed", "time", "random", "objects"} <= set(document)
    assert any(obj["kind"] == "ConfigMap" and obj["metadata"]["name"] == "c" for obj in document["objects"])


def test_apply_reads_standard_input(kubectl):
    done = kubectl("apply", "-f", "-", stdin=CONFIGMAP)
    assert done.stdout == "configmap/from-stdin created\n"
    assert kubectl("apply", "-f", "-", stdin=CONFIGMAP).stdout == "configmap/from-stdin unchanged\n"


def test_apply_reads_files_relative_to_the_working_folder(kubectl, tmp_path):
    (tmp_path / "cm.yaml").write_text(CONFIGMAP)
    assert kubectl("apply", "-f", "cm.yaml").stdout == "configmap/from-stdin created\n"


def test_waiting_commands_advance_the_saved_virtual_time(kubectl):
    kubectl("get", "pods", "-w", "--watch-seconds", "45")
    assert json.loads(kubectl.state.read_text())["time"] == 45.0


def test_a_deleted_bootstrap_object_stays_deleted(kubectl):
    kubectl("delete", "service", "kubernetes")
    assert kubectl("get", "services").stderr == "No resources found in default namespace.\n"


def test_a_bad_flag_is_refused_with_kubectls_words(kubectl):
    done = kubectl("get", "pods", "--bogus")
    assert done.returncode == 1
    assert done.stderr == "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n"


def test_an_unreadable_state_file_is_reported(kubectl):
    kubectl.state.write_text("{not json")
    done = kubectl("get", "pods")
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: cannot load the cluster from {kubectl.state}")
