"""`weightpack pack --recipe` and `--rule`, packed and unpacked through the CLI and compared with numpy references
written from docs/FORMAT.md §5 (quant, ecsq, cluster, prune) and with gguf-py (q8_0, q4_0)."""
import json
import math
import shutil
import struct
import subprocess

import gguf
import numpy as np
import pytest
from gguf.quants import dequantize, quantize
from safetensors.numpy import load_file, save_file

from reference import int8_per_row, snr_db

try:
    import ml_dtypes
except ImportError:  # bf16 is then written and read as raw uint16 bit patterns
    ml_dtypes = None

ROWS, COLUMNS = 64, 128


def pack_unpack(weightpack, folder, tensors, *pack_args):
    """Saves `tensors`, packs them with `pack_args`, unpacks to safetensors and returns (loaded, wpk path)."""
    source = folder / "model.safetensors"
    save_file(tensors, str(source))
    packed = folder / "m.wpk"
    weightpack("pack", source, "-o", packed, "-q", *pack_args)
    weightpack("unpack", packed, "-o", folder / "back.safetensors", "-q")
    return load_file(str(folder / "back.safetensors")), packed


def stages_by_name(weightpack, packed):
    report = json.loads(weightpack("inspect", packed, "--json").stdout)
    return {row["name"]: row["stages"] for row in report["tensors"]}


def bits(values):
    """The float32 bit patterns, so that comparisons tell -0.0 from +0.0."""
    return np.ascontiguousarray(values, dtype=np.float32).view(np.uint32)


def assert_bitwise_equal(got, expected, name):
    assert got.dtype == np.float32 and got.shape == expected.shape, (name, got.dtype, got.shape)
    differ = np.flatnonzero(bits(got) != bits(expected))
    assert differ.size == 0, (
        f"{name}: {differ.size} of {got.size} values differ; first at {differ[0]}: "
        f"got {got.flat[differ[0]]!r}, expected {expected.flat[differ[0]]!r}")


