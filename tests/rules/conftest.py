"""Fixtures shared by the rules tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for the whole run (its JVM takes seconds to start): the tests
    that use it share the xdist group ``spark``, so one worker starts it."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # else it binds a public address
    sql = pytest.importorskip("pyspark.sql", reason="pyspark is a dev dependency")
    session = (
        sql.SparkSession.builder.master("local[2]")
        .appName("gov3-rules-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
