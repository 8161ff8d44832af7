#!/usr/bin/env bash
# The fuzzing campaign runner behind `tcpfsm fuzz` (docs/fuzzing.md, "Campaigns").
#
# For each target: N libFuzzer workers (-fork=N) for a given time, a progress line every few
# seconds, then the wrap-up: the campaign corpus is merged (minimized) through a temporary
# directory and swapped in atomically, every new finding is reproduced, minimized, bucketed by
# its first divergent transition (or violated invariant) and written to corpus/regressions/ as
# the input and its decoded script, and a report with the coverage matrix is written.
#
# Ctrl-C stops the fuzzers and still runs the wrap-up; a second Ctrl-C abandons the wrap-up,
# leaving the previous corpus and every finding in place. Running again resumes: the campaign
# corpus, the findings and the list of processed findings live in the state directory.
set -uo pipefail

usage() {
  cat <<'EOF'
usage: tcpfsm fuzz [options] [TARGET...]
  TARGET                fuzz_differential (default), fuzz_network, fuzz_script, fuzz_mutant, all
  --workers N           parallel fuzzing processes (libFuzzer -fork=N); default: all cores
  --time SECONDS        how long each target runs (default 600; 0: until Ctrl-C)
  --build DIR           build directory holding fuzz/fuzz_* built with TCPFSM_FUZZ=ON
                        (default: $TCPFSM_FUZZ_BUILD, build/fuzz, or the one tcpfsm came from)
  --state DIR           campaign state kept between runs (default: BUILD/fuzz-campaign)
  --mutant NAME         fuzz_mutant: the mutant to catch (default: the first)
  --seed N              libFuzzer -seed (default: libFuzzer's choice)
  --no-regressions      do not write findings to corpus/regressions/
  --empty               start from the campaign corpus only, without the seed corpus
Progress: exec/s, coverage (cov: edges, ft: features incl. the state-aware counters), corpus
size and findings. Exit status: 0 no new finding, 1 new findings, 2 unusable setup.
EOF
}

root=${TCPFSM_SOURCE_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
tcpfsm_bin=${TCPFSM_BIN:-}
workers=$(nproc 2>/dev/null || echo 1)
seconds=600
build=${TCPFSM_FUZZ_BUILD:-}
state=""
mutant=""
seed=""
write_regressions=1
use_seeds=1
targets=()

while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --workers) workers=$2; shift ;;
    --time) seconds=$2; shift ;;
    --build) build=$2; shift ;;
    --state) state=$2; shift ;;
    --mutant) mutant=$2; shift ;;
    --seed) seed=$2; shift ;;
    --no-regressions) write_regressions=0 ;;
    --empty) use_seeds=0 ;;
    all) targets+=(fuzz_differential fuzz_network fuzz_script fuzz_mutant) ;;
    fuzz_*) targets+=("$1") ;;
    *) echo "tcpfsm fuzz: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_differential)

if [ -z "$build" ]; then
  for candidate in "$root/build/fuzz" "$(dirname "${tcpfsm_bin:-/nonexistent}")/.."; do
    if [ -x "$candidate/fuzz/${targets[0]}" ]; then build=$candidate; break; fi
  done
fi
if [ -z "$build" ] || [ ! -d "$build/fuzz" ]; then
  echo "tcpfsm fuzz: no libFuzzer build found; build one with" >&2
  echo "  cmake --preset fuzz && cmake --build --preset fuzz" >&2
  echo "or name it with --build DIR" >&2
  exit 2
fi
build=$(cd "$build" && pwd)
[ -z "$state" ] && state="$build/fuzz-campaign"
mkdir -p "$state"
if [ -z "$tcpfsm_bin" ]; then tcpfsm_bin="$build/tools/tcpfsm"; fi

