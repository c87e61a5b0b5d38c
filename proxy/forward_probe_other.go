//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package proxy

import "net"

// canProbeIdle: here a kept connection's end cannot be seen without reading it, so the proxy
// uses net/http's transport, whose reader goroutine watches each one.
const canProbeIdle = false

func idleOpen(net.Conn) bool { return false }
