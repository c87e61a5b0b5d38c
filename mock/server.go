package mock

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is a Mock listening on a loopback port, like httptest.Server but returning errors
// instead of panicking.
type Server struct {
	// URL is the base URL, http://127.0.0.1:port, with no trailing slash.
	URL string
	// Mock is the handler, for inspecting and resetting state.
	Mock *Mock

	srv   *http.Server
	done  chan struct{}
	close sync.Once
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
		srv:  &http.Server{Handler: m, ReadHeaderTimeout: 10 * time.Second},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		// Serve returns http.ErrServerClosed after Close, or an error of the listener's, after
		// which every request fails on the client's side: nothing more to report.
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server: it stops listening, waits up to 5 seconds for requests under way, then
// closes every connection. It is safe to call more than once.
func (s *Server) Close() {
	s.close.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			_ = s.srv.Close()
		}
		<-s.done
	})
}
