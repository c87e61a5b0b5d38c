package receivercheck

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/report"
	"github.com/favconform/favconform/spec"
	"github.com/favconform/favconform/webhook"
)

// The three receivers of the tests: one that verifies as the docs say (webhook.Receiver, with
// the app's public key), one that takes anything, and one that answers too late.

func correctReceiver(t *testing.T) (string, *webhook.Receiver, *Options) {
	t.Helper()
	key, err := webhook.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	r, err := webhook.NewReceiver(webhook.ReceiverOptions{PublicKey: &key.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL, r, &Options{URL: srv.URL, PrivateKey: key}
}

func serve(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// acceptAnything answers 200 to every request: it verifies nothing.
func acceptAnything(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }

// slow verifies nothing and answers 200 after 2 s.
func slow(w http.ResponseWriter, r *http.Request) {
	select {
	case <-time.After(2 * time.Second):
	case <-r.Context().Done():
	}
	w.WriteHeader(http.StatusOK)
}

func check(t *testing.T, opts Options) *report.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Check(ctx, opts)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return rep
}

// states maps each case id (its spec's failure location, or name) to its spec.
func byCase(t *testing.T, rep *report.Report) map[string]report.Spec {
	t.Helper()
	cases := Cases()
	if len(rep.Specs) != len(cases) {
		t.Fatalf("%d specs for %d cases", len(rep.Specs), len(cases))
	}
	out := map[string]report.Spec{}
	for i, k := range cases {
		out[k.ID] = rep.Specs[i]
	}
	return out
}

func TestCheckReceiverCorrectReceiverPassesEveryCheck(t *testing.T) {
	for _, strict := range []bool{false, true} {
		_, recv, opts := correctReceiver(t)
		opts.Strict = strict
		rep := check(t, *opts)
		for id, s := range byCase(t, rep) {
			k := caseOf(id)
			switch {
			case k.Strict && !strict:
				if s.State != "skipped" || s.SkipCause != "strict" {
					t.Errorf("default profile: strict case %s is %s (cause %q), not skipped for strict", id, s.State, s.SkipCause)
				}
			case s.State != "passed":
				t.Errorf("strict=%v: case %s %s: %+v", strict, id, s.State, s.Failure)
			}
		}
		if v := rep.Verdict(); v != report.VerdictConforming {
			t.Errorf("strict=%v: verdict %s", strict, v)
		}
		for _, q := range rep.Requirements {
			want := "passed"
			if !strict && q.ID != "receiver.answers-in-time" && q.ID != "receiver.verifies-sender" {
				want = "skipped"
			}
			if q.Verdict != want {
				t.Errorf("strict=%v: requirement %s is %s, want %s", strict, q.ID, q.Verdict, want)
			}
		}
		// The valid deliveries are the mock's: webhook.Receiver accepted each (a duplicate once).
		wantAccepted := 4
		if strict {
			wantAccepted += 1 + 2 + 3
		}
		if n := len(recv.Deliveries()); n != wantAccepted {
			t.Errorf("strict=%v: the receiver accepted %d events, want %d; rejections: %v", strict, n, wantAccepted, recv.Rejections())
		}
		var out strings.Builder
		rep.Print(&out)
		if !strings.Contains(out.String(), report.VerdictConforming) {
			t.Errorf("console summary without the verdict:\n%s", out.String())
		}
		dir := t.TempDir()
		if err := rep.WriteAll(dir); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"junit.xml", "report.json", "report.html", "summary.md"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Error(err)
			}
		}
	}
}

func TestCheckReceiverWithoutSignatureChecksFailsTheForgeries(t *testing.T) {
	for _, strict := range []bool{false, true} {
		rep := check(t, Options{URL: serve(t, acceptAnything), Strict: strict})
		for id, s := range byCase(t, rep) {
			k := caseOf(id)
			forgery := k.Requirement == "receiver.verifies-sender" || k.Requirement == "receiver.rejects-expired" || k.Requirement == "receiver.rejects-non-string-data"
			switch {
			case k.Strict && !strict:
				if s.State != "skipped" {
					t.Errorf("case %s ran in the default profile", id)
				}
			case forgery:
				if s.State != "failed" {
					t.Errorf("strict=%v: forgery case %s %s against a receiver that takes anything", strict, id, s.State)
				} else if !strings.Contains(s.Failure.Message, "answered 200") || !strings.Contains(s.Failure.Message, "sent: ") || !strings.Contains(s.Failure.Message, "body (first 200 bytes)") {
					t.Errorf("case %s: unclear message:\n%s", id, s.Failure.Message)
				}
			case s.State != "passed":
				t.Errorf("strict=%v: case %s %s: %+v", strict, id, s.State, s.Failure)
			}
		}
		if v := rep.Verdict(); v != report.VerdictNonconforming {
			t.Errorf("verdict %s", v)
		}
	}
}

