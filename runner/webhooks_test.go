package runner

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/webhook"
)

// The embedded mock delivers its events to the receiver the run hands to the suites.
func TestEmbeddedMockDeliversToTheReceiver(t *testing.T) {
	cfg, r, stop, err := startTarget(Options{}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if r == nil || cfg.Webhooks == nil || !strings.HasSuffix(cfg.Webhooks.PublicURL, webhookPath) {
		t.Fatalf("the embedded run must have a receiver: %v %+v", r, cfg.Webhooks)
	}
	req, _ := http.NewRequest(http.MethodPost, cfg.BaseURL+api.AddFavoritePath, strings.NewReader(`{"favorite":{"pageId":"p","title":"t"}}`))
	req.Header.Set("Authorization", cfg.Identities["user"]["Authorization"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("add: %d", resp.StatusCode)
	}
	if _, ok := r.Await(t.Context(), func(d webhook.Delivery) bool { return d.Event.Slug == webhook.SlugCreated }); !ok {
		t.Fatalf("no Created event reached the receiver; rejections: %v", r.Rejections())
	}
}

// A target file's webhooks section starts a receiver with the app's key; a bad key is a usage
// error.
func TestTargetFileWebhooks(t *testing.T) {
	dir := t.TempDir()
	key, err := webhook.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := webhook.PublicKeyPEM(&key.PublicKey)
	if err := os.WriteFile(filepath.Join(dir, "app.pem"), pub, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.pem"), []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	write := func(keyFile string) string {
		f := filepath.Join(dir, keyFile+".yaml")
		body := "baseURL: http://127.0.0.1:1\nidentities: {user: {headers: {Authorization: tok-12345678}}}\n" +
			"webhooks: {listen: '127.0.0.1:0', publicURL: 'https://hooks.example.net/x', publicKeyFile: " + keyFile + "}\n"
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	var out bytes.Buffer
	_, r, stop, err := startTarget(Options{TargetFile: write("app.pem")}, &out)
	if err != nil || r == nil {
		t.Fatalf("want a receiver, got %v %v", r, err)
	}
	stop()
	if !strings.Contains(out.String(), "https://hooks.example.net/x") {
		t.Errorf("the run must say where events are expected: %q", out.String())
	}
	for _, f := range []string{"bad.pem", "missing.pem"} {
		_, _, stop, err := startTarget(Options{TargetFile: write(f)}, &bytes.Buffer{})
		stop()
		var ue UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "publicKeyFile") {
			t.Errorf("%s: want a usage error naming publicKeyFile, got %v", f, err)
		}
	}
	// Without the section there is no receiver (the event suite is skipped).
	f := filepath.Join(dir, "plain.yaml")
	if err := os.WriteFile(f, []byte("baseURL: http://127.0.0.1:1\nidentities: {user: {headers: {Authorization: tok-12345678}}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, r, stop, err = startTarget(Options{TargetFile: f}, &bytes.Buffer{})
	stop()
	if err != nil || r != nil {
		t.Fatalf("want no receiver and no error, got %v %v", r, err)
	}
}
