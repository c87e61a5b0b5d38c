package runner_test

import (
	"fmt"
	"io"

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
//		rep, err := runner.Run(t, runner.Options{
//			TargetURL: srv.URL,
//			Tokens: map[identity.Role]string{ // one per role your server knows
//				identity.User:       "a token your server accepts",
//				identity.SecondUser: "another user's token",
//			},
//			AllowWrites: true, // your server is on loopback, but it is not a favconform mock
//			ReportDir:   "reports",
//		})
//		if err != nil {
//			t.Fatal(err)
//		}
//		if !rep.Summary.Conforming {
//			t.Errorf("%d spec(s) failed; see the summary above and reports/report.html", rep.Summary.Failed)
//		}
//	}
//
// Specs needing a role without a token are skipped, saying so. A target file (Options.TargetFile)
// names headers per role instead. Called with a test's t, Run runs the suites in a child process
// of the test binary: any number of tests may call it, in parallel too, and the package may have
// a Ginkgo suite of its own. Here the reference mock stands in for your server, and the suites run
// in this process (a t without a name, as the command's).
func ExampleRun() {
	yourServer, err := mock.NewServer(mock.Options{})
	if err != nil {
		panic(err)
	}
	defer yourServer.Close()
	tokens := map[identity.Role]string{}
	for _, id := range identity.Default() {
		tokens[id.Role] = id.Token
	}

	rep, err := runner.Run(&failer{}, runner.Options{TargetURL: yourServer.URL, Tokens: tokens, AllowWrites: true, Out: io.Discard})
	if err != nil {
		panic(err)
	}
	fmt.Println("conforming:", rep.Summary.Conforming, "failed:", rep.Summary.Failed, "ran:", rep.Summary.Passed > 0)
	// Output:
	// conforming: true failed: 0 ran: true
}
