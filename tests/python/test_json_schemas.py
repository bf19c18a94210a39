"""`inspect --json` and `verify --json` on the real model, checked against the JSON Schemas (draft 2020-12) in
docs/schemas, which restate docs/INSPECT-JSON.md: safetensors, npz, gguf (q8_0) and wpk for inspect; lossy,
lossless and mismatched pairs for verify, with every limit so that `failing` and `first_difference` appear."""
import copy
import json
from pathlib import Path

import numpy as np
import pytest
from jsonschema import Draft202012Validator
from safetensors.numpy import load_file, save_file

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"



def validator(name):
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


INSPECT = validator("inspect")
VERIFY = validator("verify")


def assert_valid(validator, document):
    problems = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(document)
    ]
    assert not problems, "\n".join(problems[:20])


@pytest.fixture(scope="module")
def files(weightpack, model_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("schemas")
    weightpack("convert", model_path, folder / "m.npz", "-q")
    weightpack("convert", model_path, folder / "q8.gguf", "--quant", "q8_0", "-q")
    weightpack("pack", model_path, "-o", folder / "m.wpk", "-q")
    weightpack("pack", model_path, "-o", folder / "lossless.wpk", "--quant", "none", "-q")
    return {
        "safetensors": Path(model_path),
        "npz": folder / "m.npz",
        "gguf": folder / "q8.gguf",
        "wpk": folder / "m.wpk",
        "lossless": folder / "lossless.wpk",
        "folder": folder,
    }


@pytest.fixture(scope="module")
def int8_verification(weightpack, model_path, files):
    return verify(weightpack, model_path, files["wpk"], "--min-snr", "20", "--max-abs", "1")


def inspect(weightpack, path):
    return json.loads(weightpack("inspect", path, "--json").stdout)


def verify(weightpack, *args):
    result = weightpack("verify", *args, "--json", check=False)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize("kind", ["safetensors", "npz", "gguf", "wpk"])
def test_inspect_json_matches_the_schema(weightpack, files, kind):
    document = inspect(weightpack, files[kind])
    assert_valid(INSPECT, document)
    assert document["format"] == kind
    assert document["path"] == str(files[kind])
    assert document["file_bytes"] == files[kind].stat().st_size
    assert len(document["tensors"]) == document["totals"]["tensors"] == 104
    totals = document["totals"]
    assert totals["stored_bytes"] == sum(row["stored_bytes"] for row in document["tensors"])
    assert totals["overhead_bytes"] == document["file_bytes"] - totals["stored_bytes"]
    for row in document["tensors"]:
        assert len(row["bytes_after_stage"]) == len(row["stages"]), row["name"]
    dtypes = {row["dtype"] for row in document["tensors"]}
    if kind == "gguf":
        assert "q8_0" in dtypes
    if kind == "wpk":
        assert {tuple(row["stages"]) for row in document["tensors"]} >= {("quant", "zstd")}


@pytest.mark.parametrize("kind", ["safetensors", "gguf", "wpk"])
def test_inspect_layout_parts_add_up_to_the_file_size(weightpack, files, kind):
    totals = inspect(weightpack, files[kind])["totals"]
    parts = [totals["header_bytes"], totals["metadata_bytes"], totals["padding_bytes"]]
    assert all(isinstance(part, int) for part in parts), totals
    assert sum(parts) == totals["overhead_bytes"]
    assert sum(parts) + totals["stored_bytes"] == files[kind].stat().st_size


def test_inspect_layout_is_null_for_npz(weightpack, files):
    totals = inspect(weightpack, files["npz"])["totals"]
    assert totals["header_bytes"] is None and totals["metadata_bytes"] is None and totals["padding_bytes"] is None


def test_verify_json_with_every_limit_matches_the_schema(weightpack, files):
    status, document = verify(
        weightpack, files["safetensors"], files["gguf"],
        "--min-snr", "40", "--max-abs", "0.005", "--min-cosine", "0.99999", "--exact",
    )
    assert_valid(VERIFY, document)
    summary = document["summary"]
    assert status == 1 and summary["passed"] is False
    assert summary["thresholds"] == {"exact": True, "min_snr_db": 40, "max_abs": 0.005, "min_cosine": 0.99999}
    lossy = [row for row in document["tensors"] if not row["bit_exact"]]
    assert len(lossy) == 40
    assert all("first_difference" in row for row in lossy)
    assert all("first_difference" not in row for row in document["tensors"] if row["bit_exact"])
    failing = {entry["name"]: entry["reasons"] for entry in summary["failing"]}
    assert set(failing) == {row["name"] for row in lossy}, "--exact fails every lossy tensor"
    assert all(any(reason.startswith("not bit-exact: element ") for reason in reasons) for reasons in failing.values())
    assert summary["below_threshold"], "some q8_0 tensor is below 40 dB"


def test_verify_json_of_a_passing_lossy_pair_matches_the_schema(int8_verification):
    status, document = int8_verification
    assert_valid(VERIFY, document)
    assert status == 0 and document["summary"]["passed"] is True and document["summary"]["failing"] == []
    assert document["summary"]["snr_min_tensor"] == "embeddings.token_type_embeddings.weight"


def test_verify_json_of_mismatched_files_matches_the_schema(weightpack, model_path, files):
    tensors = load_file(model_path)
    dropped = "pooler.dense.bias"
    reshaped = "embeddings.LayerNorm.weight"
    del tensors[dropped]
    tensors[reshaped] = tensors[reshaped].reshape(2, -1)
    tensors["extra"] = np.zeros(3, dtype=np.float32)
    tensors["pooler.dense.weight"] = tensors["pooler.dense.weight"] * np.float32(1.001)
    candidate = files["folder"] / "mismatched.safetensors"
    save_file(tensors, str(candidate))
    status, document = verify(weightpack, model_path, candidate, "--min-snr", "30")
    assert_valid(VERIFY, document)
    assert status == 1
    assert document["missing_from_candidate"] == [dropped]
    assert document["missing_from_reference"] == ["extra"]
    assert document["shape_mismatches"] == [f"{reshaped}: [384] vs [2, 192]"]
    assert document["summary"]["name_or_shape_mismatches"] == 3
    assert document["summary"]["snr_min_tensor"] == "pooler.dense.weight"


def test_verify_json_exact_of_a_lossless_pair_matches_the_schema(weightpack, model_path, files):
    status, document = verify(weightpack, model_path, files["lossless"], "--exact")
    assert status == 0 and document["summary"]["passed"] is True
    assert document["summary"]["bit_exact"] == 104
    assert_valid(VERIFY, document)


def test_verify_json_without_limits_matches_the_schema(weightpack, model_path, files):
    status, document = verify(weightpack, model_path, files["wpk"])
    assert status == 0
    assert_valid(VERIFY, document)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(unknown=1),
        lambda d: d.pop("totals"),
        lambda d: d["totals"].update(header_bytes="many"),
        lambda d: d["totals"].pop("padding_bytes"),
        lambda d: d["tensors"][0].update(extra=True),
        lambda d: d["tensors"][0].update(shape=[-1]),
        lambda d: d["tensors"][0].update(dtype="float32"),
        lambda d: d.update(format="pickle"),
    ],
)
def test_the_inspect_schema_rejects_what_the_doc_rules_out(weightpack, files, edit):
    document = inspect(weightpack, files["wpk"])
    edit(document)
    assert list(INSPECT.iter_errors(document))


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["summary"].update(extra=0),
        lambda d: d["summary"]["thresholds"].pop("max_abs"),
        lambda d: d["summary"]["failing"].append({"name": "x"}),
        lambda d: d["tensors"][0].update(first_difference={"index": 0, "reference": "NaN", "candidate": 1}),
        lambda d: d["tensors"][0].update(snr_db="inf"),
        lambda d: d["tensors"][0].pop("cosine"),
    ],
)
def test_the_verify_schema_rejects_what_the_doc_rules_out(int8_verification, edit):
    document = copy.deepcopy(int8_verification[1])
    assert_valid(VERIFY, document)
    edit(document)
    assert list(VERIFY.iter_errors(document))
