package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/webhook"
)

// verifyingReceiver serves a webhook.Receiver that verifies with the public key in pubFile.
func verifyingReceiver(t *testing.T, pubFile string) *webhook.Receiver {
	t.Helper()
	b, err := os.ReadFile(pubFile)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := webhook.ParsePublicKeyPEM(b)
	if err != nil {
		t.Fatal(err)
	}
	r, err := webhook.NewReceiver(webhook.ReceiverOptions{PublicKey: pub})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func keygen(t *testing.T) (key, pub string) {
	t.Helper()
	dir := t.TempDir()
	key, pub = filepath.Join(dir, "key.pem"), filepath.Join(dir, "pub.pem")
	r := favconform(t, nil, "check-receiver", "keygen", "--out", key, "--public-out", pub)
	if r.code != 0 || !strings.Contains(r.stdout, "BEGIN PUBLIC KEY") || strings.Contains(r.stdout+r.stderr, "PRIVATE") {
		t.Fatalf("keygen: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if info, err := os.Stat(key); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the private key file: %v %v", info, err)
	}
	return key, pub
}

// The documented CI flow: keygen, configure the receiver with the public key, check. A correct
// receiver passes both profiles (exit 0) and the four reports are written.
func TestCheckReceiverCommandCorrectReceiverPasses(t *testing.T) {
	key, pub := keygen(t)
	srv := httptest.NewServer(verifyingReceiver(t, pub))
	defer srv.Close()
	dir := t.TempDir()
	r := favconform(t, nil, "check-receiver", "--url", srv.URL+"/hooks", "--webhook-private-key", key, "--report-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "CONFORMING") || !strings.Contains(r.stdout, "run with --strict") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, f := range []string{"junit.xml", "report.json", "report.html", "summary.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	rep := readReport(t, dir)
	if rep.Target != srv.URL+"/hooks" || rep.Summary.Failed != 0 || rep.Summary.Passed == 0 || rep.Summary.Skipped == 0 {
		t.Errorf("report: target %s, summary %+v", rep.Target, rep.Summary)
	}
	if r := favconform(t, nil, "check-receiver", "--url", srv.URL, "--webhook-private-key", key, "--strict"); r.code != 0 {
		t.Errorf("--strict: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// A receiver that takes anything fails the forgery checks: exit 1, and the console names them.
func TestCheckReceiverCommandAcceptAnythingFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer srv.Close()
	dir := t.TempDir()
	pubFile := filepath.Join(dir, "pub.pem")
	r := favconform(t, nil, "check-receiver", "--url", srv.URL, "--public-key-out", pubFile)
	if r.code != 1 || !strings.Contains(r.stdout, "NOT CONFORMING") || !strings.Contains(r.stdout, "receiver.verifies-sender") ||
		!strings.Contains(r.stdout, "signed RS256 with another key") || !strings.Contains(r.stdout, `"ok"`) {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	pub, err := os.ReadFile(pubFile)
	if err != nil || !strings.Contains(r.stdout, string(pub)) {
		t.Errorf("the generated public key is not printed and written (%v):\n%s", err, r.stdout)
	}
}

func TestCheckReceiverCommandUnreachableExits3(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/hooks"
	ln.Close()
	if r := favconform(t, nil, "check-receiver", "--url", url); r.code != 3 || !strings.Contains(r.stderr, "cannot be reached") {
		t.Errorf("a closed port: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := favconform(t, nil, "check-receiver", "--url", url, "--wait-ready", "300ms"); r.code != 3 || !strings.Contains(r.stderr, "did not answer within") {
		t.Errorf("--wait-ready on a closed port: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestCheckReceiverCommandBadUsageExits2(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "exists.pem")
	if err := os.WriteFile(existing, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{},
		{"--url", "ftp://example.com/"},
		{"--url", "http://127.0.0.1:1/", "--no-such-flag"},
		{"--url", "http://127.0.0.1:1/", "--timeout", "0s"},
		{"--url", "http://127.0.0.1:1/", "--timeout", "soon"},
		{"--url", "http://127.0.0.1:1/", "--webhook-private-key", filepath.Join(dir, "missing.pem")},
		{"--url", "http://127.0.0.1:1/", "--webhook-private-key", existing},
		{"--url", "http://127.0.0.1:1/", "extra"},
		{"keygen"},
		{"keygen", "--out", existing},
	} {
		r := favconform(t, nil, append([]string{"check-receiver"}, args...)...)
		if r.code != 2 || r.stderr == "" {
			t.Errorf("check-receiver %v: exit %d, want 2\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "x" {
		t.Error("keygen overwrote an existing file")
	}
	for _, args := range [][]string{{"--help"}, {"keygen", "--help"}} {
		if r := favconform(t, nil, append([]string{"check-receiver"}, args...)...); r.code != 0 || !strings.Contains(r.stdout+r.stderr, "Usage") {
			t.Errorf("check-receiver %v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := favconform(t, nil, "--help"); !strings.Contains(r.stdout, "check-receiver") {
		t.Errorf("the top-level usage does not list check-receiver:\n%s", r.stdout)
	}
}

// Without a key: the command generates one, writes the public key, and waits (--wait-ready) for
// the receiver, which a script starts configured with that key; the checks then pass.
func TestCheckReceiverCommandWaitsForAReceiverConfiguredWithTheGeneratedKey(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	pubFile := filepath.Join(t.TempDir(), "pub.pem")
	cmd := exec.Command(os.Args[0], "check-receiver", "--url", "http://"+addr+"/hooks", "--public-key-out", pubFile, "--wait-ready", "30s")
	cmd.Env = append(os.Environ(), "FAVCONFORM_TEST_MAIN=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(pubFile); err == nil && bytes.Contains(b, []byte("END PUBLIC KEY")) {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("no public key written\n%s\n%s", out.String(), errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: verifyingReceiver(t, pubFile)}}
	srv.Start()
	defer srv.Close()
	err = cmd.Wait()
	if err != nil || !strings.Contains(out.String(), "CONFORMING") {
		t.Fatalf("exit %v\n%s\n%s", err, out.String(), errb.String())
	}
}
