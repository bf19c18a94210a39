"""Every format `weightpack convert` writes, read back by its reference library (numpy, gguf-py, safetensors),
and the GGUF block quantization compared byte for byte with gguf-py's quantizer."""
import json

import gguf
import numpy as np
import pytest
from gguf.quants import quantize
from safetensors.numpy import load_file, save_file


def model(rng):
    return {
        "blk.0.attn.weight": rng.standard_normal((8, 64)).astype(np.float32),
        "blk.0.ffn.weight": (rng.standard_normal((4, 96)) * 3).astype(np.float32),
        "blk.0.norm": rng.standard_normal(64).astype(np.float32),
        "half": rng.standard_normal((2, 32)).astype(np.float16),
        "position_ids": np.arange(10, dtype=np.int64).reshape(1, 10),
        "odd.rows": rng.standard_normal((3, 40)).astype(np.float32),  # 40 is not a multiple of 32
    }


@pytest.fixture
def source(tmp_path):
    tensors = model(np.random.default_rng(21))
    path = tmp_path / "model.safetensors"
    save_file(tensors, str(path), metadata={"format": "pt"})
    return path, tensors


@pytest.mark.parametrize("compress", [False, True])
def test_npz_output_loads_in_numpy_with_identical_arrays(weightpack, source, tmp_path, compress):
    path, tensors = source
    weightpack("convert", path, tmp_path / "m.npz", *(["--compress"] if compress else []))
    with np.load(tmp_path / "m.npz") as archive:
        assert sorted(archive.files) == sorted(tensors)
        for name, value in tensors.items():
            assert archive[name].dtype == value.dtype and archive[name].shape == value.shape
            assert archive[name].tobytes() == value.tobytes(), name


def test_npy_dir_output_loads_in_numpy_one_file_per_tensor(weightpack, source, tmp_path):
    path, tensors = source
    weightpack("convert", path, tmp_path / "arrays", "--to", "npy-dir")
    files = sorted(p.name for p in (tmp_path / "arrays").iterdir())
    assert files == sorted(name + ".npy" for name in tensors)
    for name, value in tensors.items():
        loaded = np.load(tmp_path / "arrays" / (name + ".npy"))
        assert loaded.dtype == value.dtype and loaded.tobytes() == value.tobytes(), name


def test_single_npy_output_is_byte_identical_to_np_save(weightpack, tmp_path):
    value = np.random.default_rng(3).standard_normal((5, 7)).astype(np.float32)
    save_file({"w": value}, str(tmp_path / "one.safetensors"))
    weightpack("convert", tmp_path / "one.safetensors", tmp_path / "w.npy")
    np.save(tmp_path / "reference.npy", value)
    assert (tmp_path / "w.npy").read_bytes() == (tmp_path / "reference.npy").read_bytes()


def test_npy_input_with_big_endian_fortran_order_converts_to_c_order(weightpack, tmp_path):
    value = np.asfortranarray(np.arange(12, dtype=">f4").reshape(3, 4))
    np.save(tmp_path / "w.npy", value)
    weightpack("convert", tmp_path / "w.npy", tmp_path / "w.safetensors")
    loaded = load_file(str(tmp_path / "w.safetensors"))["w"]
    np.testing.assert_array_equal(loaded, value.astype("<f4"))


def test_gguf_f32_output_reads_in_gguf_py_with_reversed_dimensions(weightpack, source, tmp_path):
    path, tensors = source
    weightpack("convert", path, tmp_path / "m.gguf")
    reader = gguf.GGUFReader(str(tmp_path / "m.gguf"))
    by_name = {t.name: t for t in reader.tensors}
    assert sorted(by_name) == sorted(tensors)
    for name, value in tensors.items():
        t = by_name[name]
        assert list(t.shape) == list(reversed(value.shape)), name  # GGML order
        assert bytes(t.data.tobytes()) == value.tobytes(), name
    assert reader.fields["format"].contents() == "pt"


@pytest.mark.parametrize("kind", ["q8_0", "q4_0"])
def test_gguf_block_quantization_is_bit_identical_to_gguf_py(weightpack, source, tmp_path, kind):
    path, tensors = source
    weightpack("convert", path, tmp_path / "q.gguf", "--quant", kind)
    reader = gguf.GGUFReader(str(tmp_path / "q.gguf"))
    qtype = gguf.GGMLQuantizationType.Q8_0 if kind == "q8_0" else gguf.GGMLQuantizationType.Q4_0
    by_name = {t.name: t for t in reader.tensors}
    for name, value in tensors.items():
        t = by_name[name]
        eligible = value.dtype.kind == "f" and value.ndim == 2 and value.shape[1] % 32 == 0
        if eligible:
            assert t.tensor_type == qtype, name
            expected = quantize(value.astype(np.float32), qtype)
            assert t.data.tobytes() == expected.tobytes(), name
        else:
            assert t.tensor_type != qtype, name
            assert t.data.tobytes() == value.tobytes(), f"{name} is kept as is"


def test_quantized_gguf_refuses_npz_without_dequantize_and_names_the_flag(weightpack, source, tmp_path):
    path, _ = source
    weightpack("convert", path, tmp_path / "q.gguf", "--quant", "q4_0")
    refused = weightpack("convert", tmp_path / "q.gguf", tmp_path / "x.npz", check=False)
    assert refused.returncode == 2
    assert "Q4_0" in refused.stderr and "--dequantize" in refused.stderr
    assert not (tmp_path / "x.npz").exists()
    weightpack("convert", tmp_path / "q.gguf", tmp_path / "x.npz", "--dequantize")
    reader = gguf.GGUFReader(str(tmp_path / "q.gguf"))
    t = next(t for t in reader.tensors if t.name == "blk.0.attn.weight")
    expected = gguf.quants.dequantize(t.data, gguf.GGMLQuantizationType.Q4_0).reshape(8, 64)
    with np.load(tmp_path / "x.npz") as archive:
        np.testing.assert_array_equal(archive["blk.0.attn.weight"], expected)


def test_gguf_written_by_gguf_py_converts_to_safetensors(weightpack, tmp_path):
    rng = np.random.default_rng(5)
    w = rng.standard_normal((4, 64)).astype(np.float32)
    writer = gguf.GGUFWriter(str(tmp_path / "ref.gguf"), "llama")
    writer.add_string("general.name", "tiny")
    writer.add_tensor("w", w)
    writer.add_tensor("q", quantize(w, gguf.GGMLQuantizationType.Q8_0), raw_dtype=gguf.GGMLQuantizationType.Q8_0)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    weightpack("convert", tmp_path / "ref.gguf", tmp_path / "out.safetensors", "--dequantize")
    loaded = load_file(str(tmp_path / "out.safetensors"))
    np.testing.assert_array_equal(loaded["w"], w)
    expected_q = gguf.quants.dequantize(quantize(w, gguf.GGMLQuantizationType.Q8_0), gguf.GGMLQuantizationType.Q8_0)
    np.testing.assert_array_equal(loaded["q"], expected_q.reshape(4, 64))
    report = json.loads(weightpack("inspect", tmp_path / "ref.gguf", "--json").stdout)
    types = {row["name"]: row["dtype"] for row in report["tensors"]}
    assert types == {"w": "f32", "q": "q8_0"}
