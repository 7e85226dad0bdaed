"""Reading a kubectl command line, and kubectl's two small template languages (notebook 02).

kubectl is a Go program built on two libraries whose habits a learner meets
on every command line:

* **cobra** finds the command: the first word that is not a flag (`get`),
  then a sub-command for the commands that have them (`rollout status`,
  `create deployment`). Flags may come before or after the command words.
* **pflag** reads the flags, GNU style: `--namespace kube-system`,
  `--namespace=kube-system`, `-n kube-system`, `-nkube-system`; booleans
  without a value (`-A`, `--all`) or with one (`--all=false`); several short
  booleans in one (`-Aw`); `--` ends the flags. Its error messages are the
  ones kubectl prints (`unknown flag: --bogus`).

`parse()` does both and returns an `Invocation`; `UsageError` carries the
message and the command path for kubectl's "See 'kubectl get --help' for
usage." line.

The second half of the file is **JSONPath** as kubectl speaks it
(`-o jsonpath='{.items[*].metadata.name}'`, `-o custom-columns=...`,
`--sort-by`): k8s.io/client-go/util/jsonpath, with `{range}`/`{end}`,
filters `[?(@.type=="Ready")]`, slices, `..` and quoted text. Values print
the way Go prints them: strings bare, maps and lists as compact JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# ====================================================================================================
# Flags and commands (cobra + pflag)
# ====================================================================================================


class UsageError(Exception):
    """A command line kubectl refuses before doing anything; kubectl adds "See '... --help' for usage."."""

    def __init__(self, message: str, command_path: str = "kubectl", hint: str = "help"):
        super().__init__(message)
        self.message = message
        self.command_path = command_path
        self.hint = hint  # "help": pflag's flag errors; "examples": kubectl's own usage errors

    def text(self) -> str:
        """The lines kubectl prints on stderr."""
        if self.hint == "examples":  # cmdutil.UsageErrorf
            return f"error: {self.message}\nSee '{self.command_path} -h' for help and examples\n"
        return f"error: {self.message}\nSee '{self.command_path} --help' for usage.\n"


@dataclass(frozen=True)
class Flag:
    """One flag, spelled as kubectl spells it.

    `kind` is pflag's value type: "bool", "string", "int", "duration" (seconds,
    written `30s`, `2m`), "seconds" (the lab's own: `30` or `30s`), "stringSlice"
    (repeatable and comma-separated: `-f a.yaml,b.yaml`)
    or "stringArray" (repeatable, never split: `--from-literal=k=v,w`).
    `no_value` is pflag's NoOptDefVal: the value `--cascade` means without `=...`.
    """

    name: str
    short: str = ""
    kind: str = "string"
    default: Any = None
    help: str = ""
    no_value: str | None = None

    def spelled(self) -> str:
        return f"-{self.short}, --{self.name}" if self.short else f"--{self.name}"


@dataclass(frozen=True)
class CommandSpec:
    """A kubectl command: its name, its one-line description, its usage line and its flags."""

    name: str
    short: str
    usage: str
    flags: tuple[Flag, ...] = ()
    subcommands: tuple[CommandSpec, ...] = ()
    aliases: tuple[str, ...] = ()
    group: str = ""  # the heading `kubectl --help` lists it under
    long: str = ""

    def subcommand(self, word: str) -> CommandSpec | None:
        for sub in self.subcommands:
            if word == sub.name or word in sub.aliases:
                return sub
        return None


@dataclass
class Invocation:
    """A parsed command line: which command, its arguments and its flag values."""

    path: list[CommandSpec]
    args: list[str]
    values: dict[str, Any]
    given: set[str] = field(default_factory=set)  # flags the user actually wrote
    args_before_dash: int = -1  # cobra's ArgsLenAtDash: how many args came before `--` (-1: no `--`)

    @property
    def command(self) -> CommandSpec:
        return self.path[-1]

    @property
    def command_path(self) -> str:
        return " ".join(spec.name for spec in self.path)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


#: Flags every command accepts (kubectl's persistent flags, the ones the lab models).
GLOBAL_FLAGS = (
    Flag("namespace", "n", "string", "", "If present, the namespace scope for this CLI request"),
    Flag("help", "h", "bool", False, "help for this command"),
    Flag("v", "v", "int", 0, "number for the log level verbosity (the lab prints no logs)"),
    Flag("kubeconfig", "", "string", "", "Path to the kubeconfig file (ignored: the lab has one cluster)"),
    Flag("context", "", "string", "", "The name of the kubeconfig context to use (ignored)"),
    Flag("request-timeout", "", "string", "0", "How long to wait before giving up on a request (ignored)"),
)


def find_command(words: Sequence[str], root: CommandSpec) -> tuple[list[CommandSpec], list[str]]:
    """Cobra's Find: walk the non-flag words down the command tree; return the path and the leftover args.

    Flags are skipped (with their values, for flags that take one) so that
    `kubectl -n kube-system get pods` finds `get`.
    """
    path = [root]
    rest: list[str] = []
    flags = {f.name: f for f in GLOBAL_FLAGS}
    shorts = {f.short: f for f in GLOBAL_FLAGS if f.short}
    index = 0
    descending = True
    while index < len(words):
        word = words[index]
        if word == "--":
            rest.extend(words[index:])
            break
        if word.startswith("-") and word != "-":
            rest.append(word)
            flag = None
            if word.startswith("--") and "=" not in word:
                flag = flags.get(word[2:])
            elif not word.startswith("--") and len(word) == 2:
                flag = shorts.get(word[1])
            if flag is not None and flag.kind != "bool" and index + 1 < len(words):
                rest.append(words[index + 1])  # the flag's value, which is not a command word
                index += 1
            index += 1
            continue
        sub = path[-1].subcommand(word) if descending else None
        if sub is not None:
            path.append(sub)
        else:
            descending = False
            rest.append(word)
        index += 1
    return path, rest


def parse(words: Sequence[str], root: CommandSpec) -> Invocation:
    """Find the command and read its flags (pflag's rules). Raises UsageError as kubectl would refuse."""
    path, rest = find_command(words, root)
    flags = list(GLOBAL_FLAGS)
    for spec in path[1:]:
        flags.extend(spec.flags)
    invocation = Invocation(path, [], {f.name: _copy_default(f.default) for f in flags})
    command_path = invocation.command_path
    by_name = {f.name: f for f in flags}
    by_short = {f.short: f for f in flags if f.short}

    index = 0
    while index < len(rest):
        word = rest[index]
        index += 1
        if word == "--":
            invocation.args_before_dash = len(invocation.args)
            invocation.args.extend(rest[index:])
            break
        if word.startswith("--"):
            name, has_value, value = word[2:].partition("=")
            flag = by_name.get(name)
            if flag is None:
                raise UsageError(f"unknown flag: --{name}", command_path)
            if not has_value:
                if flag.kind == "bool":
                    value = "true"
                elif flag.no_value is not None:
                    value = flag.no_value
                elif index < len(rest):
                    value = rest[index]
                    index += 1
                else:
                    raise UsageError(f"flag needs an argument: --{name}", command_path)
            _set(invocation, flag, value, command_path)
        elif word.startswith("-") and word != "-":
            shorthands = word[1:]
            position = 0
            while position < len(shorthands):
                letter = shorthands[position]
                flag = by_short.get(letter)
                if flag is None:
                    raise UsageError(f"unknown shorthand flag: '{letter}' in -{shorthands}", command_path)
                remainder = shorthands[position + 1:]
                if flag.kind == "bool":
                    if remainder.startswith("="):
                        _set(invocation, flag, remainder[1:], command_path)
                        break
                    _set(invocation, flag, "true", command_path)
                    position += 1
                    continue
                if remainder.startswith("="):
                    value = remainder[1:]
                elif remainder:
                    value = remainder
                elif flag.no_value is not None:
                    value = flag.no_value
                elif index < len(rest):
                    value = rest[index]
                    index += 1
                else:
                    raise UsageError(f"flag needs an argument: '{letter}' in -{shorthands}", command_path)
                _set(invocation, flag, value, command_path)
                break
        else:
            invocation.args.append(word)
    return invocation


def _copy_default(default: Any) -> Any:
    return list(default) if isinstance(default, list) else default


def _set(invocation: Invocation, flag: Flag, text: str, command_path: str) -> None:
    try:
        value = convert(flag.kind, text)
    except ValueError as error:
        message = f'invalid argument "{text}" for "{flag.spelled()}" flag: {error}'
        raise UsageError(message, command_path) from None
    if flag.kind in ("stringSlice", "stringArray"):
        if flag.name not in invocation.given:
            invocation.values[flag.name] = []  # the first use replaces the default, later ones append
        invocation.values[flag.name].extend(value)
    else:
        invocation.values[flag.name] = value
    invocation.given.add(flag.name)


def convert(kind: str, text: str) -> Any:
    """A flag's text as its type, refused with Go's own error text (strconv, time.ParseDuration)."""
    if kind == "bool":
        if text in ("1", "t", "T", "TRUE", "true", "True"):
            return True
        if text in ("0", "f", "F", "FALSE", "false", "False"):
            return False
        raise ValueError(f'strconv.ParseBool: parsing "{text}": invalid syntax')
    if kind == "int":
        return parse_go_int(text)
    if kind == "duration":
        return parse_duration(text)
    if kind == "seconds":  # k8slab's own flags: a plain number of seconds, or a Go duration
        try:
            return float(text)
        except ValueError:
            return parse_duration(text)
    if kind == "stringSlice":
        return [item for item in text.split(",")] if text else []
    if kind == "stringArray":
        return [text]
    return text


def parse_go_int(text: str) -> int:
    """strconv.ParseInt(text, 0, 64): decimal, or 0x / 0o / 0b prefixed, with an optional sign."""
    match = re.fullmatch(r"([+-]?)(0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|0[bB][01_]+|[1-9][0-9_]*|0)", text)
    if not match:
        raise ValueError(f'strconv.ParseInt: parsing "{text}": invalid syntax')
    sign, digits = match.groups()
    number = int(digits.replace("_", ""), 0) if not re.fullmatch(r"0[0-7_]+", digits) else int(digits, 8)
    return -number if sign == "-" else number


_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Go's time.ParseDuration, in seconds: `30s`, `1m30s`, `1.5h`, `500ms`, `0`."""
    if text in ("0", "+0", "-0"):
        return 0.0
    match = re.fullmatch(r"([+-]?)((?:[0-9]*\.?[0-9]+(?:ns|us|µs|ms|s|m|h))+)", text)
    if not match:
        if re.fullmatch(r"[+-]?[0-9]*\.?[0-9]+", text):
            raise ValueError(f'time: missing unit in duration "{text}"')
        raise ValueError(f'time: invalid duration "{text}"')
    total = sum(float(number) * _DURATION_UNITS[unit]
                for number, unit in re.findall(r"([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)", match.group(2)))
    return -total if match.group(1) == "-" else total


def flag_help(flags: Sequence[Flag]) -> str:
    """The "Options:" block of `kubectl <command> --help`."""
    lines = []
    for flag in sorted(flags, key=lambda f: f.name):
        if flag.name == "help":
            continue
        default = flag.default
        if flag.kind == "bool":
            shown = "=false" if not default else "=true"
        elif flag.kind in ("stringSlice", "stringArray"):
            shown = "=[]"
        elif flag.kind in ("duration", "seconds"):
            shown = f"={_format_duration(default or 0)}"
        else:
            shown = f"={default}" if default not in (None, "") else "=''"
        name = f"-{flag.short}, --{flag.name}" if flag.short else f"--{flag.name}"
        lines.append(f"    {name}{shown}:\n\t{flag.help}\n")
    return "\n".join(lines)


def _format_duration(seconds: float) -> str:
    if seconds == 0:
        return "0s"
    if seconds % 60 == 0:
        return f"{int(seconds // 60)}m0s"
    return f"{seconds:g}s"


def suggestions(word: str, names: Sequence[str]) -> list[str]:
    """Cobra's "Did you mean this?": names within edit distance 2, or that start with what was typed."""
    found = []
    for name in names:
        if levenshtein(word.lower(), name.lower()) <= 2 or name.lower().startswith(word.lower()):
            found.append(name)
    return found


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


# ====================================================================================================
# JSONPath (k8s.io/client-go/util/jsonpath)
# ====================================================================================================


class JSONPathError(ValueError):
    """A template that does not parse, or a filter that cannot be evaluated."""


@dataclass
class _Text:
    text: str


@dataclass
class _Field:
    name: str  # "" for `.` alone; "*" for every value


@dataclass
class _Recursive:  # `..`: this node and every node below it
    pass


@dataclass
class _Index:
    start: int | None = None
    end: int | None = None
    step: int | None = None
    single: bool = False  # [3] rather than [3:4]
    wildcard: bool = False  # [*]


@dataclass
class _Union:
    keys: list[Any]  # ['a','b'] or [0,2]


@dataclass
class _Filter:
    left: list[Any]  # a path relative to @
    operator: str  # "==", "!=", "<", ">", "<=", ">=" or "exists"
    right: Any = None  # a literal, or a path (list) relative to @


@dataclass
class _Path:
    root: str  # "@" (current) or "$" (the object)
    steps: list[Any]


@dataclass
class _Range:
    path: _Path
    body: list[Any]


def parse_jsonpath(template: str) -> list[Any]:
    """Parse a kubectl JSONPath template into nodes: text, paths, quoted strings and range blocks."""
    nodes: list[Any] = []
    stack: list[tuple[_Range, list[Any]]] = []
    position = 0
    while position < len(template):
        start = template.find("{", position)
        if start < 0:
            nodes.append(_Text(template[position:]))
            break
        if start > position:
            nodes.append(_Text(template[position:start]))
        end = _closing_brace(template, start)
        action = template[start + 1:end].strip()
        position = end + 1
        if action.startswith("range"):
            block = _Range(_parse_path(action[len("range"):].strip()), [])
            nodes.append(block)
            stack.append((block, nodes))
            nodes = block.body
        elif action == "end":
            if not stack:
                raise JSONPathError("not in range, nothing to end")
            _, nodes = stack.pop()
        elif action.startswith(('"', "'")) and action.endswith(action[0]) and len(action) >= 2:
            nodes.append(_Text(_unquote(action)))
        else:
            nodes.append(_parse_path(action))
    if stack:
        raise JSONPathError("unclosed range")
    return nodes


def _closing_brace(template: str, start: int) -> int:
    depth = 0
    quote = ""
    for index in range(start, len(template)):
        char = template[index]
        if quote:
            if char == "\\":
                continue
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
    raise JSONPathError("unclosed action")


def _unquote(text: str) -> str:
    body = text[1:-1]
    return body.encode("latin-1", "backslashreplace").decode("unicode_escape") if "\\" in body else body


def _parse_path(text: str) -> _Path:
    """`.items[*].metadata.name`, `$.spec`, `@.status`, `..image`, `['a.b']`."""
    root = "@"
    if text.startswith("$"):
        root, text = "$", text[1:]
    elif text.startswith("@"):
        text = text[1:]
    steps: list[Any] = []
    position = 0
    while position < len(text):
        char = text[position]
        if text.startswith("..", position):
            steps.append(_Recursive())
            position += 2
            name, position = _name_at(text, position)
            if name:
                steps.append(_Field(name))
        elif char == ".":
            position += 1
            name, position = _name_at(text, position)
            steps.append(_Field(name))
        elif char == "[":
            end = _closing_bracket(text, position)
            steps.append(_parse_bracket(text[position + 1:end].strip()))
            position = end + 1
        elif char.isspace():
            position += 1
        else:
            name, new_position = _name_at(text, position)
            if not name:
                raise JSONPathError(f"unrecognized character in action: U+{ord(char):04X} {char!r}")
            steps.append(_Field(name))
            position = new_position
    return _Path(root, steps)


def _name_at(text: str, position: int) -> tuple[str, int]:
    match = re.compile(r"[A-Za-z0-9_\-/*$]*").match(text, position)
    assert match is not None
    return match.group(0), match.end()


def _closing_bracket(text: str, start: int) -> int:
    depth = 0
    quote = ""
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
    raise JSONPathError("unterminated array")


def _parse_bracket(inner: str) -> Any:
    if inner == "*":
        return _Index(wildcard=True)
    if inner.startswith("?"):
        return _parse_filter(inner[1:].strip())
    if inner.startswith(("'", '"')):
        keys = [_unquote(part.strip()) for part in _split_top(inner, ",")]
        return _Field(keys[0]) if len(keys) == 1 else _Union(keys)
    if "," in inner:
        return _Union([int(part) for part in inner.split(",")])
    if ":" in inner:
        parts = [part.strip() for part in inner.split(":")]
        numbers = [int(part) if part else None for part in parts]
        while len(numbers) < 3:
            numbers.append(None)
        return _Index(numbers[0], numbers[1], numbers[2])
    try:
        return _Index(int(inner), single=True)
    except ValueError:
        raise JSONPathError(f"invalid array index {inner}") from None


def _split_top(text: str, separator: str) -> list[str]:
    parts, current, quote = [], "", ""
    for char in text:
        if quote:
            current += char
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
            current += char
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _parse_filter(text: str) -> _Filter:
    if not (text.startswith("(") and text.endswith(")")):
        raise JSONPathError(f"unrecognized filter: {text}")
    body = text[1:-1].strip()
    match = re.fullmatch(r"(@[^=!<>\s]*)\s*(==|!=|<=|>=|<|>|=~)?\s*(.*)", body)
    if not match:
        raise JSONPathError(f"unrecognized filter: {text}")
    left_text, operator, right_text = match.groups()
    left = _parse_path(left_text).steps
    if not operator:
        return _Filter(left, "exists")
    right: Any
    right_text = right_text.strip()
    if right_text.startswith(("'", '"')):
        right = _unquote(right_text)
    elif right_text.startswith("@") or right_text.startswith("$"):
        right = _parse_path(right_text).steps
    else:
        try:
            right = json.loads(right_text)
        except ValueError:
            raise JSONPathError(f"unrecognized filter value: {right_text}") from None
    return _Filter(left, operator, right)


def evaluate_jsonpath(nodes: list[Any], data: Any) -> str:
    """Run a parsed template against `data`: text as written, each action's values joined by spaces.

    A path that leads nowhere prints nothing (kubectl's default
    `--allow-missing-template-keys=true`).
    """
    out: list[str] = []
    _run(nodes, data, data, out)
    return "".join(out)


def _run(nodes: list[Any], current: Any, root: Any, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, _Text):
            out.append(node.text)
        elif isinstance(node, _Range):  # `{range .items[*]}...{end}`: the body once per value
            for item in _select(node.path, current, root):
                _run(node.body, item, root, out)
        else:
            values = _select(node, current, root)
            out.append(" ".join(format_value(value) for value in values))


def jsonpath_values(path: str, data: Any) -> list[Any]:
    """The values one relaxed path (`.metadata.name`, `{.metadata.name}`, `metadata.name`) selects."""
    nodes = parse_jsonpath(relaxed_jsonpath(path))
    values: list[Any] = []
    for node in nodes:
        if isinstance(node, _Path):
            values.extend(_select(node, data, data))
    return values


def relaxed_jsonpath(path: str) -> str:
    """kubectl's RelaxedJSONPathExpression: `metadata.name` and `.metadata.name` mean `{.metadata.name}`."""
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        return path
    if path and not path.startswith((".", "[")):
        path = "." + path
    return "{" + path + "}"


def _select(path: _Path, current: Any, root: Any) -> list[Any]:
    values = [root if path.root == "$" else current]
    return _walk(path.steps, values, root)


def _walk(steps: list[Any], values: list[Any], root: Any) -> list[Any]:
    for step in steps:
        following: list[Any] = []
        for value in values:
            following.extend(_step(step, value, root))
        values = following
    return values


def _step(step: Any, value: Any, root: Any) -> list[Any]:
    if isinstance(step, _Field):
        if step.name == "":
            return [value]
        if step.name == "*":
            if isinstance(value, dict):
                return [value[key] for key in sorted(value)]
            return list(value) if isinstance(value, list) else []
        if isinstance(value, dict) and step.name in value:
            return [value[step.name]]
        return []
    if isinstance(step, _Recursive):
        return list(_descendants(value))
    if isinstance(step, _Index):
        if not isinstance(value, list):
            return []
        if step.wildcard:
            return list(value)
        if step.single:
            index = step.start if step.start is not None else 0
            if -len(value) <= index < len(value):
                return [value[index]]
            return []
        return value[slice(step.start, step.end, step.step)]
    if isinstance(step, _Union):
        found = []
        for key in step.keys:
            if isinstance(key, int) and isinstance(value, list) and -len(value) <= key < len(value):
                found.append(value[key])
            elif isinstance(key, str) and isinstance(value, dict) and key in value:
                found.append(value[key])
        return found
    if isinstance(step, _Filter):
        items = value if isinstance(value, list) else [value]
        return [item for item in items if _keeps(step, item, root)]
    raise JSONPathError(f"unexpected step {step!r}")


def _descendants(value: Any):
    yield value
    if isinstance(value, dict):
        for key in sorted(value):
            yield from _descendants(value[key])
    elif isinstance(value, list):
        for item in value:
            yield from _descendants(item)


def _keeps(condition: _Filter, item: Any, root: Any) -> bool:
    left = _walk(condition.left, [item], root)
    if condition.operator == "exists":
        return bool(left)
    if not left:
        return False
    right = _walk(condition.right, [item], root) if isinstance(condition.right, list) else [condition.right]
    if not right:
        return False
    a, b = left[0], right[0]
    try:
        if condition.operator == "==":
            return a == b
        if condition.operator == "!=":
            return a != b
        if condition.operator == "=~":
            return isinstance(a, str) and re.search(str(b), a) is not None
        if condition.operator == "<":
            return a < b
        if condition.operator == ">":
            return a > b
        if condition.operator == "<=":
            return a <= b
        return a >= b
    except TypeError:
        return False


def format_value(value: Any) -> str:
    """A value as client-go's jsonpath prints it: maps and lists as compact JSON, the rest as Go's fmt."""
    if isinstance(value, dict | list):
        return go_json(value)
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e21 else f"{value:e}"
    return str(value)


def go_json(value: Any) -> str:
    """JSON as Go's encoding/json writes it: compact, map keys sorted, `<`, `>`, `&` escaped for HTML."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


__all__ = [
    "GLOBAL_FLAGS",
    "CommandSpec",
    "Flag",
    "Invocation",
    "JSONPathError",
    "UsageError",
    "convert",
    "evaluate_jsonpath",
    "find_command",
    "go_json",
    "jsonpath_values",
    "parse",
    "parse_duration",
    "parse_jsonpath",
    "relaxed_jsonpath",
    "suggestions",
]
