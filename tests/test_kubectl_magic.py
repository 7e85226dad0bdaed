"""The %kubectl and %%kubectl magics in IPython (k8slab.kubectl.magic)."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell

from k8slab.api.server import APIServer
from k8slab.kubectl import magic


@pytest.fixture
def shell(monkeypatch):
    monkeypatch.setattr(magic, "_current", None)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "k8slab.kubectl")
    return shell


class FakeCluster:
    """Anything with an `.api` will do, as the lab's Cluster has."""

    def __init__(self):
        self.api = APIServer()


def test_load_ext_registers_the_line_cell_and_use_magics(shell):
    assert "kubectl" in shell.magics_manager.magics["line"]
    assert "kubectl" in shell.magics_manager.magics["cell"]
    assert "kubectl_use" in shell.magics_manager.magics["line"]


def test_the_line_magic_shows_kubectls_output_for_the_current_cluster(shell, capsys):
    magic.set_current(APIServer())
    shell.run_line_magic("kubectl", "get ns default -o name")
    assert capsys.readouterr().out == "namespace/default\n"


def test_the_cell_magic_feeds_the_cell_to_standard_input(shell, capsys):
    api = APIServer()
    magic.set_current(api)
    shell.run_cell_magic("kubectl", "apply -f -", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    assert capsys.readouterr().out == "configmap/c created\n"
    assert api.get("configmaps", "c", "default")["metadata"]["name"] == "c"


def test_the_last_output_is_kept_with_its_exit_code(shell):
    magic.set_current(APIServer())
    shell.run_line_magic("kubectl", "get pods nothere")
    assert shell.user_ns["_kubectl"].exit_code == 1
    assert shell.user_ns["_kubectl"].stderr == 'Error from server (NotFound): pods "nothere" not found\n'


def test_kubectl_use_chooses_the_cluster_in_a_variable(shell, capsys):
    magic.set_current(APIServer())
    other = FakeCluster()
    other.api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "elsewhere"}})
    shell.user_ns["other"] = other
    shell.run_line_magic("kubectl_use", "other")
    shell.run_line_magic("kubectl", "get ns elsewhere -o name")
    assert capsys.readouterr().out == "namespace/elsewhere\n"


def test_kubectl_use_needs_a_variable_name(shell):
    with pytest.raises(NameError):
        shell.run_line_magic("kubectl_use", "nothing_by_that_name")


def test_the_magic_before_any_cluster_says_how_to_get_one(shell, capsys):
    shell.run_line_magic("kubectl", "get pods")
    assert "error: no cluster yet" in capsys.readouterr().out


def test_set_current_keeps_the_same_kubectl_for_the_same_cluster(monkeypatch):
    monkeypatch.setattr(magic, "_current", None)
    cluster = FakeCluster()
    first = magic.set_current(cluster)
    first.run("config set-context --current --namespace=kube-system")
    assert magic.set_current(cluster) is first
    assert magic.current().namespace == "kube-system"
    assert magic.set_current(APIServer()) is not first


def test_a_notebook_cell_showing_the_output_looks_like_a_terminal(shell):
    magic.set_current(APIServer())
    shell.run_line_magic("kubectl", "get ns default -o name")
    formatted, _ = shell.display_formatter.format(shell.user_ns["_kubectl"])
    assert formatted["text/plain"] == "namespace/default"


def test_the_magic_reads_relative_files_from_the_clusters_workdir(shell, capsys, tmp_path):
    cluster = FakeCluster()
    cluster.workdir = tmp_path
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    magic.set_current(cluster)
    shell.run_line_magic("kubectl", "apply -f cm.yaml")
    assert capsys.readouterr().out == "configmap/c created\n"
