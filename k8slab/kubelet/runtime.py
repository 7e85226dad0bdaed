"""The container runtime: images, simulated processes, and the containers the kubelet runs (steps 9 and 14).

Built in notebook 05. A real node runs containerd (or CRI-O): the kubelet
asks it, through the Container Runtime Interface (CRI), to pull images, to
create a pod's *sandbox* (the network namespace that gets the pod's IP) and
to create, start, stop and list containers. Here the runtime is a Python
object on the same event loop, and a "container" is a simulated process whose
behaviour comes from its image:

* `ImageRegistry` knows the images: their size, how long a pull takes, which
  ones do not exist, and which *behaviour* a container of that image has.
  Unknown images work (a generic web server on the declared ports), exactly
  as DESIGN.md promises: a real manifest applies unchanged.
* A behaviour makes a `Process`: when it exits and with which code, what it
  logs, what CPU and memory it uses over time, how it answers HTTP, which
  files it wrote (for `cat` in exec probes), what it does on SIGTERM.
* `Runtime` is one node's containerd: its image cache, its running
  containers (`containers()`, what cAdvisor samples), the ports that accept
  TCP, and the logs of the current and the previous instance of each
  container.

Everything is computed from virtual time, never polled: a process that will
exit in 30 s gets one timer at +30 s; its logs and memory at any instant are
functions of the time since it started. A web server that nobody asks
anything costs no timers at all.

Simplified, and said so in notebook 05: no real namespaces or cgroups; a
pull is one number of seconds (no layers, no bandwidth shared between
nodes); CPU is a number of cores the process would like to use, capped at
its limit (CFS throttling) but not shared out between neighbours on a busy
node; the latency model has no randomness.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MI = 1024 * 1024

#: What `kubectl logs` keeps of one container at most (the lab's stand-in for log rotation).
MAX_LOG_LINES = 10_000
LOG_TRIM = 1_000  # a log may run this far past MAX_LOG_LINES before it is trimmed (cheaper than each line)

# --------------------------------------------------------------------------- image references


def parse_image(ref: str) -> tuple[str, str, str]:
    """(registry/repository, repository short name, tag): "nginx" -> ("docker.io/library/nginx", "nginx",
    "latest"); a digest ("app@sha256:...") keeps its digest as the tag."""
    name, digest = (ref.split("@", 1) + [""])[:2]
    last = name.rsplit("/", 1)[-1]
    tag = ""
    if ":" in last:
        name, tag = name.rsplit(":", 1)
    if not tag:
        tag = digest or "latest"
    first = name.split("/", 1)[0]
    if "/" not in name:
        full = f"docker.io/library/{name}"
    elif "." in first or ":" in first or first == "localhost":
        full = name
    else:
        full = f"docker.io/{name}"
    return full, name.rsplit("/", 1)[-1], tag


def normalized(ref: str) -> str:
    """The reference as the node's image list names it: "nginx" -> "nginx:latest" (as the scheduler's
    ImageLocality normalises a pod's image, so that the two meet)."""
    name, _, digest = ref.partition("@")
    if digest:
        return ref
    if ":" in name.rsplit("/", 1)[-1]:
        return ref
    return ref + ":latest"


def digest_of(text: str) -> str:
    """A stable sha256 digest for a name (the lab has no image bytes to hash)."""
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- processes


class Process:
    """One running container process. Subclasses override what they model.

    Every method takes `elapsed`, the seconds since the process started, so
    that nothing needs a timer: the state at any instant is computed. The
    defaults describe an idle long-running program with no ports.
    """

    #: cores and bytes the process uses when idle
    cpu = 0.001
    memory = 4 * MI

    def __init__(self, container: Container):
        self.container = container
        self.lines: list[tuple[float, str]] = []  # (elapsed, line) written to stdout/stderr
        self.files: dict[str, str] = {}

    # when and how it ends on its own: (elapsed seconds, exit code), or None for "runs until stopped"
    def exit(self) -> tuple[float, int] | None:
        return None

    def horizon(self) -> float | None:
        """When `exit()` says None but the story is not worked out that far: the elapsed time at which
        the runtime should look again (None: nothing to look at)."""
        return None

    def usage(self, elapsed: float) -> tuple[float, int]:
        """(cpu cores, memory bytes) the process would use at `elapsed` (before limits)."""
        return self.cpu, self.memory

    def memory_exceeds(self, limit: int) -> float | None:
        """When memory first goes above `limit` bytes (elapsed seconds), or None if it never does."""
        return 0.0 if self.memory > limit else None

    def logs(self, elapsed: float) -> list[str]:
        return [line for at, line in self.lines if at <= elapsed]

    def read_file(self, path: str, elapsed: float) -> str | None:
        return self.files.get(path)

    def ports(self) -> set[int]:
        """The TCP ports the process listens on."""
        return set()

    def handle_http(self, method: str, path: str, headers: dict, elapsed: float) -> tuple[int, str, float]:
        raise ConnectionRefusedError

    def sigterm(self, elapsed: float) -> tuple[float, int] | None:
        """What SIGTERM does: (seconds until it exits, exit code), or None if the process ignores it.

        A program that does not handle SIGTERM dies of it: exit code 128 + 15 = 143."""
        return 0.0, 143


