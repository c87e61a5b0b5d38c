//go:build !unix

package interop

// lockFile does not lock where flock is missing: concurrent installs are then the user's care.
func lockFile(string) (func(), error) { return func() {}, nil }
