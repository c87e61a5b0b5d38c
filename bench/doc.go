// Package bench holds the harness's performance benchmarks (bench_test.go and the files beside
// it): the validator against a loopback round trip, the mock's throughput against a minimal
// net/http handler, the validating proxy against a direct call and against Stoplight Prism, the
// whole suite's wall time, and how costs grow. `make bench` runs them and summarises them with
// benchstat; BENCHMARKS.md holds the figures. Performance is measured here only, never in unit
// tests. Every load loop runs over loopback and is bounded by the benchmark's own count and time.
package bench
