// Package interop checks that the official clients of the Dashboard Favorite List API work
// against the reference mock: sdk_test.go installs the official JavaScript SDK
// (@wix/dashboard-management) from the npm registry into interop/sdk and runs the docs' sample
// flow through it (interop/sdk/sample-flow.test.mjs), with a validating proxy in front of the mock.
package interop
