"""Exercises of notebook 01, etcd: revisions, compare-and-swap, quorum."""

from __future__ import annotations

from typing import Any

from k8slab.exercises.core import Feedback, exercise
from k8slab.store import Store

WEB = "/registry/pods/default/web"
DB = "/registry/pods/default/db"


def predicted_store() -> Store:
    """The five writes the revision exercise asks about, applied to a fresh store."""
    store = Store()
    store.put(WEB, "v1")
    store.put(DB, "v1")
    store.put(WEB, "v2")
    store.delete(WEB)
    store.put(WEB, "v3")
    return store


REVISION_HINTS = {
    "revision": "a fresh store is at revision 1 and every write (put or delete) adds exactly one.",
    "create_revision": "a delete ends a key's life; the next put creates it anew, at that put's revision.",
    "mod_revision": "mod_revision is the revision of the last write to this key.",
    "version": "version counts the changes since the key was (re)created, and a delete resets it to 0.",
}


@exercise("01-predict-revisions")
def check_predict_revisions(answer: Any) -> Feedback:
    name = "01-predict-revisions"
    if not isinstance(answer, dict):
        return Feedback(name, False, f"answer with a dict of four numbers, got {type(answer).__name__}.")
    store = predicted_store()
    kv = store.get(WEB)
    expected = {
        "revision": store.revision,
        "create_revision": kv.create_revision,
        "mod_revision": kv.mod_revision,
        "version": kv.version,
    }
    missing = [field for field in expected if field not in answer]
    if missing:
        return Feedback(name, False, f"the dict needs the keys {', '.join(repr(f) for f in missing)}.")
    for field, right in expected.items():
        if answer[field] != right:
            return Feedback(name, False, f"{field} is not {answer[field]!r}. Hint: {REVISION_HINTS[field]}")
    return Feedback(
        name,
        True,
        f"revision {expected['revision']}; the key was re-created at {expected['create_revision']}, so its "
        f"version is back to {expected['version']}.",
    )


class RacingStore:
    """A store where another client sneaks in one increment right after the learner's first read."""

    def __init__(self, store: Store, key: str):
        self._store = store
        self._key = key
        self.raced = False
        self.reads = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def get(self, key: Any, revision: int = 0):
        result = self._store.get(key, revision)
        self._after_read()
        return result

    def range(self, *args: Any, **kwargs: Any):
        result = self._store.range(*args, **kwargs)
        self._after_read()
        return result

    def _after_read(self) -> None:
        self.reads += 1
        if not self.raced:
            self.raced = True
            current = int(self._store.get(self._key).value)
            self._store.put(self._key, str(current + 1))  # the other client's increment lands first


@exercise("01-cas-increment")
def check_cas_increment(increment: Any) -> Feedback:
    name = "01-cas-increment"
    if not callable(increment):
        return Feedback(name, False, "pass your function itself: check('01-cas-increment', increment).")
    store = Store()
    store.put("/counter", "5")
    racing = RacingStore(store, "/counter")
    returned = increment(racing, "/counter")
    final = int(store.get("/counter").value)
    if returned is None and store.revision == (3 if racing.raced else 2):
        return Feedback(name, False, "your increment does not write anything yet: replace the ... with code.")
    if not racing.raced:
        return Feedback(name, False, "your function never read the counter with store.get or store.range.")
    if final == 6:
        return Feedback(
            name,
            False,
            "an update was lost: another client added 1 between your read and your write, and your write "
            "overwrote it (the counter is 6, it should be 7). Hint: make the write conditional, "
            "store.txn(compare=[mod_revision(key) == kv.mod_revision], success=[Put(key, ...)]), and read "
            "again and retry when the txn does not succeed.",
        )
    if final != 7:
        return Feedback(
            name, False, f"the counter went from 5 to {final} after two increments; it should be 7."
        )
    if returned != 7:
        return Feedback(
            name, False, f"the counter is right (7), but your function returned {returned!r}, not 7."
        )
    return Feedback(
        name,
        True,
        f"both increments survived (5 -> 7): your txn saw the stale mod_revision and retried "
        f"({racing.reads} reads in all).",
    )


def majority(members: int) -> tuple[int, int]:
    """Raft's answer: a majority of the members, and how many may fail while a majority remains."""
    quorum = members // 2 + 1
    return quorum, members - quorum


@exercise("01-quorum")
def check_quorum(quorum: Any) -> Feedback:
    name = "01-quorum"
    if not callable(quorum):
        return Feedback(name, False, "pass your function itself: check('01-quorum', quorum).")
    for members in range(1, 10):
        answer = quorum(members)
        right = majority(members)
        if answer is None:
            return Feedback(
                name, False, "your quorum function returns nothing yet: replace the ... with code."
            )
        if not isinstance(answer, tuple | list) or len(answer) != 2:
            return Feedback(name, False, f"quorum({members}) should return two numbers, got {answer!r}.")
        if tuple(answer) != right:
            size, tolerated = right
            if answer[0] != size:
                return Feedback(
                    name,
                    False,
                    f"for {members} members you said a quorum is {answer[0]}; a quorum is a strict majority, "
                    f"more than half of {members}, which is {size}.",
                )
            return Feedback(
                name,
                False,
                f"for {members} members you said {answer[1]} may fail; with {size} needed, "
                f"{members} - {size} = {tolerated} may fail.",
            )
    return Feedback(
        name,
        True,
        "right for 1 to 9 members. Notice that 4 members tolerate no more failures than 3: odd sizes it is.",
    )
