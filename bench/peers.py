"""In-process peers that bench/bench.py times next to weightpack. Each job runs in its own process
(so its peak RSS is its own) and prints one JSON object on stdout:

  wall, cpu    seconds of the best repetition (perf_counter; process_time, i.e. user+sys of all threads)
  walls        every repetition's wall time
  out_bytes    the size of what the job produced
  rss_kb       the process's peak resident set (getrusage), which includes loading the input

Jobs (REPS repetitions, the best one reported):
  kmeans16 MODEL REPS                    numpy 16-centroid k-means (200k sample per 2-D tensor, 10 iterations)
  int8-zstd MODEL REPS                   per-row int8 + zstd-3 of every 2+-D float tensor, in memory:
                                         bench/int8_reference.py's reference_pack (input loaded before timing)
  int8-decode MODEL REPS                 the inverse of int8-zstd, in memory: zstd-3 decompression of each tensor's
                                         stored bytes, then scale × int8 back to float32 (the stored bytes are made
                                         before timing)
  gguf MODEL QTYPE REPS                  gguf-py's gguf.quants.quantize (Q8_0 or Q4_0) over every 2-D float
                                         tensor whose rows divide into blocks of 32, as `weightpack convert
                                         --quant` selects them (input loaded before timing)
  zipnn-compress MODEL OUT REPS          ZipNN on the whole file as bytes (float32 byte grouping, 2 threads),
                                         file to file: read, compress, write
  zipnn-decompress IN OUT ORIGINAL REPS  file to file: read, decompress, write; checked against ORIGINAL
  verify-numpy REFERENCE CANDIDATE REPS  per-tensor max|err|, RMSE, SNR and cosine in float64 (what
                                         `weightpack verify` prints), both files loaded inside the timing
"""
import json
import os
import resource
import sys
import time

import numpy as np
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def timed(job, reps):
    walls, cpus, result = [], [], None
    for _ in range(reps):
        c0, w0 = time.process_time(), time.perf_counter()
        result = job()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    best = min(range(reps), key=walls.__getitem__)
    return {"wall": walls[best], "cpu": cpus[best], "walls": walls, "out_bytes": result}


def int8_zstd(model, reps):
    from int8_reference import reference_pack
    tensors = load_file(model)
    return timed(lambda: reference_pack(tensors), reps)


def int8_decode(model, reps):
    import zstandard
    compressor, decompressor = zstandard.ZstdCompressor(level=3), zstandard.ZstdDecompressor()
    stored = []
    for w in load_file(model).values():
        if w.dtype.kind == "f" and w.ndim >= 2:
            rows = w.reshape(w.shape[0], -1)
            scale = (np.abs(rows).max(axis=1, keepdims=True) / np.float32(127)).astype(np.float32)
            q = np.clip(np.round(rows / np.where(scale == 0, 1, scale)), -127, 127).astype(np.int8)
            stored.append((True, rows.shape, compressor.compress(scale.tobytes() + q.tobytes())))
        else:
            stored.append((False, w.dtype, compressor.compress(w.tobytes())))

    def job():
        total = 0
        for quantized, meta, blob in stored:
            raw = decompressor.decompress(blob)
            if quantized:
                rows, columns = meta
                scale = np.frombuffer(raw, np.float32, rows).reshape(rows, 1)
                q = np.frombuffer(raw, np.int8, rows * columns, offset=4 * rows).reshape(rows, columns)
                total += (q.astype(np.float32) * scale).nbytes
            else:
                total += len(raw)
        return total

    return timed(job, reps)


def gguf_quantize(model, qtype_name, reps):
    import gguf
    qtype = getattr(gguf.GGMLQuantizationType, qtype_name)
    block = gguf.GGML_QUANT_SIZES[qtype][0]
    tensors = load_file(model)

    def job():
        total = 0
        for w in tensors.values():
            if w.dtype.kind == "f" and w.ndim == 2 and w.shape[-1] % block == 0:
                total += gguf.quants.quantize(w.astype(np.float32, copy=False), qtype).nbytes
            else:
                total += w.nbytes
        return total

    return timed(job, reps)


