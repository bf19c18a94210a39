"""The numpy reference the walking skeleton is measured against: per-row symmetric int8 of every float
tensor with 2+ dimensions, every other tensor kept as is, each tensor's bytes compressed with zstd level 3.

Prints the reference's compression ratio, its per-tensor SNR (median and minimum), and its in-memory time,
next to WeightPack's own figures for the same model measured in the same run.

Usage: python bench/int8_reference.py MODEL.safetensors WEIGHTPACK_BINARY
Needs numpy, safetensors and zstandard (bench/requirements.txt).
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import zstandard
from safetensors.numpy import load_file

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "python"))
from reference import int8_per_row, snr_db  # noqa: E402


def reference_pack(tensors):
    compressor = zstandard.ZstdCompressor(level=3)
    stored = 0
    for w in tensors.values():
        if w.dtype.kind == "f" and w.ndim >= 2:
            rows = w.reshape(w.shape[0], -1)
            scale = (np.abs(rows).max(axis=1, keepdims=True) / np.float32(127)).astype(np.float32)
            q = np.clip(np.round(rows / np.where(scale == 0, 1, scale)), -127, 127).astype(np.int8)
            payload = scale.tobytes() + q.tobytes()
        else:
            payload = w.tobytes()
        stored += min(len(payload), len(compressor.compress(payload)))
    return stored


def main():
    model, binary = sys.argv[1], sys.argv[2]
    source_bytes = os.path.getsize(model)
    tensors = load_file(model)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        stored = reference_pack(tensors)
        times.append(time.perf_counter() - start)
    snrs = [snr_db(w, int8_per_row(w)) for w in tensors.values() if w.dtype.kind == "f" and w.ndim >= 2]
    with tempfile.TemporaryDirectory() as folder:
        packed = os.path.join(folder, "m.wpk")
        ours = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([binary, "pack", model, "-o", packed, "-q"], check=True)
            ours.append(time.perf_counter() - start)
        report = json.loads(subprocess.run(
            [binary, "verify", model, packed, "--json"], check=True, capture_output=True, text=True).stdout)
        packed_bytes = os.path.getsize(packed)
    ours_snr = [t["snr_db"] for t in report["tensors"] if t["snr_db"] is not None]
    print(f"source: {source_bytes} bytes")
    print(f"numpy int8 + zstd-3 reference: ratio {source_bytes / stored:.3f} (tensor data only), "
          f"SNR median {np.median(snrs):.2f} dB, min {min(snrs):.2f} dB, best of 3: {min(times):.3f} s in memory")
    print(f"weightpack pack --quant int8 --codec zstd: ratio {source_bytes / packed_bytes:.3f} (whole file), "
          f"SNR median {np.median(ours_snr):.2f} dB, min {min(ours_snr):.2f} dB, "
          f"best of 3: {min(ours):.3f} s file to file incl. process start")
    print(f"time ratio weightpack / numpy reference: {min(ours) / min(times):.2f}")


if __name__ == "__main__":
    main()
