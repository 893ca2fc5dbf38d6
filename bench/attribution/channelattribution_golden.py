#!/usr/bin/env python3
"""Runs ChannelAttribution (PyPI) on the test path files and writes its results as golden CSVs
for polku-engine's tests, which compare against them without Python.

    pip install ChannelAttribution matplotlib pandas
    python3 bench/attribution/channelattribution_golden.py

Reads crates/polku-engine/tests/data/paths_{small,medium}.csv and writes, next to them:
  ca_heuristic_NAME.csv            heuristic_models with value
  ca_markov_NAME_orderK.csv        markov_model (out_more) credits and removal effects
  ca_transitions_NAME_orderK.csv   markov_model's transition matrix, states named by channel
  ca_golden.json                   package version, settings and the commands used
"""

import json
import os
import sys
import time

import pandas as pd
import ChannelAttribution as ca

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "crates", "polku-engine", "tests", "data")
NSIM = 2_000_000
NFOLD = 10
RUNS = {"small": [1, 2, 3], "medium": [1, 2]}
TRANSITIONS = {"small": [1, 2]}


def state_name(label, names):
    if label.startswith("("):
        return label
    return ",".join(names[int(i) - 1] for i in label.split(" "))


def main():
    meta = {
        "package": "ChannelAttribution",
        "version": getattr(ca, "__version__", None) or os.popen("pip show ChannelAttribution").read().split("Version: ")[1].split()[0],
        "python": sys.version.split()[0],
        "markov_model": {"nsim_start": NSIM, "nfold": NFOLD, "seed": 0, "conv_par": 0.05, "max_step": None},
        "command": "python3 bench/attribution/channelattribution_golden.py",
        "files": {},
    }
    for name, orders in RUNS.items():
        path = os.path.join(DATA, "paths_%s.csv" % name)
        d = pd.read_csv(path, sep=";")
        h = ca.heuristic_models(d, "path", "total_conversions", var_value="total_conversion_value", flg_pro=False)
        out = "ca_heuristic_%s.csv" % name
        h.to_csv(os.path.join(DATA, out), index=False, float_format="%.17g")
        meta["files"][out] = "heuristic_models(Data, 'path', 'total_conversions', var_value='total_conversion_value')"
        for k in orders:
            t = time.time()
            r = ca.markov_model(d, "path", "total_conversions", var_value="total_conversion_value",
                                var_null="total_null", order=k, nsim_start=NSIM, nfold=NFOLD,
                                out_more=True, verbose=False, flg_pro=False)
            res = r["result"].merge(r["removal_effects"], on="channel_name")
            out = "ca_markov_%s_order%d.csv" % (name, k)
            res.to_csv(os.path.join(DATA, out), index=False, float_format="%.17g")
            meta["files"][out] = (
                "markov_model(Data, 'path', 'total_conversions', var_value='total_conversion_value', "
                "var_null='total_null', order=%d, nsim_start=%d, nfold=%d, out_more=True) in %.1f s"
                % (k, NSIM, NFOLD, time.time() - t))
            if k in TRANSITIONS.get(name, []):
                names = list(r["result"]["channel_name"])
                tm = r["transition_matrix"].copy()
                tm["channel_from"] = [state_name(s, names) for s in tm["channel_from"]]
                tm["channel_to"] = [state_name(s, names) for s in tm["channel_to"]]
                out = "ca_transitions_%s_order%d.csv" % (name, k)
                tm.to_csv(os.path.join(DATA, out), index=False, float_format="%.17g")
                meta["files"][out] = "transition_matrix of the run above, states named by channel"
    with open(os.path.join(DATA, "ca_golden.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
