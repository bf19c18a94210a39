"""weightpack convert against the reference libraries: sharded safetensors checked with safetensors and
huggingface_hub, big-endian raw input made by numpy, and lossless round trips of the real model."""
import json
import struct

import numpy as np
import pytest
from huggingface_hub import split_state_dict_into_shards_factory
from safetensors.numpy import load_file, save_file


def split_numpy_state_dict_into_shards(state_dict, *, max_shard_size, filename_pattern="model{suffix}.safetensors"):
    """huggingface_hub's numpy splitter. huggingface_hub 1.0 removed `split_numpy_state_dict_into_shards`,
    which was exactly this call of the factory with the array's `nbytes` as its storage size."""
    return split_state_dict_into_shards_factory(
        state_dict, max_shard_size=max_shard_size, filename_pattern=filename_pattern,
        get_storage_size=lambda array: array.nbytes)


def file_order(path):
    """Tensor names of a safetensors file in data order: the order weightpack reads and plans them in."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
    header.pop("__metadata__", None)
    return sorted(header, key=lambda name: header[name]["data_offsets"][0])


def load_index(path):
    """The index JSON, refusing a key that appears twice in any object."""
    def no_duplicates(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), f"duplicate keys in {path}: {keys}"
        return dict(pairs)

    return json.loads(path.read_text(), object_pairs_hook=no_duplicates)


def small_model(rng):
    """Eleven tensors of 32 to 480 bytes, none over the 1 KB shard limit used below."""
    return {
        "embed.weight": rng.standard_normal((12, 10)).astype(np.float32),
        "layer.0.attn.weight": rng.standard_normal((8, 8)).astype(np.float32),
        "layer.0.attn.bias": rng.standard_normal(8).astype(np.float32),
        "layer.0.mlp.weight": rng.standard_normal((16, 8)).astype(np.float16),
        "layer.1.attn.weight": rng.standard_normal((8, 8)).astype(np.float32),
        "layer.1.attn.bias": rng.standard_normal(8).astype(np.float32),
        "layer.1.mlp.weight": rng.standard_normal((16, 8)).astype(np.float16),
        "norm.weight": rng.standard_normal(24).astype(np.float64),
        "position_ids": np.arange(40, dtype=np.int64).reshape(1, 40),
        "mask": np.array([True, False] * 16),
        "head.weight": rng.standard_normal((10, 12)).astype(np.float32),
    }


def shard(weightpack, tmp_path, tensors, max_shard_size):
    source = tmp_path / "model.safetensors"
    save_file(tensors, str(source), metadata={"format": "pt"})
    out = tmp_path / "out"
    out.mkdir()
    weightpack("convert", source, out / "model.safetensors", "--max-shard-size", max_shard_size, "-q")
    return source, out


def test_sharded_output_loads_in_safetensors_and_indexes_every_tensor_once(weightpack, tmp_path):
    tensors = small_model(np.random.default_rng(3))
    _, out = shard(weightpack, tmp_path, tensors, "1KB")
    index = load_index(out / "model.safetensors.index.json")
    shards = sorted(p.name for p in out.glob("*.safetensors"))
    assert len(shards) >= 3, shards
    assert shards == [f"model-{i:05d}-of-{len(shards):05d}.safetensors" for i in range(1, len(shards) + 1)]
    assert not (out / "model.safetensors").exists()

    weight_map = index["weight_map"]
    assert sorted(weight_map) == sorted(tensors), "the weight map covers every tensor"
    assert sorted(set(weight_map.values())) == shards, "every shard is in the map and every mapped file exists"
    assert index["metadata"]["total_size"] == sum(value.nbytes for value in tensors.values())

    seen = []
    for name in shards:
        loaded = load_file(str(out / name))
        assert sum(value.nbytes for value in loaded.values()) <= 1000, name
        for key, value in loaded.items():
            assert weight_map[key] == name, f"{key} is in {name} but mapped to {weight_map[key]}"
            assert value.dtype == tensors[key].dtype and value.tobytes() == tensors[key].tobytes(), key
            seen.append(key)
    assert sorted(seen) == sorted(tensors), "every tensor is in exactly one shard"


@pytest.mark.parametrize("max_shard_size", ["1KB", "600", "2KB"])
def test_shard_grouping_and_names_match_huggingface_hub(weightpack, tmp_path, max_shard_size):
    tensors = small_model(np.random.default_rng(5))
    source, out = shard(weightpack, tmp_path, tensors, max_shard_size)
    ordered = {name: tensors[name] for name in file_order(source)}
    split = split_numpy_state_dict_into_shards(ordered, max_shard_size=int(max_shard_size.replace("KB", "000")))
    assert split.is_sharded
    index = load_index(out / "model.safetensors.index.json")
    ours = {}
    for name, file in index["weight_map"].items():
        ours.setdefault(file, set()).add(name)
    assert ours == {file: set(names) for file, names in split.filename_to_tensors.items()}
    assert index["weight_map"] == split.tensor_to_filename
    assert index["metadata"] == split.metadata
    # transformers writes the index as json.dumps(index, indent=2, sort_keys=True) + "\n".
    expected = json.dumps({"metadata": split.metadata, "weight_map": split.tensor_to_filename}, indent=2,
                          sort_keys=True) + "\n"
    assert (out / "model.safetensors.index.json").read_text() == expected


def test_shard_grouping_with_a_tensor_over_the_limit_matches_huggingface_hub(weightpack, tmp_path):
    rng = np.random.default_rng(9)
    tensors = {
        "a": rng.standard_normal(10).astype(np.float32),  # 40 B
        "b": rng.standard_normal(100).astype(np.float32),  # 400 B, over the limit
        "c": rng.standard_normal(2).astype(np.float32),  # 8 B
        "d": rng.standard_normal(2).astype(np.float32),  # 8 B
    }
    source, out = shard(weightpack, tmp_path, tensors, "50")
    split = split_numpy_state_dict_into_shards(
        {name: tensors[name] for name in file_order(source)}, max_shard_size=50)
    assert load_index(out / "model.safetensors.index.json")["weight_map"] == split.tensor_to_filename


BIG_ENDIAN = [(">f2", "f16"), (">f4", "f32"), (">f8", "f64"), (">i2", "i16"), (">i4", "i32"), (">i8", "i64"),
              (">u2", "u16"), (">u4", "u32"), (">u8", "u64"), ("i1", "i8"), ("u1", "u8")]


@pytest.mark.parametrize("numpy_dtype,dtype", BIG_ENDIAN)
def test_big_endian_raw_from_numpy_reads_with_byte_order_big(weightpack, tmp_path, numpy_dtype, dtype):
    rng = np.random.default_rng(11)
    values = np.abs(rng.standard_normal((3, 5)) * 100).astype(numpy_dtype)
    values.tofile(tmp_path / "w.bin")
    weightpack("convert", tmp_path / "w.bin", tmp_path / "w.safetensors", "--raw-dtype", dtype, "--shape", "3,5",
               "--byte-order", "big", "-q")
    loaded = load_file(str(tmp_path / "w.safetensors"))
    assert list(loaded) == ["w"]
    little = values.astype(values.dtype.newbyteorder("<"))
    assert loaded["w"].dtype == little.dtype and loaded["w"].shape == (3, 5)
    np.testing.assert_array_equal(loaded["w"], little)

    # Back to raw: weightpack writes little-endian, which numpy reads as "<".
    weightpack("convert", tmp_path / "w.safetensors", tmp_path / "back.bin", "-q")
    back = np.fromfile(tmp_path / "back.bin", dtype=little.dtype).reshape(3, 5)
    np.testing.assert_array_equal(back, values)


def test_raw_offset_skips_a_header_and_a_size_mismatch_names_both_counts(weightpack, tmp_path):
    values = np.arange(12, dtype=">f4").reshape(4, 3)
    (tmp_path / "w.bin").write_bytes(b"HEADER\x00\x01" + values.tobytes())
    weightpack("convert", tmp_path / "w.bin", tmp_path / "w.safetensors", "--raw-dtype", "f32", "--shape", "4,3",
               "--offset", "8", "--byte-order", "big", "-q")
    np.testing.assert_array_equal(load_file(str(tmp_path / "w.safetensors"))["w"], values.astype("<f4"))

    result = weightpack("convert", tmp_path / "w.bin", tmp_path / "bad.safetensors", "--raw-dtype", "f32",
                        "--shape", "4,4", check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "56 bytes" in result.stderr and "needs 64" in result.stderr
    assert not (tmp_path / "bad.safetensors").exists()


def test_raw_folder_files_read_in_numpy_per_the_manifest(weightpack, tmp_path):
    tensors = small_model(np.random.default_rng(13))
    save_file(tensors, str(tmp_path / "model.safetensors"))
    weightpack("convert", tmp_path / "model.safetensors", tmp_path / "raw", "--to", "raw", "-q")
    manifest = json.loads((tmp_path / "raw" / "manifest.json").read_text())
    numpy_dtypes = {"f16": "<f2", "f32": "<f4", "f64": "<f8", "i64": "<i8", "bool": "?"}
    assert sorted(entry["name"] for entry in manifest["tensors"]) == sorted(tensors)
    for entry in manifest["tensors"]:
        array = np.fromfile(tmp_path / "raw" / entry["file"], dtype=numpy_dtypes[entry["dtype"]])
        np.testing.assert_array_equal(array.reshape(entry["shape"]), tensors[entry["name"]], err_msg=entry["name"])


def test_real_model_sharded_and_back_is_byte_identical(weightpack, model_path, tmp_path):
    out = tmp_path / "sharded"
    out.mkdir()
    weightpack("convert", model_path, out / "model.safetensors", "--max-shard-size", "30MB", "-q")
    index = load_index(out / "model.safetensors.index.json")
    shards = sorted(p.name for p in out.glob("*.safetensors"))
    assert len(shards) > 1
    assert sorted(set(index["weight_map"].values())) == shards
    total = 0
    for name in shards:
        loaded = load_file(str(out / name))
        size = sum(value.nbytes for value in loaded.values())
        assert size <= 30_000_000 or len(loaded) == 1, f"{name}: {size} bytes in {len(loaded)} tensors"
        assert all(index["weight_map"][key] == name for key in loaded)
        total += size
    assert index["metadata"]["total_size"] == total
    weightpack("convert", out, tmp_path / "back.safetensors", "-q")
    assert (tmp_path / "back.safetensors").read_bytes() == open(model_path, "rb").read()


def test_real_model_raw_folder_and_back_is_byte_identical(weightpack, model_path, tmp_path):
    weightpack("convert", model_path, tmp_path / "raw", "--to", "raw", "-q")
    weightpack("convert", tmp_path / "raw", tmp_path / "back.safetensors", "-q")
    assert (tmp_path / "back.safetensors").read_bytes() == open(model_path, "rb").read()