def kmeans16(model, reps):
    """16-centroid 1-D k-means per 2-D float tensor, numpy, on a 200k sample with 10 Lloyd iterations, linear
    initialisation (the orientation figure of the product issue: the usual shortcut a Python user takes)."""
    tensors = load_file(model)
    rng = np.random.default_rng(0)
    samples = []
    for w in tensors.values():
        if w.dtype.kind == "f" and w.ndim == 2:
            flat = w.astype(np.float32, copy=False).ravel()
            samples.append(flat[rng.integers(0, flat.size, min(200_000, flat.size))] if flat.size > 200_000 else flat)

    def job():
        total = 0
        for x in samples:
            c = np.linspace(x.min(), x.max(), 16, dtype=np.float32)
            for _ in range(10):
                assign = np.abs(x[:, None] - c[None, :]).argmin(axis=1)
                sums = np.bincount(assign, weights=x, minlength=16)
                counts = np.bincount(assign, minlength=16)
                c = np.where(counts > 0, sums / np.maximum(counts, 1), c).astype(np.float32)
            total += c.nbytes
        return total

    return timed(job, reps)


def zipnn_codec():
    from zipnn import ZipNN
    return ZipNN(input_format="byte", bytearray_dtype="float32", threads=2)


def zipnn_compress(model, out, reps):
    codec = zipnn_codec()

    def job():
        with open(model, "rb") as f:
            data = f.read()
        compressed = codec.compress(data)
        with open(out, "wb") as f:
            f.write(compressed)
        return len(compressed)

    return timed(job, reps)


def zipnn_decompress(source, out, original, reps):
    codec = zipnn_codec()

    def job():
        with open(source, "rb") as f:
            data = f.read()
        plain = codec.decompress(data)
        with open(out, "wb") as f:
            f.write(plain)
        return len(plain)

    result = timed(job, reps)
    with open(original, "rb") as a, open(out, "rb") as b:
        if a.read() != b.read():
            sys.exit("error: ZipNN's decompressed file differs from the original")
    return result


def verify_numpy(reference, candidate, reps):
    def job():
        a_all, b_all = load_file(reference), load_file(candidate)
        if a_all.keys() != b_all.keys():
            sys.exit("error: the files hold different tensors")
        rows = []
        for name, a in a_all.items():
            a = a.astype(np.float64).ravel()
            e = b_all[name].astype(np.float64).ravel() - a
            signal, noise = float(a @ a), float(e @ e)
            b_norm = float(np.sqrt((a + e) @ (a + e)))
            rows.append((name, float(np.abs(e).max(initial=0)), np.sqrt(noise / max(a.size, 1)),
                         float("inf") if noise == 0 else 10 * np.log10(signal / noise),
                         float((a @ (a + e)) / (np.sqrt(signal) * b_norm)) if signal and b_norm else 1.0))
        return None

    return timed(job, reps)


def main():
    job, args = sys.argv[1], sys.argv[2:]
    reps = int(args[-1])
    if job == "int8-zstd":
        result = int8_zstd(args[0], reps)
    elif job == "int8-decode":
        result = int8_decode(args[0], reps)
    elif job == "kmeans16":
        result = kmeans16(args[0], reps)
    elif job == "gguf":
        result = gguf_quantize(args[0], args[1], reps)
    elif job == "zipnn-compress":
        result = zipnn_compress(args[0], args[1], reps)
    elif job == "zipnn-decompress":
        result = zipnn_decompress(args[0], args[1], args[2], reps)
    elif job == "verify-numpy":
        result = verify_numpy(args[0], args[1], reps)
    else:
        sys.exit(f"error: unknown job {job}")
    result["rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


if __name__ == "__main__":
    main()
