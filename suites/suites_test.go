package suites_test

import (
	"os"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/favconform/favconform/runner"
)

// TestConformance runs the suites under go test and the ginkgo CLI: against the embedded mock,
// or against the target named by FAVCONFORM_TARGET_FILE / FAVCONFORM_TARGET.
// FAVCONFORM_STRICT=1 adds the strict profile; FAVCONFORM_DEVIATE=a,b switches mock deviations on.
func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	opts := runner.Options{
		TargetFile: os.Getenv("FAVCONFORM_TARGET_FILE"),
		TargetURL:  os.Getenv("FAVCONFORM_TARGET"),
		Strict:     os.Getenv("FAVCONFORM_STRICT") == "1",
		Out:        os.Stdout,
	}
	if d := os.Getenv("FAVCONFORM_DEVIATE"); d != "" {
		opts.Deviations = strings.Split(d, ",")
	}
	if _, err := runner.Run(t, opts); err != nil {
		t.Fatal(err)
	}
}