class WebServer(Process):
    """A web server (nginx, httpd, and any image the lab does not know).

    It listens on the container's declared ports (80 if it declares none),
    answers every path with its pod name and version (the image tag), and
    writes an access log line per request, as nginx does. `healthy = False`
    makes it answer 500 everywhere (a notebook's "break it" switch);
    `warmup` seconds after starting it answers 503 (not ready yet);
    `fail_after` seconds after starting it turns unhealthy by itself (what
    agnhost's `liveness` does after 10 s).

    The latency model, deterministic: each request needs `latency` seconds
    of one of `workers` worker processes; a request that finds them all busy
    waits its turn, so latency climbs once requests come faster than
    `workers / latency` per second. Each request costs `cpu_per_request`
    core-seconds, so CPU usage follows the request rate (averaged over the
    last 10 s); a CPU limit below that demand slows every request down in
    proportion (throttling).
    """

    cpu = 0.001
    memory = 8 * MI
    WINDOW = 10  # seconds over which the request rate is averaged

    def __init__(
        self,
        container: Container,
        warmup: float = 0.0,
        fail_after: float | None = None,
        latency: float = 0.002,
        default_port: int = 80,
        workers: int = 4,
        cpu_per_request: float = 0.002,
    ):
        super().__init__(container)
        self.warmup = warmup
        self.fail_after = fail_after
        self.latency = latency
        self.healthy = True
        self.default_port = default_port
        self.cpu_per_request = cpu_per_request
        self.requests = 0
        self.busy_until = [0.0] * max(int(workers), 1)
        self.per_second: dict[int, int] = {}  # whole second since start -> requests in it
        self._stamp: tuple[int, str] = (-1, "")  # (whole virtual second, its access-log timestamp)
        self.lines.append((0.0, "/docker-entrypoint.sh: Configuration complete; ready for start up"))

    def ports(self) -> set[int]:
        declared = {
            p.get("containerPort") for p in self.container.port_specs if p.get("protocol", "TCP") == "TCP"
        }
        return {p for p in declared if isinstance(p, int)} or {self.default_port}

    def rate(self, elapsed: float) -> float:
        """Requests per second over the last WINDOW seconds."""
        now = int(elapsed)
        return (
            sum(n for second, n in self.per_second.items() if now - self.WINDOW < second <= now) / self.WINDOW
        )

    def usage(self, elapsed: float) -> tuple[float, int]:
        return self.cpu + self.rate(elapsed) * self.cpu_per_request, self.memory

    def handle_http(self, method: str, path: str, headers: dict, elapsed: float) -> tuple[int, str, float]:
        self.requests += 1
        second = int(elapsed)
        if second in self.per_second:
            self.per_second[second] += 1
        else:  # a new second: forget the ones that left the window
            for old in [s for s in self.per_second if s <= second - self.WINDOW]:
                del self.per_second[old]
            self.per_second[second] = 1
        if not self.healthy or (self.fail_after is not None and elapsed >= self.fail_after):
            code, body = 500, "error: the server is unhealthy\n"
        elif elapsed < self.warmup:
            code, body = 503, "not ready: still warming up\n"
        else:
            code, body = 200, f"Hello from {self.container.pod} (version {self.container.version})\n"
        service = self.latency
        limit = self.container.limits.get("cpu")
        wanted = self.cpu + self.rate(elapsed) * self.cpu_per_request
        if limit and wanted > limit:
            service *= wanted / limit  # throttled: the same work takes longer
        worker = min(range(len(self.busy_until)), key=self.busy_until.__getitem__)
        begins = max(elapsed, self.busy_until[worker])
        self.busy_until[worker] = begins + service
        client = headers.get("X-Forwarded-For") or _gateway(self.container.ip)
        agent = headers.get("User-Agent", "-")
        wall = math.floor(self.container.started_at + elapsed)
        if self._stamp[0] != wall:  # the log's clock shows whole seconds: format it once per second
            self._stamp = (wall, self.container.clock(elapsed))
        request = f'"{method} {path} HTTP/1.1" {code} {len(body)}'
        line = f'{client} - - [{self._stamp[1]}] {request} "-" "{agent}" "-"'
        self.lines.append((elapsed, line))
        if len(self.lines) > MAX_LOG_LINES + LOG_TRIM:  # trimmed now and then; logs() shows the last lines
            del self.lines[: len(self.lines) - MAX_LOG_LINES]
        return code, body, begins + service - elapsed

    def sigterm(self, elapsed: float) -> tuple[float, int] | None:
        return 0.0, 0  # nginx shuts down at once on SIGTERM and exits 0


def _gateway(ip: str) -> str:
    """The pod network's bridge address (.1 of the pod's /24): where the kubelet's probes come from."""
    parts = ip.split(".")
    return ".".join(parts[:3] + ["1"]) if len(parts) == 4 else ip


class CrashLoop(Process):
    """An app that starts, logs a little, and exits with code 1 after `seconds` (a crash loop on Always)."""

    def __init__(self, container: Container, seconds: float = 5.0, code: int = 1):
        super().__init__(container)
        self.seconds, self.code = seconds, code
        self.lines += [(0.0, "starting up"), (seconds, "panic: cannot connect to the database")]

    def exit(self) -> tuple[float, int] | None:
        return self.seconds, self.code


class BatchJob(Process):
    """Work that runs to completion: `seconds` of one busy core, then exit 0."""

    cpu = 1.0
    memory = 32 * MI

    def __init__(self, container: Container, seconds: float = 30.0):
        super().__init__(container)
        self.seconds = seconds
        self.lines += [(0.0, "job started"), (seconds, f"job done in {seconds:g}s")]

    def exit(self) -> tuple[float, int] | None:
        return self.seconds, 0


class ResourceHog(Process):
    """A program whose CPU and memory climb linearly for `ramp` seconds up to `cpu_max` cores and
    `memory_max` bytes, then stay there (a leak, or a noisy neighbour)."""

    def __init__(
        self,
        container: Container,
        cpu_max: float = 2.0,
        memory_max: int = 1024 * MI,
        ramp: float = 60.0,
        memory_start: int = 16 * MI,
    ):
        super().__init__(container)
        self.cpu_max, self.memory_max, self.ramp, self.memory_start = cpu_max, memory_max, ramp, memory_start
        self.lines.append((0.0, "allocating memory"))

    def usage(self, elapsed: float) -> tuple[float, int]:
        share = min(max(elapsed / self.ramp, 0.0), 1.0) if self.ramp > 0 else 1.0
        memory = self.memory_start + (self.memory_max - self.memory_start) * share
        return self.cpu_max * share, int(memory)

    def memory_exceeds(self, limit: int) -> float | None:
        if self.memory_start > limit:
            return 0.0
        if self.memory_max <= limit:
            return None
        # the first instant memory is above the limit: one byte past it on the linear ramp
        return self.ramp * (limit + 1 - self.memory_start) / (self.memory_max - self.memory_start)


# --------------------------------------------------------------------------- busybox-style shell

#: The programs a busybox-like image has. An image the lab models (busybox, alpine, nginx, ...) given a
#: command that is none of these fails to start, as runc fails for an executable that is not in $PATH.
SHELL_PROGRAMS = {
    "sh",
    "bash",
    "ash",
    "sleep",
    "echo",
    "printf",
    "cat",
    "true",
    "false",
    "touch",
    "rm",
    "ls",
    "date",
    "env",
    "exit",
    "mkdir",
    "test",
    "[",
    "nginx",
    "httpd",
    "wget",
    "hostname",
    "yes",
    "tail",
}


class ScriptError(Exception):
    """A command that cannot start at all (not found in $PATH)."""


