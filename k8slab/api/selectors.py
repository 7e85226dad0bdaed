"""Label selectors, field selectors, and the name rules behind them (notebook 02).

Labels are how Kubernetes objects find each other. A Deployment finds its
ReplicaSets, a ReplicaSet its Pods, a Service its endpoints, all by a *label
selector*, never by name. This module is our copy of apimachinery's
`pkg/labels/selector.go`, `pkg/fields/selector.go`, `LabelSelectorAsSelector`
(`pkg/apis/meta/v1/helpers.go`) and the validation rules of
`pkg/api/validate/content` and `pkg/util/validation`, rewritten for reading.

**Label selectors, string form** (`kubectl get pods -l ...`, `?labelSelector=`):

    app=web             the label `app` is `web`         (`app==web` means the same)
    tier!=cache         `tier` is not `cache`, or there is no `tier` label
    env in (prod, qa)   `env` is one of these
    env notin (dev)     `env` is none of these, or there is no `env` label
    partition           there is a `partition` label, whatever its value
    !partition          there is no `partition` label
    a,b                 both (a comma is AND; there is no OR)

`parse_selector` follows Kubernetes' lexer and parser token by token, so a
malformed selector fails with Kubernetes' own words (`unable to parse
requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt`). A parsed
selector sorts its requirements by key; `str()` prints them that way.

**Label selectors, object form** (`spec.selector` of a Deployment or ReplicaSet):
`{"matchLabels": {...}, "matchExpressions": [{"key", "operator", "values"}]}`.
`selector_from_label_selector` turns it into the same `LabelSelector`. Note the
two extremes: `{}` selects *everything*, `None` selects *nothing*.

**Field selectors** (`--field-selector spec.nodeName=node-1`) compare a few
fields the API server extracts from each object (`object_fields`), with `=`,
`==` and `!=` only. Which fields a kind supports is fixed per kind: a Pod
offers `spec.nodeName` (the kubelet watches its node's pods that way) and
`status.phase`; most kinds offer only `metadata.name` and `metadata.namespace`.

**Names.** Label keys are *qualified names* (`app`, `example.com/tier`), label
values are at most 63 characters. Object names follow DNS rules
(`validate_dns1123_subdomain`, `validate_dns1123_label`). The messages are
Kubernetes' own, as of v1.35 (where label key and value lengths are counted
in bytes; object names still say characters).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from k8slab.api.errors import ErrorList


class SelectorError(ValueError):
    """A selector that cannot be parsed, or a requirement that breaks the rules; in Kubernetes' words."""


# =============================================================================================
# Name rules: what a label key, a label value, an object name may look like
# =============================================================================================

LABEL_KEY_NAME_MAX_LENGTH = 63
LABEL_VALUE_MAX_LENGTH = 63
DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_MAX_LENGTH = 253

_LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_KEY_ERR = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_LABEL_VALUE_FMT = "(" + _LABEL_KEY_FMT + ")?"
_LABEL_VALUE_ERR = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_ERR = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_ERR = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)

# fullmatch, never `$`: Python's `$` also matches before a final newline, Go's does not.
_LABEL_KEY_RE = re.compile(_LABEL_KEY_FMT)
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)
_DNS1123_LABEL_RE = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN_RE = re.compile(_DNS1123_SUBDOMAIN_FMT)


def regex_error(message: str, regex: str, *examples: str) -> str:
    """Kubernetes' wording for a failed pattern (RegexError), double spaces after the commas included."""
    if not examples:
        return f"{message} (regex used for validation is '{regex}')"
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{regex}')"


def max_length_error(length: int, unit: str = "characters") -> str:
    return f"must be no more than {length} {unit}"


