package interop

import (
	"bufio"
	"context"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/validate"

	"github.com/favconform/favconform/receivercheck"
	"github.com/favconform/favconform/report"
	"github.com/favconform/favconform/webhook"
)

// TestCheckReceiverOfficialSDKReceiver runs receiver-sdk.mjs - a receiver built on @wix/sdk's
// webhooks.process, as an app would write one - and checks it with receivercheck in both
// profiles: the SDK's verification passes every check, so the checks demand nothing the official
// SDK does not do.
func TestCheckReceiverOfficialSDKReceiver(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	url, key := startSDKReceiver(ctx, t)
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

// TestTheOfficialSDKConsumesTheMocksEvents points the mock's webhooks at receiver-sdk.mjs (the
// SDK's webhooks.process with onFavoriteListCreated/Updated/Deleted) and plays the sample flow:
// the handlers see Created, Updated (add), Updated (delete the favorite) and Deleted, in order,
// about the list, with its favorites, and the dates turned into Dates.
func TestTheOfficialSDKConsumesTheMocksEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	url, key := startSDKReceiver(ctx, t)

	srv, err := mock.NewServer(mock.Options{Webhooks: &mock.WebhookOptions{URLs: []string{url}, PrivateKey: key}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	user, _ := identity.ByRole(identity.Default(), identity.User)
	v, err := validate.Default()
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(target.Config{BaseURL: srv.URL, Identities: map[identity.Role]target.Headers{identity.User: {"Authorization": user.Token}}}, v, nil)
	k := c.As(identity.User)
	created := k.CreateList(api.Favorite{PageID: "3893d33b-24a1-474b-80b0-dd7c32e20bfb", Title: "My Page"})
	if !created.OK() || created.List == nil {
		t.Fatalf("create: %s", created.Describe())
	}
	added := k.AddFavorite(api.Favorite{PageID: "3893d33b-9fm4-474b-80b0-dd7c32e20bfc", RelativeURL: "/limited-edition/analytics", Title: "Limited Edition Products Analytics"})
	if !added.OK() || added.List == nil {
		t.Fatalf("add: %s", added.Describe())
	}
	var fav string
	for _, f := range added.List.Favorites {
		if f.Title == "Limited Edition Products Analytics" {
			fav = f.ID
		}
	}
	if r := k.DeleteFavorite(fav); !r.OK() {
		t.Fatalf("delete favorite: %s", r.Describe())
	}
	if r := k.DeleteList(created.List.ID); !r.OK() {
		t.Fatalf("delete list: %s", r.Describe())
	}
	if err := srv.Mock.FlushWebhooksContext(ctx); err != nil {
		t.Fatalf("the deliveries did not settle: %v", err)
	}

	type seenEvent struct {
		Kind, EntityID, ID, Revision string
		Sequence                     string
		Titles                       []string
		EventTimeIsDate              bool
		DatesAreDates                bool
	}
	var seen []seenEvent
	resp, err := http.Get(strings.TrimSuffix(url, "/webhooks") + "/seen")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&seen); err != nil {
		t.Fatal(err)
	}
	kinds := []string{}
	for _, e := range seen {
		kinds = append(kinds, e.Kind)
	}
	// Deliveries may arrive out of order (the mock holds each back a little): sort by sequence.
	sort.Slice(seen, func(i, j int) bool { return seqOf(seen[i].Sequence) < seqOf(seen[j].Sequence) })
	want := []string{"created", "updated", "updated", "deleted"}
	if len(seen) != len(want) {
		t.Fatalf("the SDK's handlers saw %v, want the flow's %v", kinds, want)
	}
	for i, e := range seen {
		if e.Kind != want[i] || e.EntityID != created.List.ID || !e.EventTimeIsDate {
			t.Errorf("event %d: %+v, want %s about list %s with eventTime a Date", i, e, want[i], created.List.ID)
		}
		if e.Kind != "deleted" && (e.ID != created.List.ID || !e.DatesAreDates) {
			t.Errorf("event %d: entity %+v, want list %s with its dates as Dates", i, e, created.List.ID)
		}
	}
	if got := strings.Join(seen[1].Titles, "|"); got != "My Page|Limited Edition Products Analytics" && got != "Limited Edition Products Analytics|My Page" {
		t.Errorf("the add's Updated event holds %q", got)
	}
}

func seqOf(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// startSDKReceiver starts receiver-sdk.mjs (the SDK installed first; the test skipped without
// node) with the public key of a key pair made for it, until the test ends, and returns its URL
// and the private key.
func startSDKReceiver(ctx context.Context, t *testing.T) (string, *rsa.PrivateKey) {
	t.Helper()
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
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		t.Fatalf("receiver-sdk.mjs did not start: %q %v", line, err)
	}
	return url, key
}
