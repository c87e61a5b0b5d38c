package model_test

import (
	"testing"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/model"
)

// BenchmarkRun is one model-based run of DefaultSteps against the embedded mock over loopback
// HTTP (what each model-based spec costs against the mock).
func BenchmarkRun(b *testing.B) {
	for _, bc := range []struct {
		name  string
		roles []identity.Role
	}{{"one-user", []identity.Role{identity.User}}, {"two-users", twoUsers}} {
		b.Run(bc.name, func(b *testing.B) {
			c := mockClient(b)
			for i := 0; b.Loop(); i++ {
				res, err := model.Run(model.Config{Client: c, Roles: bc.roles, Seed: int64(i % 8)})
				if err != nil || res.Failure != nil {
					b.Fatal(err, res.Failure)
				}
			}
		})
	}
}

// BenchmarkGenerate is the planning of one sequence (no HTTP).
func BenchmarkGenerate(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		model.Generate(int64(i), model.DefaultSteps, twoUsers)
	}
}