def gaussian(rng, shape=(ROWS, COLUMNS), scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# --- lossless -----------------------------------------------------------------------------------------------------


def write_bf16_safetensors(path, tensors, bf16_name, bf16_bits):
    """safetensors' numpy API cannot write bf16 without ml_dtypes: write the file by hand (sorted names, data in
    name order), with `bf16_bits` (uint16) as the BF16 tensor `bf16_name`."""
    arrays = dict(tensors, **{bf16_name: bf16_bits})
    spellings = {np.dtype(np.float32): "F32", np.dtype(np.float16): "F16", np.dtype(np.int64): "I64",
                 np.dtype(np.int32): "I32", np.dtype(np.uint8): "U8", np.dtype(np.int8): "I8",
                 np.dtype(np.bool_): "BOOL", np.dtype(np.float64): "F64"}
    header, data, offset = {}, b"", 0
    for name in sorted(arrays):
        raw = np.ascontiguousarray(arrays[name]).tobytes()
        dtype = "BF16" if name == bf16_name else spellings[arrays[name].dtype]
        header[name] = {"dtype": dtype, "shape": list(arrays[name].shape), "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)


def read_safetensors_bytes(path):
    """Each tensor's (dtype spelling, shape, bytes), read without numpy dtypes."""
    blob = path.read_bytes()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    header.pop("__metadata__", None)
    start = 8 + length
    return {name: (entry["dtype"], tuple(entry["shape"]), blob[start + entry["data_offsets"][0]:
                                                                start + entry["data_offsets"][1]])
            for name, entry in header.items()}


def lossless_tensors(rng):
    special = gaussian(rng, (16, 32))
    special.flat[:6] = [np.nan, np.inf, -np.inf, -0.0, np.float32(1e-42), -np.finfo(np.float32).tiny]
    return {
        "dense.weight": gaussian(rng),
        "dense.bias": gaussian(rng, (COLUMNS,)),
        "special.weight": special,
        "half.weight": rng.standard_normal((32, 48)).astype(np.float16),
        "double.weight": rng.standard_normal((8, 16)),
        "token_ids": rng.integers(-2**40, 2**40, size=(4, 50), dtype=np.int64),
        "counts": rng.integers(-2**31, 2**31 - 1, size=(3, 33), dtype=np.int32),
        "bytes": rng.integers(0, 256, size=(7, 9), dtype=np.uint8),
        "signed_bytes": rng.integers(-128, 128, size=(5, 5), dtype=np.int8),
        "mask": rng.random((6, 6)) < 0.5,
        "empty": np.zeros((0, 4), np.float32),
    }


def test_lossless_is_bit_exact_for_float_int_and_bool_tensors(weightpack, tmp_path):
    rng = np.random.default_rng(101)
    tensors = lossless_tensors(rng)
    bf16_bits = (gaussian(rng, (24, 40)).view(np.uint32) >> 16).astype(np.uint16)
    bf16_bits[0, :3] = [0x7FC0, 0x8000, 0x0001]  # NaN, -0.0, the least subnormal
    source = tmp_path / "model.safetensors"
    if ml_dtypes is not None:
        save_file(dict(tensors, **{"brain.weight": bf16_bits.view(ml_dtypes.bfloat16)}), str(source))
    else:
        write_bf16_safetensors(source, tensors, "brain.weight", bf16_bits)
    weightpack("pack", source, "-o", tmp_path / "m.wpk", "--recipe", "lossless", "-q")
    weightpack("unpack", tmp_path / "m.wpk", "-o", tmp_path / "back.safetensors", "-q")

    expected = read_safetensors_bytes(source)
    loaded = read_safetensors_bytes(tmp_path / "back.safetensors")
    assert sorted(loaded) == sorted(expected)
    for name, (dtype, shape, raw) in expected.items():
        assert loaded[name][:2] == (dtype, shape), name
        assert loaded[name][2] == raw, f"{name} must come back bit for bit"
    assert expected["brain.weight"][0] == "BF16"
    if ml_dtypes is not None:
        brain = load_file(str(tmp_path / "back.safetensors"))["brain.weight"]
        assert brain.dtype == ml_dtypes.bfloat16 and np.array_equal(brain.view(np.uint16), bf16_bits)


# --- quant:int4 ---------------------------------------------------------------------------------------------------


def int4_group_reference(w, group, asym):
    """FORMAT.md §5.3 for int4 with one scale per run of `group` row-major elements; returns float32 values."""
    runs = w.astype(np.float32).reshape(-1, group)
    if asym:
        lo = np.minimum(runs.min(axis=1, keepdims=True), np.float32(0))
        hi = np.maximum(runs.max(axis=1, keepdims=True), np.float32(0))
        scale = ((hi.astype(np.float64) - lo.astype(np.float64)) / 15).astype(np.float32)
        safe = np.where(scale == 0, np.float32(1), scale)
        zero_point = np.clip(np.round(-lo / safe), 0, 15)
        q = np.clip(np.round(runs / safe) + zero_point, 0, 15)
        codes = np.where(scale == 0, 0, q - zero_point).astype(np.int32)
    else:
        scale = (np.abs(runs).max(axis=1, keepdims=True) / np.float32(7)).astype(np.float32)
        safe = np.where(scale == 0, np.float32(1), scale)
        codes = np.where(scale == 0, 0, np.clip(np.round(runs / safe), -7, 7)).astype(np.int32)
    assert np.all((scale == 0) | (scale >= np.finfo(np.float32).tiny)), "keep the data clear of subnormal scales"
    return (codes.astype(np.float32) * scale).reshape(w.shape)


def int4_tensors(rng):
    w = gaussian(rng)
    w[0, :32] = 0  # an all-zero group: scale 0, decodes to zeros
    w[1, :32] = np.abs(w[1, :32])  # a group with no negative value: lo = 0 under asym
    w[2, 32:64] = -np.abs(w[2, 32:64])  # and one with no positive value: hi = 0
    w[3, 5] = 25.0  # an outlier that flattens its group
    halves = np.concatenate([np.arange(-6.5, 7.0), np.arange(-6.5, 7.0), [7, -7, 0, 3]])
    w[4, :32] = np.float32(0.25) * halves.astype(np.float32)  # sym: scale 0.25, w / scale on exact halves
    return {
        "layer.0.weight": w,
        "layer.1.weight": gaussian(rng, (4, 8, 96), scale=0.02),  # 3-D, small weights
        "layer.0.bias": gaussian(rng, (ROWS,)),
    }


@pytest.mark.parametrize("recipe,asym", [("quant:int4:group=32", False), ("quant:int4:group=32:asym", True)])
def test_int4_group_32_matches_the_numpy_reference_bit_for_bit(weightpack, tmp_path, recipe, asym):
    tensors = int4_tensors(np.random.default_rng(202))
    loaded, packed = pack_unpack(weightpack, tmp_path, tensors, "--recipe", recipe)
    for name in ("layer.0.weight", "layer.1.weight"):
        assert_bitwise_equal(loaded[name], int4_group_reference(tensors[name], 32, asym), name)
    assert loaded["layer.0.bias"].tobytes() == tensors["layer.0.bias"].tobytes(), "1-D tensors keep their values"
    assert np.all(bits(loaded["layer.0.weight"][0, :32]) == 0)
    assert stages_by_name(weightpack, packed)["layer.0.weight"] == ["quant"], "no entropy stage was asked for"


# --- ecsq ---------------------------------------------------------------------------------------------------------


def ecsq_rel_reference(w, relative):
    """FORMAT.md §5.5, mode rel: per row step = binary16(R × RMS) with RMS in float64, q = round(w / step)."""
    rows = w.reshape(w.shape[0], -1)
    rms = np.sqrt(np.mean(rows.astype(np.float64) ** 2, axis=1, keepdims=True))
    step = (relative * rms).astype(np.float16).astype(np.float32)
    safe = np.where(step == 0, np.float32(1), step)
    q = np.where(step == 0, 0, np.round(rows / safe)).astype(np.int64)
    return (q.astype(np.float32) * step).reshape(w.shape)


def test_ecsq_rel_huffman_matches_the_per_row_step_reference(weightpack, tmp_path):
    rng = np.random.default_rng(303)
    w = gaussian(rng)
    w[7] = 0  # an all-zero row: step 0
    w[9] *= 1e-3  # a row of small weights: a small step
    w[11] *= 50  # and one of large weights
    tensors = {"layer.0.weight": w, "layer.1.weight": gaussian(rng, (16, 4, 32), scale=0.05)}
    loaded, packed = pack_unpack(weightpack, tmp_path, tensors, "--recipe", "ecsq:rel=0.1|huffman")
    for name, value in tensors.items():
        assert_bitwise_equal(loaded[name], ecsq_rel_reference(value, 0.1), name)
    assert stages_by_name(weightpack, packed)["layer.0.weight"] == ["ecsq", "huffman"]


# --- cluster ------------------------------------------------------------------------------------------------------


def test_cluster_4bit_uses_at_most_16_values_nearest_each_weight_and_keeps_zeros(weightpack, tmp_path):
    rng = np.random.default_rng(404)
    w = gaussian(rng)
    zeros = rng.random(w.shape) < 0.2
    w[zeros] = 0
    tensors = {"layer.0.weight": w, "layer.1.weight": gaussian(rng, (32, 96), scale=0.03)}
    loaded, packed = pack_unpack(weightpack, tmp_path, tensors, "--recipe", "cluster:4bit|huffman")
    for name, value in tensors.items():
        got = loaded[name]
        assert got.dtype == np.float32 and got.shape == value.shape, name
        codebook = np.unique(got)
        assert len(codebook) <= 16, (name, len(codebook))
        # FORMAT.md §5.6: each weight takes its nearest centroid (ties to the lower one).
        distance = np.abs(value.reshape(-1, 1).astype(np.float64) - codebook.astype(np.float64))
        nearest = codebook[np.argmin(distance, axis=1)].reshape(value.shape)
        assert_bitwise_equal(got, nearest, name)
        assert snr_db(value, got) > 15, name
    assert np.all(bits(loaded["layer.0.weight"][zeros]) == 0), "zeros decode as +0.0"
    assert 0.0 in np.unique(loaded["layer.0.weight"])
    assert stages_by_name(weightpack, packed)["layer.0.weight"] == ["cluster", "huffman"]


def test_cluster_4bit_is_exact_for_a_tensor_with_at_most_16_distinct_values(weightpack, tmp_path):
    rng = np.random.default_rng(405)
    levels = np.array([-3.5, -1.25, -0.5, 0.0, 0.375, 1.0, 2.75, 9.0, -7.0, 0.125], dtype=np.float32)
    tensors = {"layer.0.weight": rng.choice(levels, size=(ROWS, COLUMNS))}
    loaded, _ = pack_unpack(weightpack, tmp_path, tensors, "--recipe", "cluster:4bit|huffman")
    assert_bitwise_equal(loaded["layer.0.weight"], tensors["layer.0.weight"], "layer.0.weight")


# --- prune --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(ROWS, COLUMNS), (9, 13), (4, 6, 10)])
def test_prune_half_zeroes_the_smallest_magnitudes_and_keeps_survivors_exact(weightpack, tmp_path, shape):
    rng = np.random.default_rng(505)
    w = gaussian(rng, shape)
    assert len(np.unique(np.abs(w))) == w.size and np.all(w != 0), "no ties, no zeros in the input"
    loaded, packed = pack_unpack(weightpack, tmp_path, {"layer.0.weight": w}, "--recipe", "prune:0.5|zstd")
    got = loaded["layer.0.weight"]
    pruned = math.floor(0.5 * w.size + 0.5)  # FORMAT.md §5.7: halves away from zero (117 elements prune 59)
    smallest = np.argsort(np.abs(w), axis=None, kind="stable")[:pruned]
    expected = w.copy()
    expected.flat[smallest] = 0
    assert int(np.count_nonzero(got == 0)) == pruned
    assert_bitwise_equal(got, expected, "layer.0.weight")
    assert stages_by_name(weightpack, packed)["layer.0.weight"][0] == "prune"


# --- ggml ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("preset,qtype", [("q8_0", gguf.GGMLQuantizationType.Q8_0),
                                          ("q4_0", gguf.GGMLQuantizationType.Q4_0)])
