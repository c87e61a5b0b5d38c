package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
)

// TestFaultsThroughTheOfficialSDK runs faults.test.mjs against the reference mock: every fault
// kind the mock injects (set by the script through POST /_favconform/faults) must reach the SDK as
// the error a real app handles — 429 and 503 thrown with their status, a drop as a network error,
// concurrent-writer as updateUserFavoriteList's conflict — and latency must only slow a call down.
// The mock sits behind no proxy here: a dropped connection must reach the SDK as it is. An admin
// token is set, so the script's admin calls are also shown to carry it.
func TestFaultsThroughTheOfficialSDK(t *testing.T) {
	node, npm := tools(t)
	installSDK(t, npm)

	const adminToken = "faults-admin-token-0123"
	srv, err := mock.NewServer(mock.Options{AdminToken: adminToken})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	user, _ := identity.ByRole(identity.Default(), identity.User)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "faults.test.mjs")
	cmd.Dir = sdkDir
	cmd.Env = append(os.Environ(), "FAVCONFORM_URL="+srv.URL, "FAVCONFORM_TOKEN_USER="+user.Token,
		"FAVCONFORM_ADMIN_TOKEN="+adminToken, "NODE_NO_WARNINGS=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if ctx.Err() != nil {
		err = errors.Join(err, fmt.Errorf("the script did not finish within 60s"))
	}
	if err != nil {
		t.Fatalf("faults through the SDK: %v\n%s", err, out.String())
	}
	t.Logf("node --test faults.test.mjs:\n%s", summaryLines(out.String()))
	if !strings.Contains(out.String(), "# pass 5") {
		t.Fatalf("want 5 passing tests:\n%s", out.String())
	}
	// The script removes its rules when done; the journal shows the faulted calls.
	if fs := srv.Mock.Faults(); len(fs) != 0 {
		t.Errorf("rules left after the script: %v", fs)
	}
	statuses := map[int]int{}
	for _, r := range srv.Mock.Requests() {
		statuses[r.Status]++
	}
	for _, s := range []int{429, 503, 409} {
		if statuses[s] == 0 {
			t.Errorf("the journal shows no %d (statuses %v)", s, statuses)
		}
	}
}
