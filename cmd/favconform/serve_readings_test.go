package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
)

// TestServeListsReadings: --list-readings prints every reading with the discrepancy it reads and
// its description, and marks the readings that exclude each other.
func TestServeListsReadings(t *testing.T) {
	r := favconform(t, nil, "serve", "--list-readings")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	readings := mock.Readings()
	if len(lines) != len(readings) {
		t.Fatalf("%d lines for %d readings:\n%s", len(lines), len(readings), r.stdout)
	}
	for i, rd := range readings {
		fields := strings.Fields(lines[i])
		if len(fields) < 4 || fields[0] != rd.Name || fields[1] != "reads" || fields[2] != rd.Discrepancy || !strings.Contains(lines[i], rd.Description) {
			t.Errorf("line %q, want %s reads %s: %s", lines[i], rd.Name, rd.Discrepancy, rd.Description)
		}
		if grouped := strings.Contains(lines[i], "[group "+rd.Group+":"); grouped != (rd.Group != "") {
			t.Errorf("line %q: the group %q is not shown as it should be", lines[i], rd.Group)
		}
	}
	// --list-deviations lists deviations only.
	devs := favconform(t, nil, "serve", "--list-deviations")
	for _, rd := range readings {
		if regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(rd.Name) + `\s`).MatchString(devs.stdout) {
			t.Errorf("--list-deviations lists the reading %s", rd.Name)
		}
	}
}

func TestServeHelpExplainsReadings(t *testing.T) {
	r := favconform(t, nil, "serve", "-h")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"--reading NAME", "legitimate reading", "--list-readings", "-reading value", "--deviate NAME", "-list-deviations"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("serve's help lacks %q:\n%s", want, r.stderr)
		}
	}
}

// TestServeRefusesBadReadings: a bad --reading is a usage error (exit 2) that says what is wrong,
// before anything listens.
func TestServeRefusesBadReadings(t *testing.T) {
	for name, c := range map[string]struct {
		args []string
		want []string
	}{
		"unknown reading":         {[]string{"--reading", "no-such-reading"}, []string{`unknown reading "no-such-reading"`, "known:", "add-prepends", "wrong-method-404"}},
		"two readings of a group": {[]string{"--reading", "get-missing-200-empty,get-missing-200-empty-list"}, []string{"exclude each other", `"get-missing"`}},
		"a deviation as reading":  {[]string{"--reading", "shared-list"}, []string{`"shared-list" is a deviation`, "--deviate"}},
		"a reading as deviation":  {[]string{"--deviate", "no-request-id"}, []string{`"no-request-id" is a reading`, "--reading"}},
	} {
		r := favconform(t, nil, append([]string{"serve", "--addr", "127.0.0.1:0"}, c.args...)...)
		if r.code != 2 || strings.Contains(r.stdout, "listening") {
			t.Errorf("%s: exit %d, want 2 before listening\n%s%s", name, r.code, r.stdout, r.stderr)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", name, w, r.stderr)
			}
		}
	}
}

// TestServeWithReadings serves the mock with readings (repeated and comma-separated) and a
// deviation: it says which are on, the identity endpoint lists them, and the mock answers by them.
func TestServeWithReadings(t *testing.T) {
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0",
		"--reading", "no-request-id, get-missing-200-empty", "--reading", "add-prepends", "--deviate", "no-item-limit")
	cmd.Env = append(os.Environ(), "FAVCONFORM_TEST_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	var addr string
	var head []string
	lines := bufio.NewScanner(stdout)
	addrRE := regexp.MustCompile(`listening on http://(\S+)`)
	for lines.Scan() && !strings.HasPrefix(lines.Text(), "identities") {
		head = append(head, lines.Text())
		if m := addrRE.FindStringSubmatch(lines.Text()); m != nil {
			addr = m[1]
		}
	}
	exited := make(chan error, 1)
	go func() { _, _ = io.Copy(io.Discard, stdout); exited <- cmd.Wait() }() // Wait once the output is read
	if addr == "" {
		t.Fatalf("serve printed no address:\n%s", strings.Join(head, "\n"))
	}
	text := strings.Join(head, "\n")
	for _, want := range []string{"readings on: [no-request-id get-missing-200-empty add-prepends]", "deviations on: [no-item-limit]"} {
		if !strings.Contains(text, want) {
			t.Errorf("serve's output lacks %q:\n%s", want, text)
		}
	}

	client := &http.Client{Timeout: 5 * time.Second}
	res, err := client.Get("http://" + addr + mock.IdentityPath)
	if err != nil {
		t.Fatal(err)
	}
	var id mock.Identity
	err = json.NewDecoder(res.Body).Decode(&id)
	res.Body.Close()
	if err != nil || !id.FavconformMock || !slices.Equal(id.Readings, []string{"add-prepends", "get-missing-200-empty", "no-request-id"}) ||
		!slices.Equal(id.Deviations, []string{"no-item-limit"}) {
		t.Errorf("identity %+v (%v)", id, err)
	}

	u, _ := identity.ByRole(identity.Default(), identity.User)
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+api.ListPath, nil)
	req.Header.Set("Authorization", u.Token)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "{}" || res.Header.Get(mock.RequestIDHeader) != "" {
		t.Errorf("GET with no list: %d %s (%s %q), want 200 {} without the header", res.StatusCode, body, mock.RequestIDHeader, res.Header.Get(mock.RequestIDHeader))
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("serve did not stop within 10s of SIGTERM")
	}
}
