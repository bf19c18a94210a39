"""Shared fixtures for the interop tests: the weightpack binary and the real model, from the environment
that scripts/test.sh sets up."""
import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def weightpack():
    binary = os.environ.get("WEIGHTPACK_BIN")
    if not binary or not os.access(binary, os.X_OK):
        pytest.fail("WEIGHTPACK_BIN must name the built weightpack executable (scripts/test.sh sets it)")

    def run(*args, check=True):
        result = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(f"weightpack {' '.join(map(str, args))} exited {result.returncode}: {result.stderr}")
        return result

    return run


@pytest.fixture(scope="session")
def model_path():
    path = os.environ.get("WEIGHTPACK_MODEL")
    if not path:
        pytest.skip("WEIGHTPACK_MODEL is not set (WEIGHTPACK_SKIP_MODEL=1)")
    return path
