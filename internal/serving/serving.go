// Package serving runs an http.Server on a listener and stops it gracefully without waiting for
// connections that never carried a request. The mock and the webhook receiver share it.
package serving

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// ShutdownGrace bounds how long Close waits for requests under way.
const ShutdownGrace = 5 * time.Second

// Server is srv serving on a listener.
type Server struct {
	srv   *http.Server
	done  chan struct{}
	close sync.Once

	mu    sync.Mutex
	fresh map[net.Conn]bool // connections that have not sent a request yet
}

// Serve starts srv on ln in the background.
func Serve(ln net.Listener, srv *http.Server) *Server {
	s := &Server{srv: srv, done: make(chan struct{}), fresh: map[net.Conn]bool{}}
	srv.ConnState = s.track
	go func() {
		defer close(s.done)
		// Serve returns http.ErrServerClosed after Close, or an error of the listener's, after
		// which every request fails on the client's side: nothing more to report.
		_ = srv.Serve(ln)
	}()
	return s
}

// Close stops listening, closes the connections that carry no request, waits up to
// ShutdownGrace for requests under way, then closes every connection. It is safe to call more
// than once.
func (s *Server) Close() {
	s.close.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
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

func (s *Server) track(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == http.StateNew {
		s.fresh[c] = true
	} else {
		delete(s.fresh, c)
	}
}

func (s *Server) closeFresh() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.fresh {
		_ = c.Close()
		delete(s.fresh, c)
	}
}
