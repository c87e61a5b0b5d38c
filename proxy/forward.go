package proxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// directTransport forwards to a plain-http target on its own HTTP/1.1 connections, writing the
// request and reading the response on the exchange's own goroutine. net/http's transport hands
// each request to a writer goroutine and each response back from a reader goroutine: two
// wake-ups more per exchange, about 13 µs of the 110 µs the proxy added on loopback
// (BENCHMARKS.md). What it does not handle — a request to another host or scheme, an Upgrade —
// goes through fallback.
type directTransport struct {
	fallback *http.Transport
	host     string // the target's host:port
	addr     string // what is dialled: host with the port made explicit
	dialer   net.Dialer

	mu   sync.Mutex
	idle []*directConn // most recently used last
}

const (
	// maxIdleDirectConns bounds the connections kept open between exchanges.
	maxIdleDirectConns = 64
	// directIdleTimeout is how long an unused connection is kept (http.DefaultTransport's
	// IdleConnTimeout).
	directIdleTimeout = 90 * time.Second
)

// newTransport is the proxy's own transport to target: the direct one where it applies (a
// plain-http target reached without a proxy from the environment, on a system where an idle
// connection's end can be seen without reading it), else fallback alone.
func newTransport(target *url.URL, fallback *http.Transport) closeIdler {
	if !canProbeIdle || target.Scheme != "http" {
		return fallback
	}
	if fallback.Proxy != nil {
		if u, err := fallback.Proxy(&http.Request{URL: target}); u != nil || err != nil {
			return fallback
		}
	}
	addr := target.Host
	if target.Port() == "" {
		addr = net.JoinHostPort(target.Hostname(), "80")
	}
	return &directTransport{fallback: fallback, host: target.Host, addr: addr,
		dialer: net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}}
}

// closeIdler is a transport whose idle connections Shutdown closes.
type closeIdler interface {
	http.RoundTripper
	CloseIdleConnections()
}

// directConn is one connection to the target.
type directConn struct {
	conn     net.Conn
	lim      limitedReader
	br       *bufio.Reader
	bw       *bufio.Writer
	lastUsed time.Time
}

// limitedReader reads from r until n runs out, then fails: it caps the response headers read.
type limitedReader struct {
	r io.Reader
	n int64
}

var errHeadersTooLarge = fmt.Errorf("the target's response headers exceeded %d bytes; aborted", MaxResponseHeaderBytes)

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errHeadersTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

const unlimited = 1<<63 - 1

// errNothingRead marks a round trip that failed before any byte of a response arrived.
var errNothingRead = errors.New("the connection closed before a response")

// RoundTrip sends req and returns its response, whose body must be read to its end or closed.
func (t *directTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "http" || req.URL.Host != t.host || req.Header.Get("Upgrade") != "" {
		return t.fallback.RoundTrip(req)
	}
	for attempt := 0; ; attempt++ {
		dc, reused, err := t.conn(req.Context())
		if err != nil {
			return nil, err
		}
		resp, err := t.exchange(dc, req)
		if err == nil {
			return resp, nil
		}
		// A kept connection the target closed just as it was reused: once more on a new one,
		// when sending the request again cannot repeat a write (what net/http's transport
		// retries too).
		if reused && attempt == 0 && errors.Is(err, errNothingRead) && replayable(req) && req.Context().Err() == nil {
			continue
		}
		return nil, err
	}
}

// replayable is a request that can be sent twice: idempotent and without a body.
func replayable(req *http.Request) bool {
	if req.Body != nil && req.Body != http.NoBody {
		return false
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// exchange writes req on dc and reads the response head. Until the body's end, ctx's end
// interrupts dc's reads and writes.
func (t *directTransport) exchange(dc *directConn, req *http.Request) (*http.Response, error) {
	stop := context.AfterFunc(req.Context(), func() { _ = dc.conn.SetDeadline(time.Unix(1, 0)) })
	fail := func(err error) (*http.Response, error) {
		stop()
		_ = dc.conn.Close()
		return nil, err
	}
	writeErr := req.Write(dc.bw)
	if writeErr == nil {
		writeErr = dc.bw.Flush()
	}
	// A target may answer before it has read the whole request (a 413 for a body too large)
	// and close: its answer is still read, as net/http's transport does.
	dc.lim.n = MaxResponseHeaderBytes
	_, err := dc.br.Peek(1)
	if err != nil {
		if writeErr != nil {
			err = writeErr
		}
		if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
			err = fmt.Errorf("%w: %w", errNothingRead, err)
		}
		return fail(err)
	}
	resp, err := http.ReadResponse(dc.br, req)
	// 1xx answers are interim (100 Continue, 103 Early Hints); the final one follows.
	for err == nil && resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
		resp, err = http.ReadResponse(dc.br, req)
	}
	if err != nil {
		return fail(err)
	}
	dc.lim.n = unlimited
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return fail(errors.New("the target switched protocols on a request without Upgrade"))
	}
	keep := writeErr == nil && !resp.Close && !req.Close
	if resp.Body == http.NoBody || resp.Body == nil {
		t.release(dc, stop, keep)
		return resp, nil
	}
	resp.Body = &directBody{rc: resp.Body, t: t, dc: dc, stop: stop, keep: keep}
	return resp, nil
}

// directBody gives its connection back once read to its end, and closes it when closed before.
type directBody struct {
	rc   io.ReadCloser
	t    *directTransport
	dc   *directConn
	stop func() bool
	keep bool
	once sync.Once
}

func (b *directBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.once.Do(func() { b.t.release(b.dc, b.stop, b.keep) })
	}
	return n, err
}

func (b *directBody) Close() error {
	b.once.Do(func() { b.t.release(b.dc, b.stop, false) })
	return nil
}

// release ends dc's exchange: kept for the next one when keep allows and its context did not
// interrupt it, else closed.
func (t *directTransport) release(dc *directConn, stop func() bool, keep bool) {
	if !stop() || !keep || dc.br.Buffered() > 0 {
		_ = dc.conn.Close()
		return
	}
	dc.lastUsed = time.Now()
	t.mu.Lock()
	if len(t.idle) >= maxIdleDirectConns {
		t.mu.Unlock()
		_ = dc.conn.Close()
		return
	}
	t.idle = append(t.idle, dc)
	t.mu.Unlock()
}

// conn returns a kept connection that is still open, else a new one.
func (t *directTransport) conn(ctx context.Context) (*directConn, bool, error) {
	for {
		t.mu.Lock()
		n := len(t.idle)
		if n == 0 {
			t.mu.Unlock()
			break
		}
		dc := t.idle[n-1]
		t.idle = t.idle[:n-1]
		t.mu.Unlock()
		if time.Since(dc.lastUsed) < directIdleTimeout && idleOpen(dc.conn) {
			return dc, true, nil
		}
		_ = dc.conn.Close()
	}
	c, err := t.dialer.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, false, err
	}
	dc := &directConn{conn: c, lim: limitedReader{r: c, n: unlimited}}
	dc.br = bufio.NewReader(&dc.lim)
	dc.bw = bufio.NewWriter(c)
	return dc, false, nil
}

// CloseIdleConnections closes the kept connections, and the fallback's.
func (t *directTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, dc := range idle {
		_ = dc.conn.Close()
	}
	t.fallback.CloseIdleConnections()
}
