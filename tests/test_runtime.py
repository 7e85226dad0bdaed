"""The simulated container runtime: images, behaviours, scripts, limits, logs (notebook 05)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.kubelet import ImageRegistry, resource_hog, web_server
from k8slab.kubelet.runtime import MI, Runtime, Script, StartError, normalized, parse_duration, parse_image
from k8slab.sim import Loop
from tests.test_kubelet import Node


def runtime(registry: ImageRegistry | None = None) -> tuple[Loop, Runtime, list]:
    loop = Loop(seed=0, strict=True)
    exits: list = []
    return loop, Runtime(loop, registry or ImageRegistry(), "node-1", on_exit=exits.append), exits


def start(rt: Runtime, image: str = "nginx:1.25", ip: str = "10.244.1.2", **spec):
    return rt.start("default", "web", "uid-1", {"name": "app", "image": image, **spec}, ip)


# ----------------------------------------------------------------------------- image names


def test_image_references_are_expanded_as_containerd_does():
    assert parse_image("nginx") == ("docker.io/library/nginx", "nginx", "latest")
    assert parse_image("nginx:1.25") == ("docker.io/library/nginx", "nginx", "1.25")
    assert parse_image("bitnami/redis:7") == ("docker.io/bitnami/redis", "redis", "7")
    assert parse_image("registry.k8s.io/pause:3.9") == ("registry.k8s.io/pause", "pause", "3.9")
    assert parse_image("localhost:5000/app:v2") == ("localhost:5000/app", "app", "v2")


def test_node_image_names_match_the_schedulers_normalisation():
    assert normalized("nginx") == "nginx:latest"
    assert normalized("nginx:1.25") == "nginx:1.25"
    assert normalized("localhost:5000/app") == "localhost:5000/app:latest"


def test_unknown_images_are_web_servers_and_known_ones_keep_their_behaviour():
    registry = ImageRegistry()
    assert registry.lookup("example.com/team/api:3").name == "example.com/team/api"
    assert registry.lookup("busybox:1.36").default_command == ["sh"]
    assert registry.lookup("registry.k8s.io/busybox").name == "busybox"


def test_registry_refuses_a_bad_image_name():
    with pytest.raises(ValueError):
        ImageRegistry().register("has space")
    with pytest.raises(ValueError):
        ImageRegistry().register("ok", pull_seconds=-1)


def test_a_missing_image_fails_to_pull_and_is_not_cached():
    registry = ImageRegistry()
    registry.mark_missing("shop/api")
    loop, rt, _ = runtime(registry)
    results = []
    rt.pull("shop/api:v1", lambda error, took, waited: results.append(error))
    loop.run()
    assert "not found" in results[0]
    assert not rt.has_image("shop/api:v1")


def test_image_list_is_biggest_first():
    loop, rt, _ = runtime()
    for image in ("busybox:1.36", "nginx:1.25", "httpd:2.4"):
        rt.pull(image, lambda *args: None)
    loop.run()
    assert [entry["names"][1] for entry in rt.image_list()] == ["nginx:1.25", "httpd:2.4", "busybox:1.36"]


# ----------------------------------------------------------------------------- web servers


def test_web_server_answers_with_pod_name_and_version_on_its_ports():
    loop, rt, _ = runtime()
    container = start(rt, ports=[{"containerPort": 8080, "protocol": "TCP"}])
    assert rt.open_ports == {("10.244.1.2", 8080)}
    code, body, latency = rt.listener("10.244.1.2", 8080).handle_http("GET", "/", {})
    assert (code, body) == (200, "Hello from web (version 1.25)\n")
    assert latency > 0
    assert '"GET / HTTP/1.1" 200' in container.logs()


def test_web_server_without_declared_ports_listens_on_80():
    _, rt, _ = runtime()
    start(rt)
    assert rt.open_ports == {("10.244.1.2", 80)}


def test_an_unhealthy_web_server_answers_500_and_a_warming_one_503():
    registry = ImageRegistry()
    registry.register("warm", web_server(warmup=5))
    loop, rt, _ = runtime(registry)
    container = start(rt, image="warm:1")
    assert container.handle_http("GET", "/", {})[0] == 503
    loop.run(seconds=6)
    assert container.handle_http("GET", "/", {})[0] == 200
    container.set_healthy(False)
    assert container.handle_http("GET", "/", {})[0] == 500


def test_an_exited_container_refuses_connections():
    loop, rt, exits = runtime()
    container = start(rt)
    rt.kill(container, 1, "Error")
    assert exits == [container] and rt.open_ports == set()
    with pytest.raises(ConnectionRefusedError):
        container.handle_http("GET", "/", {})


# ----------------------------------------------------------------------------- processes over time


def test_sigterm_stops_nginx_at_once_with_exit_0():
    loop, rt, exits = runtime()
    container = start(rt)
    rt.stop(container, grace=30)
    loop.run(seconds=1)
    assert (container.exit_code, container.reason) == (0, "Completed")


def test_sleep_ignores_sigterm_and_is_killed_when_the_grace_period_ends():
    loop, rt, exits = runtime()
    container = start(rt, image="busybox", command=["sleep", "3600"])
    rt.stop(container, grace=10)
    loop.run(seconds=9)
    assert container.running
    loop.run(seconds=2)
    assert (container.exit_code, container.reason) == (137, "Error")


def test_a_script_exits_with_its_exit_code_at_the_time_its_sleeps_add_up_to():
    loop, rt, exits = runtime()
    container = start(rt, image="busybox", command=["sh", "-c", "echo start; sleep 5; echo end; exit 3"])
    loop.run()
    assert (container.finished_at, container.exit_code, container.reason) == (5.0, 3, "Error")
    assert container.logs() == "start\nend\n"


def test_a_script_can_cat_a_file_it_wrote():
    loop, rt, _ = runtime()
    container = start(rt, image="busybox", command=["sh", "-c", "echo hi > /tmp/x; cat /tmp/x; cat /nope"])
    loop.run()
    assert container.logs() == "hi\ncat: can't open '/nope': No such file or directory\n"
    assert container.exit_code == 1


def test_a_while_loop_counts_with_the_virtual_date():
    loop, rt, _ = runtime()
    script = 'i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 10; done'
    container = start(rt, image="busybox", command=["sh", "-c", script])
    loop.run(seconds=25)
    assert container.logs().splitlines() == [
        "0: Mon Jan  1 00:00:00 UTC 2024",
        "1: Mon Jan  1 00:00:10 UTC 2024",
        "2: Mon Jan  1 00:00:20 UTC 2024",
    ]
    assert container.running


def test_unknown_program_in_a_script_is_exit_127():
    loop, rt, _ = runtime()
    container = start(rt, image="busybox", command=["sh", "-c", "frobnicate"])
    loop.run()
    assert container.exit_code == 127
    assert container.logs() == "sh: frobnicate: not found\n"


def test_a_command_not_in_path_cannot_start():
    _, rt, _ = runtime()
    with pytest.raises(StartError, match='exec: "/app/missing": executable file not found in \\$PATH'):
        start(rt, image="busybox", command=["/app/missing"])


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=6), st.integers(0, 255))
@settings(max_examples=40, deadline=None)
def test_a_script_of_sleeps_exits_at_their_sum(sleeps, code):
    loop, rt, _ = runtime()
    text = "; ".join(f"sleep {s}" for s in sleeps) + f"; exit {code}"
    container = start(rt, image="busybox", command=["sh", "-c", text])
    assert isinstance(container.process, Script)
    loop.run()
    assert container.finished_at == sum(sleeps)
    assert container.exit_code == code


def test_sleep_durations_are_parsed_as_busybox_does():
    assert parse_duration("10") == 10
    assert parse_duration("1.5s") == 1.5
    assert parse_duration("2m") == 120
    assert parse_duration("infinity") is None
    with pytest.raises(ValueError):
        parse_duration("soon")


# ----------------------------------------------------------------------------- limits


def test_cpu_above_the_limit_is_throttled():
    registry = ImageRegistry()
    registry.register("hog", resource_hog(cpu=2.0, memory=64 * MI, ramp=10))
    loop, rt, _ = runtime(registry)
    container = start(rt, image="hog:1", resources={"limits": {"cpu": "500m"}})
    loop.run(seconds=20)
    cpu, memory = container.usage(loop.now)
    assert cpu == 0.5 and memory == 64 * MI


def test_memory_above_the_limit_is_oomkilled_when_the_ramp_crosses_it():
    registry = ImageRegistry()
    registry.register("hog", resource_hog(cpu=1.0, memory=1024 * MI, ramp=100))
    loop, rt, exits = runtime(registry)
    container = start(rt, image="hog:1", resources={"limits": {"memory": "520Mi"}})
    loop.run()
    assert (container.exit_code, container.reason) == (137, "OOMKilled")
    assert 50 < container.finished_at < 52
    assert exits == [container]


def test_usage_is_zero_after_exit_and_containers_lists_only_running_ones():
    loop, rt, _ = runtime()
    a = start(rt)
    b = rt.start("default", "other", "uid-2", {"name": "app", "image": "nginx"}, "10.244.1.3")
    rt.kill(a)
    assert rt.containers() == [b]
    assert a.usage(loop.now) == (0.0, 0)


def test_oomkilled_container_shows_in_pod_status_and_restarts():
    registry = ImageRegistry()
    registry.register("hog", resource_hog(cpu=1.0, memory=512 * MI, ramp=60))
    node = Node(registry)
    node.pod(containers=[{"name": "app", "image": "hog:1", "resources": {"limits": {"memory": "256Mi"}}}])
    node.run(45)
    status = node.status()
    assert status["lastState"]["terminated"]["reason"] == "OOMKilled"
    assert status["lastState"]["terminated"]["exitCode"] == 137
    assert status["restartCount"] == 1


SHELL_WORDS = [
    "echo",
    "hi",
    "sleep",
    "1",
    "0.5",
    "exit",
    "3",
    "cat",
    "/tmp/a",
    ">",
    ">>",
    ";",
    "&&",
    "||",
    "\n",
    "true",
    "false",
    "touch",
    "rm",
    "-f",
    "while",
    "true;",
    "do",
    "done",
    "for",
    "i",
    "in",
    "a",
    "b",
    "$i",
    "$((",
    "))",
    "$(date)",
    "$(",
    ")",
    "'",
    '"',
    "printf",
    "%s",
    "%d",
    "i=$((i+1))",
    "x=1",
    "$x",
    "frob",
    "test",
    "-e",
    "[",
    "]",
    "if",
    "$?",
    "1/0",
    "$((1/0))",
]


@given(st.lists(st.sampled_from(SHELL_WORDS), max_size=14))
@settings(max_examples=200, deadline=None)
def test_any_script_either_fails_to_start_or_runs_without_raising(words):
    loop, rt, _ = runtime()
    try:
        container = start(rt, image="busybox", command=["sh", "-c", " ".join(words)])
    except StartError:
        return
    loop.run(seconds=100_000)
    container.logs()
    assert container.running or container.exit_code is not None


def test_web_server_latency_climbs_when_requests_outrun_its_workers():
    registry = ImageRegistry()
    registry.register("one", web_server(latency=0.1, workers=1))
    loop, rt, _ = runtime(registry)
    container = start(rt, image="one:1")
    latencies = [container.handle_http("GET", "/", {})[2] for _ in range(3)]  # three at the same instant
    assert latencies == pytest.approx([0.1, 0.2, 0.3])
    loop.run(seconds=5)
    assert container.handle_http("GET", "/", {})[2] == pytest.approx(0.1)


def test_web_server_cpu_follows_its_request_rate():
    loop, rt, _ = runtime()
    container = start(rt)
    idle = container.usage(loop.now)[0]
    for _ in range(1000):
        container.handle_http("GET", "/", {})
    assert container.usage(loop.now)[0] == pytest.approx(idle + 100 * 0.002)
    loop.run(seconds=11)
    assert container.usage(loop.now)[0] == pytest.approx(idle)


def test_a_long_script_is_worked_out_a_stretch_at_a_time_and_exits_on_time():
    loop, rt, _ = runtime()
    script = "i=0; while [ $i -lt 500 ]; do i=$((i+1)); sleep 1; done; echo done; exit 5"
    container = start(rt, image="busybox", command=["sh", "-c", script])
    assert container.process.exit() is None  # not worked out that far yet
    loop.run(seconds=600)
    assert (container.finished_at, container.exit_code, container.logs()) == (500.0, 5, "done\n")


def test_an_endless_loop_costs_no_more_than_the_logs_asked_for():
    loop, rt, _ = runtime()
    container = start(rt, image="busybox", command=["sh", "-c", "while true; do echo tick; sleep 60; done"])
    loop.run(seconds=3600)
    assert container.logs().count("tick") == 61
    assert loop.pending() <= 1
