"""Times weightpack's commands and their peers on the same files, prints a comparison table and writes
bench/results.json. Run through bench/run.sh, which installs, fetches, generates and builds what this needs.

Usage: python bench/bench.py --bin WEIGHTPACK --kernels WEIGHTPACK_BENCH --model NAME=PATH:REPS [--model ...]
                             --work DIR [--out bench/results.json] [--slow] [--zipnn-note TEXT] [--setup-times FILE]

Our commands are timed as whole processes: wall time by the clock around the process, user+sys CPU and
peak RSS by /usr/bin/time -f '%U %S %M'. The CLI peers (zstd, lz4) are timed the same way. The Python peers
run in-process in bench/peers.py (one process per job), timed around the work only: interpreter start,
imports and, where the note says so, loading the input are not counted against them. The same kernels of ours
run in-process too (bench/kernels, the `weightpack-bench` executable), timed the same way, so that each in-process
peer also has an in-process counterpart. Last, a few of our commands run again pinned to one core (`taskset -c 0`)
for the speed-up from 1 core to all of them.
"""
import argparse
import datetime
import filecmp
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MIB = 1024 * 1024

# job id, description, our measurement, peer measurements, whether the output size is comparable
JOBS = [
    ("int8", "int8 quantize + compress", "pack-int8", ["numpy-int8-zstd3"], True),
    ("lossless", "lossless compress", "pack-lossless", ["zstd-3", "zstd-19-long", "lz4", "zipnn"], True),
    ("lossless-d", "lossless decompress", "unpack-lossless", ["zstd-3-d", "zstd-19-long-d", "lz4-d", "zipnn-d"],
     False),
    ("cluster4", "16-centroid k-means", "pack-cluster4", ["numpy-kmeans16"], False),
    ("int4", "int4 group 32", "pack-int4", [], True),
    ("ec:30", "ECSQ at 30 dB + Huffman", "pack-ec30", [], True),
    ("deep", "prune + cluster + Huffman", "pack-deep", [], True),
    ("int8-d", "int8 decode to f32", "unpack-int8", ["numpy-int8-decode"], False),
    ("inspect", "inspect .wpk", "inspect", [], False),
    ("verify", "verify source vs int8", "verify", ["numpy-verify"], False),
    ("q8_0", "GGUF Q8_0", "convert-q8_0", ["gguf-q8_0"], True),
    ("q4_0", "GGUF Q4_0", "convert-q4_0", ["gguf-q4_0"], True),
    ("int8-k", "int8 + zstd-3, in-process", "kernel-int8-zstd", ["numpy-int8-zstd3"], True),
    ("int8-d-k", "int8 decode, in-process", "kernel-int8-decode", ["numpy-int8-decode"], False),
    ("q8_0-k", "Q8_0 quantize, in-process", "kernel-q8_0", ["gguf-q8_0"], True),
    ("q4_0-k", "Q4_0 quantize, in-process", "kernel-q4_0", ["gguf-q4_0"], True),
]

# our commands timed again on one core: (id of the all-core measurement, label)
CORE_JOBS = ["pack-int8", "pack-lossless", "unpack-lossless", "pack-cluster4", "convert-q8_0"]

