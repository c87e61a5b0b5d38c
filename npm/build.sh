#!/usr/bin/env bash
# make npm: cross-compiles favconform for each platform of the npm packages and packs the
# packages (npm pack) into $OUT (default dist/npm/):
#   favconform-X.Y.Z.tgz                 the command's shim and the JavaScript API (startMock)
#   favconform-linux-x64-X.Y.Z.tgz, ...  @favconform/<platform>: the binary (os/cpu set)
#
#   VERSION    the version: vX.Y.Z or X.Y.Z (default: the vX.Y.Z tag at HEAD, else a
#              0.0.0-dev.g<revision> development version whose binaries print their VCS info)
#   PLATFORMS  which platform packages to build (default all: linux-x64 linux-arm64 darwin-x64
#              darwin-arm64 win32-x64); the favconform package names them all either way
#   OUT        where the tarballs go
#   GO, NPM    the go and npm commands
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
GO=${GO:-go}
NPM=${NPM:-npm}
OUT=${OUT:-$root/dist/npm}
ALL="linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64"
PLATFORMS=${PLATFORMS:-$ALL}

die() {
	echo "make npm: $*" >&2
	exit 1
}
command -v "$GO" >/dev/null || die "$GO is not on PATH (Go builds the binaries)"
command -v "$NPM" >/dev/null || die "$NPM is not on PATH (npm packs the packages; it comes with Node.js)"
command -v node >/dev/null || die "node is not on PATH (it writes the packages' versions)"

version=${VERSION:-}
if [ -z "$version" ]; then
	version=$(git -C "$root" describe --tags --exact-match --match 'v[0-9]*' HEAD 2>/dev/null || true)
fi
release=true
if [ -z "$version" ]; then
	release=false
	rev=$(git -C "$root" rev-parse --short=7 HEAD 2>/dev/null || true)
	version=0.0.0-dev${rev:+.g$rev}
fi
version=${version#v}
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
	die "VERSION $version is not a version such as v0.1.0 or 0.1.0-rc.1"
# -s -w: no symbol table or DWARF (a third of the size; panics still name their functions).
ldflags="-s -w"
if $release; then ldflags="$ldflags -X main.version=v$version"; fi

for p in $PLATFORMS; do
	case " $ALL " in *" $p "*) ;; *) die "no npm package for platform $p (the packages: $ALL)" ;; esac
done

stage="$OUT/stage"
rm -rf "$stage"
mkdir -p "$stage" "$OUT"

# stamp DIR: the package in DIR gets the version, and so do its dependencies on the platform packages.
stamp() {
	node -e '
		const fs = require("fs"), [file, v] = process.argv.slice(1);
		const p = JSON.parse(fs.readFileSync(file, "utf8"));
		p.version = v;
		for (const name of Object.keys(p.optionalDependencies || {})) p.optionalDependencies[name] = v;
		fs.writeFileSync(file, JSON.stringify(p, null, 2) + "\n");
	' "$1/package.json" "$version"
}

pack() {
	(cd "$1" && "$NPM" pack --silent --pack-destination "$OUT" >/dev/null) || die "npm pack in $1 failed"
}

for p in $PLATFORMS; do
	os=${p%-*}
	arch=${p#*-}
	goos=$os goarch=$arch exe=
	[ "$os" = win32 ] && goos=windows exe=.exe
	[ "$arch" = x64 ] && goarch=amd64
	dir="$stage/@favconform/$p"
	mkdir -p "$dir/bin"
	cp "$root/npm/@favconform/$p/package.json" "$root/npm/@favconform/$p/README.md" "$root/LICENSE" "$dir/"
	stamp "$dir"
	echo "make npm: @favconform/$p@$version: GOOS=$goos GOARCH=$goarch"
	(cd "$root" && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch "$GO" build -trimpath -ldflags "$ldflags" -o "$dir/bin/favconform$exe" ./cmd/favconform) ||
		die "building favconform for $goos/$goarch failed"
	chmod 0755 "$dir/bin/favconform$exe"
	pack "$dir"
done

dir="$stage/favconform"
mkdir -p "$dir"
cp -R "$root/npm/favconform/." "$dir/"
cp "$root/LICENSE" "$dir/"
stamp "$dir"
echo "make npm: favconform@$version"
pack "$dir"
rm -rf "$stage"

echo "make npm: packed into $OUT:"
for f in "$OUT"/favconform-"$version".tgz "$OUT"/favconform-*-"$version".tgz; do
	[ -f "$f" ] && echo "  $(basename "$f")"
done
