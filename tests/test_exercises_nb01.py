"""Notebook 01's exercises: right answers pass, each kind of wrong answer gets its own message."""

from k8slab.exercises import check
from k8slab.store import Put, mod_revision


def cas_increment(store, key):
    while True:
        kv = store.get(key)
        new = int(kv.value) + 1
        result = store.txn(compare=[mod_revision(key) == kv.mod_revision], success=[Put(key, str(new))])
        if result.succeeded:
            return new


def plain_increment(store, key):
    kv = store.get(key)
    store.put(key, str(int(kv.value) + 1))
    return int(kv.value) + 1


def test_predicting_the_revisions_right_passes():
    answer = {"revision": 6, "create_revision": 6, "mod_revision": 6, "version": 1}
    assert check("01-predict-revisions", answer).passed


def test_forgetting_that_a_delete_ends_a_keys_life_gets_the_create_revision_hint():
    feedback = check(
        "01-predict-revisions", {"revision": 6, "create_revision": 2, "mod_revision": 6, "version": 3}
    )
    assert not feedback.passed
    assert feedback.message.startswith("create_revision is not 2")


def test_an_unfilled_answer_asks_to_replace_the_dots():
    feedback = check(
        "01-predict-revisions", {"revision": ..., "create_revision": ..., "mod_revision": ..., "version": ...}
    )
    assert "replace each ..." in feedback.message


def test_a_compare_and_swap_increment_passes():
    assert check("01-cas-increment", cas_increment).passed


def test_a_plain_read_then_write_increment_is_caught_losing_an_update():
    feedback = check("01-cas-increment", plain_increment)
    assert not feedback.passed
    assert "an update was lost" in feedback.message


def test_an_empty_increment_is_told_it_does_nothing_yet():
    def increment(store, key): ...

    assert "does not write anything yet" in check("01-cas-increment", increment).message


def test_a_correct_quorum_passes_and_a_half_is_not_a_majority():
    assert check("01-quorum", lambda n: (n // 2 + 1, (n - 1) // 2)).passed
    feedback = check("01-quorum", lambda n: (max(1, n // 2), n - max(1, n // 2)))
    assert "for 2 members you said a quorum is 1" in feedback.message


def test_a_wrong_failure_count_names_the_member_count():
    feedback = check("01-quorum", lambda n: (n // 2 + 1, n // 2))
    assert "for 2 members you said 1 may fail" in feedback.message
