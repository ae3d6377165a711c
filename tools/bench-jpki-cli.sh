#!/usr/bin/env bash
# jpki-cli 0.4.3 (crates.io, the CLI of jpki-rs) on Madoguchi's strict virtual
# card through pcscd + vpcd: read the signing certificate, then sign, each
# with its password typed at jpki-cli's terminal prompt. jpki-cli asks for
# the password on the terminal (dialoguer), so it runs in a tmux pane and the
# password goes in with send-keys once the prompt shows.
#
# Counts the APDUs and bytes the card saw (madoguchi-sim -v logs every
# command and answer) and the time from the password's Enter to jpki-cli's
# exit (the card work after typing, plus process exit).
#
#   tools/bench-jpki-cli.sh [RUNS] [SIM OPTIONS...]
#   tools/bench-jpki-cli.sh 5 --apdu-latency 15 --signature-time 600
#
# Needs: pcscd with vsmartcard-vpcd (reader "Virtual PCD 00 00"), tmux,
# opensc-tool, target/debug/madoguchi-sim, and jpki-cli
# (cargo install jpki-cli --version 0.4.3 --locked --root /tmp/jpki), or
# JPKI_CLI=path.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
sim_opts=("$@")
jpki=${JPKI_CLI:-/tmp/jpki/bin/jpki-cli}
sim=target/debug/madoguchi-sim
profile=fixtures/cards/normal/card.toml
password=ABC123
work=$(mktemp -d)
session=jpki-bench-$$

for need in "$jpki" "$sim"; do
    [[ -x $need ]] || { echo "missing $need" >&2; exit 1; }
done
command -v tmux >/dev/null || { echo "missing tmux" >&2; exit 1; }

# The vpcd slot is shared with the test suites of every worktree.
exec 9>"${TMPDIR:-/tmp}/madoguchi-vpcd-slot.lock"
flock -w 600 9
listed() { opensc-tool -l 2>/dev/null | grep -q "Virtual PCD 00 00"; }
# pcscd --auto-exit leaves a minute after its last client: start one if none
# answers, and keep a client (this loop's opensc-tool) coming.
listed || { pcscd --foreground --auto-exit >/dev/null 2>&1 & }
for _ in $(seq 100); do listed && break; sleep 0.1; done
listed || { echo "pcscd with the vpcd reader is not running" >&2; exit 1; }

sim_pid=
cleanup() {
    tmux kill-session -t "$session" 2>/dev/null || true
    [[ -n $sim_pid ]] && kill "$sim_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

card_in() { opensc-tool -l 2>/dev/null | grep -Eq "^0 +Yes +Virtual PCD 00 00"; }

# One jpki-cli command: start it in a pane, wait for the prompt, type the
# password. Prints "apdus sent received ms".
run_one() {
    local args=$1
    : >"$work/sim.log"
    NO_COLOR=1 RUST_LOG_STYLE=never "$sim" --profile "$profile" -v "${sim_opts[@]}" \
        >"$work/sim.log" 2>&1 &
    sim_pid=$!
    for _ in $(seq 300); do card_in && break; sleep 0.1; done
    card_in || { echo "pcscd does not see the virtual card" >&2; exit 1; }
    local start_mark
    start_mark=$(wc -l <"$work/sim.log")
    tmux new-session -d -s "$session" -x 200 -y 20 \
        "LANG=C.UTF-8 $jpki $args; echo EXIT=\$? END=\$(date +%s%N); sleep 600"
    for _ in $(seq 300); do
        tmux capture-pane -p -t "$session" | grep -Eq "PIN for digital signature|pin_hint.signing" && break
        sleep 0.05
    done
    tmux capture-pane -p -t "$session" | grep -Eq "PIN for digital signature|pin_hint.signing" \
        || { tmux capture-pane -p -t "$session" >&2; echo "no prompt" >&2; exit 1; }
    tmux send-keys -t "$session" -l "$password"
    local enter
    enter=$(date +%s%N)
    tmux send-keys -t "$session" Enter
    local pane=
    for _ in $(seq 600); do
        pane=$(tmux capture-pane -p -J -t "$session")
        grep -q "EXIT=" <<<"$pane" && break
        sleep 0.05
    done
    grep -q "EXIT=0" <<<"$pane" || { echo "$pane" >&2; exit 1; }
    local end
    end=$(grep -o "END=[0-9]*" <<<"$pane" | cut -d= -f2)
    tmux kill-session -t "$session"
    kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=
    for _ in $(seq 300); do card_in || break; sleep 0.1; done
    tail -n +"$((start_mark + 1))" "$work/sim.log" | sed "s/\x1b\[[0-9;]*m//g" >"$work/apdus.log"
    cp "$work/apdus.log" "$work/last-$(tr -c 'a-z' '_' <<<"${args%% *}").log"
    # Command bytes: 4 header + (1 + Lc) + 1 for Le; answer bytes: data + SW.
    awk -v ms=$(((end - enter) / 1000000)) '
        / > [0-9A-F][0-9A-F] [0-9A-F][0-9A-F] / {
            n++; s += 4
            if (match($0, /Lc=[0-9]+/)) s += 1 + substr($0, RSTART + 3, RLENGTH - 3)
            if (match($0, /Le=[0-9]+/)) s += 1
        }
        / < [0-9]+ bytes, SW / { match($0, /< [0-9]+ bytes/); r += substr($0, RSTART + 2, RLENGTH - 8) + 2 }
        END { printf "%d %d %d %d\n", n, s, r, ms }' "$work/apdus.log"
}

echo "jpki-cli $("$jpki" --version | awk '{print $2}'), sim options: ${sim_opts[*]:-(none)}, $runs runs"
for what in "crypto read-certificate" "crypto sign $work/sig.bin"; do
    [[ $what == crypto\ sign* ]] && what="$what < $work/doc" && echo "document" >"$work/doc"
    times=()
    for _ in $(seq "$runs"); do
        run_one "$what" >"$work/figures"
        read -r n s r ms <"$work/figures"
        times+=("$ms")
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
    echo "${what%% <*}: $n APDUs, $s B sent, $r B received; Enter → exit ms: $sorted"
    echo "  APDU headers of the last run:"
    grep -o ' > .*' "$work/apdus.log" | sed 's/^ > /    /' | cut -c1-60
done
