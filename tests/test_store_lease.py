"""Leases: a timer on the virtual clock with keys attached; when it runs out, the keys go."""

import pytest

from k8slab.sim import Loop
from k8slab.store import InvalidTTL, LeaseNotFound, Store
from k8slab.store.mvcc import MAX_LEASE_TTL


@pytest.fixture
def store() -> Store:
    return Store(Loop(strict=True))


# -- granting ---------------------------------------------------------------------------------


def test_grant_returns_a_lease_id_and_the_ttl(store):
    grant = store.lease_grant(30)
    assert grant.id > 0
    assert grant.ttl == 30
    assert store.leases() == [grant.id]


def test_lease_ids_are_the_same_for_the_same_seed():
    first, second = Store(Loop(seed=3)), Store(Loop(seed=3))
    assert [first.lease_grant(10).id for _ in range(3)] == [second.lease_grant(10).id for _ in range(3)]


def test_a_lease_can_be_granted_with_a_chosen_id(store):
    assert store.lease_grant(30, lease_id=1234).id == 1234
    assert store.leases() == [1234]


def test_granting_an_id_already_in_use_is_refused(store):
    store.lease_grant(30, lease_id=7)
    with pytest.raises(InvalidTTL, match=r"etcdserver: lease already exists \(lease id 7\)"):
        store.lease_grant(30, lease_id=7)


def test_granting_does_not_move_the_revision(store):
    store.lease_grant(30)
    assert store.revision == 1


@pytest.mark.parametrize("ttl", [0, -5, 1.5, "10", True, None])
def test_a_ttl_that_is_not_a_whole_number_above_zero_is_refused_naming_it(store, ttl):
    with pytest.raises(
        InvalidTTL, match=r"lease TTL must be a whole number of seconds > 0, got " + repr(ttl)
    ):
        store.lease_grant(ttl)


def test_a_ttl_above_etcds_maximum_is_refused_in_etcds_words(store):
    with pytest.raises(InvalidTTL, match=r"^etcdserver: too large lease TTL \(9000000001 s"):
        store.lease_grant(MAX_LEASE_TTL + 1)


# -- attaching keys ------------------------------------------------------------------------------


def test_a_key_put_with_a_lease_is_attached_to_it(store):
    grant = store.lease_grant(30)
    store.put("/nodes/n1", "alive", lease=grant.id)
    assert store.get("/nodes/n1").lease == grant.id
    assert store.lease_time_to_live(grant.id, keys=True).keys == ["/nodes/n1"]


def test_time_to_live_lists_keys_only_when_asked(store):
    grant = store.lease_grant(30)
    store.put("a", "1", lease=grant.id)
    assert store.lease_time_to_live(grant.id).keys == []


def test_putting_a_key_again_without_the_lease_detaches_it(store):
    grant = store.lease_grant(30)
    store.put("a", "1", lease=grant.id)
    store.put("a", "2")
    store.lease_revoke(grant.id)
    assert store.get("a").value == "2"


def test_a_deleted_key_is_no_longer_attached(store):
    grant = store.lease_grant(30)
    store.put("a", "1", lease=grant.id)
    store.delete("a")
    assert store.lease_time_to_live(grant.id, keys=True).keys == []


def test_putting_with_an_unknown_lease_is_refused_in_etcds_words(store):
    with pytest.raises(LeaseNotFound) as raised:
        store.put("a", "1", lease=999)
    assert str(raised.value) == "etcdserver: requested lease not found (lease id 999)"
    assert raised.value.lease_id == 999


@pytest.mark.parametrize("lease_id", [None, -1, 1.0, "7"])
def test_putting_with_a_lease_that_is_not_a_lease_id_is_refused(store, lease_id):
    with pytest.raises(LeaseNotFound, match=r"lease id " + repr(lease_id).replace(".", r"\.")):
        store.put("a", "1", lease=lease_id)


# -- expiry on the virtual clock -------------------------------------------------------------------


def test_a_lease_expires_after_its_ttl_in_virtual_seconds_and_its_keys_are_deleted(store):
    grant = store.lease_grant(10)
    store.put("/nodes/n1", "alive", lease=grant.id)
    store.loop.run(seconds=10)
    assert store.get("/nodes/n1") is None
    assert store.leases() == []


def test_a_lease_is_alive_just_before_its_ttl_runs_out(store):
    grant = store.lease_grant(10)
    store.put("a", "1", lease=grant.id)
    store.loop.run(seconds=9.9)
    assert "a" in store


