#!/bin/sh
# Compares `pintui batch run` with DuckDB doing the same cleaning of the same landings into
# Parquet (duckdb_batch.mjs, 2 threads): each round times both whole processes and takes their
# peak memory, then the last DuckDB run checks that both wrote the same rows.
#
#   pipeline/bench/testdata/duckdb_compare.sh [PINTUI] [DRAWS] [ROUNDS]
#
# PINTUI is the binary (default ./pintui), DRAWS the emulator draws seeded as landings (three
# landed objects each; default 20000, so 60,000 landings), ROUNDS how many times each runs
# (default 3). The landings and data dirs live under $PINTUI_DUCKDB_DIR (default
# $HOME/pintui-duckdb), kept between runs as seeding 60,000 objects takes a while.
set -eu
pintui=$(realpath "${1:-./pintui}")
draws=${2:-20000}
rounds=${3:-3}
here=$(dirname "$(realpath "$0")")
work=${PINTUI_DUCKDB_DIR:-$HOME/pintui-duckdb}
landings=$work/landings-$draws
mkdir -p "$work"
if [ ! -d "$landings" ]; then
	"$pintui" --data-dir "$work/seed" seed --out "$work/seed/source.db" --landings "$landings.partial" --draws "$draws" >/dev/null
	mv "$landings.partial" "$landings"
fi
echo "landings: $(find "$landings" -type f | wc -l) objects under $landings"
echo "round  batch run s  batch run MB  duckdb s  duckdb MB  duckdb/batch run"
for round in $(seq "$rounds"); do
	rm -rf "$work/data" "$work/duckdb"
	/usr/bin/time -f '%e %M' -o "$work/batch.time" "$pintui" --data-dir "$work/data" batch run --landings "$landings" >/dev/null
	/usr/bin/time -f '%e %M' -o "$work/duckdb.time" node "$here/duckdb_batch.mjs" "$landings" "$work/duckdb" >/dev/null
	read -r bs bk <"$work/batch.time"
	read -r ds dk <"$work/duckdb.time"
	awk -v r="$round" -v bs="$bs" -v bk="$bk" -v ds="$ds" -v dk="$dk" \
		'BEGIN { printf "%-5s  %11.2f  %12.0f  %8.2f  %9.0f  %.2f×\n", r, bs, bk / 1024, ds, dk / 1024, ds / bs }'
done
node "$here/duckdb_batch.mjs" "$landings" "$work/duckdb" "$work/data/lakehouse"
