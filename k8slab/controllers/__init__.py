"""The controller manager and its controllers (notebook 03, step 6 of the series).

Each controller is a reconcile loop: informers -> workqueue of keys -> sync(key),
reading caches and writing through an API client. See `manager.py` for how
they are started, `replicaset.py` for the first one to read.
"""
