# Shared by scripts/spark-local.sh and scripts/spark-bench.sh (sourced, not
# run): a pinned pyspark (with the pyarrow and pandas its Arrow functions
# need) in a cached virtualenv, a standalone Spark master and worker bound
# to 127.0.0.1, spark-submit with the remit wheel shipped to the executors
# (--py-files; remit is NOT installed in the virtualenv, so the shipping is
# what is tested), and a trap that stops what was started by saved PIDs.

PYSPARK_VERSION=3.5.7 # Spark 3.5 runs on Java 17
PYARROW_VERSION=17.0.0
PANDAS_VERSION=2.2.3 # pyspark's Arrow UDFs (mapInArrow) check for pandas
PACKAGES="pyspark==$PYSPARK_VERSION pyarrow==$PYARROW_VERSION pandas==$PANDAS_VERSION"
VENV=${REMIT_SPARK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/remit/pyspark-$PYSPARK_VERSION-pyarrow-$PYARROW_VERSION}
WORK=${REMIT_SPARK_WORK:-$ROOT/target/spark-local}
REMIT=${REMIT_BIN:-$ROOT/target/release/remit}
WHEEL=${REMIT_WHEEL:-}
SUBMIT_EXTRA=() # more spark-submit options (the bench adds the event log)
STARTED_PIDS=()

step() { printf '%s [%4ss] %s\n' "$(basename "$0")" "$SECONDS" "$*" >&2; }
fail() {
    echo "$(basename "$0"): FAILED: $*" >&2
    exit 1
}

