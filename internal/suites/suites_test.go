package suites_test

import (
	"os"
	"strings"
	"testing"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/runner"
	"github.com/favconform/favconform/target"
)

// TestConformance runs the suites under go test and the ginkgo CLI: against the embedded mock,
// or against the target named by FAVCONFORM_TARGET_FILE / FAVCONFORM_TARGET.
// FAVCONFORM_STRICT=1 adds the strict profile; FAVCONFORM_DEVIATE=a,b switches mock deviations on.
// With FAVCONFORM_TARGET alone, the roles' tokens come from FAVCONFORM_TOKEN_<ROLE>.
func TestConformance(t *testing.T) {
	opts := runner.Options{
		TargetFile: os.Getenv("FAVCONFORM_TARGET_FILE"),
		TargetURL:  os.Getenv("FAVCONFORM_TARGET"),
		Strict:     os.Getenv("FAVCONFORM_STRICT") == "1",
		Out:        os.Stdout,
		// This binary is the suites' Ginkgo entry point (go test, the ginkgo CLI): run them here.
		InProcess: true,
	}
	if opts.TargetURL != "" && opts.TargetFile == "" {
		opts.Tokens = map[identity.Role]string{}
		for _, r := range identity.Roles {
			if v := os.Getenv(target.TokenEnv(r)); v != "" {
				opts.Tokens[r] = v
			}
		}
	}
	if d := os.Getenv("FAVCONFORM_DEVIATE"); d != "" {
		opts.Deviations = strings.Split(d, ",")
	}
	if _, err := runner.Run(t, opts); err != nil {
		t.Fatal(err)
	}
}
