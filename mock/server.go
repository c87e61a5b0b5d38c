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

	connsMu sync.Mutex
	fresh   map[net.Conn]bool // connections that have not sent a request yet
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
		URL:   "http://" + ln.Addr().String(),
		Mock:  m,
		srv:   HTTPServer(m),
		done:  make(chan struct{}),
		fresh: map[net.Conn]bool{},
	}
	s.srv.ConnState = s.track
	go func() {
		defer close(s.done)
		// Serve returns http.ErrServerClosed after Close, or an error of the listener's, after
		// which every request fails on the client's side: nothing more to report.
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server: it stops listening, closes the connections that carry no request,
// waits up to 5 seconds for requests under way, then closes every connection. It is safe to call
// more than once.
func (s *Server) Close() {
	s.close.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- s.srv.Shutdown(ctx) }()
		// Shutdown takes a connection that has not sent a request for idle only once it is 5
		// seconds old, and a client's transport keeps such connections (dialled for a request
		// that another connection served first): without this, Close would wait for them.
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case err := <-done:
				if err != nil {
					_ = s.srv.Close()
				}
				<-s.done
				return
			case <-tick.C:
				s.closeFresh()
			}
		}
	})
}

// track follows the state of each connection.
func (s *Server) track(c net.Conn, st http.ConnState) {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	if st == http.StateNew {
		s.fresh[c] = true
	} else {
		delete(s.fresh, c)
	}
}

// closeFresh closes the connections that have not sent a request.
func (s *Server) closeFresh() {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	for c := range s.fresh {
		_ = c.Close()
		delete(s.fresh, c)
	}
}
