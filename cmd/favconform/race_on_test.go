//go:build race

package main

// raceDetector is set when the tests are built with -race, which slows memory-heavy work about
// tenfold (the 10 MB hostile target: 4.5 s plain, 40-47 s with -race).
const raceDetector = true