interrupted=0
fuzzer_pid=""
on_interrupt() {
  interrupted=$((interrupted + 1))
  if [ -n "$fuzzer_pid" ]; then
    # (TERM: a fuzzer started from a background shell ignores INT.)
    kill -TERM -- "-$fuzzer_pid" 2>/dev/null || kill -TERM "$fuzzer_pid" 2>/dev/null
  fi
  if [ $interrupted -eq 1 ]; then
    echo
    echo "tcpfsm fuzz: stopping; wrapping up (Ctrl-C again to skip the wrap-up)"
  else
    echo
    echo "tcpfsm fuzz: wrap-up abandoned; the previous corpus and all findings are kept"
  fi
}
trap on_interrupt INT TERM

option() {  # option FILE KEY
  sed -n "s/^$2 *= *//p" "$1" 2>/dev/null | head -1
}

slug() {  # a file name for a bucket: readable words and a short hash of the whole key
  local key=$1
  local words
  words=$(printf '%s' "$key" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9' '-' | tr -s '-' | sed 's/^-//; s/-$//' | cut -c1-70)
  printf '%s-%s' "$words" "$(printf '%s' "$key" | sha1sum | cut -c1-8)"
}

status_line() {  # the last libFuzzer fork-mode status line, condensed
  local log=$1 findings=$2
  local last
  last=$(grep -a -E '^#[0-9]+: cov: ' "$log" 2>/dev/null | tail -1)
  if [ -z "$last" ]; then
    echo "starting... findings $findings"
    return
  fi
  echo "$last" | awk -v f="$findings" '{
    for (i = 1; i <= NF; i++) {
      if ($i == "cov:") cov = $(i+1); if ($i == "ft:") ft = $(i+1); if ($i == "corp:") corp = $(i+1);
      if ($i == "exec/s:" || $i == "exec/s") eps = $(i+1); if ($i == "time:") t = $(i+1);
    }
    printf "exec/s %s  cov %s  ft %s  corpus %s  findings %s  (%s executions)\n", eps, cov, ft, corp, f, substr($1, 2, length($1) - 2)
  }'
}

count_findings() {
  find "$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) 2>/dev/null | wc -l
}

# Reproduces one input: prints its bucket key (our oracle's line, or the kind of crash).
bucket_of() {  # bucket_of BIN INPUT LOG
  local bin=$1 input=$2 log=$3
  "$bin" -runs=1 -timeout=30 "$input" >"$log" 2>&1
  local rc=$?
  local key
  key=$(sed -n 's/^tcpfsm-fuzz-bucket: //p' "$log" | head -1)
  if [ -n "$key" ]; then echo "$key"; return; fi
  if [ $rc -eq 0 ]; then echo "does not reproduce"; return; fi
  key=$(grep -a -m1 -E '^SUMMARY: |ERROR: libFuzzer: ' "$log" | sed 's/0x[0-9a-f]*//g; s/ in .*//' | cut -c1-120)
  echo "${key:-exit status $rc}"
}

