# favconform — every target works on a machine that has only Go (and, for the browser and SDK
# checks, what `make setup` installs).
GO ?= go
PKGS := ./...

.PHONY: conformance conformance-strict test vet fmt-check build mutation bench setup

## conformance: run the conformance suites against the embedded reference mock
conformance:
	$(GO) run ./cmd/favconform run

## conformance-strict: the same, with the strict profile
conformance-strict:
	$(GO) run ./cmd/favconform run --strict

## test: format check, vet, and every test under the race detector
test: fmt-check vet
	$(GO) test -race -count=1 $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

build:
	$(GO) build -o bin/favconform ./cmd/favconform

## mutation: run the suites against every mock deviation and print the score
mutation:
	FAVCONFORM_MUTATION_REPORT=$(CURDIR)/mutation-score.txt $(GO) test -count=1 -run 'TestEveryDeviationIsCaughtByItsRequirement' ./cmd/favconform
	@cat mutation-score.txt