# The virtualenv (installed once, then reused), the binary (reference
# ledgers, generated inputs), the wheel the executors run, a fresh work dir.
spark_prepare() {
    if ! "$VENV/bin/python" -c "import pyspark, pyarrow, pandas, sys; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION' or pyarrow.__version__ != '$PYARROW_VERSION')" 2>/dev/null; then
        step "installing $PACKAGES into $VENV"
        rm -rf "$VENV"
        python3 -m venv "$VENV"
        # shellcheck disable=SC2086 # one word per package
        "$VENV/bin/pip" install --quiet --disable-pip-version-check $PACKAGES
    fi
    if [ -z "${REMIT_BIN:-}" ]; then
        step "cargo build --release"
        cargo build --release --locked --quiet
    fi
    [ -x "$REMIT" ] || fail "$REMIT is not an executable"
    if [ -z "$WHEEL" ]; then
        step "building the remit wheel"
        WHEEL=$("$ROOT/scripts/build-wheel.sh")
    fi
    [ -f "$WHEEL" ] || fail "no remit wheel at $WHEEL"
    command -v java >/dev/null || fail "java is not installed (Spark needs Java 17)"
    SPARK_HOME=$("$VENV/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
    export SPARK_HOME
    export PYSPARK_PYTHON="$VENV/bin/python" PYSPARK_DRIVER_PYTHON="$VENV/bin/python"
    export SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_DIRS="$WORK/local"
    export SPARK_LOG_DIR="$WORK/logs" SPARK_WORKER_DIR="$WORK/worker"
    rm -rf "$WORK"
    mkdir -p "$WORK/logs" "$WORK/local" "$WORK/worker"
}

free_port() {
    "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to $3 seconds for $2 to appear in log $1.
wait_for() {
    local deadline=$((SECONDS + $3))
    until grep -q "$2" "$1" 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || { tail -20 "$1" >&2; fail "timed out waiting for '$2' in $1"; }
        sleep 1
    done
}

stop_cluster() {
    local pid i
    for pid in "${STARTED_PIDS[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for i in $(seq 1 20); do
        local alive=0
        for pid in "${STARTED_PIDS[@]}"; do
            kill -0 -- "-$pid" 2>/dev/null && alive=1
        done
        [ $alive = 1 ] || break
        sleep 0.5
    done
    for pid in "${STARTED_PIDS[@]}"; do
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    STARTED_PIDS=()
}

# A standalone master and one worker with $1 cores, each in its own process
# group (setsid) so that stopping it also stops its executors and Python
# workers; both stopped on any exit.
start_cluster() {
    trap stop_cluster EXIT
    trap 'exit 143' TERM INT
    MASTER_PORT=$(free_port)
    local class="$SPARK_HOME/bin/spark-class" ui
    ui=$(free_port)
    step "starting a Spark master on 127.0.0.1:$MASTER_PORT"
    setsid "$class" org.apache.spark.deploy.master.Master --host 127.0.0.1 \
        --port "$MASTER_PORT" --webui-port "$ui" >"$WORK/logs/master.log" 2>&1 &
    STARTED_PIDS+=($!)
    echo "$!" >"$WORK/master.pid"
    wait_for "$WORK/logs/master.log" "I have been elected leader" 90
    ui=$(free_port)
    step "starting a Spark worker with $1 cores"
    setsid "$class" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 \
        --cores "$1" --memory "${REMIT_SPARK_WORKER_MEMORY:-6g}" --webui-port "$ui" \
        --work-dir "$WORK/worker" "spark://127.0.0.1:$MASTER_PORT" >"$WORK/logs/worker.log" 2>&1 &
    STARTED_PIDS+=($!)
    echo "$!" >"$WORK/worker.pid"
    wait_for "$WORK/logs/worker.log" "Successfully registered with master" 90
}

# spark-submit NAME ARGS...: client mode on the local master, the remit
# wheel shipped with --py-files; output in $WORK/logs/NAME.log.
submit() {
    local name=$1
    shift
    if ! "$SPARK_HOME/bin/spark-submit" --master "spark://127.0.0.1:$MASTER_PORT" \
        --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
        --conf spark.ui.enabled=false --conf spark.sql.shuffle.partitions=8 \
        --driver-memory 1g --executor-memory "${REMIT_SPARK_EXECUTOR_MEMORY:-2g}" \
        --total-executor-cores "${EXECUTOR_CORES:-2}" \
        --py-files "$WHEEL" "${SUBMIT_EXTRA[@]}" "$@" >"$WORK/logs/$name.log" 2>&1; then
        grep -v ' INFO ' "$WORK/logs/$name.log" | tail -40 >&2
        fail "spark-submit $name (log: $WORK/logs/$name.log)"
    fi
}

# run_job NAME JOB-ARGS...: spark/remit_job.py; prints its summary line.
run_job() {
    local name=$1
    shift
    local t=$SECONDS
    submit "$name" "$ROOT/spark/remit_job.py" --summary "$WORK/logs/$name.summary.json" "$@"
    step "$name: $(grep -o '^remit job: .*' "$WORK/logs/$name.log" | cut -c1-400) (spark-submit $((SECONDS - t)) s)"
}

# generate_set DIR PAIRS BYTES: PAIRS synthetic 835s of about BYTES bytes,
# each with the 837 it answers (seeds 1..PAIRS, so each pair differs).
generate_set() {
    mkdir -p "$1"
    local seed
    for seed in $(seq 1 "$2"); do
        "$REMIT" generate --kind 835 --bytes "$3" --seed "$seed" --out "$1/era-$seed.835" 2>/dev/null
        "$REMIT" generate --kind 837 --bytes "$3" --seed "$seed" --matching-835 "$1/era-$seed.835" \
            --out "$1/claims-$seed.837" 2>/dev/null
        # `remit generate` numbers traces (TRN02) by payer and transaction
        # whatever the seed, so every file would re-send the same payments
        # (one payment, one trace: each a corrected remittance of the
        # first). A seed suffix makes each file's payments its own.
        sed -i "s/TRN\*1\*\([0-9A-Za-z]*\)\*/TRN*1*\1S$seed*/g" "$1/era-$seed.835"
    done
}
