package interop

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/receivercheck"
	"github.com/favconform/favconform/report"
	"github.com/favconform/favconform/webhook"
)

// TestCheckReceiverOfficialSDKReceiver runs receiver-sdk.mjs - a receiver built on @wix/sdk's
// webhooks.process, as an app would write one - and checks it with receivercheck in both
// profiles: the SDK's verification passes every check, so the checks demand nothing the official
// SDK does not do.
func TestCheckReceiverOfficialSDKReceiver(t *testing.T) {
	node, npm := tools(t)
	installSDK(t, npm)
	key, err := webhook.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := webhook.PublicKeyPEM(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "receiver-sdk.mjs")
	cmd.Env = append(os.Environ(), "FAVCONFORM_SDK_DIR="+sdkDir, "FAVCONFORM_PUBLIC_KEY="+string(pub), "NODE_NO_WARNINGS=1")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		t.Fatalf("receiver-sdk.mjs did not start: %q %v", line, err)
	}
	for _, strict := range []bool{false, true} {
		rep, err := receivercheck.Check(ctx, receivercheck.Options{URL: url, PrivateKey: key, Strict: strict})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Verdict() != report.VerdictConforming {
			var b strings.Builder
			rep.Print(&b)
			t.Errorf("strict=%v: the official SDK's receiver fails the check:\n%s", strict, b.String())
		}
	}
}