@dataclass
class _Step:
    kind: str  # "cmd", "while", "for"
    text: str = ""
    op: str = ";"  # how it joins the previous step: ";", "&&", "||"
    body: list[_Step] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def _split_top(text: str) -> list[tuple[str, str]]:
    """Split shell text at ; newline && || outside quotes and $( ); returns (operator, command)."""
    parts: list[tuple[str, str]] = []
    current, op, quote, depth, i = "", ";", "", 0, 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
            current += c
        elif c in "'\"":
            quote = c
            current += c
        elif text.startswith("$(", i):
            depth += 1
            current += "$("
            i += 1
        elif c == ")" and depth:
            depth -= 1
            current += c
        elif not depth and text.startswith("&&", i):
            parts.append((op, current.strip()))
            current, op = "", "&&"
            i += 1
        elif not depth and text.startswith("||", i):
            parts.append((op, current.strip()))
            current, op = "", "||"
            i += 1
        elif not depth and c in ";\n":
            parts.append((op, current.strip()))
            current, op = "", ";"
        else:
            current += c
        i += 1
    parts.append((op, current.strip()))
    return [(o, t) for o, t in parts if t]


def parse_script(text: str) -> list[_Step]:
    """A tiny shell grammar: simple commands, `while COND; do ...; done`, `for V in A B; do ...; done`."""
    parts = _split_top(text)
    steps, _ = _parse_block(parts, 0, ())
    return steps


def _parse_block(parts: list[tuple[str, str]], i: int, until: tuple[str, ...]) -> tuple[list[_Step], int]:
    steps: list[_Step] = []
    while i < len(parts):
        op, cmd = parts[i]
        word = cmd.split(None, 1)[0]
        if word in until:
            return steps, i
        if word in ("while", "for"):
            head = cmd.split(None, 1)[1] if " " in cmd else ""
            i += 1
            if head.endswith(" do") or head.endswith("\tdo"):
                head = head[:-2].strip()
            elif i < len(parts) and parts[i][1].startswith("do"):
                rest = parts[i][1][2:].strip()
                if rest:
                    parts = parts[:i] + [(";", rest)] + parts[i + 1 :]
                else:
                    i += 1
            else:
                raise ScriptError(f'sh: syntax error: unexpected end of file (expecting "do") in {cmd!r}')
            body, i = _parse_block(parts, i, ("done",))
            if i >= len(parts):
                raise ScriptError('sh: syntax error: unexpected end of file (expecting "done")')
            i += 1
            if word == "while":
                steps.append(_Step("while", head, op, body))
            else:
                var, _, items = head.partition(" in ")
                steps.append(_Step("for", var.strip(), op, body, shlex.split(items)))
            continue
        if word.startswith("do") and word == "do":
            cmd = cmd[2:].strip()
        steps.append(_Step("cmd", cmd, op))
        i += 1
    return steps, i


def parse_duration(text: str) -> float | None:
    """`sleep`'s argument: 5, 0.5, 10s, 2m, 1h, 1d, infinity (None means forever)."""
    if text in ("inf", "infinity"):
        return None
    match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)([smhd]?)", text)
    if not match:
        raise ValueError(f"sleep: invalid number '{text}'")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


