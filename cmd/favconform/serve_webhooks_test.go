package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/favconform/favconform/webhook"
)

// serve prints the public key of the key pair it is given, never the private key, and stops on
// SIGTERM.
func TestServePrintsTheWebhookPublicKey(t *testing.T) {
	key, err := webhook.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := webhook.PrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(file, priv, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", "--webhook-private-key", file, "--webhook-url", "http://127.0.0.1:1/hooks")
	cmd.Env = append(os.Environ(), "FAVCONFORM_TEST_MAIN=1")
	var out, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "-----END PUBLIC KEY-----"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("serve printed no public key\n%s%s", out.String(), stderr.String())
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, stderr.String())
	}
	text := out.String()
	i := strings.Index(text, "-----BEGIN PUBLIC KEY-----")
	if i < 0 {
		t.Fatalf("no public key in:\n%s", text)
	}
	pub, err := webhook.ParsePublicKeyPEM([]byte(text[i:]))
	if err != nil || !pub.Equal(&key.PublicKey) {
		t.Fatalf("the printed key is not the given key's public half: %v", err)
	}
	body := strings.Join(strings.Split(strings.TrimSpace(string(priv)), "\n")[1:3], "")
	if strings.Contains(text, "PRIVATE") || strings.Contains(strings.ReplaceAll(text, "\n", ""), body) {
		t.Fatal("serve must never print the private key")
	}
	for _, want := range []string{"webhook events: delivered to http://127.0.0.1:1/hooks", "/_favconform/webhook-public-key.pem"} {
		if !strings.Contains(text, want) {
			t.Errorf("serve's output must contain %q:\n%s", want, text)
		}
	}
}

func TestServeRefusesBadWebhookSettings(t *testing.T) {
	dir := t.TempDir()
	notAKey := filepath.Join(dir, "secret.pem")
	if err := os.WriteFile(notAKey, []byte("top-secret-material"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"missing key file": {"--webhook-private-key", filepath.Join(dir, "none.pem")},
		"not a key":        {"--webhook-private-key", notAKey},
		"bad URL":          {"--webhook-url", "ftp://example.com/x"},
		"negative delay":   {"--webhook-delay", "-1s"},
	} {
		r := favconform(t, nil, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
		if r.code != 2 || strings.Contains(r.stderr+r.stdout, "top-secret") {
			t.Errorf("%s: want exit 2 without quoting the file, got %d\n%s%s", name, r.code, r.stdout, r.stderr)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
