"""The store's errors: one class per reason, worded as etcd words them.

etcd answers a bad request with a short fixed text (`etcdserver: key is not
provided`, `mvcc: required revision has been compacted`). We keep etcd's text
at the front, so what a learner reads here is what `etcdctl` would print, and
add the value that caused it, so the learner can act on it.

Every error is raised *before* anything changes: a request that fails leaves
the store exactly as it was.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error the store raises."""


class InvalidKey(StoreError, TypeError):
    """A key that is neither str nor bytes, or bytes that are not UTF-8."""


class EmptyKey(StoreError, ValueError):
    """etcd refuses the empty key."""

    def __init__(self) -> None:
        super().__init__("etcdserver: key is not provided")


class InvalidValue(StoreError, TypeError):
    """A value that is neither str nor bytes."""


class InvalidRevision(StoreError, ValueError):
    """A revision or limit that is not a whole number >= 0."""


class FutureRevision(StoreError, ValueError):
    """A read at a revision the store has not reached yet."""

    def __init__(self, requested: int, current: int) -> None:
        super().__init__(
            f"mvcc: required revision is a future revision (requested revision {requested}, "
            f"current revision {current})"
        )
        self.requested = requested
        self.current = current


class Compacted(StoreError, ValueError):
    """A read or watch below the compacted revision: that history is gone."""

    def __init__(self, requested: int, compact_revision: int) -> None:
        super().__init__(
            f"mvcc: required revision has been compacted (requested revision {requested}, "
            f"compacted at revision {compact_revision})"
        )
        self.requested = requested
        self.compact_revision = compact_revision


class LeaseNotFound(StoreError, KeyError):
    """An operation named a lease id the store does not hold (never granted, revoked or expired)."""

    def __init__(self, lease_id: object) -> None:
        super().__init__(f"etcdserver: requested lease not found (lease id {lease_id!r})")
        self.lease_id = lease_id

    def __str__(self) -> str:  # KeyError would otherwise wrap the message in quotes
        return str(self.args[0])


class InvalidTTL(StoreError, ValueError):
    """A lease TTL that is not a whole number of seconds between 1 and etcd's maximum."""


class InvalidCompare(StoreError, ValueError):
    """A malformed txn compare: unknown target or operator, or a value of the wrong type."""


class InvalidRequest(StoreError, ValueError):
    """A malformed txn operation (not a Put, Get or Delete)."""


class DuplicateKey(StoreError, ValueError):
    """A txn branch that writes the same key twice."""

    def __init__(self, key: str) -> None:
        super().__init__(f"etcdserver: duplicate key given in txn request (key {key!r})")
        self.key = key


class StoreClosed(StoreError, RuntimeError):
    """The store was closed; reopen it from its directory to use it again."""

    def __init__(self) -> None:
        super().__init__("etcdserver: server stopped (the store was closed; open it again from its path)")


class CorruptData(StoreError, ValueError):
    """The on-disk snapshot or write-ahead log cannot be read back."""
