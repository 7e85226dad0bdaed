"""Notebook 07's exercises: right answers pass, each kind of wrong answer gets its own message."""

from collections import Counter
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.exercises import check
from k8slab.exercises.nb07 import HAND_WRITTEN, RULES_TEXT, shares, written_probabilities
from k8slab.net.proxy import EndpointInfo, Packet, ProxyRules, Rule, ServicePortInfo, build_rules, walk
from k8slab.sim import Loop

RIGHT_SHARES = {"a": 0.5, "b": 0.25, "c": 0.125, "d": 0.125}


def test_the_right_probabilities_pass_as_fractions_or_floats():
    assert check("07-probabilities", [1 / 5, 1 / 4, 1 / 3, 1 / 2, 1]).passed
    assert check("07-probabilities", [0.2, 0.25, 0.3333333333, 0.5, 1]).passed
    fractions = [Fraction(1, 5), Fraction(1, 4), Fraction(1, 3), Fraction(1, 2), 1]
    assert check("07-probabilities", fractions).passed


def test_the_last_rule_may_be_written_as_none():
    assert check("07-probabilities", [1 / 5, 1 / 4, 1 / 3, 1 / 2, None]).passed


def test_the_probabilities_are_the_ones_kube_proxy_writes_in_its_rules():
    endpoints = [EndpointInfo(f"10.244.1.{i}", 80) for i in range(2, 7)]
    service = ServicePortInfo("default", "web", "", "TCP", "10.96.0.10", 80)
    rules = build_rules([service], {service.key: endpoints})
    chain = next(c for (t, c) in rules.chains if c.startswith("KUBE-SVC-"))
    written = [float(r.probability) if r.probability else 1.0 for r in rules.chain("nat", chain)[1:]]
    assert written == written_probabilities(5)


def test_a_fifth_on_every_rule_is_told_the_rules_are_tried_in_order():
    feedback = check("07-probabilities", [0.2] * 5)
    assert not feedback.passed
    assert "tried in order" in feedback.message


def test_the_probabilities_reversed_are_told_the_first_rule_would_take_everything():
    feedback = check("07-probabilities", [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5])
    assert not feedback.passed
    assert "take every connection" in feedback.message


def test_a_last_rule_with_dice_is_told_it_needs_none():
    feedback = check("07-probabilities", [1 / 5, 1 / 4, 1 / 3, 1 / 2, 1 / 2])
    assert not feedback.passed
    assert feedback.message.startswith("rule 5 (the last)")


def test_a_wrong_middle_rule_is_named_with_a_hint():
    feedback = check("07-probabilities", [1 / 5, 1 / 4, 1 / 4, 1 / 2, 1])
    assert not feedback.passed
    assert feedback.message.startswith("rule 3: not 0.25")
    assert "3 endpoints are still in the running" in feedback.message


def test_probabilities_of_the_wrong_length_or_type_ask_for_five_numbers():
    assert "5 rules" in check("07-probabilities", [1 / 3, 1 / 2, 1]).message
    assert "list of 5 numbers" in check("07-probabilities", "1/5, 1/4").message
    assert "list of 5 numbers" in check("07-probabilities", [True, 1, 1, 1, 1]).message


def test_the_hand_written_rules_are_shown_as_iptables_lines():
    lines = RULES_TEXT.splitlines()
    assert lines[0] == "-A KUBE-SVC-EXAMPLE -m statistic --mode random --probability 0.5 -j KUBE-SEP-A"
    assert lines[-1] == "-A KUBE-SVC-EXAMPLE -j KUBE-SEP-D"


def test_the_right_shares_pass():
    assert check("07-shares", RIGHT_SHARES).passed
    assert check("07-shares", {"a": 1 / 2, "b": 1 / 4, "c": 1 / 8, "d": 1 / 8}).passed


def test_an_equal_split_is_told_what_an_equal_split_would_need():
    feedback = check("07-shares", {"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25})
    assert not feedback.passed
    assert "1/4, 1/3, 1/2" in feedback.message


def test_shares_that_do_not_add_up_to_one_are_told_why_they_must():
    feedback = check("07-shares", {"a": 0.5, "b": 0.5, "c": 0.5, "d": 1})
    assert not feedback.passed
    assert "add up to 2.5, not 1" in feedback.message


def test_a_wrong_share_names_the_pod_with_a_hint():
    feedback = check("07-shares", {"a": 0.5, "b": 0.125, "c": 0.25, "d": 0.125})
    assert not feedback.passed
    assert feedback.message.startswith("pod b: not 0.125")
    assert "rules of a said no" in feedback.message


def test_missing_pods_and_non_numbers_are_named():
    assert "missing: c, d" in check("07-shares", {"a": 0.5, "b": 0.25}).message
    assert "pod a: 'half' is not a share" in check("07-shares", {**RIGHT_SHARES, "a": "half"}).message
    assert "dict from pod to share" in check("07-shares", [0.5, 0.25]).message


def test_an_unanswered_exercise_asks_for_an_answer():
    assert not check("07-shares", {**RIGHT_SHARES, "a": ...}).passed
    assert not check("07-probabilities", ...).passed


def _hand_written_chain() -> ProxyRules:
    rules = ProxyRules()
    entry = Rule("nat", "PREROUTING", "KUBE-SVC-EXAMPLE", protocol="tcp", destination="10.96.0.10", dport=80)
    rules.add(entry)
    for pod, p in HAND_WRITTEN.items():
        rules.add(Rule("nat", "KUBE-SVC-EXAMPLE", f"KUBE-SEP-{pod.upper()}", probability=p))
        rules.add(Rule("nat", f"KUBE-SEP-{pod.upper()}", "DNAT", "tcp", to_destination=f"{pod}:80"))
    return rules


def test_walking_the_hand_written_rules_lands_on_the_exact_shares():
    rules, rng = _hand_written_chain(), Loop(seed=7).random
    n = 20_000
    counts = Counter(walk(rules, Packet("10.0.0.1", "10.96.0.10", 80), rng).ip for _ in range(n))
    for pod, share in shares(HAND_WRITTEN).items():
        expected = n * float(share)
        sigma = (expected * (1 - float(share))) ** 0.5
        assert abs(counts[pod] - expected) < 4 * sigma, (pod, counts[pod], expected)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["", "0.1", "0.25", "0.5", "0.75", "1"]), min_size=1, max_size=8))
def test_shares_always_add_up_to_one_when_the_last_rule_has_no_probability(probabilities):
    rules = {str(i): p for i, p in enumerate(probabilities[:-1] + [""])}
    result = shares(rules)
    assert sum(result.values()) == 1
    assert all(0 <= s <= 1 for s in result.values())


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=40))
def test_kube_proxys_probabilities_give_every_endpoint_the_same_share(n):
    written = written_probabilities(n)
    result = shares({str(i): (str(Fraction(1, n - i)) if i < n - 1 else "") for i in range(n)})
    assert set(result.values()) == {Fraction(1, n)}
    assert all(abs(w - 1 / (n - i)) < 1e-9 for i, w in enumerate(written[:-1]))
