package har

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
)

// The reader holds few entries at once, by construction: at most entriesPerWorker per worker,
// and no more text than pendingBytes beyond the last entry it read, however fast it reads and
// however slowly the entries are checked.
func TestEntriesUnderWayAreBounded(t *testing.T) {
	body := strings.Repeat("a", 1<<20)
	entry := func(i int) string {
		return fmt.Sprintf(`{"request":{"method":"GET","url":"https://cdn.example/%d.js"},"response":{"status":200,"content":{"size":%d,"text":%q}}}`, i, len(body), body)
	}
	small := `{"request":{"method":"GET","url":"https://cdn.example/a.js"},"response":{"status":200}}`
	var doc bytes.Buffer
	doc.WriteString(`{"log":{"entries":[`)
	const large, many = 48, 2000
	for i := range large {
		doc.WriteString(entry(i) + ",")
	}
	for range many {
		doc.WriteString(small + ",")
	}
	doc.WriteString(small + "]}}")
	c, err := newChecker("bounded.har", Options{OmitExchanges: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.read(&doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries) != large+many+1 {
		t.Fatalf("want every entry's result, got %d", len(res.Entries))
	}
	if limit := entriesPerWorker * runtime.GOMAXPROCS(0); c.maxPending > limit {
		t.Errorf("%d entries were under way at once, more than %d", c.maxPending, limit)
	}
	if limit := pendingBytes + len(entry(0)); c.maxPendingText > limit {
		t.Errorf("%d bytes of entries were under way at once, more than %d", c.maxPendingText, limit)
	}
	t.Logf("at most %d entries, %.1f MiB of their text, under way", c.maxPending, float64(c.maxPendingText)/(1<<20))
}

// newRequest builds what http.NewRequest builds from the same method and URL.
func TestNewRequestAsNetHTTP(t *testing.T) {
	urls := []string{
		"https://www.wixapis.com/dashboard/v1/user-favorite-list",
		"https://www.wixapis.com:/dashboard/v1/user-favorite-list?favoriteListId=a%20b#frag",
		"http://127.0.0.1:8080/dashboard/v1/user-favorite-list/delete-favorite/x?favoriteId=x",
		"http://[::1]:/dashboard/v1/user-favorite-list",
		"http://[::1]/dashboard/v1/user-favorite-list",
		"http://user:pw@host/dashboard/v1/user-favorite-list/%2F",
	}
	for _, raw := range urls {
		for _, method := range []string{"GET", "PATCH", "get", "M-SEARCH", "GE T", "GET\n", "ÄÖ"} {
			want, wantErr := http.NewRequest(method, raw, nil)
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			got, gotErr := newRequest(method, u)
			if (wantErr != nil) != (gotErr != nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
				t.Errorf("%s %s: error %v, net/http's %v", method, raw, gotErr, wantErr)
				continue
			}
			if wantErr != nil {
				continue
			}
			if got.Method != want.Method || got.URL.String() != want.URL.String() || got.Host != want.Host || got.Proto != want.Proto ||
				got.ProtoMajor != want.ProtoMajor || got.ProtoMinor != want.ProtoMinor || got.Context() != want.Context() {
				t.Errorf("%s %s:\n got %s %s host %q %s\nwant %s %s host %q %s", method, raw, got.Method, got.URL, got.Host, got.Proto, want.Method, want.URL, want.Host, want.Proto)
			}
		}
	}
}