func TestCheckReceiverSlowReceiverFailsTheTimingChecks(t *testing.T) {
	t.Parallel()
	rep := check(t, Options{URL: serve(t, slow)})
	for id, s := range byCase(t, rep) {
		k := caseOf(id)
		switch {
		case k.Strict:
		case k.Requirement == "receiver.answers-in-time":
			if s.State != "failed" || !strings.Contains(s.Failure.Message, "no answer within 1.25s") {
				t.Errorf("case %s against a receiver answering after 2 s: %s %+v", id, s.State, s.Failure)
			}
		case s.State != "passed": // no 2xx in time: a refusal, in the default profile
			t.Errorf("case %s: %s %+v", id, s.State, s.Failure)
		}
	}
}

func TestCheckReceiverUnreachableIsAnError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/hooks"
	ln.Close()
	rep, err := Check(context.Background(), Options{URL: url})
	var u *UnreachableError
	if !errors.As(err, &u) || rep != nil {
		t.Fatalf("Check of a closed port: report %v, error %v; want an *UnreachableError", rep, err)
	}
	if _, err := Check(context.Background(), Options{URL: "ftp://example.com/"}); err == nil || errors.As(err, &u) {
		t.Errorf("an ftp URL: %v", err)
	}
}

// A receiver that answers 204 and refuses forgeries with 500 passes the default profile and fails
// the strict one, which wants 200 and a 4xx (receiver-success-status, receiver-forgery-answer).
func TestCheckReceiverStrictStatuses(t *testing.T) {
	_, _, opts := correctReceiver(t)
	r, err := webhook.NewReceiver(webhook.ReceiverOptions{PublicKey: &opts.PrivateKey.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	url := serve(t, func(w http.ResponseWriter, req *http.Request) {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
	})
	if rep := check(t, Options{URL: url, PrivateKey: opts.PrivateKey}); rep.Verdict() != report.VerdictConforming {
		var b strings.Builder
		rep.Print(&b)
		t.Errorf("default profile: %s", b.String())
	}
	rep := check(t, Options{URL: url, PrivateKey: opts.PrivateKey, Strict: true})
	for id, s := range byCase(t, rep) {
		if s.State != "failed" {
			t.Errorf("strict: case %s %s against 204 / 500", id, s.State)
		}
	}
	found := 0
	for _, o := range rep.ObservedReadings {
		if (o.ID == "receiver-success-status" && strings.HasSuffix(o.Reading, " 204")) || (o.ID == "receiver-forgery-answer" && strings.HasSuffix(o.Reading, " 500")) {
			found++
		}
	}
	if found != 2 {
		t.Errorf("observed readings %+v", rep.ObservedReadings)
	}
}

func caseOf(id string) Case {
	for _, k := range Cases() {
		if k.ID == id {
			return k
		}
	}
	panic("no case " + id)
}

// The receiver register is well formed and traced: every entry is covered by a case, every case
// cites an entry, every strict case a discrepancy, and every quote is verbatim in the docs.
func TestCheckReceiverRegister(t *testing.T) {
	reqs, err := Requirements()
	if err != nil {
		t.Fatal(err)
	}
	suites, err := spec.Requirements()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range suites {
		if strings.HasPrefix(q.ID, IDPrefix) {
			t.Errorf("%s is in the suites' register (requirements:), not in receiverRequirements:", q.ID)
		}
	}
	ds, err := spec.Discrepancies()
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, k := range Cases() {
		covered[k.Requirement] = true
		if !slices.ContainsFunc(reqs, func(q spec.Requirement) bool { return q.ID == k.Requirement }) {
			t.Errorf("case %s cites %s, which receiverRequirements lacks", k.ID, k.Requirement)
		}
		if k.Strict != (k.Reading != "") {
			t.Errorf("case %s: strict %v but reading %q", k.ID, k.Strict, k.Reading)
		}
		if k.Reading != "" && !slices.ContainsFunc(ds, func(d spec.Discrepancy) bool { return d.ID == k.Reading }) {
			t.Errorf("case %s reads %s, which spec/discrepancies.yaml lacks", k.ID, k.Reading)
		}
	}
	for _, q := range reqs {
		if !covered[q.ID] {
			t.Errorf("requirement %s has no case covering it", q.ID)
		}
	}
	dir := filepath.Join("..", "..", "shared", "api-docs")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("FAVCONFORM_REQUIRE_SOURCES") == "1" {
			t.Fatalf("no sources at %s", dir)
		}
		t.Skipf("no sources at %s: quotes not checked", dir)
	}
	fold := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, q := range reqs {
		b, err := os.ReadFile(filepath.Join(dir, q.Source))
		if err != nil || q.Source != filepath.Base(q.Source) {
			t.Errorf("%s: source %q: %v", q.ID, q.Source, err)
			continue
		}
		if !strings.Contains(fold(string(b)), fold(q.Quote)) {
			t.Errorf("%s: the quote is not verbatim in %s: %s", q.ID, q.Source, q.Quote)
		}
	}
}
