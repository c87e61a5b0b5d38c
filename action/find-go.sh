#!/usr/bin/env bash
# The action's first step (action.yml): is there a Go on PATH new enough to build favconform (the
# go line of the action's go.mod)? Writes found=true or found=false to $GITHUB_OUTPUT; with
# found=false the next step installs Go with actions/setup-go. Runs under macOS's bash 3.2 too.
set -euo pipefail
need=$(sed -n 's/^go \([0-9][0-9.]*\)$/\1/p' "$GITHUB_ACTION_PATH/go.mod")
found=false
if ! command -v go >/dev/null 2>&1; then
	echo "favconform: no go on PATH: installing Go $need with actions/setup-go"
else
	have=$(go env GOVERSION 2>/dev/null || true)
	have=${have#go}
	have=${have%% *}
	# The older of the two, by version order: Go is new enough when that is the one needed.
	if [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$need" "$have" | sort -t. -k1,1n -k2,2n -k3,3n | head -n1)" = "$need" ]; then
		found=true
		echo "favconform: building with go $have ($(command -v go)); go.mod needs $need"
	else
		echo "favconform: go ${have:-of unknown version} on PATH is older than the $need favconform needs: installing Go $need with actions/setup-go"
	fi
fi
echo "found=$found" >>"$GITHUB_OUTPUT"
