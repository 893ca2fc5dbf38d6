"""An independent funnel in DuckDB SQL, for the cross-check test and the benchmark.

Usage: python3 duckdb_funnel.py EVENTS_DIR STEPS MODE WINDOW_US [full]

STEPS is a comma-separated list of event names, MODE is ordered, strict or any, WINDOW_US is
the conversion window in microseconds (negative for none). Prints JSON:
{"steps": [{"step", "count", "median_time_from_previous_s"}...], "seconds": query time}.

Events of one customer are ordered by time, then file name, then row in the file. For each
possible start, the path goes on with the earliest matching event after the previous step
(an ASOF join); a customer's reported path is the one that reaches the most steps, then
completes first, then starts latest (the earliest such start event on a tie in time).
"""

import json
import statistics
import sys
import time

import duckdb


def main():
    events_dir, steps, mode, window = sys.argv[1], sys.argv[2].split(","), sys.argv[3], int(sys.argv[4])
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else None
    n = len(steps)
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    who = "coalesce(customer, user_id, anonymous_id)"
    mask = " | ".join(
        f"(CASE WHEN event = '{s}' THEN {1 << i} ELSE 0 END)" for i, s in enumerate(steps)
    )
    names = ", ".join(f"'{s}'" for s in steps)
    where = f"{who} IS NOT NULL" + ("" if mode == "strict" else f" AND event IN ({names})")
    started = time.perf_counter()
    base = f"""
        s AS (
            SELECT who, t, mask,
                   row_number() OVER (PARTITION BY who ORDER BY t, filename, file_row_number) AS pos
            FROM (
                SELECT {who} AS who, epoch_us(time) AS t, ({mask})::INTEGER AS mask,
                       filename, file_row_number
                FROM read_parquet('{events_dir}/*.parquet', filename = true, file_row_number = true)
                WHERE {where}
            )
        )"""
    w = None if window < 0 else window
    if mode in ("ordered", "strict"):
        ctes = [base, "p1 AS (SELECT who, pos AS pos1, t AS t1 FROM s WHERE mask & 1 <> 0)"]
        for k in range(2, n + 1):
            prev = ", ".join(f"p.pos{j}, p.t{j}" for j in range(1, k))
            bit = 1 << (k - 1)
            if mode == "ordered":
                ctes.append(f"x{k} AS (SELECT who, pos, t FROM s WHERE mask & {bit} <> 0)")
                ctes.append(
                    f"p{k} AS (SELECT p.who, {prev}, x.pos AS pos{k}, x.t AS t{k} "
                    f"FROM p{k - 1} p ASOF LEFT JOIN x{k} x ON p.who = x.who AND p.pos{k - 1} < x.pos)"
                )
            else:
                ctes.append(
                    f"p{k} AS (SELECT p.who, {prev}, x.pos AS pos{k}, x.t AS t{k} "
                    f"FROM p{k - 1} p LEFT JOIN s x ON p.who = x.who AND x.pos = p.pos{k - 1} + 1 "
                    f"AND x.mask & {bit} <> 0)"
                )
        within = (lambda k: f"t{k} IS NOT NULL") if w is None else (
            lambda k: f"t{k} IS NOT NULL AND t{k} - t1 <= {w}"
        )
        level = "CASE " + " ".join(f"WHEN {within(k)} THEN {k}" for k in range(n, 1, -1)) + " ELSE 1 END"
        cpos = "CASE level " + " ".join(f"WHEN {k} THEN pos{k}" for k in range(1, n + 1)) + " END"
        ctes.append(f"lv AS (SELECT *, {level} AS level FROM p{n})")
        ctes.append(
            f"best AS (SELECT * FROM lv QUALIFY row_number() OVER "
            f"(PARTITION BY who ORDER BY level DESC, {cpos} ASC, t1 DESC, pos1 ASC) = 1)"
        )
        counts = ", ".join(f"count(*) FILTER (WHERE level >= {k}) AS c{k}" for k in range(1, n + 1))
        medians = ", ".join(
            f"median((t{k} - t{k - 1})::DOUBLE) FILTER (WHERE level >= {k}) AS m{k}"
            for k in range(2, n + 1)
        )
        sql = "WITH " + ",\n".join(ctes) + f"\nSELECT {counts}" + (f", {medians}" if medians else "") + " FROM best"
        row = con.execute(sql).fetchone()
        result = []
        for k in range(1, n + 1):
            m = None if k == 1 else row[n + k - 2]
            result.append({
                "step": steps[k - 1],
                "count": row[k - 1],
                "median_time_from_previous_s": None if m is None else m / 1e6,
            })
    else:
        # Any order: for each anchor, the first event of each step at or after it.
        ctes = [base, "a AS (SELECT who, pos AS apos, t AS anchor_t FROM s WHERE mask <> 0)"]
        for k in range(1, n + 1):
            ctes.append(f"x{k} AS (SELECT who, pos, t FROM s WHERE mask & {1 << (k - 1)} <> 0)")
        sql_from = "a"
        for k in range(1, n + 1):
            sql_from = (
                f"(SELECT q.*, x.t AS f{k} FROM {sql_from} q ASOF LEFT JOIN x{k} x "
                f"ON q.who = x.who AND q.apos <= x.pos)"
            )
        sql = "WITH " + ",\n".join(ctes) + "\nSELECT who, apos, anchor_t, " + ", ".join(
            f"f{k}" for k in range(1, n + 1)) + f" FROM {sql_from}"
        best = {}
        for row in con.execute(sql).fetchall():
            who_, apos, anchor_t, fs = row[0], row[1], row[2], row[3:]
            times = []
            done = None
            for f in fs:
                if f is None:
                    break
                done = f if done is None else max(done, f)
                if w is not None and done - anchor_t > w:
                    break
                times.append(done)
            key = (len(times), -apos)
            if len(times) > 0 and (who_ not in best or key > best[who_][0]):
                best[who_] = (key, times)
        result = []
        for k in range(1, n + 1):
            reached = [t for _, t in best.values() if len(t) >= k]
            gaps = [t[k - 1] - t[k - 2] for t in reached] if k > 1 else []
            result.append({
                "step": steps[k - 1],
                "count": len(reached),
                "median_time_from_previous_s": statistics.median(gaps) / 1e6 if gaps else None,
            })
    elapsed = time.perf_counter() - started
    print(json.dumps({"steps": result, "seconds": elapsed}))


if __name__ == "__main__":
    main()
