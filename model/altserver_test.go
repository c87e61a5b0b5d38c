package model_test

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/internal/altserver"
	"github.com/favconform/favconform/model"
)

// The model accepts a server that takes the other reading of every open point.
func TestOtherReadingsPass(t *testing.T) {
	srv := httptest.NewServer(altserver.New(0))
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL)
	for seed := int64(1); seed <= 2; seed++ {
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
				t.Fatalf("seed %d: the model refuses a server that follows the docs with other readings:\n%s", seed, res.Failure)
			}
		}
	}
}

// A server that stops storing a list's writes after the fifth answers every single call
// correctly; only a sequence shows it. The run fails and shrinks to a sequence of about six
// writes.
func TestAStatefulBugIsCaughtAndShrunk(t *testing.T) {
	srv := httptest.NewServer(altserver.New(5))
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL)
	res, err := model.Run(model.Config{Client: c, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Failure
	if f == nil {
		t.Fatal("the run passed against a server that forgets writes")
	}
	if len(f.Steps) >= f.FirstAt && f.FirstAt > 7 {
		t.Errorf("shrinking found nothing shorter than the %d steps of the first failure", f.FirstAt)
	}
	if !strings.Contains(f.Message, "the read of user's list afterwards") {
		t.Errorf("the failure must be the read after the forgotten write:\n%s", f.Message)
	}
	for _, want := range []string{"seed 3", "--seed 3", "  1. user: ", strconv.Itoa(len(f.Steps)) + " step(s)"} {
		if !strings.Contains(f.Error(), want) {
			t.Errorf("the report must contain %q:\n%s", want, f.Error())
		}
	}
	t.Logf("first failure at step %d; shortest sequence (%d replays):\n%s", f.FirstAt, f.Replays, model.Describe(f.Steps))
}
