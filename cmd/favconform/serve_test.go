package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
)

// TestServeShutsDownGracefullyOnSIGTERM runs `favconform serve` as a child process, starts a
// request, sends SIGTERM while the request is under way, and expects: no new connections, the
// request answered, exit 0, and the port free again.
func TestServeShutsDownGracefullyOnSIGTERM(t *testing.T) {
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "FAVCONFORM_TEST_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
	})

	// The first line names the address.
	lines := bufio.NewScanner(stdout)
	addrRE := regexp.MustCompile(`listening on http://(\S+)`)
	var addr string
	for lines.Scan() {
		if m := addrRE.FindStringSubmatch(lines.Text()); m != nil {
			addr = m[1]
			break
		}
	}
	if addr == "" {
		t.Fatalf("serve printed no address (%v)", lines.Err())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout); exited <- cmd.Wait() }()

	// A request under way: headers and half of the body.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	u, _ := identity.ByRole(identity.Default(), identity.User)
	body := `{"favorite": {"pageId": "in-flight", "title": "Sent across the shutdown"}}`
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		api.AddFavoritePath, addr, u.Token, len(body), body[:20])
	time.Sleep(200 * time.Millisecond)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-exited:
		t.Fatalf("serve exited (%v) with a request under way", err)
	default:
	}
	if c2, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c2.Close()
		t.Error("serve still accepts connections after SIGTERM")
	}

	fmt.Fprint(c, body[20:])
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("the request under way at SIGTERM got no answer: %v", err)
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the request under way at SIGTERM: %d %s", res.StatusCode, answer)
	}

	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM; want 0", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not exit within 10s of SIGTERM once the last request was answered")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the port %s is not released after serve exited: %v", addr, err)
	}
	ln.Close()
}
