#!/usr/bin/env bash
# The action's run step (action.yml): builds favconform from the action's own checkout
# ($GITHUB_ACTION_PATH), runs it with the inputs (INPUT_* variables, set by action.yml from
# ${{ inputs.* }}), writes the job summary ($GITHUB_STEP_SUMMARY, from the summary.md that
# --report-dir writes) and the outputs ($GITHUB_OUTPUT: verdict, report-dir, exit-code), and
# exits with favconform's exit code. Runs under macOS's bash 3.2 too.
set -uo pipefail

fail() {
	echo "::error title=favconform::$*"
	exit 2
}

: "${GITHUB_ACTION_PATH:?favconform: GITHUB_ACTION_PATH is not set (this script is the action's step)}"
: "${GITHUB_OUTPUT:?favconform: GITHUB_OUTPUT is not set (this script is the action's step)}"

args=()
flag() { # flag NAME VALUE FLAG: a 'true'/'false' input
	case "$2" in
	true) args+=("$3") ;;
	false | '') ;;
	*) fail "input $1 must be 'true' or 'false', got '$2'" ;;
	esac
}
flag strict "${INPUT_STRICT:-}" --strict
flag allow-writes "${INPUT_ALLOW_WRITES:-}" --allow-writes
if [ -n "${INPUT_TARGET:-}" ]; then args+=(--target "$INPUT_TARGET"); fi
if [ -n "${INPUT_TARGET_FILE:-}" ]; then args+=(--target-file "$INPUT_TARGET_FILE"); fi
if [ -n "${INPUT_LABEL_FILTER:-}" ]; then args+=(--label-filter "$INPUT_LABEL_FILTER"); fi
extra=()
if [ -n "${INPUT_ARGS:-}" ]; then read -r -a extra <<<"$INPUT_ARGS"; fi

dir=${INPUT_REPORT_DIR:-favconform-reports}
case "$dir" in
/* | [A-Za-z]:[\\/]*) ;;
*) dir="$PWD/$dir" ;;
esac
mkdir -p "$dir" || fail "cannot create the report directory $dir"
# A summary left by an earlier run in the same directory must not speak for this one.
rm -f "$dir/summary.md"

# Build from the action's own checkout. A release tag of the action (uses: favconform/favconform@
# v0.1.0) names the version; a major tag or a branch (@v0, @main) leaves the build's own.
bin_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/favconform-action"
mkdir -p "$bin_dir" || fail "cannot create $bin_dir"
bin="$bin_dir/favconform$(go env GOEXE)"
ldflags=()
if [[ "${GITHUB_ACTION_REF:-}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
	ldflags=(-ldflags "-X main.version=$GITHUB_ACTION_REF")
fi
echo "::group::Build favconform"
(cd "$GITHUB_ACTION_PATH" && go build -trimpath ${ldflags[@]+"${ldflags[@]}"} -o "$bin" ./cmd/favconform) ||
	fail "building favconform from $GITHUB_ACTION_PATH failed (see the log above)"
"$bin" version
echo "::endgroup::"

# Run it in a process group of its own (set -m) and hand it exactly the signals this step gets:
# a cancelled job (SIGINT, then SIGTERM) then restores the target's lists once, as favconform
# does on Ctrl-C, instead of seeing each signal twice.
set -m
"$bin" run --report-dir "$dir" ${args[@]+"${args[@]}"} ${extra[@]+"${extra[@]}"} &
pid=$!
set +m
trap 'kill -INT "$pid" 2>/dev/null' INT
trap 'kill -TERM "$pid" 2>/dev/null' TERM
while :; do
	wait "$pid"
	code=$?
	# wait returns early when a trapped signal arrives: go on waiting until favconform is done.
	if ! kill -0 "$pid" 2>/dev/null; then break; fi
done
# favconform is done: a later signal of the same cancel (the runner sends SIGINT, then SIGTERM)
# must not kill the step before it writes its outputs and summary.
trap '' INT TERM

verdict=
if [ -f "$dir/summary.md" ]; then
	verdict=$(sed -n '1s/^<!-- favconform verdict: \(.*\) -->$/\1/p' "$dir/summary.md")
fi
case "$code" in
4) verdict="RESTORE FAILED" ;;
*) if [ -z "$verdict" ]; then
	case "$code" in
	0) verdict=CONFORMING ;;
	1) verdict="NOT CONFORMING" ;;
	2) verdict="BAD CONFIGURATION" ;;
	3) verdict=UNREACHABLE ;;
	130) verdict=INTERRUPTED ;;
	*) verdict="ERROR" ;;
	esac
fi ;;
esac

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
	{
		if [ -f "$dir/summary.md" ]; then
			cat "$dir/summary.md"
			if [ "$code" = 4 ]; then
				printf '\n**The lists could not all be restored** (exit 4): the step'"'"'s log names the recovery file and the `favconform restore` command that finishes the job.\n'
			fi
		else
			printf '## favconform: ⚠️ %s\n\n' "$verdict"
			case "$code" in
			2) printf 'favconform exited with code 2: bad usage or configuration. The step'"'"'s log says what (a flag, the target file, a `FAVCONFORM_` variable set but empty: a secret this run cannot see?).\n' ;;
			3) printf 'favconform exited with code 3: the target is unreachable. The step'"'"'s log says how it failed.\n' ;;
			*) printf 'favconform exited with code %s. The step'"'"'s log says why.\n' "$code" ;;
			esac
		fi
	} >>"$GITHUB_STEP_SUMMARY"
fi
{
	echo "verdict=$verdict"
	echo "report-dir=$dir"
	echo "exit-code=$code"
} >>"$GITHUB_OUTPUT"
if [ "$code" != 0 ]; then
	echo "::error title=favconform::$verdict (exit code $code): see the job summary and the reports in $dir"
fi
exit "$code"
