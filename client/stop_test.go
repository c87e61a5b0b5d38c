package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

// Halt waits for the call under way, and no call is sent after it.
func TestHaltWaitsForCallsUnderWayAndStopsTheRest(t *testing.T) {
	var served atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		<-release
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	b := &client.Breaker{}
	c := client.New(target.ForMock(srv.URL, identity.Default()), v, nil)
	c.UseBreaker(b)
	k := c.As(identity.User)
	first := make(chan *client.Response)
	go func() { first <- k.GetList() }()
	for served.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	halted := make(chan struct{})
	go func() { b.Halt(); close(halted) }()
	select {
	case <-halted:
		t.Fatal("Halt returned while a call was under way")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-halted
	if r := <-first; r.Err != nil {
		t.Fatalf("the call under way must complete: %v", r.Err)
	}
	if r := k.GetList(); !errors.Is(r.Err, client.ErrHalted) {
		t.Fatalf("a call after Halt must fail with ErrHalted, got %v", r.Err)
	}
	if served.Load() != 1 {
		t.Fatalf("%d calls reached the server, want 1", served.Load())
	}
}

// A client's context stops the call under way when it is cancelled, and no later call is sent;
// the client it was copied from is not affected.
func TestWithContextStopsCallsOnceCancelled(t *testing.T) {
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if r.URL.Query().Get("hang") != "" {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	base := client.New(target.ForMock(srv.URL, identity.Default()), v, nil)
	ctx, cancel := context.WithCancelCause(context.Background())
	k := base.WithContext(ctx).As(identity.User)
	hung := make(chan *client.Response)
	go func() {
		hung <- k.Do(client.Request{Method: http.MethodGet, Path: "/dashboard/v1/user-favorite-list", Query: url.Values{"hang": {"1"}}})
	}()
	for served.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	stop := errors.New("interrupted by the user")
	cancel(stop)
	select {
	case r := <-hung:
		if !errors.Is(r.Err, stop) && !errors.Is(r.Err, context.Canceled) {
			t.Fatalf("the call under way must end with the cancellation, got %v", r.Err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the call under way did not stop when its context was cancelled")
	}
	if r := k.GetList(); !errors.Is(r.Err, stop) {
		t.Fatalf("a call after the cancel must fail with its cause, got %v", r.Err)
	}
	if served.Load() != 1 {
		t.Fatalf("%d calls reached the server, want 1", served.Load())
	}
	if r := base.As(identity.User).GetList(); r.Err != nil || r.Status != http.StatusNotFound {
		t.Fatalf("the original client must be unaffected: %v", r.Err)
	}
}
