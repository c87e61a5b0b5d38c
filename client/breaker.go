package client

import (
	"errors"
	"fmt"
	"sync"
)

// ErrTargetSilent is the error of a call not sent because the target stopped answering.
var ErrTargetSilent = errors.New("the target has stopped answering")

// Breaker keeps a run from waiting out the per-request timeout again and again against a target
// that no longer answers: once Limit calls have had no answer within the timeout, every later
// call through a client using the breaker fails at once, without being sent. A run shares one
// Breaker among its clients; it never closes again.
type Breaker struct {
	// Limit is how many unanswered calls open the breaker (0 or less: never).
	Limit int

	mu       sync.Mutex
	silent   int
	halted   bool
	sent     int
	inflight sync.WaitGroup
}

// Sent is how many calls went out through clients using b.
func (b *Breaker) Sent() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sent
}

// ErrHalted is the error of a call not sent because the run is over: after an interrupt Ginkgo
// abandons the running spec without stopping it, and its calls must not reach the target while
// the harness restores the identities' lists.
var ErrHalted = errors.New("the run is over; the call was not sent")

// Halt stops every later call through clients using b, and waits for the calls under way.
func (b *Breaker) Halt() {
	b.mu.Lock()
	b.halted = true
	b.mu.Unlock()
	b.inflight.Wait()
}

// UseBreaker makes the client's calls count towards b and stop once it is open.
func (c *Client) UseBreaker(b *Breaker) { c.breaker = b }

// enter returns the error of a call the breaker stops, or nil and the function to call once the
// call is over.
func (b *Breaker) enter(timeout fmt.Stringer) (release func(), err error) {
	if b == nil {
		return func() {}, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.halted {
		return func() {}, ErrHalted
	}
	if b.Limit <= 0 || b.silent < b.Limit {
		b.sent++
		b.inflight.Add(1)
		return b.inflight.Done, nil
	}
	return func() {}, fmt.Errorf("not sent: %w (%d requests got no answer within the per-request timeout of %s; nothing more is sent to it in this run)", ErrTargetSilent, b.silent, timeout)
}

// record counts a call that got no answer in time.
func (b *Breaker) record(err error) {
	var te interface{ Timeout() bool } // *url.Error, and the error of a body read cut short
	if b == nil || !errors.As(err, &te) || !te.Timeout() {
		return
	}
	b.mu.Lock()
	b.silent++
	b.mu.Unlock()
}
