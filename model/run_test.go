package model_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/model"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"
)

var twoUsers = []identity.Role{identity.User, identity.SecondUser}

// mockClient starts the reference mock with deviations and returns a client of it.
func mockClient(t testing.TB, deviations ...string) *client.Client {
	t.Helper()
	srv, err := mock.NewServer(mock.Options{Deviations: deviations})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return newClient(t, srv.URL)
}

func newClient(t testing.TB, url string) *client.Client {
	t.Helper()
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	return client.New(target.ForMock(url, identity.Default()), v, nil)
}

// The conforming mock passes sequences of several seeds, with one user and with two. (Kept
// small for the race detector; 150 seeds of each, against the mock and altServer, passed when
// the model was written.)
func TestConformingMockPasses(t *testing.T) {
	c := mockClient(t)
	for seed := int64(1); seed <= 3; seed++ {
		roles := twoUsers
		if seed == 1 {
			roles = []identity.Role{identity.User}
		}
		{
			res, err := model.Run(model.Config{Client: c, Roles: roles, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			if res.Failure != nil {
				t.Fatalf("seed %d, roles %v: the conforming mock fails the model:\n%s", seed, roles, res.Failure)
			}
		}
	}
}

// Each deviation breaks a rule the model holds; the run fails, and shrinking finds a shorter
// sequence that still fails when replayed from a clean slate.
func TestDeviationsFailAndShrink(t *testing.T) {
	for _, dev := range []string{
		"add-drops-favorite", "revision-skips-on-update", "delete-last-keeps-list", "stale-revision-accepted",
		"unknown-list-ok", "shared-list", "revision-bumped-on-read", "no-item-limit", "duplicate-favorite-ids",
		"no-auth-check", "malformed-json-500", "revision-bumped-on-failed-write", "second-list-per-user",
	} {
		t.Run(dev, func(t *testing.T) {
			c := mockClient(t, dev)
			roles := []identity.Role{identity.User}
			if dev == "shared-list" {
				roles = twoUsers
			}
			res, err := model.Run(model.Config{Client: c, Roles: roles, Seed: 42})
			if err != nil {
				t.Fatal(err)
			}
			f := res.Failure
			if f == nil {
				t.Fatalf("the run passed against the mock with %s", dev)
			}
			if f.ShrinkErr != nil {
				t.Errorf("shrinking stopped: %v", f.ShrinkErr)
			}
			if len(f.Steps) > f.FirstAt {
				t.Errorf("the shrunk sequence (%d steps) is longer than the first failing prefix (%d)", len(f.Steps), f.FirstAt)
			}
			if err := model.Reset(c, roles); err != nil {
				t.Fatal(err)
			}
			if at, _ := model.Execute(c, roles, f.Steps); at != len(f.Steps)-1 {
				t.Errorf("the shortest sequence does not fail at its last step on replay (at %d of %d)", at, len(f.Steps))
			}
			t.Logf("%s: first failure at step %d, shrunk to %d step(s) in %d replays:\n%s", dev, f.FirstAt, len(f.Steps), f.Replays, f.Error())
		})
	}
}

func TestGenerateReplays(t *testing.T) {
	a := model.Generate(7, 200, twoUsers)
	b := model.Generate(7, 200, twoUsers)
	if !reflect.DeepEqual(a, b) || model.Describe(a) != model.Describe(b) {
		t.Fatal("the same seed generated two different sequences")
	}
	if c := model.Generate(8, 200, twoUsers); reflect.DeepEqual(a, c) {
		t.Fatal("seeds 7 and 8 generated the same sequence")
	}
	if p := model.Generate(7, 50, twoUsers); !reflect.DeepEqual(p, a[:50]) {
		t.Fatal("the first 50 steps of a 200-step sequence are not the 50-step sequence of the same seed")
	}
	if !strings.Contains(model.Describe(a[:3]), "  1. ") {
		t.Fatalf("Describe does not number steps:\n%s", model.Describe(a[:3]))
	}
}

// A step that gets no answer (the connection dropped) is reported as a transport error at its
// step, with the seed, and the sequence is not shrunk: no replay is spent on it.
func TestATransportErrorIsNotShrunk(t *testing.T) {
	m, err := mock.New(mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var n, after atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 25 {
			c, _, _ := http.NewResponseController(w).Hijack()
			c.Close()
			return
		}
		if n.Load() > 25 {
			after.Add(1)
		}
		m.ServeHTTP(w, r)
	}))
	defer srv.Close()
	res, err := model.Run(model.Config{Client: newClient(t, srv.URL), Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Failure
	if f == nil || !f.Transport || f.Replays != 0 || !strings.Contains(f.Error(), "not shrunk") || !strings.Contains(f.Error(), "--seed 5") {
		t.Fatalf("want a transport failure, unshrunk, with the seed; got %+v\n%v", f, f)
	}
	if after.Load() > 0 {
		t.Errorf("%d requests were sent after the transport error: no replay may follow it", after.Load())
	}
}