def validate_dns1123_label(value: str) -> list[str]:
    """Problems with `value` as an RFC 1123 label (e.g. a Namespace or Service name); [] if none."""
    errors = []
    if _byte_length(value) > DNS1123_LABEL_MAX_LENGTH:
        errors.append(max_length_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            errors.append("must not contain dots")  # a fine subdomain; the length was checked, so: dots
        else:
            errors.append(regex_error(_DNS1123_LABEL_ERR, _DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errors


def validate_dns1123_subdomain(value: str) -> list[str]:
    """Problems with `value` as an RFC 1123 subdomain (most object names: Pods, Deployments); [] if none."""
    return _dns1123_subdomain_errors(value, "characters")


def _dns1123_subdomain_errors(value: str, length_unit: str) -> list[str]:
    errors = []
    if _byte_length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(max_length_error(DNS1123_SUBDOMAIN_MAX_LENGTH, length_unit))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errors.append(regex_error(_DNS1123_SUBDOMAIN_ERR, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def validate_label_key(key: str) -> list[str]:
    """Problems with `key` as a label key, a "qualified name" `[prefix/]name` (IsLabelKey); [] if none.

    The prefix, if any, is a DNS subdomain (`example.com`); the name is at most 63
    characters of letters, digits, `-`, `_` and `.`, starting and ending alphanumeric.
    """
    errors = []
    parts = key.split("/")
    if len(parts) > 2:
        return [
            "a valid label key "
            + regex_error(_LABEL_KEY_ERR, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if prefix == "":
            errors.append("prefix part must be non-empty")
        else:
            errors.extend("prefix part " + message for message in _dns1123_subdomain_errors(prefix, "bytes"))
    if name == "":
        errors.append("name part must be non-empty")
    elif _byte_length(name) > LABEL_KEY_NAME_MAX_LENGTH:
        errors.append("name part " + max_length_error(LABEL_KEY_NAME_MAX_LENGTH, "bytes"))
    if not _LABEL_KEY_RE.fullmatch(name):
        errors.append(
            "name part " + regex_error(_LABEL_KEY_ERR, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
        )
    return errors


def validate_label_value(value: str) -> list[str]:
    """Problems with `value` as a label value (content.IsLabelValue): empty is fine; [] if none."""
    errors = []
    if _byte_length(value) > LABEL_VALUE_MAX_LENGTH:
        errors.append(max_length_error(LABEL_VALUE_MAX_LENGTH, "bytes"))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errors.append(regex_error(_LABEL_VALUE_ERR, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errors


def validate_labels(labels: Mapping[str, str], path: str = "metadata.labels") -> ErrorList:
    """Every problem with a set of labels, as field errors on `path` (ValidateLabels)."""
    errors = ErrorList()
    for key, value in labels.items():
        for message in validate_label_key(key):
            errors.invalid(path, key, message)
        for message in validate_label_value(value):
            errors.invalid(path, value, message)
    return errors


def validate_label_selector(selector: Mapping[str, Any] | None, path: str = "spec.selector") -> ErrorList:
    """Every problem with a LabelSelector object, as field errors (metav1 validation.ValidateLabelSelector).

    These are the messages `kubectl apply` shows for a bad Deployment selector; the
    API server checks them before it ever turns the selector into a `LabelSelector`.
    Parts of the wrong type (a list where an object belongs) are skipped here: the
    schema check reports those.
    """
    errors = ErrorList()
    if not isinstance(selector, Mapping):
        return errors
    errors.extend(validate_labels(_string_map(selector.get("matchLabels")), f"{path}.matchLabels"))
    expressions = selector.get("matchExpressions")
    for index, expression in enumerate(expressions if isinstance(expressions, list) else []):
        if not isinstance(expression, Mapping):
            continue
        at = f"{path}.matchExpressions[{index}]"
        operator = _text(expression.get("operator"))
        values = [_text(value) for value in _list(expression.get("values"))]
        if operator in ("In", "NotIn"):
            if not values:
                errors.required(f"{at}.values", "must be specified when `operator` is 'In' or 'NotIn'")
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errors.forbidden(
                    f"{at}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                )
        else:
            errors.invalid(f"{at}.operator", operator, "not a valid selector operator")
        key = _text(expression.get("key"))
        for message in validate_label_key(key):
            errors.invalid(f"{at}.key", key, message)
        for value_index, value in enumerate(values):
            for message in validate_label_value(value):
                errors.invalid(f"{at}.values[{value_index}]", value, message)
    return errors


# =============================================================================================
# Label selectors
# =============================================================================================


class Operator(StrEnum):
    """How a requirement relates a key to its values (selection.Operator); the value is its spelling."""

    DoesNotExist = "!"
    Equals = "="
    DoubleEquals = "=="
    In = "in"
    NotEquals = "!="
    NotIn = "notin"
    Exists = "exists"
    GreaterThan = "gt"
    LessThan = "lt"


# The order Kubernetes lists them in its error messages.
_BINARY_OPERATORS = (
    Operator.In,
    Operator.NotIn,
    Operator.Equals,
    Operator.DoubleEquals,
    Operator.NotEquals,
    Operator.GreaterThan,
    Operator.LessThan,
)
_VALID_OPERATORS = _BINARY_OPERATORS + (Operator.Exists, Operator.DoesNotExist)


@dataclass(frozen=True)
class Requirement:
    """One condition on one label: `env in (prod,qa)` is Requirement("env", Operator.In, ("prod", "qa")).

    Build it with `new_requirement`, which checks it as Kubernetes does; creating one
    directly skips those checks (as SelectorFromValidatedSet does).
    """

    key: str
    operator: Operator
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a set of labels satisfies this requirement (Requirement.Matches)."""
        if self.operator in (Operator.In, Operator.Equals, Operator.DoubleEquals):
            return self.key in labels and labels[self.key] in self.values
        if self.operator in (Operator.NotIn, Operator.NotEquals):
            return self.key not in labels or labels[self.key] not in self.values  # absent counts as "not in"
        if self.operator is Operator.Exists:
            return self.key in labels
        if self.operator is Operator.DoesNotExist:
            return self.key not in labels
        if self.operator in (Operator.GreaterThan, Operator.LessThan):
            if self.key not in labels or len(self.values) != 1:
                return False
            have, want = _parse_int64(labels[self.key]), _parse_int64(self.values[0])
            if have is None or want is None:
                return False  # a label that is not a number never matches gt/lt
            return have > want if self.operator is Operator.GreaterThan else have < want
        return False

    def __str__(self) -> str:
        """The requirement in selector syntax; several values print sorted (Requirement.String)."""
        if self.operator is Operator.DoesNotExist:
            return "!" + self.key
        if self.operator is Operator.Exists:
            return self.key
        values = self.values[0] if len(self.values) == 1 else ",".join(sorted(self.values))
        if self.operator in (Operator.In, Operator.NotIn):
            return f"{self.key} {self.operator} ({values})"
        spelling = {Operator.GreaterThan: ">", Operator.LessThan: "<"}.get(self.operator, self.operator.value)
        return f"{self.key}{spelling}{values}"


def new_requirement(key: str, operator: Operator | str, values: Iterable[str] = ()) -> Requirement:
    """A checked Requirement (NewRequirement); raises SelectorError with every problem found.

    The rules: a valid label key; `in`/`notin` need at least one value; `=`, `==`, `!=`
    exactly one; `exists`/`!` none; `gt`/`lt` exactly one whole number; every value a
    valid label value (the empty string is one).
    """
    values = tuple(values)
    problems = []
    key_errors = validate_label_key(key)
    if key_errors:
        problems.append(_field_error("key", "Invalid value", key, "; ".join(key_errors)))
    try:
        operator = Operator(operator)
    except ValueError:
        supported = ", ".join(f'"{op.value}"' for op in _VALID_OPERATORS)
        problems.append(
            _field_error("operator", "Unsupported value", operator, f"supported values: {supported}")
        )
    else:
        problems.extend(_operator_problems(operator, values))
    for index, value in enumerate(values):
        value_errors = validate_label_value(value)
        if value_errors:
            problems.append(
                _field_error(f"values[{index}][{key}]", "Invalid value", value, "; ".join(value_errors))
            )
    if problems:
        raise SelectorError(_aggregate(problems))
    return Requirement(key, operator, values)


def _operator_problems(operator: Operator, values: tuple[str, ...]) -> list[str]:
    """How many values each operator takes, and what kind."""
    shown = list(values) or None  # Kubernetes passes a Go nil slice when there are none: it prints as null

    def invalid(detail: str) -> str:
        return _field_error("values", "Invalid value", shown, detail)

    if operator in (Operator.In, Operator.NotIn) and not values:
        return [invalid("for 'in', 'notin' operators, values set can't be empty")]
    if operator in (Operator.Equals, Operator.DoubleEquals, Operator.NotEquals) and len(values) != 1:
        return [invalid("exact-match compatibility requires one single value")]
    if operator in (Operator.Exists, Operator.DoesNotExist) and values:
        return [invalid("values set must be empty for exists and does not exist")]
    if operator in (Operator.GreaterThan, Operator.LessThan):
        problems = (
            [] if len(values) == 1 else [invalid("for 'Gt', 'Lt' operators, exactly one value is required")]
        )
        for index, value in enumerate(values):
            if _parse_int64(value) is None:
                detail = "for 'Gt', 'Lt' operators, the value must be an integer"
                problems.append(_field_error(f"values[{index}]", "Invalid value", value, detail))
        return problems
    return []


@dataclass(frozen=True)
class LabelSelector:
    """A parsed label selector: requirements that must all hold (labels.Selector).

    `everything()` has no requirements and matches every object; `nothing()` matches
    none (what a missing `spec.selector` means). Requirements are kept sorted by key.
    """

    requirements: tuple[Requirement, ...] = ()
    selects_nothing: bool = False

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Whether an object with these labels is selected."""
        if self.selects_nothing:
            return False
        labels = labels or {}
        for requirement in self.requirements:  # a plain loop: this runs once per object in a list
            if not requirement.matches(labels):
                return False
        return True

    @property
    def empty(self) -> bool:
        """True when the selector does not restrict anything (it matches every object)."""
        return not self.selects_nothing and not self.requirements

    def add(self, *requirements: Requirement) -> LabelSelector:
        """A new selector with these requirements too (Selector.Add)."""
        if self.selects_nothing:
            return self
        return LabelSelector(_sorted_by_key(self.requirements + requirements))

    def requires_exact_match(self, key: str) -> str | None:
        """The one value this selector demands for `key`, if it demands exactly one (RequiresExactMatch)."""
        for requirement in self.requirements:
            if requirement.key == key:
                exact = requirement.operator in (Operator.Equals, Operator.DoubleEquals, Operator.In)
                return requirement.values[0] if exact and len(requirement.values) == 1 else None
        return None

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)


def everything() -> LabelSelector:
    """The selector that matches every object (labels.Everything)."""
    return LabelSelector()


def nothing() -> LabelSelector:
    """The selector that matches no object (labels.Nothing)."""
    return LabelSelector(selects_nothing=True)


def selector_from_set(labels: Mapping[str, str] | None) -> LabelSelector:
    """`key=value` for every pair, unchecked (SelectorFromSet): how a Service's `spec.selector` is read."""
    return LabelSelector(
        _sorted_by_key(Requirement(k, Operator.Equals, (v,)) for k, v in (labels or {}).items())
    )


def validated_selector_from_set(labels: Mapping[str, str] | None) -> LabelSelector:
    """Like `selector_from_set`, but every key and value is checked first (ValidatedSelectorFromSet)."""
    return LabelSelector(
        _sorted_by_key(new_requirement(k, Operator.Equals, (v,)) for k, v in (labels or {}).items())
    )


def selector_from_label_selector(selector: Mapping[str, Any] | None) -> LabelSelector:
    """The LabelSelector *object* of a Deployment or ReplicaSet as a selector (LabelSelectorAsSelector).

    `None` selects nothing; `{}` (no matchLabels, no matchExpressions) selects everything.
    Raises SelectorError for an unknown operator or a requirement that breaks the rules.
    """
    if selector is None:
        return nothing()
    if not isinstance(selector, Mapping):
        raise SelectorError(f"a label selector must be an object, got {type(selector).__name__}")
    match_labels = _string_map(selector.get("matchLabels"))
    match_expressions = [e for e in _list(selector.get("matchExpressions")) if isinstance(e, Mapping)]
    if not match_labels and not match_expressions:
        return everything()
    requirements = [new_requirement(key, Operator.Equals, (value,)) for key, value in match_labels.items()]
    operators = {
        "In": Operator.In,
        "NotIn": Operator.NotIn,
        "Exists": Operator.Exists,
        "DoesNotExist": Operator.DoesNotExist,
    }
    for expression in match_expressions:
        operator = _text(expression.get("operator"))
        if operator not in operators:
            raise SelectorError(f"{_go_quote(operator)} is not a valid label selector operator")
        values = [_text(value) for value in _list(expression.get("values"))]
        requirements.append(new_requirement(_text(expression.get("key")), operators[operator], values))
    return LabelSelector(_sorted_by_key(requirements))


def _sorted_by_key(requirements: Iterable[Requirement]) -> tuple[Requirement, ...]:
    return tuple(sorted(requirements, key=lambda requirement: requirement.key))


# --- the string syntax: a lexer, then a recursive-descent parser (labels.Parse) ---------------


class Token(StrEnum):
    """The kinds of token the selector lexer produces."""

    END_OF_STRING = "end of string"
    CLOSED_PAR = ")"
    COMMA = ","
    DOES_NOT_EXIST = "!"
    DOUBLE_EQUALS = "=="
    EQUALS = "="
    GREATER_THAN = ">"
    IDENTIFIER = "identifier"
    IN = "in"
    LESS_THAN = "<"
    NOT_EQUALS = "!="
    NOT_IN = "notin"
    OPEN_PAR = "("


_KEYWORDS = {
    ")": Token.CLOSED_PAR,
    ",": Token.COMMA,
    "!": Token.DOES_NOT_EXIST,
    "==": Token.DOUBLE_EQUALS,
    "=": Token.EQUALS,
    ">": Token.GREATER_THAN,
    "in": Token.IN,
    "<": Token.LESS_THAN,
    "!=": Token.NOT_EQUALS,
    "notin": Token.NOT_IN,
    "(": Token.OPEN_PAR,
}
_SPECIAL_SYMBOLS = "=!(),><"
_WHITESPACE = " \t\r\n"
_OPERATOR_FOR_TOKEN = {
    Token.IN: Operator.In,
    Token.NOT_IN: Operator.NotIn,
    Token.EQUALS: Operator.Equals,
    Token.DOUBLE_EQUALS: Operator.DoubleEquals,
    Token.NOT_EQUALS: Operator.NotEquals,
    Token.GREATER_THAN: Operator.GreaterThan,
    Token.LESS_THAN: Operator.LessThan,
}


def lex_selector(text: str) -> list[tuple[Token, str]]:
    """Split a selector into (token, literal) pairs, ending with END_OF_STRING (Lexer.Lex).

    Whitespace separates tokens. The characters `= ! ( ) , > <` make operator tokens,
    the longest one possible (`!=` rather than `!` then `=`). Anything else, up to the
    next such character or space, is one identifier, unless it spells `in` or `notin`.
    """
    tokens = []
    position = 0
    while True:
        while position < len(text) and text[position] in _WHITESPACE:
            position += 1
        if position == len(text):
            tokens.append((Token.END_OF_STRING, ""))
            return tokens
        if text[position] in _SPECIAL_SYMBOLS:
            two = text[position : position + 2]
            symbol = two if two in _KEYWORDS else text[position]  # every single symbol is a token
            tokens.append((_KEYWORDS[symbol], symbol))
            position += len(symbol)
        else:
            start = position
            while position < len(text) and text[position] not in _SPECIAL_SYMBOLS + _WHITESPACE:
                position += 1
            word = text[start:position]
            tokens.append((_KEYWORDS.get(word, Token.IDENTIFIER), word))


class _Parser:
    """Kubernetes' selector parser. `in` and `notin` are keywords only where an operator may stand;
    where a key or a value is expected they are plain identifiers (`in in (in)` is a valid selector).
    """

    def __init__(self, text: str):
        self.tokens = lex_selector(text)
        self.position = 0

    def lookahead(self, operator_expected: bool = False) -> tuple[Token, str]:
        return self._as_seen(self.tokens[self.position], operator_expected)

    def consume(self, operator_expected: bool = False) -> tuple[Token, str]:
        token = self.tokens[self.position]
        self.position += 1
        return self._as_seen(token, operator_expected)

    @staticmethod
    def _as_seen(token: tuple[Token, str], operator_expected: bool) -> tuple[Token, str]:
        kind, literal = token
        if not operator_expected and kind in (Token.IN, Token.NOT_IN):
            return Token.IDENTIFIER, literal
        return kind, literal

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            kind, literal = self.lookahead()
            if kind is Token.END_OF_STRING:
                return requirements
            if kind not in (Token.IDENTIFIER, Token.DOES_NOT_EXIST):
                raise SelectorError(f"found '{literal}', expected: !, identifier, or 'end of string'")
            try:
                requirements.append(self.parse_requirement())
            except SelectorError as error:
                raise SelectorError(f"unable to parse requirement: {error}") from None
            kind, literal = self.consume()
            if kind is Token.END_OF_STRING:
                return requirements
            if kind is not Token.COMMA:
                raise SelectorError(f"found '{literal}', expected: ',' or 'end of string'")
            kind, literal = self.lookahead()
            if kind not in (Token.IDENTIFIER, Token.DOES_NOT_EXIST):
                raise SelectorError(f"found '{literal}', expected: identifier after ','")

    def parse_requirement(self) -> Requirement:
        key, operator = self.parse_key_and_infer_operator()
        if operator is not None:  # `key` or `!key`: nothing more to read
            return new_requirement(key, operator)
        operator = self.parse_operator()
        if operator in (Operator.In, Operator.NotIn):
            values = self.parse_values()
        else:
            values = self.parse_exact_value()
        return new_requirement(key, operator, sorted(values))

    def parse_key_and_infer_operator(self) -> tuple[str, Operator | None]:
        operator = None
        kind, literal = self.consume()
        if kind is Token.DOES_NOT_EXIST:
            operator = Operator.DoesNotExist
            kind, literal = self.consume()
        if kind is not Token.IDENTIFIER:
            raise SelectorError(f"found '{literal}', expected: identifier")
        key_errors = validate_label_key(literal)
        if key_errors:
            # Kubernetes reports this one without a field path, so Go prints "<nil>".
            raise SelectorError(_field_error(None, "Invalid value", literal, "; ".join(key_errors)))
        if self.lookahead()[0] in (Token.END_OF_STRING, Token.COMMA) and operator is None:
            operator = Operator.Exists
        return literal, operator

    def parse_operator(self) -> Operator:
        kind, literal = self.consume(operator_expected=True)
        if kind not in _OPERATOR_FOR_TOKEN:
            expected = ", ".join(op.value for op in _BINARY_OPERATORS)
            raise SelectorError(f"found '{literal}', expected: {expected}")
        return _OPERATOR_FOR_TOKEN[kind]

    def parse_values(self) -> set[str]:
        kind, literal = self.consume()
        if kind is not Token.OPEN_PAR:
            raise SelectorError(f"found '{literal}' expected: '('")
        kind, literal = self.lookahead()
        if kind in (Token.IDENTIFIER, Token.COMMA):
            values = self.parse_identifiers_list()
            self.consume()  # the ")" that ended the list
            return values
        if kind is Token.CLOSED_PAR:  # "()" is the set holding the empty string
            self.consume()
            return {""}
        raise SelectorError(f"found '{literal}', expected: ',', ')' or identifier")

    def parse_identifiers_list(self) -> set[str]:
        """Values between parentheses; an empty place between commas is the empty string: (a,,b)."""
        values: set[str] = set()
        while True:
            kind, literal = self.consume()
            if kind is Token.IDENTIFIER:
                values.add(literal)
                next_kind, next_literal = self.lookahead()
                if next_kind is Token.CLOSED_PAR:
                    return values
                if next_kind is not Token.COMMA:
                    raise SelectorError(f"found '{next_literal}', expected: ',' or ')'")
            elif kind is Token.COMMA:
                if not values:
                    values.add("")  # "(," starts with an empty value
                next_kind = self.lookahead()[0]
                if next_kind in (Token.CLOSED_PAR, Token.COMMA):
                    values.add("")  # ",)" and ",," hold an empty value
                if next_kind is Token.CLOSED_PAR:
                    return values
            else:
                raise SelectorError(f"found '{literal}', expected: ',', or identifier")

    def parse_exact_value(self) -> set[str]:
        if self.lookahead()[0] in (Token.END_OF_STRING, Token.COMMA):
            return {""}  # "key=" asks for the empty value
        kind, literal = self.consume()
        if kind is Token.IDENTIFIER:
            return {literal}
        raise SelectorError(f"found '{literal}', expected: identifier")


def parse_selector(text: str) -> LabelSelector:
    """Parse the string form of a label selector (labels.Parse); "" selects everything.

    >>> str(parse_selector("tier notin (frontend), env in (qa,prod),app=web"))
    'app=web,env in (prod,qa),tier notin (frontend)'
    """
    if not isinstance(text, str):
        raise TypeError(f"a label selector is a string, got {type(text).__name__}: {text!r}")
    return LabelSelector(_sorted_by_key(_Parser(text).parse()))


# =============================================================================================
# Field selectors
# =============================================================================================


@dataclass(frozen=True)
class FieldRequirement:
    """`field=value` or `field!=value` (a field selector's hasTerm / notHasTerm)."""

    field: str
    operator: Operator  # Operator.Equals (`=` and `==` both) or Operator.NotEquals
    value: str

    def matches(self, fields: Mapping[str, str]) -> bool:
        # A field the object does not have reads as "" (fields.Set.Get).
        equal = fields.get(self.field, "") == self.value
        return equal if self.operator is Operator.Equals else not equal

    def __str__(self) -> str:
        return f"{self.field}{self.operator.value}{escape_field_value(self.value)}"


@dataclass(frozen=True)
class FieldSelector:
    """A parsed field selector: terms that must all hold (fields.Selector)."""

    requirements: tuple[FieldRequirement, ...] = ()
    selects_nothing: bool = False

    def matches(self, fields: Mapping[str, str]) -> bool:
        """Whether an object with these fields (see `object_fields`) is selected."""
        if self.selects_nothing:
            return False
        return all(requirement.matches(fields) for requirement in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.selects_nothing and not self.requirements

    def requires_exact_match(self, field: str) -> str | None:
        """The value this selector demands for `field` with `=`, if any (how the kubelet's
        `spec.nodeName=<node>` watch can be served from an index)."""
        for requirement in self.requirements:
            if requirement.field == field and requirement.operator is Operator.Equals:
                return requirement.value
        return None

    def transform(self, convert: Callable[[str, str], tuple[str, str]]) -> FieldSelector:
        """Rewrite every term through `convert(field, value)`; a term turned into ("", "") is dropped."""
        if self.selects_nothing:
            return self
        kept = []
        for requirement in self.requirements:
            field, value = convert(requirement.field, requirement.value)
            if field or value:
                kept.append(FieldRequirement(field, requirement.operator, value))
        return FieldSelector(tuple(kept))

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)


_FIELD_OPERATORS = ("!=", "==", "=")  # tried in this order at each position of a term


def parse_field_selector(text: str, kind: str | None = None) -> FieldSelector:
    """Parse a field selector (fields.ParseSelector); "" selects everything.

    With `kind`, every field is also checked against what that kind supports, as
    the API server does before it lists (`field label not supported: spec.foo`).
    Spaces are not trimmed: `metadata.name = x` asks for the field "metadata.name ".
    """
    if not isinstance(text, str):
        raise TypeError(f"a field selector is a string, got {type(text).__name__}: {text!r}")
    requirements = []
    for term in sorted(_split_terms(text)):
        if term == "":
            continue
        field, operator, raw_value = _split_term(text, term)
        value = unescape_field_value(raw_value)
        requirements.append(
            FieldRequirement(field, Operator.NotEquals if operator == "!=" else Operator.Equals, value)
        )
    selector = FieldSelector(tuple(requirements))
    if kind is not None:
        selector = selector.transform(lambda field, value: convert_field_label(kind, field, value))
    return selector


def field_selector_from_set(fields: Mapping[str, str]) -> FieldSelector:
    """`field=value` for every pair (fields.SelectorFromSet)."""
    return FieldSelector(tuple(FieldRequirement(f, Operator.Equals, v) for f, v in fields.items()))


def _split_terms(text: str) -> list[str]:
    """Split at commas that are not escaped with a backslash."""
    if text == "":
        return []
    terms, start, escaped = [], 0, False
    for index, character in enumerate(text):
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == ",":
            terms.append(text[start:index])
            start = index + 1
    terms.append(text[start:])
    return terms


def _split_term(text: str, term: str) -> tuple[str, str, str]:
    """(field, operator, value) at the first operator in the term."""
    for index in range(len(term)):
        for operator in _FIELD_OPERATORS:
            if term.startswith(operator, index):
                return term[:index], operator, term[index + len(operator) :]
    raise SelectorError(f"invalid selector: '{text}'; can't understand '{term}'")


def escape_field_value(value: str) -> str:
    """Escape `\\`, `,` and `=` in a field value (fields.EscapeValue)."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def unescape_field_value(value: str) -> str:
    """Undo `escape_field_value`; a bare `,` or `=` or a stray `\\` is an error (fields.UnescapeValue)."""
    if not any(character in value for character in "\\,="):
        return value
    unescaped, escaped = [], False
    for character in value:
        if escaped:
            if character not in "\\,=":
                raise SelectorError(f"invalid field selector: invalid escape sequence: \\{character}")
            unescaped.append(character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character in ",=":
            # Go formats the rune with %v, which prints its number: '=' is 61.
            raise SelectorError(f"invalid field selector: unescaped character in value: {ord(character)}")
        else:
            unescaped.append(character)
    if escaped:
        raise SelectorError("invalid field selector: invalid escape sequence: \\")
    return "".join(unescaped)


# --- which fields each kind offers ------------------------------------------------------------

# The field labels each kind's conversion function accepts (AddFieldLabelConversionFunc in
# pkg/apis/core/v1/conversion.go). Kinds not listed accept only metadata.name and metadata.namespace.
_SUPPORTED_FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "Pod": (
        "metadata.name",
        "metadata.namespace",
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.podIPs",  # accepted, but no pod offers it, so it compares against ""
        "status.nominatedNodeName",
    ),
    "Node": ("metadata.name", "spec.unschedulable"),
    "Namespace": ("status.phase", "metadata.name"),
    "Secret": ("type", "metadata.namespace", "metadata.name"),
    "Service": ("metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"),
    "Event": (
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
        "metadata.namespace",
        "metadata.name",
    ),
}
_DEFAULT_FIELD_LABELS = ("metadata.name", "metadata.namespace")
_FIELD_LABEL_ALIASES = {("Pod", "spec.host"): "spec.nodeName"}  # for very old v1 clients

# Kinds that live outside namespaces have no metadata.namespace field to select on.
CLUSTER_SCOPED_KINDS = frozenset(
    {
        "Node",
        "Namespace",
        "PersistentVolume",
        "StorageClass",
        "PriorityClass",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "APIService",
    }
)


def supported_field_labels(kind: str) -> tuple[str, ...]:
    """The fields a field selector may use for objects of `kind`."""
    return _SUPPORTED_FIELD_LABELS.get(kind, _DEFAULT_FIELD_LABELS)


def convert_field_label(kind: str, label: str, value: str) -> tuple[str, str]:
    """Check (and, for old aliases, rename) one field of a field selector for `kind`.

    Raises SelectorError in the words of that kind's conversion function:
    `field label not supported: spec.foo` for kinds with their own fields (Pod,
    Node, Service...), `"spec.foo" is not a known field selector: only
    "metadata.name", "metadata.namespace"` for the others.
    """
    if (kind, label) in _FIELD_LABEL_ALIASES:
        return _FIELD_LABEL_ALIASES[kind, label], value
    if label in supported_field_labels(kind):
        return label, value
    if kind in _SUPPORTED_FIELD_LABELS:
        raise SelectorError(f"field label not supported: {label}")
    raise SelectorError(
        f'{_go_quote(label)} is not a known field selector: only "metadata.name", "metadata.namespace"'
    )


def object_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    """The fields a field selector sees on an API object (each kind's ToSelectableFields).

    Every object offers metadata.name, and metadata.namespace unless it is cluster-scoped.
    A Pod also offers spec.nodeName, spec.restartPolicy, spec.schedulerName,
    spec.serviceAccountName, spec.hostNetwork ("true"/"false"), status.phase,
    status.podIP and status.nominatedNodeName. Missing fields read as "".
    """
    kind = obj.get("kind", "")
    metadata = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    fields = {"metadata.name": metadata.get("name") or ""}
    if kind not in CLUSTER_SCOPED_KINDS:
        fields["metadata.namespace"] = metadata.get("namespace") or ""
    if kind == "Pod":
        pod_ips = status.get("podIPs") or []
        fields.update(
            {
                "spec.nodeName": spec.get("nodeName") or "",
                "spec.restartPolicy": spec.get("restartPolicy") or "",
                "spec.schedulerName": spec.get("schedulerName") or "",
                "spec.serviceAccountName": spec.get("serviceAccountName") or "",
                "spec.hostNetwork": "true" if spec.get("hostNetwork") else "false",
                "status.phase": status.get("phase") or "",
                # The primary IP: the first of status.podIPs (status.podIP mirrors it in v1).
                "status.podIP": (pod_ips[0].get("ip") or "") if pod_ips else (status.get("podIP") or ""),
                "status.nominatedNodeName": status.get("nominatedNodeName") or "",
            }
        )
    elif kind == "Node":
        fields["spec.unschedulable"] = "true" if spec.get("unschedulable") else "false"
    elif kind == "Namespace":
        fields["status.phase"] = status.get("phase") or ""
    elif kind == "Service":
        fields["spec.clusterIP"] = spec.get("clusterIP") or ""
        fields["spec.type"] = spec.get("type") or ""
    elif kind == "Secret":
        fields["type"] = obj.get("type") or ""
    elif kind == "Event":
        involved = obj.get("involvedObject") or {}
        for name in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"):
            fields[f"involvedObject.{name}"] = involved.get(name) or ""
        fields["reason"] = obj.get("reason") or ""
        fields["reportingComponent"] = obj.get("reportingComponent") or ""
        fields["source"] = (obj.get("source") or {}).get("component") or obj.get("reportingComponent") or ""
        fields["type"] = obj.get("type") or ""
    return fields


# =============================================================================================
# Printing values the way Go does in these messages
# =============================================================================================


def _field_error(path: str | None, kind: str, value: Any, detail: str) -> str:
    """One field error as Go prints it: `path: Invalid value: "x": detail` (field.Error.Error)."""
    return f"{'<nil>' if path is None else path}: {kind}: {_go_value(value)}: {detail}"


def _aggregate(messages: list[str]) -> str:
    """Several errors as one (utilerrors.Aggregate): the message alone, or `[a, b]`; duplicates once."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def _go_value(value: Any) -> str:
    """A bad value as field errors show it: strings quoted (%q), anything else as JSON."""
    if isinstance(value, str):
        return _go_quote(value)
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # Go's JSON encoder escapes these for safe embedding in HTML.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_GO_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def _go_quote(text: str) -> str:
    """A string quoted as Go's %q does: double quotes, backslash escapes, printable Unicode kept."""
    quoted = []
    for character in text:
        if character in _GO_ESCAPES:
            quoted.append(_GO_ESCAPES[character])
        elif character.isprintable():
            quoted.append(character)
        elif ord(character) < 0x80:
            quoted.append(f"\\x{ord(character):02x}")
        elif ord(character) < 0x10000:
            quoted.append(f"\\u{ord(character):04x}")
        else:
            quoted.append(f"\\U{ord(character):08x}")
    return '"' + "".join(quoted) + '"'


def _string_map(value: Any) -> dict[str, str]:
    """A label map as the API would decode it; anything that is not a map counts as empty."""
    if not isinstance(value, Mapping):
        return {}
    return {_text(key): _text(item) for key, item in value.items()}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _parse_int64(text: str) -> int | None:
    """Go's strconv.ParseInt(text, 10, 64), or None when it fails."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def _byte_length(text: str) -> int:
    """Go's len(): bytes of UTF-8, not characters."""
    return len(text.encode("utf-8", "surrogatepass"))