class Script(Process):
    """busybox-style commands: `sleep 3600`, `echo hi`, `sh -c 'echo start; sleep 5; exit 3'`,
    the kubernetes.io liveness example `touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600`,
    `while true; do echo "$(date)"; sleep 1; done`, `cat` of a file the container wrote.

    The run is worked out in virtual time, a stretch of commands at a time:
    each command happens at the moment its preceding sleeps add up to, so a
    short script's exit time and code are known when it starts (one timer),
    and a long loop is worked out further only when someone looks (its logs,
    a file, an exec probe) or when the stretch worked out so far runs out.
    Supported: echo, printf, sleep, cat, touch, rm, test/[ ], date, env,
    hostname, true, false, exit, variables and $((arithmetic)), `;`, `&&`,
    `||`, `>`/`>>`, `while ...; do ...; done`, `for v in ...; do ...; done`.
    PID 1 in a container ignores SIGTERM unless it installs a handler, and
    `sh` and `sleep` do not, so such a container is killed at the end of the
    grace period (exit 137) unless it exits first: a real, common surprise.
    """

    cpu = 0.0
    memory = 1 * MI

    def __init__(self, container: Container, argv: list[str], files: dict[str, str] | None = None):
        super().__init__(container)
        self.vars: dict[str, str] = {"HOSTNAME": container.pod, **container.env}
        self.clock_at = 0.0
        self.code = 0
        self.finished: tuple[float, int] | None = None
        self.forever = False  # a sleep that never ends, or a loop with no sleep in it
        self.file_events: list[tuple[float, str, str | None]] = [
            (0.0, k, v) for k, v in (files or {}).items()
        ]
        self.steps = self._program(argv)
        self._gen: Any = self._run(self.steps)
        self.advance()

    def _program(self, argv: list[str]) -> list[_Step]:
        program = argv[0].rsplit("/", 1)[-1]
        if program in ("sh", "bash", "ash"):
            if len(argv) >= 3 and argv[1] == "-c":
                try:
                    return parse_script(argv[2])
                except ValueError as error:  # shlex: an unterminated quote
                    raise ScriptError(f"sh: syntax error: {error}") from None
            if len(argv) >= 2 and argv[1] == "-c":
                raise ScriptError("sh: -c requires an argument")
            return []  # a shell with no script and no terminal reads an empty stdin and exits 0
        return [_Step("cmd", shlex.join(argv))]

    # -- running ---------------------------------------------------------------------------

    #: how many commands are worked out at a time (at start, and at each `horizon`)
    CHUNK = 200
    #: at most this many commands to answer one question about the past (logs, files)
    MAX_ADVANCE = 50_000

    def advance(self, until: float | None = None, budget: int = CHUNK) -> None:
        """Work the script out further: `budget` more commands, or until its clock passes `until`."""
        while self._gen is not None and not self.finished and not self.forever and budget > 0:
            if until is not None and self.clock_at > until:
                return
            try:
                next(self._gen)
            except StopIteration:
                self._gen = None
                if not self.forever and not self.finished:
                    self.finished = (self.clock_at, self.code)
                return
            budget -= 1

    def horizon(self) -> float | None:
        """How far (elapsed seconds) the script is worked out, when it has not ended yet: the runtime
        looks again then. None when the end is known, or it never ends."""
        if self.finished or self.forever or self._gen is None:
            return None
        return self.clock_at

    def _run(self, steps: list[_Step]) -> Any:
        """A generator: runs the steps from the current clock, pausing after every command."""
        for step in steps:
            if self.finished or self.forever:
                return
            if step.op == "&&" and self.code != 0 or step.op == "||" and self.code == 0:
                continue
            if step.kind == "cmd":
                nested = self._command(step.text)
                yield
                if nested is not None:
                    yield from self._run(nested)
            elif step.kind == "for":
                for item in step.items:
                    self.vars[step.text] = self._expand(item)
                    yield from self._run(step.body)
                    if self.finished or self.forever:
                        return
            else:
                while True:
                    self._command(step.text)  # the condition
                    yield
                    if self.finished:
                        return
                    if self.code != 0:
                        self.code = 0
                        break
                    started = self.clock_at
                    yield from self._run(step.body)
                    if self.finished or self.forever:
                        return
                    if self.clock_at == started:  # a loop that takes no time spins a core forever
                        self.forever, self.cpu = True, 1.0
                        return

    def _command(self, text: str) -> list[_Step] | None:
        """Run one simple command now; returns the steps of a nested `sh -c` to run next, if any."""
        redirect, path = None, None
        match = re.search(r"\s*(>>?)\s*(\S+)\s*$", text)
        if match and not text.strip().startswith(("[", "test")):
            redirect, path = match.group(1), match.group(2)
            text = text[: match.start()]
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=\S*", text.strip()):
            name, _, value = text.strip().partition("=")
            self.vars[name] = self._expand(value)
            self.code = 0
            return None
        try:
            argv = shlex.split(self._expand(text))
        except ValueError:
            self._out("sh: syntax error: unterminated quoted string")
            self.code = 2
            return None
        if not argv:
            return None
        self._nested: list[_Step] | None = None
        try:
            output, self.code = self._builtin(argv)
        except (TypeError, ValueError, OverflowError) as error:  # printf with the wrong arguments, ...
            output, self.code = f"sh: {argv[0]}: {error}\n", 1
        if output is None:
            return self._nested
        if redirect and path:
            old = self._file(path) if redirect == ">>" else ""
            self._write_file(path, (old or "") + output)
        elif output:
            for line in output.rstrip("\n").split("\n"):
                self._out(line)
        return None

    def _builtin(self, argv: list[str]) -> tuple[str | None, int]:
        name, args = argv[0].rsplit("/", 1)[-1], argv[1:]
        if name == "sleep":
            try:
                seconds = sum(d for d in (parse_duration(a) for a in args) if d is not None) if args else 0
                if any(parse_duration(a) is None for a in args):
                    self.forever = True
                    return None, 0
            except ValueError as error:
                return str(error) + "\n", 1
            if not args:
                return "sleep: missing operand\n", 1
            self.clock_at += seconds
            return None, 0
        if name == "echo":
            newline = "\n"
            if args[:1] == ["-n"]:
                args, newline = args[1:], ""
            return " ".join(args) + newline, 0
        if name == "printf":
            return (args[0].replace("\\n", "\n") % tuple(args[1:]) if args else ""), 0
        if name == "date":
            return self.container.date(self.clock_at) + "\n", 0
        if name == "hostname":
            return self.container.pod + "\n", 0
        if name == "env":
            return "".join(f"{k}={v}\n" for k, v in sorted(self.vars.items())), 0
        if name in ("true", ":"):
            return "", 0
        if name == "false":
            return "", 1
        if name == "exit":
            code = int(args[0]) if args and args[0].lstrip("-").isdigit() else self.code
            self.finished = (self.clock_at, code % 256)
            return None, code % 256
        if name == "touch":
            for path in args:
                self._write_file(path, self._file(path) or "")
            return "", 0
        if name == "mkdir":
            return "", 0
        if name == "rm":
            for path in args:
                if path.startswith("-"):
                    continue
                if self._file(path) is None and "-f" not in args and "-rf" not in args:
                    return f"rm: can't remove '{path}': No such file or directory\n", 1
                self._write_file(path, None)
            return "", 0
        if name == "cat":
            out = ""
            for path in args:
                content = self._file(path)
                if content is None:
                    return out + f"cat: can't open '{path}': No such file or directory\n", 1
                out += content
            return out, 0
        if name in ("test", "["):
            args = [a for a in args if a != "]"]
            if len(args) == 2 and args[0] in ("-e", "-f"):
                return "", 0 if self._file(args[1]) is not None else 1
            if len(args) == 3 and args[1] in ("=", "==", "!="):
                return "", 0 if (args[0] == args[2]) == (args[1] != "!=") else 1
            compare = {
                "-eq": "__eq__",
                "-ne": "__ne__",
                "-lt": "__lt__",
                "-le": "__le__",
                "-gt": "__gt__",
                "-ge": "__ge__",
            }
            if len(args) == 3 and args[1] in compare:
                try:
                    return "", 0 if getattr(int(args[0]), compare[args[1]])(int(args[2])) else 1
                except ValueError:
                    return f"sh: {args[0]}: bad number\n", 2
            if len(args) == 2 and args[0] in ("-n", "-z"):
                return "", 0 if bool(args[1]) == (args[0] == "-n") else 1
            return "", 0 if len(args) == 1 and args[0] else 1
        if name == "ls":
            return "".join(
                f"{p}\n" for p in sorted(self._files_now()) if not args or p.startswith(args[0])
            ), 0
        if name in ("sh", "bash", "ash"):
            if len(args) >= 2 and args[0] == "-c":
                self._nested = parse_script(args[1])
            return None, self.code
        if name in ("nginx", "httpd", "tail", "yes", "wget"):
            self.forever = True  # a long-running program started from a script
            return None, 0
        return f"sh: {name}: not found\n", 127

    # -- time-aware state ---------------------------------------------------------------------------

    def _out(self, line: str) -> None:
        if len(self.lines) < MAX_LOG_LINES:
            self.lines.append((self.clock_at, line))

    def _write_file(self, path: str, content: str | None) -> None:
        self.file_events.append((self.clock_at, path, content))

    def _file(self, path: str) -> str | None:
        return self._files_now().get(path)

    def _files_now(self, at: float | None = None) -> dict[str, str]:
        files: dict[str, str] = {}
        for when, path, content in self.file_events:
            if at is not None and when > at:
                break
            if content is None:
                files.pop(path, None)
            else:
                files[path] = content
        return files

    def read_file(self, path: str, elapsed: float) -> str | None:
        self.advance(until=elapsed, budget=self.MAX_ADVANCE)
        return self._files_now(elapsed).get(path)

    def logs(self, elapsed: float) -> list[str]:
        self.advance(until=elapsed, budget=self.MAX_ADVANCE)
        return super().logs(elapsed)

    def _expand(self, text: str) -> str:
        """$VAR, ${VAR}, $((arithmetic)), $(date), $(hostname); nothing inside single quotes."""
        out, i, quote = "", 0, False
        while i < len(text):
            c = text[i]
            if c == "'":
                quote = not quote
                out += c
            elif c == "$" and not quote:
                if text.startswith("$((", i) and text.find("))", i) > 0:
                    end = text.find("))", i)
                    expr = re.sub(
                        r"\$?([A-Za-z_]\w*)",
                        lambda m: self.vars.get(m.group(1), "0") or "0",
                        text[i + 3 : end],
                    )
                    out += str(_arithmetic(expr))
                    i = end + 2
                    continue
                if text.startswith("$(", i) and text.find(")", i) > 0:
                    end = text.find(")", i)
                    inner = text[i + 2 : end].strip()
                    known = {"date": self.container.date(self.clock_at), "hostname": self.container.pod}
                    out += known.get(inner, "")
                    i = end + 1
                    continue
                match = re.match(r"\$\{?([A-Za-z_]\w*|\?)\}?", text[i:])
                if match:
                    name = match.group(1)
                    out += str(self.code) if name == "?" else self.vars.get(name, "")
                    i += match.end()
                    continue
                out += c
            else:
                out += c
            i += 1
        return out

    def exit(self) -> tuple[float, int] | None:
        return self.finished  # None: runs forever, or not worked out that far yet (see horizon)

    def sigterm(self, elapsed: float) -> tuple[float, int] | None:
        return None  # sh or sleep as PID 1: SIGTERM is ignored