def test_ggml_presets_decode_to_gguf_py_quantize_then_dequantize(weightpack, tmp_path, preset, qtype):
    rng = np.random.default_rng(606)
    w = gaussian(rng)
    w[0, :32] = 0  # an all-zero block
    w[1, 40] = -30.0  # an outlier
    tensors = {"layer.0.weight": w, "layer.1.weight": gaussian(rng, (2, 8, 64), scale=0.02),
               "layer.0.bias": gaussian(rng, (ROWS,))}
    loaded, packed = pack_unpack(weightpack, tmp_path, tensors, "--recipe", preset)
    for name in ("layer.0.weight", "layer.1.weight"):
        expected = dequantize(quantize(tensors[name], qtype), qtype).reshape(tensors[name].shape)
        assert_bitwise_equal(loaded[name], expected, name)
    assert loaded["layer.0.bias"].tobytes() == tensors["layer.0.bias"].tobytes()
    assert stages_by_name(weightpack, packed)["layer.0.weight"] == ["ggml", "zstd"]


# --- rules --------------------------------------------------------------------------------------------------------


def rule_model(rng):
    return {
        "embed.weight": gaussian(rng, (ROWS, COLUMNS)),
        "layer.0.weight": gaussian(rng, (ROWS, COLUMNS)),
        "layer.0.bias": gaussian(rng, (ROWS,)),
        "layer.1.weight": gaussian(rng, (ROWS, COLUMNS)),
        "layer.1.bias": gaussian(rng, (ROWS,)),
        "position_ids": np.arange(COLUMNS, dtype=np.int64).reshape(1, COLUMNS),
    }


