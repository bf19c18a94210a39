"""Writes a deterministic synthetic float32 safetensors model shaped like a small LLaMA-style LLM
(hidden 2048, MLP 5632, vocabulary 32000; TinyLlama-1.1B's widths, with fewer layers).

With the default 4 layers the file holds 271 M parameters, 1.01 GiB. Weight statistics imitate trained
checkpoints: every row of a 2-D tensor is Gaussian with its own standard deviation, drawn log-normally
around 0.02 (sigma 0.35), and about 2 elements in 100,000 are outliers of 8-25 times their row's deviation.
RMSNorm weights are 1-D, near 1. Tensors are generated and written one at a time (peak memory is the
largest tensor, 250 MiB), into a temporary file renamed into place.

Usage: python bench/make_synthetic_model.py OUT.safetensors [--layers 4] [--seed 20240601]
Prints OUT. If OUT exists with the size the parameters give and its sidecar OUT.json names the same
parameters, nothing is rewritten.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np

GENERATOR_VERSION = 1
HIDDEN, MLP, VOCAB = 2048, 5632, 32000


def layout(layers):
    """(name, shape) in file order."""
    tensors = [("model.embed_tokens.weight", (VOCAB, HIDDEN))]
    for i in range(layers):
        p = f"model.layers.{i}."
        tensors += [
            (p + "input_layernorm.weight", (HIDDEN,)),
            (p + "self_attn.q_proj.weight", (HIDDEN, HIDDEN)),
            (p + "self_attn.k_proj.weight", (HIDDEN, HIDDEN)),
            (p + "self_attn.v_proj.weight", (HIDDEN, HIDDEN)),
            (p + "self_attn.o_proj.weight", (HIDDEN, HIDDEN)),
            (p + "post_attention_layernorm.weight", (HIDDEN,)),
            (p + "mlp.gate_proj.weight", (MLP, HIDDEN)),
            (p + "mlp.up_proj.weight", (MLP, HIDDEN)),
            (p + "mlp.down_proj.weight", (HIDDEN, MLP)),
        ]
    tensors.append(("model.norm.weight", (HIDDEN,)))
    return tensors


def header_bytes(tensors, metadata):
    entries, offset = {"__metadata__": metadata}, 0
    for name, shape in tensors:
        size = 4 * int(np.prod(shape))
        entries[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(entries, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-aligned
    return struct.pack("<Q", len(text)) + text, offset


def generate(rng, shape):
    if len(shape) == 1:
        return (1.0 + 0.05 * rng.standard_normal(shape[0], dtype=np.float32)).astype(np.float32)
    rows, cols = shape
    row_std = (0.02 * np.exp(0.35 * rng.standard_normal(rows))).astype(np.float32)
    w = rng.standard_normal((rows, cols), dtype=np.float32)
    w *= row_std[:, None]
    count = max(1, (rows * cols) // 50_000)
    flat = rng.integers(0, rows * cols, size=count)
    magnitude = rng.uniform(8.0, 25.0, size=count).astype(np.float32)
    sign = np.where(rng.random(count) < 0.5, np.float32(-1), np.float32(1))
    w.reshape(-1)[flat] = sign * magnitude * row_std[flat // cols]
    return w


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    tensors = layout(args.layers)
    params = {"generator": "bench/make_synthetic_model.py", "version": str(GENERATOR_VERSION),
              "seed": str(args.seed), "layers": str(args.layers), "numpy": np.__version__}
    header, data_bytes = header_bytes(tensors, params)
    total = len(header) + data_bytes
    sidecar = args.out + ".json"
    if os.path.exists(args.out) and os.path.getsize(args.out) == total and os.path.exists(sidecar):
        with open(sidecar) as f:
            if json.load(f) == params:
                print(args.out)
                return

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    rng = np.random.Generator(np.random.PCG64(args.seed))
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(header)
        for _, shape in tensors:
            f.write(memoryview(generate(rng, shape)).cast("B"))
    if os.path.getsize(tmp) != total:
        sys.exit(f"error: {tmp} has {os.path.getsize(tmp)} bytes, expected {total}")
    os.replace(tmp, args.out)
    with open(sidecar, "w") as f:
        json.dump(params, f)
    print(args.out)


if __name__ == "__main__":
    main()
