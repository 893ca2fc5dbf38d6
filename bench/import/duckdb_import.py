"""DuckDB's side of the import benchmark: CSV to Parquet with read_csv_auto."""

import sys
import time

import duckdb

csv_path, parquet_path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
con = duckdb.connect()
con.execute(f"COPY (SELECT * FROM read_csv_auto('{csv_path}')) TO '{parquet_path}' (FORMAT parquet)")
print(f"{time.perf_counter() - start:.2f}")
