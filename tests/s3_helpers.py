"""A real S3-compatible server over HTTP for the tests: moto's standalone server on loopback.

``s3_server`` starts it once a run (in a thread of the test process, on a free port); each
test that stores files there takes ``s3_bucket``: a new private bucket of its own, made with
boto3, and the portal's ``default`` storage pointed at it through ``STORAGE_URL`` as production
would be (``portal.storage_settings``), so the files go over HTTP to the server and back.
"""

from __future__ import annotations

import socket
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from portal import storage_settings

REGION = "eu-west-1"
ACCESS_KEY, SECRET_KEY = "portal-tests", "portal-tests-secret"
_buckets = count(1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class S3Server:
    endpoint: str  # http://127.0.0.1:<port>

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def create_bucket(self, name: str) -> S3Bucket:
        self.client().create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}, ACL="private"
        )
        return S3Bucket(server=self, name=name)


@dataclass(frozen=True)
class S3Bucket:
    server: S3Server
    name: str

    @property
    def storage_url(self) -> str:
        """The ``STORAGE_URL`` a machine of the portal is given for this bucket."""
        return (
            f"s3://{ACCESS_KEY}:{SECRET_KEY}@{self.name}?endpoint_url={self.server.endpoint}"
            f"&region={REGION}&addressing_style=path"
        )

    def storage(self, *, presigned_seconds: int = 60) -> dict[str, Any]:
        """The ``STORAGES["default"]`` entry the portal's settings make of ``storage_url``."""
        return storage_settings.default_storage(
            url=self.storage_url,
            variables={},
            access_key="",
            secret_key="",
            presigned_seconds=presigned_seconds,
        )

    def keys(self, prefix: str = "") -> list[str]:
        """Every object's key, listed by the server (not by the portal's storage)."""
        listed = self.server.client().list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        body = self.server.client().get_object(Bucket=self.name, Key=key)["Body"]
        return bytes(body.read())

    def unsigned_url(self, key: str) -> str:
        return f"{self.server.endpoint}/{self.name}/{key}"


@pytest.fixture(scope="session", name="s3_server")
def s3_server_fixture() -> Iterator[S3Server]:
    """moto's S3 server on a free loopback port, once a run."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:  # up once it answers (moto's dashboard path needs no signature)
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        yield S3Server(endpoint=endpoint)
    finally:
        server.stop()


@pytest.fixture(name="s3_bucket")
def s3_bucket_fixture(s3_server: S3Server, settings: Any) -> S3Bucket:
    """A fresh private bucket, and the portal's files going to it for this test."""
    bucket = s3_server.create_bucket(f"portal-test-{next(_buckets)}-{time.time_ns() % 10**9}")
    settings.STORAGES = {**settings.STORAGES, "default": bucket.storage()}
    return bucket