def _arithmetic(expr: str) -> int:
    """Shell arithmetic on whole numbers (+ - * / %), as in `i=$((i+1))`; anything else is 0."""
    import ast

    def value(node: ast.AST) -> int:
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            return -value(node.operand) if isinstance(node.op, ast.USub) else value(node.operand)
        if isinstance(node, ast.BinOp):
            left, right = value(node.left), value(node.right)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod) and right != 0:
                quotient = (
                    abs(left) // abs(right) * (1 if (left >= 0) == (right >= 0) else -1)
                )  # C truncation
                return quotient if not isinstance(node.op, ast.Mod) else left - right * quotient
        raise ValueError(expr)

    try:
        return value(ast.parse(expr.strip() or "0", mode="eval").body)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 0


# --------------------------------------------------------------------------- images and the registry

Behaviour = Callable[["Container"], Process]


@dataclass
class Image:
    """An image the registry serves: how big, how slow to pull, and what its containers do.

    `behaviour(container) -> Process` decides what a container of this image
    does when the pod gives no `command`; `shell=True` images (busybox,
    alpine, and most real images) run a given `command`/`args` as busybox
    would. `missing=True`: the registry answers "not found" (ErrImagePull).
    """

    name: str  # the repository as written in a pod: "nginx", "registry.k8s.io/pause"
    behaviour: Behaviour
    size_bytes: int = 50 * MI
    pull_seconds: float = 2.0
    missing: bool = False
    shell: bool = True
    default_command: list[str] | None = None  # busybox's image starts `sh`


def web_server(**options: Any) -> Behaviour:
    """A behaviour: WebServer(container, **options)."""
    return lambda container: WebServer(container, **options)


def crash_loop(seconds: float = 5.0, code: int = 1) -> Behaviour:
    return lambda container: CrashLoop(container, seconds, code)


def batch_job(seconds: float = 30.0) -> Behaviour:
    return lambda container: BatchJob(container, seconds)


def resource_hog(cpu: float = 2.0, memory: int = 1024 * MI, ramp: float = 60.0) -> Behaviour:
    return lambda container: ResourceHog(container, cpu, memory, ramp)


def _stress(container: Container) -> Process:
    """polinux/stress and vish/stress, the images of kubernetes.io's "Assign Memory/CPU Resources" tasks:
    `--vm-bytes 250M` allocates that much memory within a second; `--cpu N` / `-cpus N` spins N cores."""
    from k8slab.api.quantity import parse_quantity

    args = container.args
    memory, cpu = 0, 0.0

    def value(flag: str) -> str | None:
        for i, arg in enumerate(args):
            if arg == flag and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(flag + "="):
                return arg.split("=", 1)[1]
        return None

    if value("--vm-bytes"):
        text = value("--vm-bytes") or "256M"
        try:
            memory = parse_quantity(text.upper().replace("B", "") if text[-1] in "bB" else text).value
        except ValueError:
            memory = 256 * MI
    for flag in ("--cpu", "-cpus", "--cpus"):
        if value(flag):
            try:
                cpu = float(value(flag) or 1)
            except ValueError:
                cpu = 1.0
    memory = memory * int(value("--vm") or 1) if memory else 0
    return ResourceHog(container, cpu_max=cpu, memory_max=memory + 2 * MI, ramp=1.0, memory_start=2 * MI)


def _agnhost(container: Container) -> Process:
    """registry.k8s.io/e2e-test-images/agnhost, the image of kubernetes.io's probe examples."""
    args = container.args
    mode = args[0] if args else ""
    if mode == "liveness":  # serves /healthz with 200 for 10 s, then 500
        return WebServer(container, fail_after=10.0, default_port=8080)
    if mode == "serve-hostname":
        return WebServer(container, default_port=9376)
    return WebServer(container, default_port=8080)


def _shell_default(container: Container) -> Process:
    return Script(container, ["sh"])


