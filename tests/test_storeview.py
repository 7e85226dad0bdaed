"""The store view shows the store truthfully: now, at any revision, and as events arrive."""

import time

from k8slab.store import Store
from k8slab.viz.storeview import StoreView, events_table, state_table, timeline_html


def small_store() -> Store:
    store = Store()
    store.put("/registry/pods/default/web", "v1")  # 2
    store.put("/registry/pods/default/db", "v1")  # 3
    store.put("/registry/pods/default/web", "v2")  # 4
    store.delete("/registry/pods/default/db")  # 5
    return store


def test_state_table_at_an_old_revision_shows_the_store_as_it_was():
    store = small_store()
    then = state_table(store, revision=3)
    assert list(then["key"]) == ["/registry/pods/default/db", "/registry/pods/default/web"]
    assert list(then["value"]) == ["v1", "v1"]
    now = state_table(store)
    assert list(now["key"]) == ["/registry/pods/default/web"]
    assert list(now["version"]) == [2]


def test_events_table_lists_puts_and_deletes_in_revision_order():
    store = small_store()
    table = events_table(store.events())
    assert list(table["revision"]) == [2, 3, 4, 5]
    assert list(table["type"]) == ["PUT", "PUT", "PUT", "DELETE"]


def test_timeline_marks_a_delete_and_highlights_the_selected_revision():
    html = timeline_html(small_store(), selected=3)
    assert "\u2715" in html  # the delete of db at revision 5
    assert "background:#fff3c4;\">3</th>" in html


def test_view_follows_the_store_as_the_loop_delivers_events():
    store = small_store()
    view = StoreView(store)
    store.put("/registry/pods/default/api", "v1")
    store.loop.run()
    assert view.slider.max == store.revision == 6
    assert view.slider.value == 6
    assert "/registry/pods/default/api" in view.events.value
    assert "revision 6" in view.header.value


def test_moving_the_slider_shows_the_store_at_that_revision():
    store = small_store()
    view = StoreView(store)
    view.show(3)
    assert "/registry/pods/default/db" in view.state.value
    assert "showing revision 3" in view.header.value
    store.put("/registry/pods/default/api", "v1")
    store.loop.run()
    assert view.slider.value == 3, "a learner looking at the past is not yanked back to the present"


def test_slider_does_not_go_below_the_compacted_revision():
    store = small_store()
    view = StoreView(store)
    store.compact(4)
    store.put("/registry/pods/default/api", "v1")
    store.loop.run()
    assert view.slider.min == 4


def test_view_repr_has_no_memory_address():
    assert repr(StoreView(small_store())) == "StoreView(revision=5 of 5)"


def test_a_slider_step_renders_quickly_at_classroom_size():
    # Not a timing assertion on the wall clock of CI: a generous bound that only catches
    # an accidental quadratic render (100 keys, 300 revisions).
    store = Store()
    for i in range(300):
        store.put(f"/registry/pods/default/p{i % 100}", str(i))
    view = StoreView(store)
    start = time.perf_counter()
    view.show(150)
    assert time.perf_counter() - start < 2.0