def test_rules_choose_each_tensors_chain_and_the_last_match_wins(weightpack, tmp_path):
    tensors = rule_model(np.random.default_rng(707))
    loaded, packed = pack_unpack(
        weightpack, tmp_path, tensors, "--recipe", "int8",
        "--rule", "layer.*=q8_0",
        "--rule", "layer.1.*=quant:int4:group=32|zstd",
        "--rule", "*.bias=lossless",
        "--rule", "layer.1.bias=quant:int8:per_tensor|zstd")
    stages = stages_by_name(weightpack, packed)
    assert stages["embed.weight"] == ["quant", "zstd"], "no rule: the --recipe"
    assert stages["layer.0.weight"] == ["ggml", "zstd"]
    assert stages["layer.0.bias"][:1] in (["shuffle"], []), \
        "lossless: shuffle, then an entropy stage that may drop out; stored as is when that saves nothing"
    assert stages["layer.1.weight"] == ["quant", "zstd"]
    assert stages["layer.1.bias"][0] == "quant", "a rule applies its value stages to a 1-D tensor too"
    assert "quant" not in stages["position_ids"] and "ggml" not in stages["position_ids"]

    assert_bitwise_equal(loaded["embed.weight"], int8_per_row(tensors["embed.weight"]), "embed.weight")
    q8 = gguf.GGMLQuantizationType.Q8_0
    assert_bitwise_equal(loaded["layer.0.weight"], dequantize(quantize(tensors["layer.0.weight"], q8), q8),
                         "layer.0.weight")
    assert_bitwise_equal(loaded["layer.1.weight"], int4_group_reference(tensors["layer.1.weight"], 32, False),
                         "layer.1.weight")
    assert loaded["layer.0.bias"].tobytes() == tensors["layer.0.bias"].tobytes()
    assert_bitwise_equal(loaded["layer.1.bias"], int8_per_row(tensors["layer.1.bias"].reshape(1, -1)).reshape(-1),
                         "layer.1.bias")
    assert loaded["position_ids"].tobytes() == tensors["position_ids"].tobytes()