class ImageRegistry:
    """The images the lab's nodes can pull (one registry shared by every node of a cluster).

        registry = ImageRegistry()
        registry.register("shop/api", web_server(warmup=5), size_bytes=120 * MI, pull_seconds=8)
        registry.register("shop/worker", crash_loop(seconds=3))
        registry.mark_missing("shop/api:v9")        # ErrImagePull, then ImagePullBackOff
        registry.set_pull_seconds("shop/api", 60)   # a slow pull

    Built in: nginx, httpd (web servers), busybox, alpine, ubuntu, debian
    (shells), agnhost (kubernetes.io's test server), polinux/stress and
    vish/stress (kubernetes.io's resource examples), registry.k8s.io/pause,
    k8slab/crashloop, k8slab/job, k8slab/hog. Any other name is a generic web
    server on its declared ports. A tag named `doesnotexist` or `nonexistent`
    (as in kubernetes.io's examples of a failing pull) is missing too.
    """

    def __init__(self) -> None:
        self.images: dict[str, Image] = {}
        self.missing: set[str] = set()  # "repo:tag" references marked missing
        for image in (
            Image("nginx", web_server(), 67 * MI, 3.0),
            Image("httpd", web_server(), 58 * MI, 3.0),
            Image("busybox", _shell_default, 2 * MI, 1.0, default_command=["sh"]),
            Image("alpine", _shell_default, 4 * MI, 1.0, default_command=["/bin/sh"]),
            Image("ubuntu", _shell_default, 29 * MI, 2.0, default_command=["/bin/bash"]),
            Image("debian", _shell_default, 48 * MI, 2.0, default_command=["bash"]),
            Image("registry.k8s.io/e2e-test-images/agnhost", _agnhost, 51 * MI, 3.0),
            Image("registry.k8s.io/pause", lambda c: Process(c), 1 * MI, 0.5),
            Image("k8slab/crashloop", crash_loop(), 10 * MI, 1.0),
            Image("k8slab/job", batch_job(), 10 * MI, 1.0),
            Image("k8slab/hog", resource_hog(), 10 * MI, 1.0),
            Image("polinux/stress", _stress, 10 * MI, 1.0, shell=False),
            Image("vish/stress", _stress, 10 * MI, 1.0, shell=False),
        ):
            self.images[image.name] = image

    def register(
        self,
        name: str,
        behaviour: Behaviour | None = None,
        size_bytes: int = 50 * MI,
        pull_seconds: float = 2.0,
        shell: bool = True,
    ) -> Image:
        """Add (or replace) an image repository; `behaviour` defaults to a web server."""
        if not isinstance(name, str) or not name or any(c.isspace() for c in name):
            raise ValueError(f"an image name is a non-empty string without spaces, got {name!r}")
        if isinstance(pull_seconds, bool) or not isinstance(pull_seconds, int | float) or pull_seconds < 0:
            raise ValueError(f"pull_seconds must be a number >= 0, got {pull_seconds!r}")
        image = Image(
            self._repository(name),
            behaviour or web_server(),
            int(size_bytes),
            float(pull_seconds),
            shell=shell,
        )
        self.images[image.name] = image
        return image

    def mark_missing(self, ref: str, missing: bool = True) -> None:
        """Make pulls of `ref` fail as "not found" ("repo" for every tag, "repo:tag" for one)."""
        if missing:
            self.missing.add(self._key(ref))
        else:
            self.missing.discard(self._key(ref))

    def set_pull_seconds(self, name: str, seconds: float) -> None:
        """How long pulling this image takes (a slow registry, a huge image)."""
        image = self.lookup(name)
        if image.name not in self.images:
            image = self.register(image.name, image.behaviour, image.size_bytes, seconds, image.shell)
        image.pull_seconds = float(seconds)

    def lookup(self, ref: str) -> Image:
        """The image a reference names; an unknown repository is a generic web server."""
        repository = self._repository(ref)
        image = self.images.get(repository)
        if image is None:
            image = self.images.get(parse_image(ref)[0].removeprefix("docker.io/library/"))
        if image is None:  # registry.k8s.io/busybox, library mirrors: the same program under another name
            base = self.images.get(repository.rsplit("/", 1)[-1])
            if base is not None and base.default_command:
                image = base
        return image or Image(repository, web_server(), 50 * MI, 2.0, shell=False)

    def is_missing(self, ref: str) -> bool:
        _, _, tag = parse_image(ref)
        repository = self._repository(ref)
        return (
            repository in self.missing
            or self._key(ref) in self.missing
            or tag in ("doesnotexist", "nonexistent", "does-not-exist")
        )

    def knows(self, ref: str) -> bool:
        return self.lookup(ref).name in self.images

    @staticmethod
    def _repository(ref: str) -> str:
        name = ref.split("@", 1)[0]
        if ":" in name.rsplit("/", 1)[-1]:
            name = name.rsplit(":", 1)[0]
        return name.removeprefix("docker.io/library/").removeprefix("docker.io/")

    def _key(self, ref: str) -> str:
        if ":" in ref.rsplit("/", 1)[-1] or "@" in ref:
            return normalized(ref.removeprefix("docker.io/library/"))
        return self._repository(ref)


# --------------------------------------------------------------------------- containers


