# favconform — every target works on a machine that has only Go (and, for the browser and SDK
# checks, what `make setup` installs).
GO ?= go
PKGS := ./...

.PHONY: conformance conformance-strict test vet fmt-check build mutation readings bench bench-setup setup fuzz

# Extra flags for `favconform run`, e.g. make conformance ARGS='--target-file target.yaml'.
ARGS ?=

## conformance: run the conformance suites against the embedded reference mock
# A built binary, not `go run`, which turns every failing exit code into 1. Make itself exits 2
# on any failure, so the recipe names favconform's own code (1 not conforming, 2 bad usage,
# 3 target unreachable).
conformance: build
	@bin/favconform run $(ARGS); code=$$?; \
	if [ $$code -ne 0 ]; then echo "favconform exited with code $$code (1 not conforming, 2 bad usage or configuration, 3 target unreachable)"; exit $$code; fi

## conformance-strict: the same, with the strict profile
conformance-strict:
	$(MAKE) conformance ARGS="--strict $(ARGS)"

## test: format check, vet, every test under the race detector, then each fuzz target briefly
# The deviation check runs the suites once per deviation in child processes built with -race: on
# a 2-core machine the command's package alone takes minutes, hence the longer timeout.
test: fmt-check vet
	$(GO) test -race -count=1 -timeout 45m $(PKGS)
	@$(MAKE) --no-print-directory fuzz

## fuzz: run each fuzz target for FUZZTIME (plain `go test` runs their seed corpus only; seeds in
## fixtures/fuzz/, and inputs that once failed in <package>/testdata/fuzz/)
FUZZTIME ?= 3s
FUZZ_TARGETS := ./spec:FuzzDateTimeSyntax ./validate:FuzzFastJSON ./validate:FuzzCompiledSchema ./mock:FuzzDecode ./mock:FuzzHandlers ./mock:FuzzRevision ./mock:FuzzServeHTTP ./client:FuzzHostileResponses ./har:FuzzEntryDecoder ./har:FuzzParse
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz: $$fn in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

build:
	$(GO) build -o bin/favconform ./cmd/favconform

## setup: install what the browser check of report.html needs — Debian's chromium package —
## when it is missing. Idempotent; installing needs root and apt-get (else it says what to do).
setup:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
		echo "setup: chromium is installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "setup: installing Debian's chromium package (headless browser check of report.html)"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
		echo "setup: chromium is missing; install it as root: apt-get update && apt-get install -y chromium"; \
		echo "       (without it the browser check of report.html is skipped)"; \
		exit 1; \
	fi

## bench: the performance benchmarks (bench/), BENCH_COUNT runs each, raw results in
## bench/results.txt, summarised (medians) with benchstat, then each figure as the median of its
## per-run ratios to the baseline of the same run (bench/ratios); the figures are in BENCHMARKS.md.
## The Prism comparison needs `make bench-setup` first (it is skipped otherwise).
BENCH_COUNT ?= 6
# The latency runs take about 3 minutes a round (the default profile 4 times at 20 and 50 ms).
LATENCY_COUNT ?= 2
BENCHSTAT := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
bench:
	@echo "bench: load average before the run: $$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) (the figures are only as quiet as the machine)"
	cd bench && $(GO) test -run '^$$' -bench . -skip RealLatency -count $(BENCH_COUNT) -timeout 60m . > results.txt; code=$$?; cat results.txt; exit $$code
	cd bench && $(GO) test -run '^$$' -bench RealLatency -count $(LATENCY_COUNT) -timeout 60m . > latency.txt; code=$$?; cat latency.txt; cat latency.txt >> results.txt; rm -f latency.txt; exit $$code
	$(GO) run $(BENCHSTAT) bench/results.txt
	$(GO) run ./bench/ratios bench/results.txt

## bench-setup: install Stoplight Prism 5.14 (npm; later versions need a newer Node) into the
## git-ignored bench/.prism, for the proxy comparison of make bench
bench-setup:
	npm install --prefix bench/.prism --no-save --no-audit --no-fund @stoplight/prism-cli@5.14

## mutation: run the suites against every mock deviation and print the score
mutation:
	FAVCONFORM_MUTATION_REPORT=$(CURDIR)/mutation-score.txt $(GO) test -count=1 -run 'TestEveryDeviationIsCaughtByItsRequirement' ./cmd/favconform
	@cat mutation-score.txt

## readings: run the default profile against the mock under every reading and print the score
readings:
	FAVCONFORM_READINGS_REPORT=$(CURDIR)/readings-score.txt $(GO) test -count=1 -run 'TestEveryReadingPassesTheDefaultProfile' ./cmd/favconform
	@cat readings-score.txt

## npm: the npm packages (npm/, npm/README.md): favconform (the command's shim and startMock) and
## @favconform/<platform> (the binary), cross-compiled with CGO_ENABLED=0 -trimpath and packed
## with npm pack into dist/npm/. VERSION=v0.1.0 sets the version (default: the vX.Y.Z tag at HEAD,
## else 0.0.0-dev.g<revision>); PLATFORMS='linux-x64' builds only those platform packages.
.PHONY: npm
VERSION ?=
PLATFORMS ?=
npm:
	@VERSION='$(VERSION)' PLATFORMS='$(PLATFORMS)' GO='$(GO)' bash npm/build.sh