wrap_up() {  # wrap_up TARGET BIN DIR
  local target=$1 bin=$2 dir=$3
  local new_findings=0

  # 1. Merge the campaign corpus through a temporary directory, then swap it in atomically.
  if [ $interrupted -lt 2 ]; then
    local tmp="$dir/corpus.merge.$$"
    rm -rf "$tmp" && mkdir -p "$tmp"
    local max_len
    max_len=$(option "$root/fuzz/$target.options" max_len)
    echo "[$target] merging the campaign corpus ($(ls "$dir/corpus/" | wc -l) inputs)"
    if "$bin" -merge=1 -max_len="${max_len:-256}" -timeout=30 "$tmp" "$dir/corpus/" \
      >"$dir/merge.log" 2>&1 && [ $interrupted -lt 2 ]; then
      local gen="$dir/corpus.$(date +%Y%m%d-%H%M%S).$$"
      mv "$tmp" "$gen"
      local old
      old=$(readlink "$dir/corpus")
      ln -sfn "$(basename "$gen")" "$dir/corpus.link.$$"
      mv -T "$dir/corpus.link.$$" "$dir/corpus"
      [ -n "$old" ] && [ "$old" != "$(basename "$gen")" ] && rm -rf "${dir:?}/$old"
      echo "[$target] corpus: $(ls "$dir/corpus/" | wc -l) inputs after merging"
    else
      rm -rf "$tmp"
      echo "[$target] merge not done (see $dir/merge.log); the corpus stays as it was"
    fi
  fi

  # 2. Findings: reproduce and bucket each; minimize the first of each bucket and keep it.
  mkdir -p "$dir/processed" "$dir/triage"
  local regressions="$root/corpus/regressions/$target"
  [ "$target" = fuzz_mutant ] && regressions="$regressions/${mutant_name:-default}"
  : >"$dir/findings.tsv.new"
  local f
  for f in "$dir"/findings/crash-* "$dir"/findings/timeout-* "$dir"/findings/oom-* "$dir"/findings/leak-*; do
    [ -f "$f" ] || continue
    [ $interrupted -ge 2 ] && break
    local name
    name=$(basename "$f")
    if [ -f "$dir/processed/$name" ]; then
      cat "$dir/processed/$name" >>"$dir/findings.tsv.new"
      continue
    fi
    new_findings=$((new_findings + 1))
    local key id where keep
    key=$(bucket_of "$bin" "$f" "$dir/triage/$name.log")
    id=$(slug "$key")
    keep=$f
    where="-"
    if [ "$key" = "does not reproduce" ]; then
      where="not kept"
    elif [ -e "$regressions/$id" ]; then
      where="duplicate of $regressions/$id"
    elif [ $write_regressions -eq 1 ]; then
      local min="$dir/triage/$name.min"
      "$bin" -minimize_crash=1 -runs=20000 -max_total_time=30 -timeout=30 \
        -exact_artifact_path="$min" "$f" >"$dir/triage/$name.minimize.log" 2>&1
      # The minimized input is kept only when it is still the same finding.
      if [ -f "$min" ] && [ "$(bucket_of "$bin" "$min" "$dir/triage/$name.min.log")" = "$key" ]; then
        keep=$min
      fi
      mkdir -p "$regressions"
      cp "$keep" "$regressions/.$id.tmp" && mv "$regressions/.$id.tmp" "$regressions/$id"
      if [ "$target" != fuzz_script ] && [ -x "$tcpfsm_bin" ]; then
        {
          echo "# Regression found by \`tcpfsm fuzz $target\` on $(date -u +%Y-%m-%d)."
          echo "# bucket: $key"
          echo "# input: $(basename "$regressions")/$id ($(stat -c %s "$keep") bytes), replayed by ctest -L corpus"
          "$tcpfsm_bin" decode --full "$regressions/$id" | grep -v '^# decoded from'
        } >"$regressions/.$id.tcp.tmp" && mv "$regressions/.$id.tcp.tmp" "$regressions/$id.tcp"
      fi
      where="$regressions/$id"
    fi
    printf '%s\t%s\t%s\t%s\n' "$name" "$key" "$(stat -c %s "$keep")" "$where" |
      tee "$dir/processed/$name" >>"$dir/findings.tsv.new"
    case "$where" in
      duplicate*) ;;
      *) echo "[$target] finding $name: $key -> $where" ;;
    esac
  done
  mv "$dir/findings.tsv.new" "$dir/findings.tsv"

  # 3. Coverage matrix of the corpus, and the report.
  if [ "$target" != fuzz_script ] && [ $interrupted -lt 2 ]; then
    TCPFSM_FUZZ_MATRIX="$dir/matrix" "$bin" -runs=0 "$dir/corpus/" >"$dir/matrix.log" 2>&1
  fi
  {
    echo "# Fuzzing campaign: $target${mutant_name:+ ($mutant_name)}"
    echo
    echo "- finished: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); workers: $workers; time: ${seconds}s per run"
    echo "- binary: $bin"
    echo "- last status: $(status_line "$dir/fuzz.log" "$(count_findings "$dir/findings")")"
    echo "- corpus: $(ls "$dir/corpus/" | wc -l) inputs in $dir/corpus"
    echo
    echo "## Findings by bucket (first divergent transition or violated invariant)"
    echo
    if [ -s "$dir/findings.tsv" ]; then
      echo "| findings | bucket | kept as |"
      echo "|---|---|---|"
      awk -F'\t' '{
          key = $2; where = $4; sub(/^duplicate of /, "", where)
          n[key]++; if (where != "-" && where != "not kept") kept[key] = where
        }
        END { for (k in n) { b = k; gsub(/\|/, "/", b); printf "| %d | %s | %s |\n", n[k], b, (k in kept) ? kept[k] : "-" } }' \
        "$dir/findings.tsv" | sort -t'|' -k2,2nr
    else
      echo "none"
    fi
    if [ -f "$dir/matrix.txt" ]; then
      echo
      echo "## Coverage matrix ($dir/matrix.svg)"
      echo
      echo '```'
      cat "$dir/matrix.txt"
      echo '```'
    fi
  } >"$dir/report.md"
  echo "[$target] report: $dir/report.md"
  return $((new_findings > 0))
}