LABELS = {
    "pack-int8": "pack --recipe int8",
    "pack-lossless": "pack --recipe lossless",
    "unpack-lossless": "unpack (lossless .wpk)",
    "pack-cluster4": "pack --recipe cluster4",
    "pack-int4": "pack --recipe int4",
    "pack-ec30": "pack --recipe ec:30",
    "pack-deep": "pack --recipe deep",
    "numpy-kmeans16": "numpy k-means 16, 200k sample, 10 it (in-proc)",
    "unpack-int8": "unpack (int8 .wpk)",
    "inspect": "inspect (int8 .wpk)",
    "verify": "verify src vs int8 .wpk",
    "convert-q8_0": "convert --quant q8_0",
    "convert-q4_0": "convert --quant q4_0",
    "numpy-int8-zstd3": "numpy int8 + zstd-3 (in-proc)",
    "zstd-3": "zstd -3 -T2",
    "zstd-19-long": "zstd -19 --long=27 -T2",
    "lz4": "lz4 (-1)",
    "zipnn": "ZipNN f32, 2 threads (in-proc)",
    "zstd-3-d": "zstd -d (of -3)",
    "zstd-19-long-d": "zstd -d --long=27 (of -19)",
    "lz4-d": "lz4 -d",
    "zipnn-d": "ZipNN decompress (in-proc)",
    "numpy-verify": "numpy metrics (in-proc)",
    "gguf-q8_0": "gguf-py quantize Q8_0 (in-proc)",
    "gguf-q4_0": "gguf-py quantize Q4_0 (in-proc)",
    "kernel-int8-zstd": "int8 preset stages (in-proc)",
    "kernel-int8-decode": "int8 preset decoders (in-proc)",
    "numpy-int8-decode": "numpy zstd-d + int8 × scale (in-proc)",
    "kernel-q8_0": "GGMLBlockQuantizer Q8_0 (in-proc)",
    "kernel-q4_0": "GGMLBlockQuantizer Q4_0 (in-proc)",
}


