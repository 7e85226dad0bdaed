"""kubectl's command line (cobra + pflag rules) and JSONPath templates (k8slab.kubectl.parser)."""

from __future__ import annotations

import pytest

from k8slab.kubectl.commands import ROOT
from k8slab.kubectl.parser import (
    JSONPathError,
    UsageError,
    evaluate_jsonpath,
    go_json,
    jsonpath_values,
    parse,
    parse_duration,
    parse_jsonpath,
    relaxed_jsonpath,
    suggestions,
)


def args(line: str):
    return parse(line.split(), ROOT)


def jsonpath(template: str, data) -> str:
    return evaluate_jsonpath(parse_jsonpath(template), data)


# --- finding the command ------------------------------------------------------------------


def test_the_first_word_that_is_not_a_flag_names_the_command():
    assert args("get pods").command_path == "kubectl get"


def test_a_global_flag_with_its_value_may_come_before_the_command():
    invocation = args("-n kube-system get pods")
    assert invocation.command_path == "kubectl get"
    assert invocation["namespace"] == "kube-system"
    assert invocation.args == ["pods"]


def test_sub_commands_are_found_under_their_command():
    assert args("rollout status deployment/web").command_path == "kubectl rollout status"


def test_sub_command_aliases_are_found():
    assert args("create deploy web --image=nginx").command_path == "kubectl create deployment"


def test_a_word_after_the_first_argument_is_not_taken_for_a_sub_command():
    assert args("get status").args == ["status"]


# --- flags ---------------------------------------------------------------------------------


def test_a_long_flag_takes_its_value_after_an_equals_sign_or_as_the_next_word():
    assert args("get pods --namespace=dev")["namespace"] == "dev"
    assert args("get pods --namespace dev")["namespace"] == "dev"


def test_a_short_flag_takes_its_value_attached_separate_or_after_equals():
    assert args("get pods -ndev")["namespace"] == "dev"
    assert args("get pods -n dev")["namespace"] == "dev"
    assert args("get pods -n=dev")["namespace"] == "dev"


def test_short_booleans_combine_and_the_last_letter_may_take_a_value():
    invocation = args("get pods -Aw -oname")
    assert invocation["all-namespaces"] is True
    assert invocation["watch"] is True
    assert invocation["output"] == "name"


def test_a_boolean_flag_accepts_an_explicit_value():
    assert args("delete pod web --wait=false")["wait"] is False


def test_flags_may_come_between_arguments():
    invocation = args("get pods -n dev web")
    assert invocation.args == ["pods", "web"]


def test_a_double_dash_ends_the_flags():
    invocation = args("create deployment web --image=busybox -- sleep -n 5")
    assert invocation.args == ["web", "sleep", "-n", "5"]
    assert invocation.args_before_dash == 1


def test_a_string_slice_flag_splits_on_commas_and_repeats():
    assert args("apply -f a.yaml,b.yaml -f c.yaml")["filename"] == ["a.yaml", "b.yaml", "c.yaml"]


def test_a_flag_with_a_no_value_default_may_be_given_alone():
    assert args("delete pod web --cascade")["cascade"] == "background"


def test_defaults_apply_to_flags_not_given():
    invocation = args("get pods")
    assert invocation["output"] == ""
    assert invocation["watch-seconds"] == 30.0
    assert "output" not in invocation.given


def test_an_unknown_long_flag_is_refused_with_pflags_words():
    with pytest.raises(UsageError) as caught:
        args("get pods --bogus")
    assert caught.value.text() == "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n"


def test_an_unknown_shorthand_is_refused_with_pflags_words():
    with pytest.raises(UsageError) as caught:
        args("get pods -Z")
    assert caught.value.message == "unknown shorthand flag: 'Z' in -Z"


def test_a_flag_missing_its_value_is_refused():
    with pytest.raises(UsageError) as caught:
        args("get pods --namespace")
    assert caught.value.message == "flag needs an argument: --namespace"
    with pytest.raises(UsageError) as caught:
        args("get pods -n")
    assert caught.value.message == "flag needs an argument: 'n' in -n"


def test_an_integer_flag_refuses_text_with_strconvs_words():
    with pytest.raises(UsageError) as caught:
        args("scale deploy web --replicas=three")
    assert caught.value.message == (
        'invalid argument "three" for "--replicas" flag: strconv.ParseInt: parsing "three": invalid syntax')


