#!/usr/bin/env python3
"""Writes a synthetic path file in ChannelAttribution's layout.

Columns (separated by `;`): path;total_conversions;total_conversion_value;total_null, with
paths like `search > email > direct`. Every row is a distinct path. Journeys follow a
first-order process over the channels (with a preference to repeat a channel), so paths have
repeats, revisits and cycles; each channel adds to the odds of converting, and each distinct
path gets a number of journeys that is split into conversions and non-conversions.

    generate_paths.py --paths 10000 --channels 12 --seed 1 --out paths_10k.csv

Deterministic for a given seed (Python's `random`).
"""

import argparse
import math
import random

NAMES = [
    "direct", "organic_search", "paid_search", "email", "social", "display", "referral",
    "affiliate", "video", "webinar", "event", "sales_call", "newsletter", "podcast", "print",
    "partner", "retargeting", "sms", "push", "review_site",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paths", type=int, required=True, help="distinct paths to write")
    ap.add_argument("--channels", type=int, default=12, help="number of channels (at most %d)" % len(NAMES))
    ap.add_argument("--mean-length", type=float, default=5.0, help="mean touches per journey")
    ap.add_argument("--max-length", type=int, default=25)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-value", action="store_true", help="write 0 as conversion value")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not 2 <= args.channels <= len(NAMES):
        raise SystemExit("--channels must be 2..%d" % len(NAMES))

    rng = random.Random(args.seed)
    names = NAMES[: args.channels]
    n = len(names)
    popularity = [rng.paretovariate(1.2) for _ in names]
    # Transition weights: popularity, plus a bonus for staying on the same channel.
    rows = []
    for i in range(n):
        w = [popularity[j] * rng.uniform(0.3, 1.7) for j in range(n)]
        w[i] *= 2.5
        rows.append(w)
    lift = [rng.uniform(-0.6, 0.9) for _ in names]
    stop = 1.0 / args.mean_length
    value_scale = [rng.uniform(20, 200) for _ in names]

    seen = {}
    order = []
    attempts = 0
    while len(order) < args.paths:
        attempts += 1
        if attempts > 200 * args.paths + 10000:
            raise SystemExit("could not find enough distinct paths; use more channels or longer paths")
        c = rng.choices(range(n), weights=popularity)[0]
        path = [c]
        while len(path) < args.max_length and rng.random() > stop:
            c = rng.choices(range(n), weights=rows[c])[0]
            path.append(c)
        key = tuple(path)
        if key in seen:
            continue
        # Journeys on this path: mostly few, sometimes many.
        journeys = 1 + int(rng.paretovariate(1.3)) if rng.random() < 0.7 else 1
        score = -2.2 + sum(lift[x] for x in set(path)) + 0.05 * len(path)
        p = 1.0 / (1.0 + math.exp(-score))
        conv = sum(1 for _ in range(journeys) if rng.random() < p)
        value = 0.0
        if not args.no_value:
            for _ in range(conv):
                value += round(value_scale[path[-1]] * rng.lognormvariate(0, 0.4), 2)
        seen[key] = (conv, round(value, 2), journeys - conv)
        order.append(key)

    with open(args.out, "w", encoding="utf-8") as f:
        f.write("path;total_conversions;total_conversion_value;total_null\n")
        for key in order:
            conv, value, null = seen[key]
            f.write("%s;%d;%.2f;%d\n" % (" > ".join(names[x] for x in key), conv, value, null))


if __name__ == "__main__":
    main()
