#!/usr/bin/env python3
"""Times ChannelAttribution (PyPI) and polku on the same path files, in the same run, and
checks that their results agree.

    pip install ChannelAttribution matplotlib pandas
    cargo build --release -p polku-cli          # or: -p polku-engine --example attribute_paths
    python3 bench/attribution/run_bench.py [--sizes 10k,1m] [--orders 1,2,3,4] [--repeat 3]

Path files are made by generate_paths.py into bench/attribution/out/ (10k: 12 channels,
seed 1; 1m: 15 channels, seed 2) unless they exist. For each file it times:

  * ChannelAttribution: pandas.read_csv + heuristic_models, and read_csv + markov_model for
    each order, with the package's defaults (nsim_start=1e5, nfold=10, seed=0, conv_par=0.05),
    each call timed as the best of --repeat calls (its simulation is seeded, so every call
    gives the same result);
  * polku: the whole process (read, fit, solve, CSV output) of
    `polku attribution --paths FILE ... --model first,last,linear` and `--model markov --order K`,
    best of --repeat runs.

Agreement: heuristics must match to rounding. ChannelAttribution's Markov result is a
simulation that also counts journeys longer than the longest path plus one state as lost, so
polku is run a second time with `--max-steps` set to that cut-off (the exact solution of the
same truncated chain); the table shows the largest difference in a channel's share of
conversions, in percentage points and in standard errors of the simulation.
Writes out/results.json and prints Markdown tables.
"""

import argparse
import io
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time

import pandas as pd
import ChannelAttribution as ca

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "out")
SIZES = {"10k": (10_000, 12, 1), "1m": (1_000_000, 15, 2)}
COLS = ["--delimiter", ";", "--path-col", "path", "--conv-col", "total_conversions",
        "--null-col", "total_null", "--value-col", "total_conversion_value"]


def polku_runner(explicit):
    """A function (file, models, order, max_steps) -> argv for the polku binary found."""
    cli = explicit or os.path.join(ROOT, "target", "release", "polku")
    if os.path.exists(cli) and subprocess.run([cli, "attribution", "--help"], capture_output=True).returncode == 0:
        def argv(f, models, order, max_steps):
            a = [cli, "attribution", "--paths", f, *COLS, "--model", models, "--order", str(order), "--format", "csv"]
            return a + (["--max-steps", str(max_steps)] if max_steps else [])
        return argv, " ".join([os.path.relpath(cli, ROOT), "attribution --paths FILE", *COLS, "--model M --order K --format csv"])
    example = os.path.join(ROOT, "target", "release", "examples", "attribute_paths")
    if not os.path.exists(example):
        sys.exit("build polku first: cargo build --release -p polku-cli (or -p polku-engine --example attribute_paths)")

    def argv(f, models, order, max_steps):
        return [example, f, models, str(order)] + ([str(max_steps)] if max_steps else [])
    return argv, os.path.relpath(example, ROOT) + " FILE MODELS ORDER [MAX_STEPS]"


def longest_in_states(paths, k):
    """Most states on one path at order k, repeats merged (ChannelAttribution's step count)."""
    best = 0
    for p in paths:
        t = [c.strip() for c in p.split(">") if c.strip()]
        states = [tuple(t)] if len(t) < k else [tuple(t[i:i + k]) for i in range(len(t) - k + 1)]
        n = 1 + sum(1 for a, b in zip(states, states[1:]) if a != b)
        best = max(best, n)
    return best


def best_of(repeat, call):
    """The shortest of `repeat` timed calls, and the last call's result: the same rule as for
    polku, so that neither side's figure carries a slow first run or a busy moment."""
    best, result = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - t)
    return best, result


def run_polku(argv, repeat):
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        r = subprocess.run(argv, capture_output=True, text=True)
        dt = time.perf_counter() - t
        if r.returncode != 0:
            sys.exit("polku failed: %s\n%s" % (" ".join(argv), r.stderr))
        best, out = min(best, dt), r.stdout
    return best, pd.read_csv(io.StringIO(out))


