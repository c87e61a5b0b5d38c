package webhook

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/favconform/favconform/internal/serving"
)

// Server is a Receiver listening for deliveries.
type Server struct {
	// URL is http://host:port of the listener, with no trailing slash.
	URL string

	srv *serving.Server
}

// Listen serves h (normally a *Receiver) on addr, e.g. "127.0.0.1:0" for a free loopback port or
// ":8099" for every interface.
func Listen(addr string, h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("webhook receiver: listening on %s: %w", addr, err)
	}
	s := &Server{
		URL: "http://" + ln.Addr().String(),
		srv: serving.Serve(ln, &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second}),
	}
	return s, nil
}

// Close stops the server, waiting up to 5 seconds for deliveries under way. It is safe to call
// more than once.
func (s *Server) Close() { s.srv.Close() }