class Bench:
    def __init__(self, args):
        self.args = args
        self.measurements = []
        self.argv = {}  # (model, id) -> the command line of our first measurement, to run again on one core
        self.skipped = []
        self.python = sys.executable

    # -- measuring -------------------------------------------------------------------------------
    def command(self, model, mid, side, cmd, reps, output=None):
        """Runs cmd reps times under /usr/bin/time; keeps the run with the lowest wall time."""
        runs = []
        for _ in range(reps):
            with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
                start = time.perf_counter()
                proc = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", tf.name, "--"] + cmd,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                wall = time.perf_counter() - start
                if proc.returncode != 0:
                    raise SystemExit(f"error: {' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()}")
                user, sys_, rss = tf.read().split()[-3:]
            runs.append({"wall": wall, "user": float(user), "sys": float(sys_), "rss_kb": int(rss)})
        best = min(runs, key=lambda r: r["wall"])
        record = {"model": model, "id": mid, "side": side, "label": LABELS[mid], "in_process": False,
                  "command": " ".join(self.relative(c) for c in cmd), "reps": reps,
                  "wall": best["wall"], "cpu": best["user"] + best["sys"], "user": best["user"], "sys": best["sys"],
                  "rss_kb": best["rss_kb"], "walls": [r["wall"] for r in runs],
                  "out_bytes": os.path.getsize(output) if output else None}
        self.measurements.append(record)
        self.argv.setdefault((model, mid), cmd)
        self.progress(record)
        return record

    def peer(self, model, mid, job_args, reps, note, side="peer", program=None):
        cmd = (program or [self.python, os.path.join(HERE, "peers.py")]) + job_args + [str(reps)]
        shown = "weightpack-bench" if program else "python bench/peers.py"
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"error: {' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        record = {"model": model, "id": mid, "side": side, "label": LABELS[mid], "in_process": True,
                  "command": f"{shown} " + " ".join(self.relative(a) for a in job_args + [str(reps)]),
                  "reps": reps, "wall": result["wall"], "cpu": result["cpu"], "user": None, "sys": None,
                  "rss_kb": result["rss_kb"], "walls": result["walls"], "out_bytes": result["out_bytes"],
                  "note": note}
        self.measurements.append(record)
        self.progress(record)
        return record

    def skip(self, model, mid, reason):
        self.skipped.append({"model": model, "id": mid, "label": LABELS[mid], "reason": reason})
        print(f"  {model:<18} {LABELS[mid]:<34} skipped: {reason}", flush=True)

    @staticmethod
    def progress(r):
        size = f"{r['out_bytes'] / MIB:9.1f} MiB" if r["out_bytes"] else " " * 13
        print(f"  {r['model']:<18} {r['label']:<34} wall {r['wall']:8.3f} s  cpu {r['cpu']:8.3f} s  "
              f"rss {r['rss_kb'] / 1024:7.0f} MiB {size}", flush=True)

    @staticmethod
    def relative(path):
        if os.path.isabs(path):
            return os.path.relpath(path, ROOT)
        return path

    # -- the runs ----------------------------------------------------------------------------------
    def run_model(self, name, path, reps):
        wp = self.args.bin
        work = os.path.join(self.args.work, name)
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        f = lambda leaf: os.path.join(work, leaf)  # noqa: E731

        def gone(*leaves):
            for leaf in leaves:
                if os.path.exists(f(leaf)):
                    os.remove(f(leaf))

        def lossless(out, original, label):
            if not filecmp.cmp(out, original, shallow=False):
                raise SystemExit(f"error: {label} did not give back the original file")

        # ours
        self.command(name, "pack-int8", "ours", [wp, "pack", path, "-o", f("int8.wpk"), "--quant", "int8",
                                                 "--codec", "zstd", "-q"], reps, f("int8.wpk"))
        self.command(name, "pack-lossless", "ours", [wp, "pack", path, "-o", f("none.wpk"), "--recipe", "lossless",
                                                     "-q"], reps, f("none.wpk"))
        for mid, recipe in (("pack-cluster4", "cluster4"), ("pack-int4", "int4"), ("pack-ec30", "ec:30"),
                            ("pack-deep", "deep")):
            self.command(name, mid, "ours", [wp, "pack", path, "-o", f("preset.wpk"), "--recipe", recipe, "-q"],
                         reps, f("preset.wpk"))
            gone("preset.wpk")
        self.command(name, "unpack-int8", "ours", [wp, "unpack", f("int8.wpk"), "-o", f("int8.safetensors"), "-q"],
                     reps, f("int8.safetensors"))
        self.command(name, "unpack-lossless", "ours", [wp, "unpack", f("none.wpk"), "-o", f("none.safetensors"),
                                                       "-q"], reps, f("none.safetensors"))
        # Tensor by tensor (the source's own header layout need not match the safetensors writer's).
        check = subprocess.run([wp, "verify", path, f("none.safetensors"), "--exact", "-q"], capture_output=True,
                               text=True)
        if check.returncode != 0:
            raise SystemExit(f"error: the lossless .wpk did not unpack bit-exact: {check.stderr.strip()[-500:]}")
        gone("none.safetensors")
        self.command(name, "inspect", "ours", [wp, "inspect", f("int8.wpk")], reps)
        self.command(name, "verify", "ours", [wp, "verify", path, f("int8.wpk"), "-q"], reps)
        for q in ("q8_0", "q4_0"):
            out = f(f"{q}.gguf")
            self.command(name, f"convert-{q}", "ours", [wp, "convert", path, out, "--quant", q, "-q"], reps, out)
            gone(f"{q}.gguf")

        # CLI peers
        self.command(name, "zstd-3", "peer", ["zstd", "-3", "-T2", "-q", "-f", path, "-o", f("m.zst")], reps,
                     f("m.zst"))
        self.command(name, "zstd-3-d", "peer", ["zstd", "-d", "-q", "-f", f("m.zst"), "-o", f("m.out")], reps,
                     f("m.out"))
        lossless(f("m.out"), path, "zstd -d")
        gone("m.zst", "m.out")
        slow_cmd = ["zstd", "-19", "--long=27", "-T2", "-q", "-f", path, "-o", f("m.zst19")]
        if self.args.slow or os.path.getsize(path) <= 256 * MIB:
            # one run even when the others get three: it alone would take most of the time budget
            self.command(name, "zstd-19-long", "peer", slow_cmd, 1, f("m.zst19"))
            self.command(name, "zstd-19-long-d", "peer", ["zstd", "-d", "--long=27", "-q", "-f", f("m.zst19"),
                                                          "-o", f("m.out")], reps, f("m.out"))
            lossless(f("m.out"), path, "zstd -d --long=27")
            gone("m.zst19", "m.out")
        else:
            rate = [m for m in self.measurements if m["id"] == "zstd-19-long"]
            estimate = ""
            if rate:
                source = next(p for n, p, _ in self.args.models if n == rate[0]["model"])
                per_byte = rate[0]["cpu"] / os.path.getsize(source)
                estimate = f"about {per_byte * os.path.getsize(path) / 60:.0f} min of CPU at the rate measured on " \
                           f"{rate[0]['model']}; "
            self.skip(name, "zstd-19-long", estimate + "over the 10-minute budget; bench/run.sh --slow runs it")
            self.skip(name, "zstd-19-long-d", "needs the -19 output")
        self.command(name, "lz4", "peer", ["lz4", "-q", "-f", path, f("m.lz4")], reps, f("m.lz4"))
        self.command(name, "lz4-d", "peer", ["lz4", "-d", "-q", "-f", f("m.lz4"), f("m.out")], reps, f("m.out"))
        lossless(f("m.out"), path, "lz4 -d")
        gone("m.lz4", "m.out")

        # in-process peers
        if self.zipnn_reason is None:
            self.peer(name, "zipnn", ["zipnn-compress", path, f("m.znn")], reps,
                      "file to file (read, compress, write); torch import not counted")
            self.peer(name, "zipnn-d", ["zipnn-decompress", f("m.znn"), f("m.out"), path], reps,
                      "file to file (read, decompress, write); torch import not counted")
            gone("m.znn", "m.out")
        else:
            self.skip(name, "zipnn", self.zipnn_reason)
            self.skip(name, "zipnn-d", self.zipnn_reason)
        self.peer(name, "numpy-kmeans16", ["kmeans16", path], reps,
                  "in memory, input loaded before timing; 16 centroids fitted on a 200k sample of each 2-D tensor "
                  "(10 Lloyd iterations), no assignment of the other weights, no coding")
        self.peer(name, "numpy-int8-zstd3", ["int8-zstd", path], reps,
                  "in memory, input loaded before timing; size = tensor data only, no container")
        self.peer(name, "numpy-int8-decode", ["int8-decode", path], reps,
                  "in memory, compressed tensors made before timing; decode to float32 arrays, nothing written")
        for q in ("Q8_0", "Q4_0"):
            self.peer(name, f"gguf-{q.lower()}", ["gguf", path, q], reps,
                      "in memory, input loaded before timing; size = tensor data only, no GGUF header")
        self.peer(name, "numpy-verify", ["verify-numpy", path, f("int8.safetensors")], reps,
                  "loads source and the unpacked int8 .safetensors (not the .wpk) inside the timing")

        # our kernels in-process, timed as the in-process peers are
        kernels = [self.args.kernels]
        self.peer(name, "kernel-int8-zstd", ["int8-zstd", path], reps,
                  "in memory, input loaded before timing; size = tensor data only, no container", "ours", kernels)
        self.peer(name, "kernel-int8-decode", ["int8-decode", path], reps,
                  "in memory, encoded sections made before timing; decode to float32 arrays, nothing written",
                  "ours", kernels)
        for q in ("Q8_0", "Q4_0"):
            self.peer(name, f"kernel-{q.lower()}", ["gguf", path, q], reps,
                      "in memory, input loaded before timing; size = tensor data only, no GGUF header", "ours",
                      kernels)

        # one core against all of them
        if shutil.which("taskset"):
            for mid in CORE_JOBS:
                cmd = self.argv[(name, mid)]
                record = self.command(name, mid, "ours-1-core", ["taskset", "-c", "0"] + cmd, reps)
                record["label"] += " (1 core)"
        else:
            self.skip(name, "pack-int8", "taskset (util-linux) is missing: the 1-core runs were skipped")
        if not self.args.keep:
            shutil.rmtree(work, ignore_errors=True)

    def zipnn_check(self):
        if self.args.zipnn_note:
            return self.args.zipnn_note
        proc = subprocess.run([self.python, "-c", "import zipnn"], capture_output=True, text=True)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["import failed"])[-1]
            return f"ZipNN is not installed here ({last})"
        return None

    # -- reporting ---------------------------------------------------------------------------------
    def comparisons(self):
        rows = []
        for model, _, _ in self.args.models:
            by_id = {m["id"]: m for m in self.measurements if m["model"] == model and m["side"] != "ours-1-core"}
            for job, description, ours_id, peer_ids, sized in JOBS:
                ours = by_id.get(ours_id)
                if ours is None:
                    continue
                peers = [by_id[p] for p in peer_ids if p in by_id]
                picks = []
                if peers:
                    picks.append(("fastest", min(peers, key=lambda m: m["wall"])))
                    if sized:
                        smallest = min(peers, key=lambda m: m["out_bytes"])
                        if smallest is not picks[0][1]:
                            picks.append(("smallest", smallest))
                        else:
                            picks[0] = ("fastest, smallest", picks[0][1])
                for why, peer in picks or [(None, None)]:
                    row = {"model": model, "job": job, "description": description, "ours": ours["id"],
                           "peer": peer["id"] if peer else None, "peer_is": why,
                           "wall_ratio": ours["wall"] / peer["wall"] if peer else None,
                           "cpu_ratio": ours["cpu"] / peer["cpu"] if peer and peer["cpu"] else None,
                           "size_ratio": ours["out_bytes"] / peer["out_bytes"] if peer and sized else None}
                    rows.append(row)
        return rows

    def table(self, rows):
        by_key = {(m["model"], m["id"]): m for m in self.measurements if m["side"] != "ours-1-core"}
        secs = lambda x: f"{x:.3f}" if x < 10 else f"{x:.1f}"  # noqa: E731
        mib = lambda b: "" if b is None else f"{b / MIB:.1f}"  # noqa: E731
        ratio = lambda x: "" if x is None else f"{x:.2f}"  # noqa: E731
        lines = []
        for model, path, reps in self.args.models:
            lines.append("")
            lines.append(f"{model}: {os.path.getsize(path) / MIB:.1f} MiB float32 safetensors, "
                         f"{'best of ' + str(reps) if reps > 1 else '1 run'}; wall and CPU in s, RSS and size in MiB; "
                         "ratios are ours / peer")
            lines.append("")
            header = ["job", "ours", "wall", "cpu", "RSS", "size", "best peer", "wall", "cpu", "RSS", "size",
                      "wall ×", "cpu ×", "size ×"]
            table = [header]
            for row in (r for r in rows if r["model"] == model):
                o = by_key[(model, row["ours"])]
                cells = [row["description"], o["label"], secs(o["wall"]), secs(o["cpu"]), f"{o['rss_kb'] / 1024:.0f}",
                         mib(o["out_bytes"])]
                if row["peer"]:
                    p = by_key[(model, row["peer"])]
                    cells += [f"{p['label']} [{row['peer_is']}]", secs(p["wall"]), secs(p["cpu"]),
                              f"{p['rss_kb'] / 1024:.0f}", mib(p["out_bytes"]) if row["size_ratio"] else "",
                              ratio(row["wall_ratio"]), ratio(row["cpu_ratio"]), ratio(row["size_ratio"])]
                else:
                    cells += ["(no peer measured)", "", "", "", "", "", "", ""]
                table.append(cells)
            widths = [max(len(r[i]) for r in table) for i in range(len(header))]
            right = {2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13}
            for n, r in enumerate(table):
                lines.append("| " + " | ".join(c.rjust(w) if i in right else c.ljust(w)
                                                 for i, (c, w) in enumerate(zip(r, widths))) + " |")
                if n == 0:
                    lines.append("|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2))
                                                for i, w in enumerate(widths)) + "|")
            others = [m for m in self.measurements if m["model"] == model and m["side"] == "peer"
                      and m["id"] not in {r["peer"] for r in rows if r["model"] == model}]
            if others:
                lines.append("")
                lines.append("other peers: " + "; ".join(
                    f"{m['label']} {secs(m['wall'])} s wall, {secs(m['cpu'])} s cpu"
                    + (f", {mib(m['out_bytes'])} MiB" if m["out_bytes"] and not m["id"].endswith("-d") else "")
                    for m in others))
            single = [m for m in self.measurements if m["model"] == model and m["side"] == "ours-1-core"]
            if single:
                lines.append("")
                lines.append("1 core (taskset -c 0) against both cores, wall s: " + "; ".join(
                    f"{LABELS[m['id']]} {secs(m['wall'])} vs {secs(by_key[(model, m['id'])]['wall'])} "
                    f"(speed-up {m['wall'] / by_key[(model, m['id'])]['wall']:.2f}×)" for m in single))
            skipped = [s for s in self.skipped if s["model"] == model]
            for s in skipped:
                lines.append(f"not measured: {s['label']}: {s['reason']}")
        return "\n".join(lines)


