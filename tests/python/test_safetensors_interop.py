"""Round trips through weightpack, checked with the reference safetensors library and numpy."""
import json

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

from reference import int8_per_row


def small_model(rng):
    w = rng.standard_normal((16, 24)).astype(np.float32)
    w[3] = 0  # an all-zero row: scale 0, decodes to zeros
    w[5, 7] = 40.0  # an outlier
    return {
        "layer.0.weight": w,
        "layer.0.bias": rng.standard_normal(16).astype(np.float32),
        "layer.1.weight": rng.standard_normal((4, 3, 5)).astype(np.float32),
        "half.weight": rng.standard_normal((8, 8)).astype(np.float16),
        "position_ids": np.arange(12, dtype=np.int64).reshape(1, 12),
        "mask": np.array([True, False, True]),
        "empty": np.zeros((0, 4), np.float32),
    }


@pytest.fixture
def source(tmp_path):
    tensors = small_model(np.random.default_rng(7))
    path = tmp_path / "model.safetensors"
    save_file(tensors, str(path), metadata={"format": "pt", "note": "fixture"})
    return path, tensors


@pytest.mark.parametrize("codec", ["zstd", "zstd:19", "lz4", "none"])
def test_lossless_pack_unpack_is_bit_exact_and_loads_in_safetensors(weightpack, source, tmp_path, codec):
    path, tensors = source
    weightpack("pack", path, "-o", tmp_path / "m.wpk", "--quant", "none", "--codec", codec)
    weightpack("unpack", tmp_path / "m.wpk", "-o", tmp_path / "back.safetensors")
    loaded = load_file(str(tmp_path / "back.safetensors"))
    assert sorted(loaded) == sorted(tensors)
    for name, value in tensors.items():
        assert loaded[name].dtype == value.dtype, name
        assert loaded[name].shape == value.shape, name
        assert loaded[name].tobytes() == value.tobytes(), name
    with safe_open(str(tmp_path / "back.safetensors"), "np") as f:
        assert f.metadata() == {"format": "pt", "note": "fixture"}


def test_lossless_unpack_is_byte_identical_to_the_reference_writer(weightpack, tmp_path):
    # One metadata key: the reference writes several keys in a hash-map order that varies from run to run,
    # while WeightPack sorts them, so only a single key makes the two files comparable byte for byte.
    tensors = small_model(np.random.default_rng(11))
    path = tmp_path / "model.safetensors"
    save_file(tensors, str(path), metadata={"format": "pt"})
    weightpack("pack", path, "-o", tmp_path / "m.wpk", "--quant", "none")
    weightpack("unpack", tmp_path / "m.wpk", "-o", tmp_path / "back.safetensors")
    assert (tmp_path / "back.safetensors").read_bytes() == path.read_bytes()


def test_int8_matches_numpy_per_row_reference_exactly(weightpack, source, tmp_path):
    path, tensors = source
    weightpack("pack", path, "-o", tmp_path / "m.wpk", "--quant", "int8")
    weightpack("unpack", tmp_path / "m.wpk", "-o", tmp_path / "back.safetensors")
    loaded = load_file(str(tmp_path / "back.safetensors"))
    for name, value in tensors.items():
        got = loaded[name]
        assert got.dtype == value.dtype and got.shape == value.shape, name
        if value.dtype.kind == "f" and value.ndim >= 2 and value.size > 0:
            expected = int8_per_row(value.astype(np.float32)).astype(value.dtype)
            np.testing.assert_array_equal(got, expected, err_msg=name)
        else:
            assert got.tobytes() == value.tobytes(), f"{name} must pass through bit for bit"
    assert np.all(loaded["layer.0.weight"][3] == 0)


def test_unpack_dtype_f16_converts_float_tensors_only(weightpack, source, tmp_path):
    path, tensors = source
    weightpack("pack", path, "-o", tmp_path / "m.wpk", "--quant", "none")
    weightpack("unpack", tmp_path / "m.wpk", "-o", tmp_path / "h.safetensors", "--dtype", "f16")
    loaded = load_file(str(tmp_path / "h.safetensors"))
    assert loaded["layer.0.weight"].dtype == np.float16
    np.testing.assert_array_equal(loaded["layer.0.weight"], tensors["layer.0.weight"].astype(np.float16))
    assert loaded["position_ids"].dtype == np.int64


def test_inspect_json_reports_stages_and_sizes(weightpack, source, tmp_path):
    path, tensors = source
    weightpack("pack", path, "-o", tmp_path / "m.wpk", "--quant", "int8", "--codec", "none")
    report = json.loads(weightpack("inspect", tmp_path / "m.wpk", "--json").stdout)
    assert report["schema"] == "weightpack.inspect/1"
    rows = {row["name"]: row for row in report["tensors"]}
    w = rows["layer.0.weight"]
    assert w["stages"] == ["quant"]
    # The payload (docs/FORMAT.md §5.1): a section count and two section lengths, then one f32 scale per row
    # and one byte per weight.
    assert w["stored_bytes"] == 4 + 2 * 8 + 16 * 4 + 16 * 24
    assert w["bytes_after_stage"] == [w["stored_bytes"]]
    assert w["original_bytes"] == 16 * 24 * 4
    assert rows["layer.0.bias"]["stages"] == []
    assert report["file_bytes"] == (tmp_path / "m.wpk").stat().st_size
    assert report["totals"]["tensors"] == len(tensors)


def test_verify_min_snr_fails_with_exit_1_and_names_the_tensor(weightpack, source, tmp_path):
    path, _ = source
    weightpack("pack", path, "-o", tmp_path / "m.wpk", "--quant", "int8")
    result = weightpack("verify", path, tmp_path / "m.wpk", "--min-snr", "200", check=False)
    assert result.returncode == 1
    first_row = result.stdout.splitlines()[2]
    assert "FAIL" in first_row
    assert result.stderr.startswith("error: ") and "below 200 dB" in result.stderr
    ok = weightpack("verify", path, tmp_path / "m.wpk", "--min-snr", "20", check=False)
    assert ok.returncode == 0, ok.stdout


def test_verify_reports_tensors_present_in_one_file_only(weightpack, source, tmp_path):
    path, tensors = source
    fewer = dict(tensors)
    del fewer["mask"]
    save_file(fewer, str(tmp_path / "fewer.safetensors"))
    result = weightpack("verify", path, tmp_path / "fewer.safetensors", check=False)
    assert result.returncode == 1
    assert "'mask' is in the reference only" in result.stderr
