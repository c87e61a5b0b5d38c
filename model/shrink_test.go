package model

import (
	"slices"
	"testing"

	"github.com/favconform/favconform/identity"
)

// A failure that needs two particular steps, in order, shrinks to exactly those two.
func TestShrinkFindsTheTwoStepsThatMatter(t *testing.T) {
	steps := make([]Step, 50)
	for i := range steps {
		steps[i] = Step{Role: identity.User, Op: Get, Nonce: uint64(i)}
	}
	test := func(cand []Step) (int, string, error) {
		seen7 := false
		for i, s := range cand {
			seen7 = seen7 || s.Nonce == 7
			if seen7 && s.Nonce == 30 {
				return i, "fails", nil
			}
		}
		return -1, "", nil
	}
	got, msg, replays, err := Shrink(steps[:31], "fails", 100, test)
	if err != nil || msg != "fails" {
		t.Fatalf("err %v, msg %q", err, msg)
	}
	var nonces []uint64
	for _, s := range got {
		nonces = append(nonces, s.Nonce)
	}
	if !slices.Equal(nonces, []uint64{7, 30}) {
		t.Fatalf("shrunk to %v, want [7 30]", nonces)
	}
	t.Logf("%d replays", replays)

	// The budget bounds the replays.
	if _, _, replays, _ := Shrink(steps[:31], "fails", 3, test); replays > 3 {
		t.Fatalf("%d replays with a budget of 3", replays)
	}
}

// Sequences exercise every endpoint and every fault, and reach the 100-favorite limit.
func TestGenerateCoversEverything(t *testing.T) {
	ops := map[Op]int{}
	faults := map[Fault]int{}
	addToFull, refusals, seqs := 0, 0, 0
	for seed := int64(1); seed <= 10; seed++ {
		roles := []identity.Role{identity.User, identity.SecondUser}
		m := New(roles...)
		sim := &simulator{}
		full := false
		for _, s := range Generate(seed, DefaultSteps, roles) {
			ops[s.Op]++
			faults[s.Fault]++
			e := m.Plan(s)
			if e.Refused {
				refusals++
			}
			if s.Op == Add && s.Fault == None && slices.Contains(e.Rules, "favorites.max-100") {
				addToFull++
				full = true
			}
			sim.apply(m, s)
		}
		if full {
			seqs++
		}
	}
	for o := Get; o <= DeleteFavorite; o++ {
		if ops[o] == 0 {
			t.Errorf("no %s step in 10 sequences", o)
		}
	}
	for f := None; f <= OthersID; f++ {
		if faults[f] == 0 {
			t.Errorf("no %s step in 10 sequences", f)
		}
	}
	if addToFull == 0 {
		t.Error("no sequence adds a 101st favorite")
	}
	t.Logf("ops %v, faults %v, refusals %d of %d, 101st adds %d (in %d of 10 sequences)", ops, faults, refusals, 10*DefaultSteps, addToFull, seqs)
}
