"""Specification of the EventRecorder (k8slab.controllers.events): core/v1 Events, aggregated."""

from __future__ import annotations

import re

import pytest

from k8slab.api.server import APIServer
from k8slab.client import Client
from k8slab.controllers.events import EventRecorder
from k8slab.sim import Loop
from k8slab.store import Store


class Lab:
    def __init__(self, seed: int = 0):
        self.loop = Loop(seed=seed, strict=True)
        self.api = APIServer(Store(self.loop))
        self.admin = Client(self.api)
        client = Client(self.api, user="system:kube-controller-manager")
        self.recorder = EventRecorder(client, "replicaset-controller")
        self.rs = self.admin.create({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "replicas": 0,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "web", "image": "nginx"}]}},
            },
        })

    def events(self, namespace: str = "default") -> list[dict]:
        return self.admin.list("events", namespace=namespace)["items"]


def test_an_event_names_the_object_reason_message_and_source():
    lab = Lab()
    lab.recorder.event(lab.rs, "Normal", "SuccessfulCreate", "Created pod: web-abcde")
    (event,) = lab.events()
    assert event["involvedObject"] == {
        "kind": "ReplicaSet", "namespace": "default", "name": "web", "uid": lab.rs["metadata"]["uid"],
        "apiVersion": "apps/v1", "resourceVersion": lab.rs["metadata"]["resourceVersion"],
    }
    assert (event["type"], event["reason"]) == ("Normal", "SuccessfulCreate")
    assert event["message"] == "Created pod: web-abcde"
    assert event["source"] == {"component": "replicaset-controller"}
    assert event["count"] == 1 and event["firstTimestamp"] == event["lastTimestamp"] == "2024-01-01T00:00:00Z"
    assert event["metadata"]["namespace"] == "default"


def test_an_event_is_named_after_its_object_with_16_hex_characters():
    lab = Lab()
    lab.recorder.event(lab.rs, "Normal", "A", "one")
    lab.recorder.event(lab.rs, "Normal", "B", "two")
    names = [event["metadata"]["name"] for event in lab.events()]
    assert all(re.fullmatch(r"web\.[0-9a-f]{16}", name) for name in names) and len(set(names)) == 2


def test_event_names_are_the_same_on_every_run():
    def names() -> list[str]:
        lab = Lab(seed=3)
        lab.loop.run(seconds=2)
        lab.recorder.event(lab.rs, "Normal", "A", "one")
        lab.recorder.event(lab.rs, "Warning", "B", "two")
        return [event["metadata"]["name"] for event in lab.events()]

    assert names() == names()


def test_a_repeated_event_counts_up_instead_of_adding_an_event():
    lab = Lab()
    lab.recorder.event(lab.rs, "Warning", "FailedCreate", "Error creating: quota")
    lab.loop.run(seconds=30)
    lab.recorder.event(lab.rs, "Warning", "FailedCreate", "Error creating: quota")
    (event,) = lab.events()
    assert event["count"] == 2
    assert event["firstTimestamp"] == "2024-01-01T00:00:00Z"
    assert event["lastTimestamp"] == "2024-01-01T00:00:30Z"


def test_a_different_message_is_a_new_event():
    lab = Lab()
    lab.recorder.event(lab.rs, "Normal", "SuccessfulCreate", "Created pod: web-aaaaa")
    lab.recorder.event(lab.rs, "Normal", "SuccessfulCreate", "Created pod: web-bbbbb")
    assert len(lab.events()) == 2


def test_a_repeat_after_the_event_was_deleted_starts_a_new_event():
    lab = Lab()
    first = lab.recorder.event(lab.rs, "Normal", "A", "same")
    lab.admin.delete("events", first["metadata"]["name"], namespace="default")
    lab.recorder.event(lab.rs, "Normal", "A", "same")
    (event,) = lab.events()
    assert event["count"] == 1


def test_events_about_cluster_wide_objects_go_to_the_default_namespace():
    lab = Lab()
    node = lab.admin.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}})
    lab.recorder.event(node, "Normal", "RegisteredNode", "Node node-1 event: Registered Node node-1")
    (event,) = lab.events("default")
    assert event["involvedObject"]["name"] == "node-1" and "namespace" not in event["involvedObject"]


def test_an_event_type_must_be_normal_or_warning():
    lab = Lab()
    with pytest.raises(ValueError, match="Normal"):
        lab.recorder.event(lab.rs, "Info", "A", "b")


def test_an_event_the_api_server_refuses_is_dropped_not_raised():
    lab = Lab()
    lab.api.admission.add_validating("no-events", lambda request: "no events today", kinds=("Event",))
    assert lab.recorder.event(lab.rs, "Normal", "A", "b") is None
    assert len(lab.recorder.dropped) == 1 and lab.events() == []
