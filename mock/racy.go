package mock

import (
	"time"

	"github.com/favconform/favconform/identity"
)

// The concurrency deviations. Each reproduces a classic race of a real server — a check and the
// write it guards done under two separate holds of the lock, or state kept per server instead of
// per request — with a pause between the two halves, so that requests sent at once reliably
// interleave there. A single client never sees a difference: each breaks a concurrency
// requirement only. They are races of logic, not of memory: the lock is taken for every read and
// write, so the race detector stays quiet and the suites can be run with -race against them.

// How long a racy deviation pauses between its check and its write: raceWindow when other
// requests are being served at the same time — long enough for requests sent at once over
// loopback to land inside it, even on a loaded machine — and aloneWindow when none is, which
// keeps the deviations cheap for the specs that send one request at a time while still leaving
// room for a request sent a moment later to arrive.
const (
	raceWindow  = 30 * time.Millisecond
	aloneWindow = 5 * time.Millisecond
)

// racy reports whether a racy deviation is on.
func (m *Mock) racy() bool {
	return m.dev.on(devRacyAddLostFavorites) || m.dev.on(devRacyCallerSlot) || m.dev.on(devRacyRevisionCounter) || m.dev.on(devRacyUpdateRevisionCheck)
}

// enter counts a request in flight while a racy deviation is on; call the function it returns
// when the request is done.
func (m *Mock) enter() func() {
	if !m.racy() {
		return func() {}
	}
	m.inflight.Add(1)
	return func() { m.inflight.Add(-1) }
}

// pause waits raceWindow if other requests are being served, else aloneWindow.
func (m *Mock) pause() {
	if m.inflight.Load() > 1 {
		time.Sleep(raceWindow)
		return
	}
	time.Sleep(aloneWindow)
}

// pauseUnlocked releases m.mu for the pause (the caller holds it, and holds it again after).
func (m *Mock) pauseUnlocked() {
	m.mu.Unlock()
	m.pause()
	m.mu.Lock()
}

// racyCaller is devRacyCallerSlot: the caller goes through one slot shared by the whole server
// (a "current user" field) and is read back after the pause, so that a request may go on as
// whichever caller was authenticated last.
func (m *Mock) racyCaller(caller identity.Identity) identity.Identity {
	m.slot.Store(&caller)
	m.pause()
	return *m.slot.Load()
}