def test_without_rules_1d_and_integer_tensors_get_only_the_lossless_stages(weightpack, tmp_path):
    tensors = rule_model(np.random.default_rng(708))
    loaded, packed = pack_unpack(weightpack, tmp_path, tensors, "--recipe", "int8")
    stages = stages_by_name(weightpack, packed)
    for name in ("layer.0.bias", "layer.1.bias", "position_ids"):
        assert stages[name] in ([], ["zstd"]), (name, stages[name])
        assert loaded[name].tobytes() == tensors[name].tobytes(), name
    assert all(stages[name] == ["quant", "zstd"] for name in ("embed.weight", "layer.0.weight", "layer.1.weight"))


# --- the real model -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm_lossless(weightpack, model_path, tmp_path_factory):
    """The model packed with `lossless` and unpacked; `zstd -19` of the model runs meanwhile when zstd exists."""
    folder = tmp_path_factory.mktemp("minilm-lossless")
    zstd = None
    if shutil.which("zstd") is not None:
        zstd = subprocess.Popen(["zstd", "-19", "-T0", "-q", "-f", model_path, "-o", str(folder / "model.zst")],
                                stderr=subprocess.PIPE)
    try:
        weightpack("pack", model_path, "-o", folder / "m.wpk", "--recipe", "lossless", "-q")
        weightpack("unpack", folder / "m.wpk", "-o", folder / "m.safetensors", "-q")
    except BaseException:
        if zstd is not None:
            zstd.kill()
            zstd.wait()
        raise
    yield folder, zstd
    if zstd is not None and zstd.poll() is None:
        zstd.kill()
        zstd.wait()


def test_minilm_lossless_is_bit_exact(model_path, minilm_lossless):
    folder, _ = minilm_lossless
    source = load_file(model_path)
    loaded = load_file(str(folder / "m.safetensors"))
    assert sorted(source) == sorted(loaded)
    for name in source:
        assert loaded[name].dtype == source[name].dtype, name
        assert loaded[name].tobytes() == source[name].tobytes(), name


def test_minilm_lossless_is_smaller_than_zstd_19_of_the_model(minilm_lossless):
    folder, zstd = minilm_lossless
    if zstd is None:
        pytest.skip("the zstd command-line tool is not installed")
    _, stderr = zstd.communicate()
    assert zstd.returncode == 0, stderr.decode()
    ours, theirs = (folder / "m.wpk").stat().st_size, (folder / "model.zst").stat().st_size
    assert ours < theirs, f"lossless .wpk {ours} bytes, zstd -19 {theirs} bytes"
