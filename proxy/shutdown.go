package proxy

import (
	"context"
	"fmt"
)

// Shutdown ends a session so that the report can be written: it waits for the exchanges in
// flight to finish until ctx is done, then cuts off those still under way — their requests to
// the target are cancelled (their clients get a 502 if they can still be answered) and they are
// counted and recorded as "cut off by the proxy's shutdown" — and returns once every exchange
// begun is counted. Requests arriving after Shutdown began are answered 503 without being
// forwarded. The error says how many exchanges were cut off. Stop the http.Server first (its
// Shutdown), so that no new connection comes.
func (p *Proxy) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	p.closing = true
	p.mu.Unlock()
	if p.ownTransport != nil {
		defer p.ownTransport.CloseIdleConnections()
	}
	if p.waitInFlight(ctx, nil) == nil {
		return nil
	}

	// Which exchanges are cut off is settled before they are stopped: once stopped, their own
	// goroutines would finish them and race the count.
	p.mu.Lock()
	var cut, finishing []*state
	for st := range p.inFlight {
		if st.done {
			finishing = append(finishing, st) // its own goroutine is recording it
			continue
		}
		st.done = true
		cut = append(cut, st)
	}
	p.mu.Unlock()
	p.stopInFlight(errCutOff)
	for _, st := range cut {
		st.mu.Lock()
		if !st.answered {
			st.err = errCutOff
		}
		st.mu.Unlock()
		p.complete(st)
	}
	if len(finishing) > 0 {
		// Their goroutines are recording, logging and handing them on: a short wait.
		_ = p.waitInFlight(context.Background(), finishing)
	}
	if len(cut) == 0 {
		return nil
	}
	return fmt.Errorf("proxy: %d exchange(s) still in flight when the shutdown's wait ended were cut off (recorded as such): %w", len(cut), ctx.Err())
}

// waitInFlight waits until none of these exchanges (nil: none at all) is in flight, or ctx is
// done.
func (p *Proxy) waitInFlight(ctx context.Context, these []*state) error {
	for {
		p.mu.Lock()
		busy := len(p.inFlight) > 0
		if these != nil {
			busy = false
			for _, st := range these {
				if _, ok := p.inFlight[st]; ok {
					busy = true
					break
				}
			}
		}
		if !busy {
			p.mu.Unlock()
			return nil
		}
		if p.idle == nil {
			p.idle = make(chan struct{})
		}
		idle := p.idle
		p.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