class Container:
    """One container instance in the runtime (a new one for each restart), as `crictl ps` lists them.

    `.usage(now)` is what cAdvisor samples: the process's wish, with CPU
    capped at the limit (CFS throttling). Memory is not capped: a process
    above its memory limit is killed (OOMKilled), and the runtime has
    already scheduled that moment.
    """

    __slots__ = (
        "runtime",
        "namespace",
        "pod",
        "pod_uid",
        "name",
        "image",
        "image_ref",
        "container_id",
        "started_at",
        "limits",
        "requests",
        "ip",
        "port_specs",
        "env",
        "args",
        "version",
        "process",
        "finished_at",
        "exit_code",
        "reason",
        "exit_timer",
        "look_again",
        "stopping",
        "__weakref__",
    )

    def __init__(
        self,
        runtime: Runtime,
        namespace: str,
        pod: str,
        pod_uid: str,
        spec: dict,
        ip: str,
        started_at: float,
        container_id: str,
    ):
        self.runtime = runtime
        self.namespace, self.pod, self.pod_uid = namespace, pod, pod_uid
        self.name = spec["name"]
        self.image = spec.get("image") or ""
        self.image_ref = parse_image(self.image)[0] + ":" + parse_image(self.image)[2]
        self.version = parse_image(self.image)[2]
        self.container_id = container_id
        self.started_at = started_at
        resources = spec.get("resources") or {}
        self.limits = _resources(resources.get("limits"))
        self.requests = _resources(resources.get("requests"))
        self.ip = ip
        self.port_specs = [p for p in spec.get("ports") or [] if isinstance(p, dict)]
        self.env = {
            e["name"]: str(e.get("value", ""))
            for e in spec.get("env") or []
            if isinstance(e, dict) and "value" in e and isinstance(e.get("name"), str)
        }
        self.args = [str(a) for a in spec.get("args") or []]
        self.process: Process = Process(self)
        self.finished_at: float | None = None
        self.exit_code: int | None = None
        self.reason = ""
        self.exit_timer = None
        self.look_again = None
        self.stopping = False

    def __repr__(self) -> str:
        state = "running" if self.finished_at is None else f"exited({self.exit_code})"
        return f"Container({self.namespace}/{self.pod}/{self.name}, {self.image}, {state})"

    @property
    def running(self) -> bool:
        return self.finished_at is None

    def elapsed(self, now: float) -> float:
        end = self.finished_at if self.finished_at is not None else now
        return max(min(now, end) - self.started_at, 0.0)

    def usage(self, now: float) -> tuple[float, int]:
        """(cpu cores, memory bytes) at virtual time `now`; CPU throttled to the limit."""
        if self.finished_at is not None:
            return 0.0, 0
        cpu, memory = self.process.usage(self.elapsed(now))
        limit = self.limits.get("cpu")
        if limit is not None:
            cpu = min(cpu, limit)
        return cpu, memory

    def handle_http(self, method: str, path: str, headers: dict | None = None) -> tuple[int, str, float]:
        """Ask the process an HTTP question; ConnectionRefusedError if it is not running or not listening."""
        if self.finished_at is not None:
            raise ConnectionRefusedError
        return self.process.handle_http(
            method, path, dict(headers or {}), self.elapsed(self.runtime.loop.now)
        )

    def logs(self) -> str:
        lines = self.process.logs(self.elapsed(self.runtime.loop.now))
        return "".join(line + "\n" for line in lines[-MAX_LOG_LINES:])

    def read_file(self, path: str) -> str | None:
        return self.process.read_file(path, self.elapsed(self.runtime.loop.now))

    def process_files(self, elapsed: float) -> dict[str, str]:
        """The files the process has written by `elapsed` (what an exec probe's `cat` can read)."""
        if isinstance(self.process, Script):
            self.process.advance(until=elapsed, budget=Script.MAX_ADVANCE)
            return self.process._files_now(elapsed)
        return dict(self.process.files)

    def ports(self) -> set[int]:
        return self.process.ports() if self.finished_at is None else set()

    def set_healthy(self, healthy: bool) -> None:
        """Make a web server answer 500 (healthy=False) or 200 again; liveness probes notice."""
        if isinstance(self.process, WebServer):
            self.process.healthy = bool(healthy)
        else:
            raise TypeError(f"container {self.name} runs {type(self.process).__name__}, not a web server")

    def clock(self, elapsed: float) -> str:
        return self.runtime.loop.datetime(self.started_at + elapsed).strftime("%d/%b/%Y:%H:%M:%S +0000")

    def date(self, elapsed: float) -> str:
        moment = self.runtime.loop.datetime(self.started_at + elapsed)
        return moment.strftime("%a %b ") + f"{moment.day:2d}" + moment.strftime(" %H:%M:%S UTC %Y")


def _resources(values: Any) -> dict[str, float | int]:
    """requests or limits as numbers: cpu in cores, the rest in units (bytes for memory)."""
    out: dict[str, float | int] = {}
    for key, value in (values or {}).items():
        number = _resource(key == "cpu", str(value))
        if number is not None:
            out[key] = number
    return out


@functools.lru_cache(maxsize=1024)
def _resource(cpu: bool, text: str) -> float | int | None:
    """One amount, parsed once per distinct text (150,000 pods share a handful of shapes)."""
    from k8slab.api.quantity import parse_quantity

    try:
        quantity = parse_quantity(text)
    except ValueError:
        return None
    return quantity.milli_value / 1000 if cpu else quantity.value


class StartError(Exception):
    """The runtime could not start the container (what containerd returns as RunContainerError)."""


