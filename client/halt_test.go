package client_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
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