overall=0
for target in "${targets[@]}"; do
  [ $interrupted -gt 0 ] && break
  bin="$build/fuzz/$target"
  if [ ! -x "$bin" ]; then
    echo "tcpfsm fuzz: $bin is missing (TCPFSM_FUZZ=ON build?)" >&2
    overall=2
    continue
  fi
  mutant_name=""
  if [ "$target" = fuzz_mutant ]; then
    mutant_name=${mutant:-$(TCPFSM_MUTANT=list "$bin" -runs=0 2>&1 | sed -n 's/^  \([a-z0-9-]*\)$/\1/p' | head -1)}
    export TCPFSM_MUTANT="$mutant_name"
  fi
  dir="$state/$target${mutant_name:+/$mutant_name}"
  mkdir -p "$dir/findings"
  # Left by an interrupted wrap-up: temporary directories and generations no longer in use.
  rm -rf "$dir"/corpus.merge.* "$dir"/corpus.link.*
  current=$(readlink "$dir/corpus" 2>/dev/null)
  for generation in "$dir"/corpus.*; do
    [ -d "$generation" ] && [ "$(basename "$generation")" != "$current" ] && rm -rf "$generation"
  done
  if [ ! -e "$dir/corpus" ]; then
    mkdir -p "$dir/corpus.initial" && ln -s corpus.initial "$dir/corpus"
  fi
  max_len=$(option "$root/fuzz/$target.options" max_len)
  timeout=$(option "$root/fuzz/$target.options" timeout)
  args=(-fork="$workers" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
        -max_len="${max_len:-256}" -timeout="${timeout:-10}" -rss_limit_mb=2048
        -dict="$root/fuzz/$target.dict" -artifact_prefix="$dir/findings/")
  [ "$seconds" != 0 ] && args+=(-max_total_time="$seconds")
  [ -n "$seed" ] && args+=(-seed="$seed")
  dirs=("$dir/corpus/")
  if [ $use_seeds -eq 1 ]; then
    [ -d "$root/corpus/$target" ] && dirs+=("$root/corpus/$target")
    [ -d "$root/corpus/regressions/$target" ] && [ "$target" != fuzz_mutant ] &&
      dirs+=("$root/corpus/regressions/$target")
  fi
  echo "[$target] $workers workers, ${seconds}s, state in $dir"
  start=$(date +%s)
  setsid "$bin" "${args[@]}" "${dirs[@]}" >"$dir/fuzz.log" 2>&1 &
  fuzzer_pid=$!
  while kill -0 "$fuzzer_pid" 2>/dev/null; do
    sleep 5 &
    wait $! 2>/dev/null
    kill -0 "$fuzzer_pid" 2>/dev/null || break
    printf '[%s %5ss] %s\n' "$target" "$(($(date +%s) - start))" \
      "$(status_line "$dir/fuzz.log" "$(count_findings "$dir/findings")")"
  done
  wait "$fuzzer_pid" 2>/dev/null
  fuzzer_pid=""
  echo "[$target] fuzzing done after $(($(date +%s) - start))s: $(status_line "$dir/fuzz.log" "$(count_findings "$dir/findings")")"
  wrap_up "$target" "$bin" "$dir" || overall=1
done
exit $overall
