"""Label selectors, field selectors and name rules behave as Kubernetes' do (k8slab.api.selectors).

Error texts are Kubernetes' own (apimachinery's labels, fields and validation
packages, v1.35); the hypothesis properties at the end check that printing and
parsing a selector agree.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.api.selectors import (
    FieldSelector,
    LabelSelector,
    Operator,
    Requirement,
    SelectorError,
    Token,
    convert_field_label,
    everything,
    field_selector_from_set,
    lex_selector,
    new_requirement,
    nothing,
    object_fields,
    parse_field_selector,
    parse_selector,
    selector_from_label_selector,
    selector_from_set,
    supported_field_labels,
    validate_dns1123_label,
    validate_dns1123_subdomain,
    validate_label_key,
    validate_label_selector,
    validate_label_value,
    validate_labels,
    validated_selector_from_set,
)

NAME_PART_ERROR = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE_ERROR = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
SUBDOMAIN_ERROR = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
DNS_LABEL_ERROR = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt"


def selects(selector: str, labels: dict[str, str]) -> bool:
    return parse_selector(selector).matches(labels)


def parse_error(selector: str) -> str:
    with pytest.raises(SelectorError) as raised:
        parse_selector(selector)
    return str(raised.value)


# =========================================================================================
# Label selectors, string form
# =========================================================================================


def test_equality_selects_objects_whose_label_has_that_value():
    assert selects("app=web", {"app": "web", "tier": "front"})
    assert not selects("app=web", {"app": "db"})
    assert not selects("app=web", {})


def test_double_equals_means_the_same_as_equals():
    assert selects("app==web", {"app": "web"})
    assert not selects("app==web", {"app": "db"})


def test_not_equals_also_selects_objects_without_the_label():
    assert selects("tier!=cache", {"tier": "front"})
    assert selects("tier!=cache", {})
    assert not selects("tier!=cache", {"tier": "cache"})


def test_in_selects_any_of_the_listed_values():
    assert selects("env in (prod, qa)", {"env": "qa"})
    assert not selects("env in (prod, qa)", {"env": "dev"})
    assert not selects("env in (prod, qa)", {})


def test_notin_also_selects_objects_without_the_label():
    assert selects("tier notin (frontend)", {"tier": "backend"})
    assert selects("tier notin (frontend)", {})
    assert not selects("tier notin (frontend)", {"tier": "frontend"})


def test_a_bare_key_selects_objects_that_have_the_label():
    assert selects("partition", {"partition": ""})
    assert not selects("partition", {"app": "web"})


def test_a_negated_key_selects_objects_without_the_label():
    assert selects("!partition", {"app": "web"})
    assert not selects("!partition", {"partition": "a"})


def test_gt_and_lt_compare_labels_as_integers():
    assert selects("replicas>2", {"replicas": "3"})
    assert not selects("replicas>2", {"replicas": "2"})
    assert selects("replicas<2", {"replicas": "-5"})
    assert not selects("replicas>2", {"replicas": "three"})
    assert not selects("replicas>2", {})


def test_a_comma_means_and():
    selector = "app=web,env in (prod,qa),!canary"
    assert selects(selector, {"app": "web", "env": "prod"})
    assert not selects(selector, {"app": "web", "env": "prod", "canary": "true"})
    assert not selects(selector, {"app": "db", "env": "prod"})


def test_an_empty_value_can_be_asked_for():
    assert selects("app=", {"app": ""})
    assert not selects("app=", {"app": "web"})
    assert selects("x in ()", {"x": ""})
    assert selects("x in (a,,b)", {"x": ""})


def test_in_and_notin_are_plain_words_where_a_key_or_value_is_expected():
    assert selects("notin=in", {"notin": "in"})
    assert selects("in in (in)", {"in": "in"})


def test_whitespace_around_tokens_is_ignored():
    spaced = parse_selector("  env   in ( prod ,qa ) ,\tapp = web\n")
    assert str(spaced) == str(parse_selector("env in (prod,qa),app=web"))


def test_the_empty_selector_matches_everything():
    assert parse_selector("").empty
    assert parse_selector("   ").empty
    assert parse_selector("").matches({"any": "labels"})
    assert parse_selector("").matches({})


def test_a_selector_with_requirements_is_not_empty():
    assert not parse_selector("app=web").empty


def test_requirements_print_sorted_by_key_with_values_sorted():
    selector = parse_selector("tier notin (frontend), env in (qa,prod),app=web, !canary")
    assert str(selector) == "app=web,!canary,env in (prod,qa),tier notin (frontend)"


def test_printing_keeps_each_operator_spelling():
    selector = parse_selector("x=abc,y==jkl,z!=a,w,!v,n>2,m<8")
    assert str(selector) == "m<8,n>2,!v,w,x=abc,y==jkl,z!=a"


def test_equivalent_selectors_print_the_same():
    assert str(parse_selector("x=a,a=x")) == str(parse_selector("a=x,x=a"))


def test_requires_exact_match_names_the_single_wanted_value():
    selector = parse_selector("app=web,env in (prod,qa),tier in (front)")
    assert selector.requires_exact_match("app") == "web"
    assert selector.requires_exact_match("tier") == "front"
    assert selector.requires_exact_match("env") is None
    assert selector.requires_exact_match("missing") is None


def test_add_returns_a_new_selector_with_the_requirement_in_key_order():
    selector = parse_selector("b=2")
    wider = selector.add(new_requirement("a", Operator.Exists))
    assert str(wider) == "a,b=2"
    assert str(selector) == "b=2"


def test_the_lexer_splits_operators_keywords_and_identifiers():
    assert [token for token, _ in lex_selector("== != (), = notin")] == [
        Token.DOUBLE_EQUALS,
        Token.NOT_EQUALS,
        Token.OPEN_PAR,
        Token.CLOSED_PAR,
        Token.COMMA,
        Token.EQUALS,
        Token.NOT_IN,
        Token.END_OF_STRING,
    ]
    assert lex_selector("key>2") == [
        (Token.IDENTIFIER, "key"),
        (Token.GREATER_THAN, ">"),
        (Token.IDENTIFIER, "2"),
        (Token.END_OF_STRING, ""),
    ]


# --- malformed selectors, in Kubernetes' words ---------------------------------------------


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("a b", f"unable to parse requirement: found 'b', expected: {BINARY_OPERATORS}"),
        ("a exists", f"unable to parse requirement: found 'exists', expected: {BINARY_OPERATORS}"),
        ("a (", f"unable to parse requirement: found '(', expected: {BINARY_OPERATORS}"),
        ("a=b c", "found 'c', expected: ',' or 'end of string'"),
        ("x==a==b", "found '==', expected: ',' or 'end of string'"),
        ("!x=a", "found '=', expected: ',' or 'end of string'"),
        ("a,", "found '', expected: identifier after ','"),
        ("a,,b", "found ',', expected: identifier after ','"),
        (",a", "found ',', expected: !, identifier, or 'end of string'"),
        ("(", "found '(', expected: !, identifier, or 'end of string'"),
        ("!", "unable to parse requirement: found '', expected: identifier"),
        ("a=>b", "unable to parse requirement: found '>', expected: identifier"),
        ("x in", "unable to parse requirement: found '' expected: '('"),
        ("x in a", "unable to parse requirement: found 'a' expected: '('"),
        ("x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
        ("x in (a", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
        ("x in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier"),
        (
            "x<a",
            'unable to parse requirement: values[0]: Invalid value: "a": '
            "for 'Gt', 'Lt' operators, the value must be an integer",
        ),
    ],
)
def test_a_malformed_selector_fails_with_kubernetes_message(selector, message):
    assert parse_error(selector) == message


def test_an_invalid_key_is_reported_without_a_field_path_as_kubernetes_does():
    assert parse_error("-a") == f'unable to parse requirement: <nil>: Invalid value: "-a": {NAME_PART_ERROR}'


def test_an_invalid_value_is_reported_at_its_place():
    assert parse_error("app=-web") == (
        f'unable to parse requirement: values[0][app]: Invalid value: "-web": {LABEL_VALUE_ERROR}'
    )


def test_a_value_longer_than_63_bytes_is_refused():
    assert parse_error("app=" + "v" * 64) == (
        "unable to parse requirement: values[0][app]: "
        f'Invalid value: "{"v" * 64}": must be no more than 63 bytes'
    )


def test_selector_errors_are_value_errors():
    with pytest.raises(ValueError):
        parse_selector("a b")


def test_a_selector_that_is_not_a_string_is_a_type_error():
    with pytest.raises(TypeError):
        parse_selector({"app": "web"})


# --- requirements built in code ------------------------------------------------------------


def test_new_requirement_checks_the_number_of_values_for_the_operator():
    with pytest.raises(SelectorError, match="values set can't be empty"):
        new_requirement("a", Operator.In, [])
    with pytest.raises(SelectorError, match="exact-match compatibility requires one single value"):
        new_requirement("a", Operator.Equals, ["x", "y"])


def test_new_requirement_reports_every_problem_at_once():
    with pytest.raises(SelectorError) as raised:
        new_requirement("-a", Operator.Exists, ["x"])
    assert str(raised.value) == (
        f'[key: Invalid value: "-a": {NAME_PART_ERROR}, '
        'values: Invalid value: ["x"]: values set must be empty for exists and does not exist]'
    )


def test_new_requirement_lists_the_supported_operators():
    with pytest.raises(SelectorError) as raised:
        new_requirement("a", "like", ["x"])
    assert str(raised.value) == (
        'operator: Unsupported value: "like": supported values: '
        '"in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"'
    )


def test_a_requirement_prints_in_selector_syntax():
    assert str(Requirement("env", Operator.In, ("qa", "prod"))) == "env in (prod,qa)"
    assert str(Requirement("env", Operator.DoesNotExist)) == "!env"


# =========================================================================================
# Label selectors, object form (matchLabels / matchExpressions)
# =========================================================================================


def test_a_missing_selector_selects_nothing():
    assert not selector_from_label_selector(None).matches({})
    assert not selector_from_label_selector(None).matches({"app": "web"})
    assert not selector_from_label_selector(None).empty


def test_an_empty_selector_object_selects_everything():
    assert selector_from_label_selector({}).matches({"app": "web"})
    assert selector_from_label_selector({"matchLabels": {}, "matchExpressions": []}).empty


def test_match_labels_and_match_expressions_must_all_hold():
    selector = selector_from_label_selector(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "env", "operator": "NotIn", "values": ["qa", "dev"]},
                {"key": "tier", "operator": "Exists"},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "zone", "operator": "In", "values": ["a", "b"]},
            ],
        }
    )
    assert str(selector) == "app=web,!canary,env notin (dev,qa),tier,zone in (a,b)"
    assert selector.matches({"app": "web", "tier": "front", "zone": "a"})
    assert not selector.matches({"app": "web", "tier": "front", "zone": "a", "env": "qa"})
    assert not selector.matches({"app": "web", "zone": "a"})


def test_in_without_values_is_refused_as_kubernetes_refuses_it():
    with pytest.raises(SelectorError) as raised:
        selector_from_label_selector({"matchExpressions": [{"key": "env", "operator": "In"}]})
    assert (
        str(raised.value)
        == "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"
    )


def test_exists_with_values_is_refused_as_kubernetes_refuses_it():
    with pytest.raises(SelectorError) as raised:
        selector_from_label_selector(
            {"matchExpressions": [{"key": "env", "operator": "Exists", "values": ["x"]}]}
        )
    assert (
        str(raised.value)
        == 'values: Invalid value: ["x"]: values set must be empty for exists and does not exist'
    )


def test_an_unknown_operator_is_refused():
    with pytest.raises(SelectorError) as raised:
        selector_from_label_selector(
            {"matchExpressions": [{"key": "env", "operator": "Equals", "values": ["x"]}]}
        )
    assert str(raised.value) == '"Equals" is not a valid label selector operator'


def test_a_bad_match_labels_key_is_refused():
    with pytest.raises(SelectorError) as raised:
        selector_from_label_selector({"matchLabels": {"my app": "web"}})
    assert str(raised.value) == f'key: Invalid value: "my app": {NAME_PART_ERROR}'


def test_a_selector_object_of_the_wrong_type_is_a_selector_error():
    with pytest.raises(SelectorError, match="a label selector must be an object, got str"):
        selector_from_label_selector("app=web")


def test_parts_of_the_wrong_type_do_not_crash_selector_validation():
    errors = validate_label_selector({"matchLabels": ["app"], "matchExpressions": ["x", {"operator": "In"}]})
    assert [cause.field for cause in errors.causes] == [
        "spec.selector.matchExpressions[1].values",
        "spec.selector.matchExpressions[1].key",
        "spec.selector.matchExpressions[1].key",
    ]
    assert not validate_label_selector(["not", "an", "object"])


def test_a_services_selector_map_selects_by_equality():
    selector = selector_from_set({"app": "web", "tier": "front"})
    assert str(selector) == "app=web,tier=front"
    assert selector.matches({"app": "web", "tier": "front", "pod-template-hash": "abc"})
    assert selector_from_set({}).matches({"anything": "x"})


def test_a_validated_set_selector_checks_its_labels():
    with pytest.raises(SelectorError):
        validated_selector_from_set({"app": "bad value"})


def test_everything_and_nothing():
    assert everything().matches({"a": "b"}) and everything().empty
    assert not nothing().matches({"a": "b"}) and not nothing().empty
    assert str(nothing()) == ""
    assert isinstance(nothing(), LabelSelector)


# =========================================================================================
# Name rules
# =========================================================================================


@pytest.mark.parametrize(
    "key", ["app", "App_1", "a.b-c", "example.com/tier", "k8s.io/a", "a" * 63, "x/" + "a" * 63]
)
def test_valid_label_keys_have_no_errors(key):
    assert validate_label_key(key) == []


def test_a_label_key_name_must_start_and_end_alphanumeric():
    assert validate_label_key("-app") == [NAME_PART_ERROR]


def test_a_label_key_name_is_at_most_63_bytes():
    assert validate_label_key("a" * 64) == ["name part must be no more than 63 bytes"]


def test_an_empty_label_key_breaks_two_rules():
    assert validate_label_key("") == ["name part must be non-empty", NAME_PART_ERROR]


def test_a_label_key_prefix_must_be_a_lowercase_dns_subdomain():
    assert validate_label_key("Example.com/app") == ["prefix part " + SUBDOMAIN_ERROR]
    assert validate_label_key("/app") == ["prefix part must be non-empty"]


def test_a_label_key_has_at_most_one_slash():
    assert validate_label_key("a/b/c") == [
        "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
        "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
        "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
        "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
    ]


@pytest.mark.parametrize("value", ["", "web", "v1.2_3-x", "A" * 63])
def test_valid_label_values_have_no_errors(value):
    assert validate_label_value(value) == []


def test_a_label_value_may_not_contain_spaces_or_a_trailing_newline():
    assert validate_label_value("a b") == [LABEL_VALUE_ERROR]
    assert validate_label_value("web\n") == [LABEL_VALUE_ERROR]


def test_a_label_value_is_at_most_63_bytes():
    assert validate_label_value("a" * 64) == ["must be no more than 63 bytes"]
    assert validate_label_value("é" * 32) == ["must be no more than 63 bytes", LABEL_VALUE_ERROR]


def test_dns1123_subdomain_names():
    assert validate_dns1123_subdomain("web-1.example") == []
    assert validate_dns1123_subdomain("Web") == [SUBDOMAIN_ERROR]
    assert validate_dns1123_subdomain("a" * 254) == ["must be no more than 253 characters"]


def test_dns1123_label_names():
    assert validate_dns1123_label("web-1") == []
    assert validate_dns1123_label("web.1") == ["must not contain dots"]
    assert validate_dns1123_label("-web") == [DNS_LABEL_ERROR]
    assert validate_dns1123_label("a" * 64) == ["must be no more than 63 characters"]


def test_validate_labels_reports_each_bad_key_and_value_on_the_labels_path():
    errors = validate_labels({"-app": "web", "tier": "a b"})
    assert [str(cause) for cause in errors.causes] == [
        f'metadata.labels: Invalid value: "-app": {NAME_PART_ERROR}',
        f'metadata.labels: Invalid value: "a b": {LABEL_VALUE_ERROR}',
    ]


def test_validate_label_selector_reports_what_kubectl_apply_shows():
    errors = validate_label_selector(
        {
            "matchExpressions": [
                {"key": "env", "operator": "In"},
                {"key": "tier", "operator": "Exists", "values": ["x"]},
                {"key": "zone", "operator": "Equals", "values": ["a"]},
            ]
        }
    )
    assert [str(cause) for cause in errors.causes] == [
        "spec.selector.matchExpressions[0].values: "
        "Required value: must be specified when `operator` is 'In' or 'NotIn'",
        "spec.selector.matchExpressions[1].values: "
        "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        'spec.selector.matchExpressions[2].operator: Invalid value: "Equals": not a valid selector operator',
    ]


def test_a_valid_label_selector_has_no_errors():
    assert not validate_label_selector({"matchLabels": {"app": "web"}})
    assert not validate_label_selector(None)


# =========================================================================================
# Field selectors
# =========================================================================================

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web-1", "namespace": "default", "labels": {"app": "web"}},
    "spec": {
        "nodeName": "node-1",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "serviceAccountName": "default",
        "containers": [{"name": "web", "image": "nginx"}],
    },
    "status": {"phase": "Running", "podIP": "10.244.1.5", "podIPs": [{"ip": "10.244.1.5"}]},
}


def test_a_pod_offers_the_fields_kubernetes_lets_you_select_on():
    assert object_fields(POD) == {
        "metadata.name": "web-1",
        "metadata.namespace": "default",
        "spec.nodeName": "node-1",
        "spec.restartPolicy": "Always",
        "spec.schedulerName": "default-scheduler",
        "spec.serviceAccountName": "default",
        "spec.hostNetwork": "false",
        "status.phase": "Running",
        "status.podIP": "10.244.1.5",
        "status.nominatedNodeName": "",
    }


def test_other_kinds_offer_name_and_namespace():
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "prod"},
        "spec": {"replicas": 3},
    }
    assert object_fields(deployment) == {"metadata.name": "web", "metadata.namespace": "prod"}


def test_cluster_scoped_kinds_offer_no_namespace():
    node = {"kind": "Node", "metadata": {"name": "node-1"}, "spec": {"unschedulable": True}}
    assert object_fields(node) == {"metadata.name": "node-1", "spec.unschedulable": "true"}


def test_an_event_offers_its_involved_object():
    event = {
        "kind": "Event",
        "metadata": {"name": "web-1.17a", "namespace": "default"},
        "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "default", "uid": "u-1"},
        "reason": "Scheduled",
        "source": {"component": "default-scheduler"},
        "type": "Normal",
    }
    fields = object_fields(event)
    assert fields["involvedObject.name"] == "web-1"
    assert fields["involvedObject.uid"] == "u-1"
    assert fields["source"] == "default-scheduler"
    assert parse_field_selector("involvedObject.name=web-1,involvedObject.kind=Pod", "Event").matches(fields)


def test_equality_selects_on_a_field():
    assert parse_field_selector("spec.nodeName=node-1").matches(object_fields(POD))
    assert not parse_field_selector("spec.nodeName=node-2").matches(object_fields(POD))


def test_double_equals_and_not_equals():
    fields = object_fields(POD)
    assert parse_field_selector("status.phase==Running").matches(fields)
    assert parse_field_selector("metadata.namespace!=kube-system").matches(fields)
    assert not parse_field_selector("metadata.namespace!=default").matches(fields)


def test_an_empty_value_selects_objects_where_the_field_is_empty():
    unscheduled = {**POD, "spec": {"containers": []}}
    assert parse_field_selector("spec.nodeName=").matches(object_fields(unscheduled))
    assert not parse_field_selector("spec.nodeName=").matches(object_fields(POD))


def test_a_field_the_object_lacks_reads_as_empty():
    assert parse_field_selector("no.such.field=").matches({})
    assert not parse_field_selector("no.such.field=x").matches({})


def test_terms_joined_by_commas_must_all_hold():
    fields = object_fields(POD)
    assert parse_field_selector("status.phase=Running,spec.restartPolicy=Always").matches(fields)
    assert not parse_field_selector("status.phase=Running,spec.restartPolicy=Never").matches(fields)


def test_a_field_selector_prints_its_terms_sorted_with_equals_for_double_equals():
    selector = parse_field_selector("status.phase==Running,metadata.name!=web-2")
    assert str(selector) == "metadata.name!=web-2,status.phase=Running"


def test_commas_equals_and_backslashes_in_values_are_escaped():
    selector = parse_field_selector(r"metadata.name=a\,b\=c\\d")
    assert selector.matches({"metadata.name": "a,b=c\\d"})
    assert str(selector) == r"metadata.name=a\,b\=c\\d"
    assert str(field_selector_from_set({"metadata.name": "a,b"})) == r"metadata.name=a\,b"


def test_the_empty_field_selector_matches_everything():
    assert parse_field_selector("").empty
    assert parse_field_selector("").matches({})
    assert parse_field_selector(",").empty


def test_spaces_are_part_of_the_field_name():
    with pytest.raises(SelectorError, match="field label not supported: metadata.name "):
        parse_field_selector("metadata.name = web-1", "Pod")


def test_requires_exact_match_names_the_value_of_an_equality_term():
    selector = parse_field_selector("spec.nodeName=node-1,status.phase!=Failed")
    assert selector.requires_exact_match("spec.nodeName") == "node-1"
    assert selector.requires_exact_match("status.phase") is None


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
        ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
        ("a=b=c", "invalid field selector: unescaped character in value: 61"),
        ("a=b,c=d\\", "invalid field selector: invalid escape sequence: \\"),
        ("a=b\\x", "invalid field selector: invalid escape sequence: \\x"),
    ],
)
def test_a_malformed_field_selector_fails_with_kubernetes_message(selector, message):
    with pytest.raises(SelectorError) as raised:
        parse_field_selector(selector)
    assert str(raised.value) == message


def test_a_pod_field_selector_may_only_use_pod_fields():
    with pytest.raises(SelectorError) as raised:
        parse_field_selector("spec.foo=bar", "Pod")
    assert str(raised.value) == "field label not supported: spec.foo"


def test_other_kinds_accept_only_name_and_namespace():
    with pytest.raises(SelectorError) as raised:
        parse_field_selector("foo.bar=baz", "Ingress")
    assert (
        str(raised.value)
        == '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"'
    )
    assert parse_field_selector("metadata.namespace=prod", "Deployment").matches(
        {"metadata.namespace": "prod"}
    )


def test_a_node_has_no_namespace_to_select_on():
    with pytest.raises(SelectorError, match="field label not supported: metadata.namespace"):
        parse_field_selector("metadata.namespace=default", "Node")


def test_the_old_spec_host_field_reads_as_spec_node_name():
    assert str(parse_field_selector("spec.host=node-1", "Pod")) == "spec.nodeName=node-1"
    assert convert_field_label("Pod", "spec.host", "n") == ("spec.nodeName", "n")


def test_every_field_a_kind_supports_is_accepted():
    for kind in ("Pod", "Node", "Service", "Secret", "Namespace", "Event", "ConfigMap"):
        for label in supported_field_labels(kind):
            assert convert_field_label(kind, label, "x") == (label, "x")


def test_transform_drops_terms_converted_to_nothing():
    selector = parse_field_selector("a=1,b=2").transform(lambda f, v: ("", "") if f == "a" else (f, v))
    assert str(selector) == "b=2"
    assert isinstance(selector, FieldSelector)


# =========================================================================================
# Properties
# =========================================================================================

label_names = st.from_regex(r"[a-z0-9]([-a-z0-9_.]{0,8}[a-z0-9])?", fullmatch=True)
label_keys = st.one_of(
    label_names, st.builds(lambda p, n: f"{p}/{n}", st.sampled_from(["k8s.io", "example.com"]), label_names)
)
label_values = st.one_of(st.just(""), label_names)
label_sets = st.dictionaries(
    st.sampled_from(["app", "env", "tier", "k8s.io/zone", "n"]), st.sampled_from(["", "a", "b", "1", "7"])
)


@st.composite
def requirements(draw):
    key = draw(st.one_of(label_keys, st.sampled_from(["app", "env", "tier", "k8s.io/zone", "n"])))
    operator = draw(st.sampled_from(list(Operator)))
    if operator in (Operator.In, Operator.NotIn):
        values = draw(
            st.lists(
                st.one_of(label_values, st.sampled_from(["a", "b"])), min_size=1, max_size=3, unique=True
            )
        )
    elif operator in (Operator.Exists, Operator.DoesNotExist):
        values = []
    elif operator in (Operator.GreaterThan, Operator.LessThan):
        values = [str(draw(st.integers(0, 9)))]
    else:
        values = [draw(st.one_of(label_values, st.sampled_from(["a", "b", "1"])))]
    return new_requirement(key, operator, sorted(values))


SELECTOR_PROPERTIES = settings(max_examples=150, deadline=None, database=None)


@SELECTOR_PROPERTIES
@given(st.lists(requirements(), max_size=5), st.lists(label_sets, min_size=1, max_size=5))
def test_a_printed_selector_parses_back_to_the_same_selector(reqs, candidates):
    selector = LabelSelector().add(*reqs)
    reparsed = parse_selector(str(selector))
    assert str(reparsed) == str(selector)
    assert reparsed == selector
    for labels in candidates:
        assert reparsed.matches(labels) == selector.matches(labels)


@SELECTOR_PROPERTIES
@given(st.lists(requirements(), max_size=5), label_sets)
def test_a_selector_matches_exactly_when_every_requirement_does(reqs, labels):
    selector = LabelSelector().add(*reqs)
    assert selector.matches(labels) == all(requirement.matches(labels) for requirement in reqs)


@SELECTOR_PROPERTIES
@given(st.dictionaries(label_keys, label_values, max_size=5))
def test_a_set_selector_always_selects_its_own_labels(labels):
    assert validated_selector_from_set(labels).matches(labels)
    assert parse_selector(str(selector_from_set(labels))) == selector_from_set(labels)


@SELECTOR_PROPERTIES
@given(
    st.dictionaries(st.sampled_from(["metadata.name", "spec.nodeName", "status.phase"]), st.text(max_size=6))
)
def test_a_field_selector_from_a_set_prints_and_parses_back(fields):
    selector = field_selector_from_set(fields)
    reparsed = parse_field_selector(str(selector))
    assert reparsed.matches(fields)
    assert sorted(map(str, reparsed.requirements)) == sorted(map(str, selector.requirements))


@SELECTOR_PROPERTIES
@given(label_keys, label_values)
def test_generated_valid_keys_and_values_pass_validation(key, value):
    assert validate_label_key(key) == []
    assert validate_label_value(value) == []
