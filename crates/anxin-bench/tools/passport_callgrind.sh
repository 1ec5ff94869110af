#!/bin/bash
# Instructions per request of the passport and of GET /healthz, counted by callgrind in the
# release server on the tiny demo world: deterministic, so independent of the machine's load.
#
#   crates/anxin-bench/tools/passport_callgrind.sh target/release/anxin /tmp/passport-cg
#
# The world is made once in WORK/world by `anxin demo --scale tiny`; the cans are the sold ones
# from its SQLite file. The server runs under callgrind on that folder (reused, not remade); it
# is warmed with the same 1,000 cans it is then measured on (so every can's ledger check is
# kept, as in the benchmark where each can is asked many times) and 600 /healthz; each batch
# of 1,000 requests sits between `callgrind_control -z` and `-d`. Needs valgrind, curl, python3.
set -euo pipefail
BIN=$(realpath "$1")
WORK=$(realpath -m "$2")
PORT=${PORT:-18931}
N=1000
mkdir -p "$WORK"
W=$WORK/world
path_of() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['normal_can'])" "$W/demo.json"; }
if [ ! -f "$W/demo.json" ]; then
  rm -rf "$W"
  "$BIN" demo --scale tiny --addr 127.0.0.1:$PORT --data "$W" >"$WORK/make-world.log" 2>&1 &
  maker=$!
  until [ -f "$W/demo.json" ] && curl -sf -o /dev/null "http://127.0.0.1:$PORT$(path_of)"; do
    kill -0 $maker || { echo "anxin demo ended; see $WORK/make-world.log" >&2; exit 1; }
    sleep 1
  done
  kill $maker; wait $maker || true
fi
python3 - "$W/anxin.db" "$WORK/cans.txt" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = db.execute(
    "SELECT DISTINCT e.epc FROM event_epc e JOIN event v ON v.event_seq = e.event_seq "
    "WHERE v.biz_step LIKE '%retail_selling' AND e.role = 'epc' "
    "AND e.epc LIKE 'https://id.gs1.org/01/%/21/%' ORDER BY e.event_seq").fetchall()
open(sys.argv[2], "w").write("".join(r[0].replace("https://id.gs1.org", "") + "\n" for r in rows))
PY
cat >"$WORK/load.py" <<'PY'
import http.client, sys
port, cans, what, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
paths = [line.strip() for line in open(cans) if line.strip()]
connection = http.client.HTTPConnection("127.0.0.1", port)
failed = 0
for i in range(n):
    connection.request("GET", paths[i % len(paths)] if what == "passport" else "/healthz")
    reply = connection.getresponse()
    reply.read()
    failed += reply.status != 200
if failed:
    sys.exit(f"{failed} of {n} {what} requests were not 200")
PY
OUT=$WORK/out
rm -rf "$OUT"; mkdir -p "$OUT"
valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.%p.out" \
  "$BIN" demo --scale tiny --addr 127.0.0.1:$PORT --data "$W" >"$OUT/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
first=$(head -1 "$WORK/cans.txt")
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$first")" = 200 ]; do
  kill -0 $server || { echo "the server ended; see $OUT/server.log" >&2; exit 1; }
  sleep 1
done
python3 "$WORK/load.py" $PORT "$WORK/cans.txt" passport $N
python3 "$WORK/load.py" $PORT "$WORK/cans.txt" healthz 600
for what in passport healthz; do
  callgrind_control -z $server >/dev/null
  python3 "$WORK/load.py" $PORT "$WORK/cans.txt" $what $N
  callgrind_control -d $what $server >/dev/null
done
kill $server; wait $server || true
trap - EXIT
for what in passport healthz; do
  dump=$(grep -l "^desc: Trigger: .*$what" "$OUT"/cg.*.out.* | head -1)
  total=$(grep -m1 '^summary:\|^totals:' "$dump" | awk '{print $2}')
  echo "$what: $((total / N)) instructions per request ($total for $N; $dump)"
done
