//go:build !race

package main

// raceDetector is set when the tests are built with -race (see race_on_test.go).
const raceDetector = false
