package runner_test

import (
	"fmt"
	"io"
	"os"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/runner"
)

// failer receives Ginkgo's suite-level failure; in a test, pass t instead.
type failer struct{ failed bool }

func (f *failer) Fail() { f.failed = true }

// Run the conformance suites against your own server from your own go test. In your module:
//
//	func TestConformance(t *testing.T) {
//		srv := httptest.NewServer(yourapp.Handler()) // your implementation of the API
//		defer srv.Close()
//		t.Setenv("FAVCONFORM_TOKEN_USER", "a token your server accepts")       // one per role:
//		t.Setenv("FAVCONFORM_TOKEN_SECOND_USER", "another user's token")       // runner.TokenEnv(role)
//		// AllowWrites: your server is on loopback, but it is not a favconform mock.
//		rep, err := runner.Run(t, runner.Options{TargetURL: srv.URL, AllowWrites: true, ReportDir: "reports"})
//		if err != nil {
//			t.Fatal(err)
//		}
//		if !rep.Summary.Conforming {
//			t.Errorf("%d spec(s) failed; see the summary above and reports/report.html", rep.Summary.Failed)
//		}
//	}
//
// Specs needing a role without a token are skipped, saying which variable supplies it. A target
// file (Options.TargetFile) names headers per role instead. Ginkgo runs once per test binary: keep
// one such test per package. Here the reference mock stands in for your server.
func ExampleRun() {
	yourServer, err := mock.NewServer(mock.Options{})
	if err != nil {
		panic(err)
	}
	defer yourServer.Close()
	for _, id := range identity.Default() {
		os.Setenv(runner.TokenEnv(id.Role), id.Token)
		defer os.Unsetenv(runner.TokenEnv(id.Role))
	}

	rep, err := runner.Run(&failer{}, runner.Options{TargetURL: yourServer.URL, AllowWrites: true, Out: io.Discard})
	if err != nil {
		panic(err)
	}
	fmt.Println("conforming:", rep.Summary.Conforming, "failed:", rep.Summary.Failed, "ran:", rep.Summary.Passed > 0)
	// Output:
	// conforming: true failed: 0 ran: true
}