def versions(wp):
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return None

    packages = {}
    for name in ("numpy", "safetensors", "zstandard", "gguf", "zipnn", "torch", "threadpoolctl"):
        try:
            packages[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            packages[name] = None
    commit = out(["git", "-C", ROOT, "rev-parse", "HEAD"])
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "Sources", "Package.swift"],
                           capture_output=True, text=True).stdout.strip() != ""
    return {"weightpack": out([wp, "--version"]), "commit": commit, "sources_modified": dirty,
            "zstd": out(["zstd", "-V"]), "lz4": out(["lz4", "-V"]), "python": platform.python_version(),
            "python_packages": packages}


def machine():
    info = {"cores": os.cpu_count(), "load_average_start": os.getloadavg()}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
        with open("/proc/meminfo") as f:
            info["memory_kib"] = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
    except (OSError, StopIteration):
        pass
    info["openblas_env"] = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    try:
        import numpy
        from numpy._core._multiarray_umath import __cpu_features__
        info["numpy_simd"] = sorted(k for k, v in __cpu_features__.items() if v)
        info["numpy"] = numpy.__version__
    except ImportError:
        pass
    try:
        from threadpoolctl import threadpool_info
        import numpy  # noqa: F401  (loads the BLAS so threadpoolctl sees it)
        info["blas"] = [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
                        for p in threadpool_info()]
    except ImportError:
        pass
    return info


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--kernels", required=True, help="the weightpack-bench executable (bench/kernels)")
    parser.add_argument("--model", action="append", required=True, help="NAME=PATH:REPS")
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", default=os.path.join(HERE, "results.json"))
    parser.add_argument("--slow", action="store_true", help="also run zstd -19 --long=27 on models over 256 MiB")
    parser.add_argument("--keep", action="store_true", help="keep the outputs in --work")
    parser.add_argument("--zipnn-note", default="", help="why ZipNN is not available (skips it)")
    parser.add_argument("--setup-times", help="file of 'step seconds' lines written by run.sh")
    args = parser.parse_args()
    args.models = []
    for spec in args.model:
        name, rest = spec.split("=", 1)
        path, reps = rest.rsplit(":", 1)
        args.models.append((name, path, int(reps)))

    started = time.time()
    bench = Bench(args)
    info = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": machine(), "versions": versions(args.bin)}
    bench.zipnn_reason = bench.zipnn_check()
    print(f"measuring (machine load average {info['machine']['load_average_start'][0]:.2f}) ...", flush=True)
    for name, path, reps in args.models:
        bench.run_model(name, path, reps)
    info["machine"]["load_average_end"] = os.getloadavg()

    rows = bench.comparisons()
    text = bench.table(rows)
    setup = {}
    if args.setup_times and os.path.exists(args.setup_times):
        with open(args.setup_times) as f:
            setup = {k: float(v) for k, v in (line.split() for line in f if line.strip())}
    setup["measurements"] = time.time() - started
    total = None
    if os.environ.get("BENCH_START"):
        total = time.time() - float(os.environ["BENCH_START"])
    result = dict(info, models=[{"name": n, "path": os.path.relpath(p, ROOT), "bytes": os.path.getsize(p),
                                 "reps": r} for n, p, r in args.models],
                  measurements=bench.measurements, comparisons=rows, skipped=bench.skipped,
                  seconds=dict(setup, total=total), table=text)
    with open(args.out + ".tmp", "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    os.replace(args.out + ".tmp", args.out)
    print(text)
    print(f"\nload average at the end: {info['machine']['load_average_end'][0]:.2f} "
          f"(at the start {info['machine']['load_average_start'][0]:.2f}); {os.path.relpath(args.out)} written")


if __name__ == "__main__":
    main()