class Runtime:
    """One node's container runtime (containerd through the CRI, much simplified).

    The kubelet calls it; nothing else does. `on_exit(container)` is the
    kubelet's callback when a process exits on its own or is killed (upstream
    the kubelet's PLEG notices by relisting; here the runtime tells it).
    """

    def __init__(
        self,
        loop,
        registry: ImageRegistry,
        node_name: str = "",
        on_exit: Callable[[Container], Any] | None = None,
    ):
        self.loop = loop
        self.registry = registry
        self.node_name = node_name
        self.on_exit = on_exit
        #: images present on the node: normalized reference -> (size bytes, digest reference)
        self.images: dict[str, tuple[int, str]] = {}
        self._containers: dict[str, Container] = {}  # container id -> running container
        self._by_ip_port: dict[tuple[str, int], Container] = {}
        self._pull_queue: list[tuple[str, Callable[[str | None, float, float], Any], float, bool]] = []
        self._pulling: str | None = None
        self._serial = 0

    # -- images ---------------------------------------------------------------------------------

    def has_image(self, ref: str) -> bool:
        return normalized(ref) in self.images

    def pull(self, ref: str, done: Callable[[str | None, float, float], Any], cached: bool = False) -> None:
        """Pull an image; then `done(error, pull_seconds, seconds_including_waiting)`.

        Pulls on a node happen one at a time (the kubelet's default,
        serializeImagePulls=true), so a second pull waits for the first.
        `cached`: the layers are already here (pull policy Always), only the manifest is checked: 0.2 s."""
        self._pull_queue.append((ref, done, self.loop.now, cached))
        if self._pulling is None:
            self._next_pull()

    def _next_pull(self) -> None:
        if not self._pull_queue:
            self._pulling = None
            return
        ref, done, queued, cached = self._pull_queue[0]
        self._pulling = ref
        image = self.registry.lookup(ref)
        cached = cached or normalized(ref) in self.images  # pulled meanwhile by a request queued earlier
        seconds = 0.5 if self.registry.is_missing(ref) else 0.2 if cached else image.pull_seconds
        self.loop.call_later(seconds, self._pulled, ref, done, queued, seconds)

    def _pulled(self, ref: str, done, queued: float, seconds: float) -> None:
        self._pull_queue.pop(0)
        error = None
        full, _, tag = parse_image(ref)
        if self.registry.is_missing(ref):
            error = (
                f'rpc error: code = NotFound desc = failed to pull and unpack image "{full}:{tag}": '
                f'failed to resolve reference "{full}:{tag}": {full}:{tag}: not found'
            )
        else:
            image = self.registry.lookup(ref)
            self.images[normalized(ref)] = (image.size_bytes, f"{full}@{digest_of(full + ':' + tag)}")
        try:
            done(error, seconds, self.loop.now - queued)
        finally:
            self._next_pull()

    def image_list(self) -> list[dict]:
        """node.status.images as the kubelet posts them: biggest first, at most 50 (nodeStatusMaxImages)."""
        entries = [
            {"names": [digest, name], "sizeBytes": size} for name, (size, digest) in self.images.items()
        ]
        entries.sort(key=lambda e: (-e["sizeBytes"], e["names"][1]))
        return entries[:50]

    def image_id(self, ref: str) -> str:
        entry = self.images.get(normalized(ref))
        return entry[1] if entry else ""

    # -- containers -----------------------------------------------------------------------------

    def start(self, namespace: str, pod: str, pod_uid: str, spec: dict, ip: str) -> Container:
        """Create and start a container; StartError if its command cannot run."""
        self._serial += 1
        container_id = (
            "containerd://"
            + hashlib.sha256(
                f"{self.node_name}/{pod_uid}/{spec.get('name')}/{self._serial}".encode()
            ).hexdigest()
        )
        container = Container(self, namespace, pod, pod_uid, spec, ip, self.loop.now, container_id)
        container.process = self._process(container, spec)
        self._containers[container_id] = container
        for port in container.ports():
            self._by_ip_port[(ip, port)] = container
        self._schedule_exit(container)
        return container

    def _schedule_exit(self, container: Container) -> None:
        """One timer for the moment the process ends (its own exit, or the OOM killer), if known."""
        limit = container.limits.get("memory")
        natural = container.process.exit()
        oom = container.process.memory_exceeds(int(limit)) if limit is not None else None
        start = container.started_at
        if oom is not None and (natural is None or oom < natural[0]):
            container.exit_timer = self.loop.call_at(
                max(start + oom, self.loop.now), self._exit, container, 137, "OOMKilled"
            )
        elif natural is not None:
            reason = "Completed" if natural[1] == 0 else "Error"
            when = max(start + natural[0], self.loop.now)
            container.exit_timer = self.loop.call_at(when, self._exit, container, natural[1], reason)
        else:
            horizon = container.process.horizon()
            if horizon is not None:  # a long script: work out the next stretch when its time comes
                when = max(start + horizon, self.loop.now)
                container.look_again = self.loop.call_at(when, self._look_again, container)

    def _look_again(self, container: Container) -> None:
        container.look_again = None
        if container.finished_at is None and container.exit_timer is None:
            container.process.advance()
            self._schedule_exit(container)

    def _process(self, container: Container, spec: dict) -> Process:
        image = self.registry.lookup(container.image)
        command = [str(c) for c in spec.get("command") or []]
        argv = command + container.args if command else []
        if not argv and image.default_command:  # the image's CMD; a pod's args replace it (no ENTRYPOINT)
            argv = container.args or list(image.default_command)
        if not argv or not image.shell and not command:
            return image.behaviour(container)
        program = argv[0].rsplit("/", 1)[-1]
        if program not in SHELL_PROGRAMS:
            if not image.shell or not self.registry.knows(container.image):
                return image.behaviour(container)  # an image the lab does not model: its own program
            raise StartError(
                "failed to create containerd task: failed to create shim task: OCI runtime create failed: "
                "runc create failed: unable to start container process: error during container init: "
                f'exec: "{argv[0]}": executable file not found in $PATH: unknown'
            )
        if program in ("nginx", "httpd"):
            return WebServer(container)
        try:
            return Script(container, argv)
        except ScriptError as error:
            raise StartError(str(error)) from None

    def stop(self, container: Container, grace: float, reason_if_killed: str = "Error") -> None:
        """SIGTERM now; SIGKILL after `grace` seconds if the process has not exited (exit 137)."""
        if container.finished_at is not None or container.stopping:
            return
        container.stopping = True
        answer = container.process.sigterm(container.elapsed(self.loop.now))
        if answer is not None and answer[0] <= grace:
            delay, code = answer
            self._reschedule(container, delay, code, "Completed" if code == 0 else "Error")
        else:
            self._reschedule(container, grace, 137, reason_if_killed)

    def kill(self, container: Container, code: int = 137, reason: str = "Error") -> None:
        """The process dies now (SIGKILL, or a crash with `code`)."""
        if container.finished_at is None:
            self._exit(container, code, reason)

    def _reschedule(self, container: Container, delay: float, code: int, reason: str) -> None:
        current = container.exit_timer
        if current is not None and not current.cancelled and current.when <= self.loop.now + delay:
            return  # it exits on its own before that
        if current is not None:
            current.cancel()
        container.exit_timer = self.loop.call_later(delay, self._exit, container, code, reason)

    def _exit(self, container: Container, code: int, reason: str) -> None:
        if container.finished_at is not None:
            return
        if container.look_again is not None:
            container.look_again.cancel()
            container.look_again = None
        if container.exit_timer is not None:
            container.exit_timer.cancel()
            container.exit_timer = None
        container.finished_at = self.loop.now
        container.exit_code = code
        container.reason = reason
        self._containers.pop(container.container_id, None)
        for key in [k for k, v in self._by_ip_port.items() if v is container]:
            del self._by_ip_port[key]
        if self.on_exit is not None:
            self.on_exit(container)

    def remove(self, container: Container) -> None:
        """Forget a container entirely (dead or alive, with no callback): a pod that is gone."""
        if container.look_again is not None:
            container.look_again.cancel()
            container.look_again = None
        if container.exit_timer is not None:
            container.exit_timer.cancel()
            container.exit_timer = None
        if container.finished_at is None:
            container.finished_at = self.loop.now
            container.exit_code, container.reason = 137, "Error"
        self._containers.pop(container.container_id, None)
        for key in [k for k, v in self._by_ip_port.items() if v is container]:
            del self._by_ip_port[key]

    def containers(self) -> list[Container]:
        """The running containers, in the order they started (what `crictl ps` lists)."""
        return list(self._containers.values())

    def find(self, namespace: str, pod: str, name: str) -> Container | None:
        """The running container `name` of pod `namespace/pod`, or None."""
        for container in self._containers.values():
            if container.namespace == namespace and container.pod == pod and container.name == name:
                return container
        return None

    @property
    def open_ports(self) -> set[tuple[str, int]]:
        """(ip, port) pairs where a container accepts TCP connections now."""
        return set(self._by_ip_port)

    def listener(self, ip: str, port: int) -> Container | None:
        """The container that accepts TCP on ip:port (None: connection refused)."""
        return self._by_ip_port.get((ip, port))
