package mock

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/favconform/favconform/internal/serving"
)

// Server is a Mock listening on a loopback port, like httptest.Server but returning errors
// instead of panicking.
type Server struct {
	// URL is the base URL, http://127.0.0.1:port, with no trailing slash.
	URL string
	// Mock is the handler, for inspecting and resetting state.
	Mock *Mock

	srv *serving.Server
}

// Limits of the mock's HTTP server: a client that sends its headers or its body too slowly, or
// does not read its response, loses the connection instead of holding it; idle keep-alive
// connections are closed; and headers are bounded (requests carry one token). Variables so that
// the tests can shorten them.
var (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second // headers and body
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
)

// HTTPServer returns an http.Server serving h with the limits above.
func HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// NewServer starts a Mock made with opts on 127.0.0.1 at a free port.
func NewServer(opts Options) (*Server, error) {
	m, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("mock: listening: %w", err)
	}
	s := &Server{
		URL:  "http://" + ln.Addr().String(),
		Mock: m,
		srv:  serving.Serve(ln, HTTPServer(m)),
	}
	return s, nil
}

// Close stops the server: it stops listening, closes the connections that carry no request,
// waits up to 5 seconds for requests under way, then closes every connection. It is safe to call
// more than once.
func (s *Server) Close() { s.srv.Close() }
