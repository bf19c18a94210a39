"""Every recipe preset on one model: size, bits per 2-D weight, SNR, pack and unpack time.

Usage: python bench/presets.py WEIGHTPACK MODEL [--presets lossless,int8,...] [--out FILE.json] [--reps N]
                              [--python-for-zipnn PY]

For each preset it runs, file to file with process start:
  weightpack pack MODEL -o P.wpk --recipe PRESET      (best of --reps wall times)
  weightpack unpack P.wpk -o P.safetensors            (best of --reps)
  weightpack verify MODEL P.wpk --json                (per-tensor SNR; bit-exactness)
  weightpack inspect P.wpk --json                     (stored bytes per tensor)
and reports: file bytes; bits per 2-D weight = 8 x (stored bytes of the 2-D float tensors) / their elements;
minimum and median SNR over the 2-D float tensors (dB; "exact" when every one is bit-exact).
In the same run it measures `zstd -19` of the model (the CLI, if installed) and ZipNN's output size (if the
`zipnn` package imports in --python-for-zipnn), for the lossless comparison. Prints a Markdown table and writes
JSON to --out.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

DEFAULT_PRESETS = ["lossless", "int8", "int4", "q8_0", "q4_0", "cluster4", "deep", "ec:30", "ec:40"]


def run(cmd):
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return wall, proc


def best_of(reps, cmd):
    walls, proc = [], None
    for _ in range(reps):
        wall, proc = run(cmd)
        walls.append(wall)
    return min(walls), proc


def preset_row(wp, model, preset, scratch, reps):
    packed = os.path.join(scratch, preset.replace(":", "_") + ".wpk")
    unpacked = os.path.join(scratch, preset.replace(":", "_") + ".safetensors")
    pack_wall, _ = best_of(reps, [wp, "pack", model, "-o", packed, "--recipe", preset, "--quiet"])
    unpack_wall, _ = best_of(reps, [wp, "unpack", packed, "-o", unpacked, "--quiet"])
    _, verify = run([wp, "verify", model, packed, "--json"])
    _, inspect = run([wp, "inspect", packed, "--json"])
    verified = {t["name"]: t for t in json.loads(verify.stdout)["tensors"]}
    inspected = json.loads(inspect.stdout)
    stored_2d = elements_2d = 0
    snrs, exact = [], True
    for tensor in inspected["tensors"]:
        if len(tensor["shape"]) != 2 or tensor["dtype"] not in ("f32", "f16", "bf16", "f64"):
            continue
        stored_2d += tensor["stored_bytes"]
        elements_2d += tensor["elements"]
        v = verified[tensor["name"]]
        exact = exact and v["bit_exact"]
        if not v["bit_exact"]:
            snrs.append(v["snr_db"])
    all_exact = all(t["bit_exact"] for t in verified.values())
    os.remove(unpacked)
    return {
        "preset": preset,
        "file_bytes": os.path.getsize(packed),
        "bpw_2d": 8 * stored_2d / elements_2d,
        "snr_min_db": min(snrs) if snrs else None,
        "snr_median_db": statistics.median(snrs) if snrs else None,
        "bit_exact": all_exact,
        "pack_s": pack_wall,
        "unpack_s": unpack_wall,
        "chains": sorted({" > ".join(t["stages"]) or "stored as is" for t in inspected["tensors"]}),
    }


def peers(model, scratch, zipnn_python):
    result = {"model_bytes": os.path.getsize(model)}
    if shutil.which("zstd"):
        out = os.path.join(scratch, "model.zst")
        wall, _ = run(["zstd", "-19", "-T2", "-q", "-f", model, "-o", out])
        result["zstd_19_bytes"], result["zstd_19_s"] = os.path.getsize(out), wall
    code = (
        "import sys, zipnn, time\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "z = zipnn.ZipNN(bytearray_dtype='float32', threads=2)\n"
        "t0 = time.perf_counter(); out = z.compress(data); print(len(out), time.perf_counter() - t0)\n"
    )
    if zipnn_python:
        proc = subprocess.run([zipnn_python, "-c", code, model], capture_output=True, text=True)
        if proc.returncode == 0:
            size, seconds = proc.stdout.split()
            result["zipnn_bytes"], result["zipnn_s"] = int(size), float(seconds)
        else:
            result["zipnn_error"] = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("weightpack")
    parser.add_argument("model")
    parser.add_argument("--presets", default=",".join(DEFAULT_PRESETS))
    parser.add_argument("--out")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--python-for-zipnn")
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="weightpack-presets-")
    try:
        rows = [preset_row(args.weightpack, args.model, p, scratch, args.reps) for p in args.presets.split(",")]
        peer = peers(args.model, scratch, args.python_for_zipnn)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"model: {os.path.basename(args.model)}, {peer['model_bytes']:,} bytes\n")
    print("| preset | bytes | ratio | bpw (2-D) | SNR min dB | SNR median dB | pack s | unpack s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        snr_min = "exact" if r["bit_exact"] else f"{r['snr_min_db']:.2f}"
        snr_med = "exact" if r["bit_exact"] else f"{r['snr_median_db']:.2f}"
        print(f"| {r['preset']} | {r['file_bytes']:,} | {peer['model_bytes'] / r['file_bytes']:.3f} | "
              f"{r['bpw_2d']:.3f} | {snr_min} | {snr_med} | {r['pack_s']:.2f} | {r['unpack_s']:.2f} |")
    for key, label in (("zstd_19_bytes", "zstd -19 -T2"), ("zipnn_bytes", "ZipNN (2 threads)")):
        if key in peer:
            print(f"| {label} | {peer[key]:,} | {peer['model_bytes'] / peer[key]:.3f} | | exact | exact | "
                  f"{peer[key.replace('bytes', 's')]:.2f} | |")
    if "zipnn_error" in peer:
        print(f"\nZipNN not measured: {peer['zipnn_error']}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"presets": rows, "peers": peer}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
