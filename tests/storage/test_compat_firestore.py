"""The Firestore fence of cineradar/compat.py, against the real emulator: the client is pointed at
the emulator by the library's public switch (FIRESTORE_EMULATOR_HOST), read when it is built."""

from __future__ import annotations

import os

from google.cloud import firestore

from cineradar.compat import FIRESTORE_EMULATOR_HOST, firestore_emulator_client
from tests.storage.conftest import FIRESTORE_PROJECT


def test_the_client_keeps_talking_to_the_emulator_after_the_environment_is_restored(fs_host, monkeypatch):
    monkeypatch.delenv(FIRESTORE_EMULATOR_HOST, raising=False)
    client = firestore_emulator_client(FIRESTORE_PROJECT, fs_host)
    assert FIRESTORE_EMULATOR_HOST not in os.environ  # nothing leaks into the process
    client.collection("compat").document("fence").set({"n": 1}, timeout=10)  # after the restore
    client.close()
    # Read back the documented way (the variable set while the client is built): same emulator.
    monkeypatch.setenv(FIRESTORE_EMULATOR_HOST, fs_host)
    reader = firestore.Client(project=FIRESTORE_PROJECT)
    assert reader.collection("compat").document("fence").get(timeout=10).to_dict() == {"n": 1}
    reader.close()


def test_an_existing_variable_is_put_back(fs_host, monkeypatch):
    monkeypatch.setenv(FIRESTORE_EMULATOR_HOST, "127.0.0.1:1")
    firestore_emulator_client(FIRESTORE_PROJECT, fs_host).close()
    assert os.environ[FIRESTORE_EMULATOR_HOST] == "127.0.0.1:1"