def shares(values):
    total = sum(values.values())
    return {k: v / total for k, v in values.items()}


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    mem = next((int(l.split()[1]) // 1024 // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), None)
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    ver = subprocess.run([sys.executable, "-m", "pip", "show", "ChannelAttribution"], capture_output=True, text=True).stdout
    ver = next((l.split(":", 1)[1].strip() for l in ver.splitlines() if l.startswith("Version")), "?")
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem, "os": platform.platform(),
            "rustc": rustc, "python": platform.python_version(), "channelattribution": ver,
            "pandas": pd.__version__}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,1m")
    ap.add_argument("--orders", default="1,2,3,4")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each side per measurement (best is kept)")
    ap.add_argument("--polku", help="path of the polku binary (default target/release/polku)")
    args = ap.parse_args()
    argv, polku_cmd = polku_runner(args.polku)
    os.makedirs(OUT, exist_ok=True)
    report = {"machine": machine(), "polku_command": polku_cmd, "runs": []}
    orders = [int(o) for o in args.orders.split(",")]
    for size in args.sizes.split(","):
        n, channels, seed = SIZES[size]
        f = os.path.join(OUT, "paths_%s.csv" % size)
        if not os.path.exists(f):
            subprocess.run([sys.executable, os.path.join(HERE, "generate_paths.py"), "--paths", str(n),
                            "--channels", str(channels), "--seed", str(seed), "--out", f], check=True)
        t_read, d = best_of(args.repeat, lambda: pd.read_csv(f, sep=";"))
        row = {"file": size, "paths": len(d), "channels": channels, "read_csv_s": t_read}

        t, h = best_of(args.repeat, lambda: ca.heuristic_models(
            d, "path", "total_conversions", var_value="total_conversion_value", flg_pro=False))
        row["ca_heuristic_s"] = t_read + t
        row["polku_heuristic_s"], ph = run_polku(argv(f, "first,last,linear", 1, None), args.repeat)
        diff = 0.0
        for model, col in [("first", "first_touch"), ("last", "last_touch"), ("linear", "linear_touch")]:
            ours = ph[ph.model == model].set_index("channel")
            for _, r in h.iterrows():
                diff = max(diff, abs(ours.loc[r.channel_name, "conversions"] - r[col + "_conversions"]),
                           abs(ours.loc[r.channel_name, "value"] - r[col + "_value"]))
        row["heuristic_max_abs_diff"] = diff
        print("%s heuristics: ChannelAttribution %.2f s, polku %.3f s, max diff %.2e" % (size, row["ca_heuristic_s"], row["polku_heuristic_s"], diff), flush=True)

        row["markov"] = []
        for k in orders:
            t, r = best_of(args.repeat, lambda: ca.markov_model(
                d, "path", "total_conversions", var_value="total_conversion_value",
                var_null="total_null", order=k, verbose=False, flg_pro=False))
            t_ca = t_read + t
            t_exact, exact = run_polku(argv(f, "markov", k, None), args.repeat)
            cut_off = longest_in_states(d["path"], k) + 1
            _, cut = run_polku(argv(f, "markov", k, cut_off), 1)
            ca_share = shares(dict(zip(r.channel_name, r.total_conversions)))
            ex_share = shares(dict(zip(exact.channel, exact.conversions)))
            cut_share = shares(dict(zip(cut.channel, cut.conversions)))
            # Standard error of a share: ChannelAttribution keeps one fold of nsim/nfold = 1e4
            # simulated journeys; a channel's share moves like a proportion over the simulated
            # conversions (about 1e4 * conversion rate).
            rate = d.total_conversions.sum() / (d.total_conversions.sum() + d.total_null.sum())
            conv_sims = 1e4 * rate
            worst_pp, worst_sigma, worst_exact_pp = 0.0, 0.0, 0.0
            for ch, s in ca_share.items():
                sigma = math.sqrt(max(cut_share[ch] * (1 - cut_share[ch]), 1e-12) / conv_sims)
                worst_pp = max(worst_pp, 100 * abs(s - cut_share[ch]))
                worst_sigma = max(worst_sigma, abs(s - cut_share[ch]) / sigma)
                worst_exact_pp = max(worst_exact_pp, 100 * abs(s - ex_share[ch]))
            m = {"order": k, "ca_s": t_ca, "polku_s": t_exact, "speedup": t_ca / t_exact, "cut_off": cut_off,
                 "max_share_diff_pp_vs_cut_off": worst_pp, "max_share_diff_sigma": worst_sigma,
                 "max_share_diff_pp_vs_exact": worst_exact_pp}
            row["markov"].append(m)
            print("%s markov order %d: ChannelAttribution %.2f s, polku %.3f s (%.1fx); share diff %.3f pp = %.1f sigma (cut-off %d), %.3f pp vs exact"
                  % (size, k, t_ca, t_exact, t_ca / t_exact, worst_pp, worst_sigma, cut_off, worst_exact_pp), flush=True)
        report["runs"].append(row)
    with open(os.path.join(OUT, "results.json"), "w") as fh:
        json.dump(report, fh, indent=2)

    print("\n| file | model | ChannelAttribution (s) | polku (s) | speed-up | agreement |")
    print("|---|---|---:|---:|---:|---|")
    for row in report["runs"]:
        print("| %s | heuristic_models | %.2f | %.3f | %.0fx | max diff %.1e |" % (
            row["file"], row["ca_heuristic_s"], row["polku_heuristic_s"], row["ca_heuristic_s"] / row["polku_heuristic_s"], row["heuristic_max_abs_diff"]))
        for m in row["markov"]:
            print("| %s | markov_model order %d | %.2f | %.3f | %.0fx | %.2f pp (%.1f σ) vs exact with cut-off %d; %.2f pp vs exact |" % (
                row["file"], m["order"], m["ca_s"], m["polku_s"], m["speedup"], m["max_share_diff_pp_vs_cut_off"],
                m["max_share_diff_sigma"], m["cut_off"], m["max_share_diff_pp_vs_exact"]))
    print("\nmachine:", json.dumps(report["machine"]))
    print("polku:", polku_cmd)


if __name__ == "__main__":
    main()
