"""Rate-distortion curves on one model: each uniform preset family against `weightpack tune`.

Usage: python bench/rd_curve.py WEIGHTPACK MODEL --out rd.json [--svg docs/rd-minilm.svg] [--report report.html]

Series (points: bits per 2-D weight, median SNR over the 2-D float tensors, both measured on the written file by
`inspect --json` and `verify --json`):
  tune        weightpack tune --target-bpw B for B in 2.5, 3, 4, 5, 6, 7 (size-weighted error, standard grid)
  ec:DB       the ECSQ presets ec:20 … ec:45
  quant       int8, int4 (group 32), and quant:int2:group=32|auto
  ggml        q8_0, q4_0
  cluster     cluster:Nbit|huffman for N = 3 … 6 (cluster4 is N = 4)
  deep        prune:S|cluster:4bit|huffman for S = 0.3, 0.5
Writes weightpack.rd/1 JSON to --out; with --report, also `weightpack report` of the tune --target-bpw 4 file
with the chart, and with --svg the chart alone (taken from that report).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile


def run(cmd):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def point(wp, model, packed, label):
    inspected = json.loads(run([wp, "inspect", packed, "--json"]).stdout)
    verified = {t["name"]: t for t in json.loads(run([wp, "verify", model, packed, "--json"]).stdout)["tensors"]}
    stored = elements = 0
    snrs = []
    for t in inspected["tensors"]:
        if len(t["shape"]) == 2 and t["dtype"] in ("f32", "f16", "bf16", "f64"):
            stored += t["stored_bytes"]
            elements += t["elements"]
            v = verified[t["name"]]
            if not v["bit_exact"]:
                snrs.append(v["snr_db"])
    return {"bpw": 8 * stored / elements, "snr_median_db": statistics.median(snrs) if snrs else 200.0,
            "label": label}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("weightpack")
    parser.add_argument("model")
    parser.add_argument("--out", required=True)
    parser.add_argument("--svg")
    parser.add_argument("--report")
    args = parser.parse_args()
    wp, model = args.weightpack, args.model
    scratch = tempfile.mkdtemp(prefix="weightpack-rd-")
    try:
        def preset(recipe):
            path = os.path.join(scratch, re.sub(r"[^A-Za-z0-9]+", "_", recipe) + ".wpk")
            run([wp, "pack", model, "-o", path, "--recipe", recipe, "-q"])
            return point(wp, model, path, recipe)

        series = []
        tuned = []
        for bits in (2.5, 3, 4, 5, 6, 7):
            path = os.path.join(scratch, f"tune-{bits}.wpk")
            run([wp, "tune", model, "-o", path, "--target-bpw", bits, "-q"])
            tuned.append(point(wp, model, path, f"tune --target-bpw {bits}"))
            if bits == 4:
                shutil.copy(path, os.path.join(scratch, "report-source.wpk"))
            print(f"tune {bits}: {tuned[-1]}", file=sys.stderr)
        series.append({"name": "tune", "points": tuned})
        families = [
            ("ec:DB", [f"ec:{db}" for db in (20, 25, 30, 35, 40, 45)]),
            ("quant", ["quant:int2:group=32|auto", "int4", "int8"]),
            ("ggml", ["q4_0", "q8_0"]),
            ("cluster", [f"cluster:{b}bit|huffman" for b in (3, 4, 5, 6)]),
            ("deep", ["prune:0.5|cluster:4bit|huffman", "prune:0.3|cluster:4bit|huffman"]),
        ]
        for name, recipes in families:
            points = []
            for recipe in recipes:
                points.append(preset(recipe))
                print(f"{recipe}: {points[-1]}", file=sys.stderr)
            series.append({"name": name, "points": points})
        curves = {"schema": "weightpack.rd/1", "model": os.path.basename(os.path.dirname(os.path.abspath(model)))
                  or os.path.basename(model), "series": series}
        with open(args.out, "w") as f:
            json.dump(curves, f, indent=1)
        if args.report or args.svg:
            report = args.report or os.path.join(scratch, "report.html")
            run([wp, "report", os.path.join(scratch, "report-source.wpk"), "--reference", model, "-o", report,
                 "--rate-distortion", args.out, "-q"])
            if args.svg:
                html = open(report).read()
                section = html[html.index('<section id="rate-distortion">'):]
                svg = section[section.index("<svg"):section.index("</svg>") + 6]
                svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
                style = ("<style>text{font:12px sans-serif;fill:#222}.tick{fill:#555}"
                         ".grid{stroke:#ddd;stroke-width:1}</style>")
                svg = svg.replace(">", ">" + style, 1)
                with open(args.svg, "w") as f:
                    f.write(svg + "\n")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for s in series:
        print(s["name"] + ": " + ", ".join(f"{p['label']} {p['bpw']:.2f} bpw {p['snr_median_db']:.2f} dB"
                                           for p in s["points"]))


if __name__ == "__main__":
    sys.exit(main())