def test_a_boolean_flag_refuses_a_non_boolean_with_its_short_and_long_names():
    with pytest.raises(UsageError) as caught:
        args("get pods -A=maybe")
    assert caught.value.message == (
        'invalid argument "maybe" for "-A, --all-namespaces" flag: strconv.ParseBool: parsing "maybe": '
        "invalid syntax")


def test_a_duration_needs_a_unit():
    with pytest.raises(UsageError) as caught:
        args("rollout status deploy/web --timeout=30")
    assert caught.value.message.endswith('time: missing unit in duration "30"')


def test_go_durations_read_as_seconds():
    assert parse_duration("1m30s") == 90.0
    assert parse_duration("1.5h") == 5400.0
    assert parse_duration("500ms") == 0.5
    assert parse_duration("0") == 0.0


def test_the_labs_watch_seconds_flag_takes_a_number_or_a_duration():
    assert args("get pods -w --watch-seconds 5")["watch-seconds"] == 5.0
    assert args("get pods -w --watch-seconds 2m")["watch-seconds"] == 120.0


def test_close_command_names_are_suggested():
    assert suggestions("gte", ["get", "apply", "delete"]) == ["get"]
    assert suggestions("desc", ["describe", "delete"]) == ["describe"]


# --- JSONPath ------------------------------------------------------------------------------

POD = {"kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}},
       "status": {"conditions": [{"type": "PodScheduled", "status": "True"},
                                 {"type": "Ready", "status": "False"}]},
       "spec": {"containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "redis"}]}}
LIST = {"kind": "List", "items": [{"metadata": {"name": "a"}, "spec": {"replicas": 2}},
                                  {"metadata": {"name": "b"}, "spec": {"replicas": 3}}]}


def test_a_simple_path_prints_the_value():
    assert jsonpath("{.metadata.name}", POD) == "web"


def test_text_outside_braces_is_printed_as_written():
    assert jsonpath("name={.metadata.name};", POD) == "name=web;"


def test_a_wildcard_prints_every_value_separated_by_spaces():
    assert jsonpath("{.items[*].metadata.name}", LIST) == "a b"


def test_an_index_and_a_slice_select_list_elements():
    assert jsonpath("{.spec.containers[1].name}", POD) == "b"
    assert jsonpath("{.spec.containers[-1].image}", POD) == "redis"
    assert jsonpath("{.spec.containers[0:1].name}", POD) == "a"


def test_range_repeats_its_body_for_each_value_and_quoted_text_may_hold_a_newline():
    template = '{range .items[*]}{.metadata.name}{"\\t"}{.spec.replicas}{"\\n"}{end}'
    assert jsonpath(template, LIST) == "a\t2\nb\t3\n"


def test_a_filter_keeps_the_elements_that_match():
    assert jsonpath('{.status.conditions[?(@.type=="Ready")].status}', POD) == "False"


def test_recursive_descent_finds_every_field_of_that_name():
    assert jsonpath("{..image}", POD) == "nginx redis"


def test_maps_and_lists_print_as_compact_json():
    assert jsonpath("{.metadata.labels}", POD) == '{"app":"web"}'


def test_a_missing_field_prints_nothing():
    assert jsonpath("{.metadata.nothere}", POD) == ""


def test_an_unclosed_action_does_not_parse():
    with pytest.raises(JSONPathError, match="unclosed action"):
        parse_jsonpath("{.metadata.name")


def test_an_end_outside_a_range_does_not_parse():
    with pytest.raises(JSONPathError, match="not in range, nothing to end"):
        parse_jsonpath("{end}")


def test_relaxed_paths_gain_their_braces_and_dot():
    assert relaxed_jsonpath("metadata.name") == "{.metadata.name}"
    assert relaxed_jsonpath(".metadata.name") == "{.metadata.name}"
    assert jsonpath_values("spec.replicas", LIST["items"][1]) == [3]


def test_go_json_escapes_html_characters_as_go_does():
    assert go_json({"b": "<none> & more", "a": 1}) == '{"a":1,"b":"\\u003cnone\\u003e \\u0026 more"}'