def test_an_expiry_deletes_every_key_of_the_lease_at_one_revision(store):
    grant = store.lease_grant(10)
    for key in ["a", "b", "c"]:
        store.put(key, "v", lease=grant.id)
    store.loop.run(seconds=10)
    assert store.revision == 5
    assert [(e.type, e.kv.key, e.revision) for e in store.events(start_revision=5)] == [
        ("DELETE", "a", 5),
        ("DELETE", "b", 5),
        ("DELETE", "c", 5),
    ]


def test_an_expiry_leaves_keys_without_the_lease_alone(store):
    grant = store.lease_grant(10)
    store.put("leased", "v", lease=grant.id)
    store.put("plain", "v")
    store.loop.run(seconds=10)
    assert [kv.key for kv in store.items()] == ["plain"]


def test_an_expired_lease_without_keys_does_not_move_the_revision(store):
    store.lease_grant(10)
    store.loop.run(seconds=10)
    assert store.revision == 1
    assert store.leases() == []


def test_keep_alive_resets_the_countdown_to_the_full_ttl(store):
    grant = store.lease_grant(10)
    store.put("a", "1", lease=grant.id)
    store.loop.run(seconds=8)
    store.lease_keep_alive(grant.id)
    store.loop.run(seconds=8)
    assert "a" in store
    store.loop.run(seconds=2)
    assert "a" not in store


def test_keep_alive_returns_the_ttl(store):
    grant = store.lease_grant(10)
    assert store.lease_keep_alive(grant.id) == 10


def test_keeping_an_expired_lease_alive_is_refused(store):
    grant = store.lease_grant(10)
    store.loop.run(seconds=10)
    with pytest.raises(LeaseNotFound, match=f"lease id {grant.id}"):
        store.lease_keep_alive(grant.id)


# -- time to live ------------------------------------------------------------------------------------


def test_time_to_live_counts_down_with_the_virtual_clock(store):
    grant = store.lease_grant(10)
    store.loop.run(seconds=3)
    status = store.lease_time_to_live(grant.id)
    assert (status.id, status.ttl, status.granted_ttl) == (grant.id, 7, 10)


def test_time_to_live_rounds_up_to_whole_seconds(store):
    grant = store.lease_grant(10)
    store.loop.run(seconds=0.5)
    assert store.lease_time_to_live(grant.id).ttl == 10
    store.loop.run(seconds=9.25)
    assert store.lease_time_to_live(grant.id).ttl == 1


def test_time_to_live_of_an_unknown_lease_is_minus_one(store):
    assert store.lease_time_to_live(42).ttl == -1


# -- revoke ---------------------------------------------------------------------------------------------


def test_revoke_deletes_the_leases_keys_at_one_revision(store):
    grant = store.lease_grant(30)
    store.put("a", "1", lease=grant.id)
    store.put("b", "1", lease=grant.id)
    result = store.lease_revoke(grant.id)
    assert (result.revision, result.deleted) == (4, 2)
    assert [kv.key for kv in result.prev_kvs] == ["a", "b"]
    assert store.items() == []


def test_revoke_ends_the_lease(store):
    grant = store.lease_grant(30)
    store.lease_revoke(grant.id)
    assert store.leases() == []


def test_revoking_a_lease_without_keys_does_not_move_the_revision(store):
    grant = store.lease_grant(30)
    assert store.lease_revoke(grant.id).revision == 1
    assert store.revision == 1


def test_a_revoked_lease_never_fires_later(store):
    grant = store.lease_grant(10)
    store.lease_revoke(grant.id)
    store.put("a", "1")
    store.loop.run(seconds=20)
    assert store.revision == 2


def test_revoking_an_unknown_lease_is_refused(store):
    with pytest.raises(LeaseNotFound, match="etcdserver: requested lease not found"):
        store.lease_revoke(42)


def test_a_revoke_reaches_watchers_as_delete_events(store):
    grant = store.lease_grant(30)
    store.put("a", "1", lease=grant.id)
    watcher = store.watch("a")
    store.lease_revoke(grant.id)
    store.loop.run()
    assert [(e.type, e.revision) for e in watcher.events] == [("DELETE", 3)]


def test_time_to_live_of_a_lease_that_is_gone_is_minus_one_as_in_etcd():
    store = Store()
    grant = store.lease_grant(5)
    store.lease_revoke(grant.id)
    assert store.lease_time_to_live(grant.id).ttl == -1


def test_a_single_compare_not_in_a_list_gets_a_clear_error():
    from k8slab.store import InvalidRequest, version

    store = Store()
    with pytest.raises(InvalidRequest, match=r"compare= takes a list"):
        store.txn(version("a") == 0)
