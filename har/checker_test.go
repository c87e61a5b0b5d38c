package har

import (
	"bytes"
	"fmt"
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
