package suites

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/model"
	"github.com/favconform/favconform/target"
)

// ModelLabel marks the model-based runs (select them with --label-filter model).
const ModelLabel = "model"

// RemoteModelSteps is the length of a model-based sequence against a target that is not on
// loopback when Config.ModelSteps is 0: every step is one or two round trips over a network.
const RemoteModelSteps = 50

// ModelSteps is the length of each model-based sequence of a run against t: configured when it
// is set (> 0), else model.DefaultSteps against a loopback target and RemoteModelSteps — the
// first steps of the same sequence — against another.
func ModelSteps(t target.Config, configured int) int {
	switch {
	case configured > 0:
		return configured
	case t.IsLoopback():
		return model.DefaultSteps
	}
	return RemoteModelSteps
}

func describeModelBased() {
	Describe("Model-based sequences", Label(ModelLabel), func() {
		It("a seeded random sequence of calls by one user (every endpoint, valid and invalid) answers, and leaves the list, as the model of the docs says after every step",
			Covers("state.model-conformance"),
			func(ctx SpecContext) { runModel(ctx, identity.User) })

		It("a seeded random sequence of calls by two users, interleaved, answers and leaves both lists as the model of the docs says after every step",
			Covers("state.model-conformance"), Needs(identity.SecondUser),
			func(ctx SpecContext) { runModel(ctx, identity.User, identity.SecondUser) })
	})
}

// runModel runs the seeded sequence over roles against the target and the model. On failure it
// shrinks the sequence, replays the shortest one through the spec's recording client (so the
// transcript shows exactly it), and fails with the seed and the numbered steps.
func runModel(ctx SpecContext, roles ...identity.Role) {
	w := newWorld(ctx)
	for _, r := range roles {
		w.fresh(r) // skips with a message when the role is not configured or writes are not allowed
	}
	cfg := configured()
	seed := cfg.Seed
	steps := ModelSteps(cfg.Target, cfg.ModelSteps)
	replays := model.DefaultShrinkReplays
	if !cfg.Target.IsLoopback() {
		replays = 15 // a remote target gets a smaller shrink too
	}
	GinkgoWriter.Printf("model-based run: seed %d, %d steps, roles %v (replay with --seed %d)\n", seed, steps, roles, seed)
	AddReportEntry("seed", seed)

	// The run and its shrink replays go through a client of their own: hundreds of calls that
	// would bury the transcript. Only the shortest failing sequence is replayed through w.client.
	c := specClient(ctx, cfg, nil)
	res, err := model.Run(model.Config{Client: c, Roles: roles, Seed: seed, Steps: steps, ShrinkReplays: replays})
	if err != nil {
		Fail(cfg.redactor.String(fmt.Sprintf("model-based run with seed %d (replay with --seed %d): %v", seed, seed, err)))
	}
	f := res.Failure
	if f == nil {
		return
	}
	AddReportEntry("shortest failing sequence", model.Describe(f.Steps))
	msg := f.Error()
	if err := model.Reset(w.client, roles); err == nil {
		if at, _ := model.Execute(w.client, roles, f.Steps); at != len(f.Steps)-1 {
			msg += "\n(the final replay of the shortest sequence, in the transcript, did not fail the same way: the target may be flaky)"
		}
	}
	Fail(cfg.redactor.String(msg))
}
