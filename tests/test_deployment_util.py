"""Specification of k8slab.controllers.deployment_util: the Deployment controller's arithmetic.

Cases marked "upstream" are taken from pkg/controller/deployment/util/deployment_util_test.go.
"""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8slab.controllers import deployment_util as util


def template(image: str = "nginx:1.27", labels: dict | None = None) -> dict:
    return {
        "metadata": {"labels": labels if labels is not None else {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": image}]},
    }


def deployment(replicas: int = 10, surge="25%", unavailable="25%", kind: str = "RollingUpdate") -> dict:
    strategy: dict = {"type": kind}
    if kind == "RollingUpdate":
        strategy["rollingUpdate"] = {"maxSurge": surge, "maxUnavailable": unavailable}
    return {
        "metadata": {"name": "web", "namespace": "default", "generation": 1},
        "spec": {
            "replicas": replicas,
            "strategy": strategy,
            "template": template(),
            "progressDeadlineSeconds": 600,
        },
    }


def replica_set(
    name: str, created: str, image: str = "nginx:1.27", replicas: int = 0, revision=None, **status
):
    annotations = {util.REVISION_ANNOTATION: str(revision)} if revision is not None else {}
    return {
        "metadata": {
            "name": name,
            "uid": f"uid-{name}",
            "creationTimestamp": created,
            "annotations": annotations,
        },
        "spec": {"replicas": replicas, "template": template(image)},
        "status": status,
    }


def test_doctests_pass():
    assert doctest.testmod(util).failed == 0


# ----------------------------------------------------------------------------- fenceposts


@pytest.mark.parametrize(
    "surge, unavailable, desired, expected",
    [
        ("25%", "25%", 10, (3, 2)),  # the defaults: surge rounds up, unavailable rounds down
        ("25%", "25%", 4, (1, 1)),
        ("25%", "25%", 1, (1, 0)),
        ("0%", "0%", 0, (0, 1)),  # upstream
        ("39%", "39%", 10, (4, 3)),  # upstream
        (None, "39%", 10, (0, 3)),  # upstream
        ("39%", None, 10, (4, 0)),  # upstream
        (None, None, 10, (0, 1)),  # upstream: both 0 -> one may be unavailable
        (0, 0, 10, (0, 1)),
        ("1%", "1%", 10, (1, 0)),
        (2, 3, 10, (2, 3)),  # absolute numbers are used as they are
        ("100%", "0%", 3, (3, 0)),
    ],
)
def test_resolve_fenceposts_rounds_surge_up_and_unavailable_down(surge, unavailable, desired, expected):
    assert util.resolve_fenceposts(surge, unavailable, desired) == expected


@pytest.mark.parametrize("surge, unavailable", [("oops", "39%"), ("55%", "urg")])  # upstream
def test_resolve_fenceposts_rejects_what_is_not_a_number_or_percentage(surge, unavailable):
    with pytest.raises(ValueError, match="invalid"):
        util.resolve_fenceposts(surge, unavailable, 10)


@given(st.integers(0, 100), st.integers(0, 100), st.integers(0, 1000))
def test_fenceposts_never_round_against_availability(surge, unavailable, desired):
    got_surge, got_unavailable = util.resolve_fenceposts(f"{surge}%", f"{unavailable}%", desired)
    assert got_surge * 100 >= surge * desired > (got_surge - 1) * 100
    if (got_surge, got_unavailable) != (0, 1):
        assert got_unavailable * 100 <= unavailable * desired < (got_unavailable + 1) * 100


@pytest.mark.parametrize(
    "d, expected",
    [
        (deployment(10, 1, 5), 5),  # upstream TestMaxUnavailable
        (deployment(10, 1, 10), 10),
        (deployment(5, 1, 10), 5),  # never more than replicas
        (deployment(0, 1, 10), 0),  # no replicas, nothing to be unavailable
        (deployment(10, 1, "50%"), 5),
        (deployment(10, 1, "100%"), 10),
        (deployment(5, 1, "100%"), 5),
        (deployment(10, kind="Recreate"), 0),
        (deployment(10, "25%", "25%"), 2),
    ],
)
def test_max_unavailable(d, expected):
    assert util.max_unavailable(d) == expected


@pytest.mark.parametrize(
    "d, expected",
    [  # upstream TestMinAvailable
        (deployment(10, 1, 5), 5),
        (deployment(10, 1, 10), 0),
        (deployment(5, 1, 10), 0),
        (deployment(0, 1, 10), 0),
        (deployment(10, kind="Recreate"), 0),
        (deployment(10, 1, "60%"), 4),
        (deployment(10, 1, "100%"), 0),
        (deployment(5, 1, "100%"), 0),
    ],
)
def test_min_available(d, expected):
    assert util.min_available(d) == expected


def test_max_surge_is_zero_for_recreate():
    assert util.max_surge(deployment(10)) == 3
    assert util.max_surge(deployment(10, kind="Recreate")) == 0


# ----------------------------------------------------------------------------- pod-template-hash


def test_hash_is_deterministic_and_uses_the_safe_alphabet():
    first = util.compute_hash(template())
    assert first == util.compute_hash(template())
    assert set(first) <= set(util.SAFE_ALPHABET)
    assert 1 <= len(first) <= 10  # the decimal digits of a 32-bit number, one letter each


def test_hash_changes_with_the_template_and_with_the_collision_count():
    base = util.compute_hash(template())
    assert util.compute_hash(template("nginx:1.28")) != base
    assert util.compute_hash(template(), 1) != base
    assert util.compute_hash(template(), 1) != util.compute_hash(template(), 2)


def test_hash_ignores_the_hash_label_and_key_order():
    labelled = template(labels={"pod-template-hash": "abc", "app": "web"})
    assert util.compute_hash(labelled) == util.compute_hash(template())


def test_fnv32a_matches_the_published_test_vectors():
    assert util.fnv32a(b"") == 0x811C9DC5
    assert util.fnv32a(b"a") == 0xE40C292C
    assert util.fnv32a(b"foobar") == 0xBF9CF968


def test_safe_encode_string_maps_each_digit_to_a_letter():
    # "0" is byte 48, 48 % 27 = 21 -> "4"; "9" is byte 57, 57 % 27 = 3 -> "f"
    assert util.safe_encode_string("09") == "4f"


def test_equal_ignore_hash():
    assert util.equal_ignore_hash(template(labels={"app": "web", "pod-template-hash": "x"}), template())
    assert not util.equal_ignore_hash(template("a"), template("b"))


# ----------------------------------------------------------------------------- new and old ReplicaSets


def test_find_new_replica_set_is_the_one_with_the_deployments_template():
    old = replica_set("web-old", "2024-01-01T00:00:00Z", image="nginx:1.26")
    new = replica_set("web-new", "2024-01-01T00:00:05Z")
    assert util.find_new_replica_set(deployment(), [old, new]) is new
    assert util.find_new_replica_set(deployment(), [old]) is None


def test_find_new_replica_set_takes_the_oldest_of_two_matches():
    a = replica_set("web-a", "2024-01-01T00:00:05Z")
    b = replica_set("web-b", "2024-01-01T00:00:01Z")
    assert util.find_new_replica_set(deployment(), [a, b]) is b


def test_find_old_replica_sets_splits_those_with_pods():
    empty = replica_set("web-1", "2024-01-01T00:00:00Z", image="v1", replicas=0)
    busy = replica_set("web-2", "2024-01-01T00:00:01Z", image="v2", replicas=2)
    new = replica_set("web-3", "2024-01-01T00:00:02Z", replicas=1)
    with_pods, every_old = util.find_old_replica_sets(deployment(), [empty, busy, new])
    assert with_pods == [busy]
    assert every_old == [empty, busy]


def test_new_rs_new_replicas_stays_within_max_surge():
    d = deployment(10, "25%", "25%")
    old = replica_set("web-old", "2024-01-01T00:00:00Z", image="v1", replicas=10)
    new = replica_set("web-new", "2024-01-01T00:00:01Z", replicas=0)
    assert util.new_rs_new_replicas(d, [old, new], new) == 3  # 10 + 3 surge
    old["spec"]["replicas"] = 8
    new["spec"]["replicas"] = 5
    assert util.new_rs_new_replicas(d, [old, new], new) == 5  # already at 13: no room
    assert util.new_rs_new_replicas(deployment(10, kind="Recreate"), [old, new], new) == 10


# ----------------------------------------------------------------------------- revisions


def test_max_and_last_revision():
    sets = [replica_set(f"rs-{n}", "2024-01-01T00:00:00Z", revision=n) for n in (3, 1, 2)]
    assert util.max_revision(sets) == 3
    assert util.last_revision(sets) == 2
    assert util.max_revision([]) == 0


def test_a_new_replica_set_gets_its_revision_and_replicas_annotations():
    d = deployment(10)
    d["metadata"]["annotations"] = {
        "kubernetes.io/change-cause": "kubectl set image",
        util.REVISION_ANNOTATION: "7",
        util.LAST_APPLIED_CONFIG_ANNOTATION: "{}",
    }
    rs = {"metadata": {"name": "web-x"}, "spec": {"replicas": 3}}
    assert util.set_new_replica_set_annotations(d, rs, "2", exists=False)
    assert rs["metadata"]["annotations"] == {
        "kubernetes.io/change-cause": "kubectl set image",
        util.REVISION_ANNOTATION: "2",
        util.DESIRED_REPLICAS_ANNOTATION: "10",
        util.MAX_REPLICAS_ANNOTATION: "13",
    }


def test_a_rolled_back_replica_set_gets_the_next_revision_and_remembers_its_old_one():
    d = deployment(10)
    rs = replica_set("web-v1", "2024-01-01T00:00:00Z", revision=1)
    assert util.set_new_replica_set_annotations(d, rs, "3", exists=True)
    annotations = rs["metadata"]["annotations"]
    assert annotations[util.REVISION_ANNOTATION] == "3"
    assert annotations[util.REVISION_HISTORY_ANNOTATION] == "1"
    assert util.set_new_replica_set_annotations(d, rs, "5", exists=True)
    assert annotations[util.REVISION_HISTORY_ANNOTATION] == "1,3"


def test_revision_history_upstream_annotation_utils_case():
    # upstream TestAnnotationUtils: revisions 11..20 with a 5-character history limit
    rs = {"metadata": {"name": "web-x"}, "spec": {"replicas": 0}}
    for i in range(10, 20):
        util.set_new_replica_set_annotations(deployment(), rs, str(i + 1), True, 5)
        if i >= 12:
            assert rs["metadata"]["annotations"][util.REVISION_HISTORY_ANNOTATION] == f"{i - 1},{i}"
        assert rs["metadata"]["annotations"][util.REVISION_ANNOTATION] == str(i + 1)


def test_a_revision_never_goes_down():
    rs = replica_set("web-v1", "2024-01-01T00:00:00Z", revision=4)
    assert not util.set_new_replica_set_annotations(deployment(), rs, "2", exists=True)
    assert rs["metadata"]["annotations"][util.REVISION_ANNOTATION] == "4"


def test_revision_history_is_cut_from_the_front_at_the_length_limit():
    rs = replica_set("web-v1", "2024-01-01T00:00:00Z", revision=9)
    rs["metadata"]["annotations"][util.REVISION_HISTORY_ANNOTATION] = "1,3,5"
    util.set_new_replica_set_annotations(deployment(), rs, "10", exists=True, rev_history_limit_in_chars=5)
    assert rs["metadata"]["annotations"][util.REVISION_HISTORY_ANNOTATION] == "3,5,9"  # "1" dropped


# ----------------------------------------------------------------------------- proportional scaling


def test_replica_set_fraction_keeps_its_share_of_max_replicas():
    d = deployment(20, "25%", "25%")  # max replicas 25
    rs = replica_set("web-a", "2024-01-01T00:00:00Z", replicas=6)
    rs["metadata"]["annotations"][util.MAX_REPLICAS_ANNOTATION] = "13"  # it was 6 of 13
    assert util.get_replica_set_fraction(rs, d) == 6  # round(6 * 25 / 13) = 12 -> +6


@pytest.mark.parametrize(
    "replicas, status_replicas, surge, rs_replicas, max_replicas, expected",
    [  # upstream TestGetReplicaSetFraction
        (0, 0, 0, 10, None, -10),  # an empty deployment always scales to 0
        (10, 0, 0, 5, None, 0),  # annotation missing and no status to fall back on: no scaling
        (10, 0, 0, 5, "0", 0),
        (120, 100, 0, 50, None, 10),  # annotation missing: status.replicas is the base
        (120, 100, 0, 50, "0", 10),
        (120, 0, 0, 50, "100", 10),  # scale up by 1/5
        (120, 0, 10, 50, "110", 9),  # with maxSurge, approximately 1/5
        (10, 0, 0, 6, "12", -1),  # scale down by 1/6
        (100, 0, 10, 50, "130", -8),
    ],
)
def test_get_replica_set_fraction_upstream_cases(
    replicas, status_replicas, surge, rs_replicas, max_replicas, expected
):
    d = deployment(replicas, surge, 1)
    d["status"] = {"replicas": status_replicas}
    rs = replica_set("web-a", "2024-01-01T00:00:00Z", replicas=rs_replicas)
    if max_replicas is not None:
        rs["metadata"]["annotations"][util.MAX_REPLICAS_ANNOTATION] = max_replicas
    assert util.get_replica_set_fraction(rs, d) == expected


def test_go_rounding_rounds_halves_away_from_zero():
    assert util.round_half_away_from_zero(2.5) == 3
    assert util.round_half_away_from_zero(-2.5) == -3
    assert util.round_half_away_from_zero(2.4) == 2


# ----------------------------------------------------------------------------- conditions


def test_set_condition_keeps_the_transition_time_when_the_status_does_not_flip():
    status: dict = {}
    util.set_deployment_condition(
        status, util.new_deployment_condition("Progressing", "True", "NewReplicaSetCreated", "m1", "T1")
    )
    util.set_deployment_condition(
        status, util.new_deployment_condition("Progressing", "True", "ReplicaSetUpdated", "m2", "T2")
    )
    (condition,) = status["conditions"]
    assert condition["reason"] == "ReplicaSetUpdated"
    assert condition["lastTransitionTime"] == "T1"
    assert condition["lastUpdateTime"] == "T2"


def test_set_condition_with_the_same_reason_changes_nothing():
    status: dict = {}
    util.set_deployment_condition(status, util.new_deployment_condition("Available", "True", "R", "m", "T1"))
    util.set_deployment_condition(status, util.new_deployment_condition("Available", "True", "R", "m", "T2"))
    assert status["conditions"][0]["lastUpdateTime"] == "T1"


def test_deployment_complete_needs_every_replica_updated_and_available():
    d = deployment(3)
    done = {"replicas": 3, "updatedReplicas": 3, "availableReplicas": 3, "observedGeneration": 1}
    assert util.deployment_complete(d, done)
    assert not util.deployment_complete(d, {**done, "availableReplicas": 2})
    assert not util.deployment_complete(d, {**done, "replicas": 4})
    assert not util.deployment_complete(d, {**done, "observedGeneration": 0})


def test_deployment_timed_out_counts_from_the_last_update():
    d = deployment(3)
    status = {
        "conditions": [
            util.new_deployment_condition(
                "Progressing", "True", "ReplicaSetUpdated", "m", "2024-01-01T00:00:00Z"
            )
        ]
    }
    at = util.parse_time
    assert not util.deployment_timed_out(d, status, at("2024-01-01T00:10:00Z"))
    assert util.deployment_timed_out(d, status, at("2024-01-01T00:10:01Z"))
    status["conditions"][0]["reason"] = "NewReplicaSetAvailable"
    assert not util.deployment_timed_out(d, status, at("2024-01-02T00:00:00Z"))
