"""End to end on the real all-MiniLM-L6-v2 model: the walking skeleton's acceptance figures, measured
against a numpy per-row int8 reference computed in the same run."""
import json

import numpy as np
import pytest
from safetensors.numpy import load_file

from reference import int8_per_row, snr_db

SOURCE_BYTES = 90_868_376


@pytest.fixture(scope="module")
def packed(weightpack, model_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("minilm")
    weightpack("pack", model_path, "-o", folder / "m.wpk", "--quant", "int8", "--codec", "zstd")
    weightpack("unpack", folder / "m.wpk", "-o", folder / "m.safetensors")
    return folder


def test_int8_zstd_is_at_most_one_4_2th_of_the_source(model_path, packed):
    size = (packed / "m.wpk").stat().st_size
    assert SOURCE_BYTES / size >= 4.2, f"ratio {SOURCE_BYTES / size:.3f}"


def test_snr_per_2d_tensor_is_within_0_1_db_of_numpy_reference(weightpack, model_path, packed):
    source = load_file(model_path)
    report = json.loads(weightpack("verify", model_path, packed / "m.safetensors", "--json").stdout)
    ours = {row["name"]: row for row in report["tensors"]}
    assert set(ours) == set(source)
    reference_snrs = []
    for name, w in source.items():
        if w.dtype.kind == "f" and w.ndim >= 2:
            expected = snr_db(w, int8_per_row(w))
            reference_snrs.append(expected)
            assert ours[name]["snr_db"] is not None, name
            assert abs(ours[name]["snr_db"] - expected) <= 0.1, (name, ours[name]["snr_db"], expected)
        else:
            assert ours[name]["bit_exact"], f"{name} is kept as is and must be bit-exact"
    assert len(reference_snrs) == 40
    assert abs(float(np.median(reference_snrs)) - 42.1) < 0.1
    assert abs(min(reference_snrs) - 29.3) < 0.1


def test_unpacked_model_loads_in_safetensors_with_source_dtypes(model_path, packed):
    source = load_file(model_path)
    loaded = load_file(str(packed / "m.safetensors"))
    assert {k: (v.dtype, v.shape) for k, v in loaded.items()} == {k: (v.dtype, v.shape) for k, v in source.items()}


def test_lossless_pack_unpack_reproduces_every_tensor_bit_for_bit(weightpack, model_path, tmp_path):
    weightpack("pack", model_path, "-o", tmp_path / "l.wpk", "--quant", "none", "--codec", "zstd")
    weightpack("unpack", tmp_path / "l.wpk", "-o", tmp_path / "l.safetensors")
    source = load_file(model_path)
    loaded = load_file(str(tmp_path / "l.safetensors"))
    assert sorted(source) == sorted(loaded)
    for name in source:
        assert source[name].tobytes() == loaded[name].tobytes(), name


def test_safetensors_npz_gguf_safetensors_round_trip_is_bit_exact(weightpack, model_path, tmp_path):
    weightpack("convert", model_path, tmp_path / "m.npz")
    weightpack("convert", tmp_path / "m.npz", tmp_path / "m.gguf")
    weightpack("convert", tmp_path / "m.gguf", tmp_path / "back.safetensors")
    source = load_file(model_path)
    loaded = load_file(str(tmp_path / "back.safetensors"))
    assert sorted(source) == sorted(loaded)
    for name in source:
        assert source[name].dtype == loaded[name].dtype and source[name].tobytes() == loaded[name].tobytes(), name


def test_gguf_q8_0_keeps_every_2d_weight_above_38_db(weightpack, model_path, tmp_path):
    weightpack("convert", model_path, tmp_path / "q8.gguf", "--quant", "q8_0")
    report = json.loads(weightpack("verify", model_path, tmp_path / "q8.gguf", "--json").stdout)
    source = load_file(model_path)
    for row in report["tensors"]:
        if source[row["name"]].ndim == 2 and source[row["name"]].dtype.kind == "f":
            assert row["snr_db"] is not None and row["snr_db"] >= 38, (row["name"], row["snr_db"])
