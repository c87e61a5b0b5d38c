package har_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/favconform/favconform/har"
)

// fixtureEntries are clean.har's entries, each as its JSON text: 0 a page asset, 1 create,
// 2 get (base64), 3 update, 4 add, 5 delete a favorite, 6 delete the list.
func fixtureEntries(t *testing.T) []har.Entry {
	t.Helper()
	l := read(t, "clean.har")
	if len(l.Entries) != 7 {
		t.Fatalf("clean.har must hold 7 entries, has %d", len(l.Entries))
	}
	return l.Entries
}

func entryJSON(t *testing.T, e har.Entry) []byte {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// generated is a HAR document produced piece by piece as it is read, so that a test can check a
// document far larger than it holds. next returns the next piece, nil at the end.
type generated struct {
	next func() []byte
	rest []byte
}

func (g *generated) Read(p []byte) (int, error) {
	for len(g.rest) == 0 {
		if g.rest = g.next(); g.rest == nil {
			return 0, io.EOF
		}
	}
	n := copy(p, g.rest)
	g.rest = g.rest[n:]
	return n, nil
}

// liveHeap is the heap in use after a collection: what the program holds at that moment.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

const harStart = `{"log":{"version":"1.2","creator":{"name":"test","version":"1"},"entries":[`
const harEnd = "]}}\n"

// An API entry with a body larger than har.MaxBodySize fails, saying which entry and field and
// how large; the rest of the file is still checked, and entries the check skips may be larger.
func TestEntriesWithBodiesOverTheLimitFail(t *testing.T) {
	fx := fixtureEntries(t)
	// The large texts are put in place of a marker, as bytes: encoding them is no part of the
	// test (and slow under the race detector).
	const marker = "TEXT-GOES-HERE"
	withText := func(e har.Entry, text []byte) []byte {
		b := entryJSON(t, e)
		i := bytes.Index(b, []byte(marker))
		return slices.Concat(b[:i], text, b[i+len(marker):])
	}
	add := fx[4]
	title := bytes.Repeat([]byte{'t'}, har.MaxBodySize)
	add.Request.PostData = &har.PostData{MimeType: "application/json", Text: `{"favorite":{"pageId":"p","title":"` + marker + `"}}`}
	addBody := len(`{"favorite":{"pageId":"p","title":""}}`) + len(title)
	get := fx[2]
	m := marker
	get.Response.Content.Text = &m
	asset := fx[0]
	asset.Response.Content.Text = &m
	var doc bytes.Buffer
	doc.WriteString(harStart)
	for i, e := range [][]byte{
		entryJSON(t, fx[1]),
		withText(add, title),
		withText(get, []byte(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{'x'}, har.MaxBodySize+1)))),
		withText(asset, bytes.Repeat([]byte{'a'}, 20<<20)),
		entryJSON(t, fx[6]),
	} {
		if i > 0 {
			doc.WriteByte(',')
		}
		doc.Write(e)
	}
	doc.WriteString(harEnd)

	res, err := har.CheckReader(&doc, "big.har", har.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c, v, s := res.Counts(); c != 2 || v != 2 || s != 1 {
		t.Fatalf("want the two bodies over the limit failed, the large asset skipped and the others checked: %d conform, %d violating, %d skipped: %+v", c, v, s, res.Entries)
	}
	want := map[int]string{
		1: fmt.Sprintf("request log.entries[1].request.postData.text: expected a body of at most %d bytes (16 MiB, har.MaxBodySize), got %d bytes", har.MaxBodySize, addBody),
		2: fmt.Sprintf("response log.entries[2].response.content.text: expected a body of at most %d bytes (16 MiB, har.MaxBodySize), got %d bytes (16.0 MiB) once decoded from base64", har.MaxBodySize, har.MaxBodySize+1),
	}
	for i, w := range want {
		e := res.Entries[i]
		if len(e.Violations) != 1 || !strings.Contains(e.Violations[0].String(), w) || !strings.Contains(e.Note, "not checked") {
			t.Errorf("entry %d: want one violation saying %q and a note, got %+v", i, w, e)
		}
	}
	var out bytes.Buffer
	har.Print(&out, []har.Result{res}, false)
	if !strings.Contains(out.String(), "big.har (recorded by test 1): 5 entries") || !strings.Contains(out.String(), "log.entries[1] POST ") {
		t.Errorf("the summary names the file and the entry:\n%s", out.String())
	}
}

// A body far over the limit is never held, neither whole nor twice: while 96 MiB of it are
// read, the check holds less than a body of har.MaxBodySize's base64 text at a time (about
// 21 MiB, which it must read to know the text is too long), and the next entry is checked.
func TestBodiesOverTheLimitAreNotHeld(t *testing.T) {
	fx := fixtureEntries(t)
	get := fx[2]
	marker := "BODY-GOES-HERE"
	get.Response.Content.Text, get.Response.Content.Encoding = &marker, ""
	text := entryJSON(t, get)
	before, after, _ := bytes.Cut(text, []byte(marker))
	const bodyMiB = 96
	chunk := bytes.Repeat([]byte{'a'}, 1<<20)
	base := liveHeap()
	var peak uint64
	pieces := [][]byte{[]byte(harStart), before}
	step := 0
	doc := &generated{next: func() []byte {
		switch {
		case step < len(pieces):
			step++
			return pieces[step-1]
		case step < len(pieces)+bodyMiB:
			if (step-len(pieces))%8 == 7 {
				peak = max(peak, liveHeap())
			}
			step++
			return chunk
		case step == len(pieces)+bodyMiB:
			step++
			return append(append(append([]byte(nil), after...), ','), entryJSON(t, fx[6])...)
		case step == len(pieces)+bodyMiB+1:
			step++
			return []byte(harEnd)
		}
		return nil
	}}
	res, err := har.CheckReader(doc, "huge.har", har.Options{OmitExchanges: true})
	if err != nil {
		t.Fatal(err)
	}
	held := int64(peak) - int64(base)
	t.Logf("held at most %.1f MiB while reading the body", float64(held)/(1<<20))
	if held > 40<<20 {
		t.Errorf("reading a %d MiB body, the check held %d MiB at once: more than the text it must read (21.3 MiB) and its buffer's growth", bodyMiB, held>>20)
	}
	if len(res.Entries) != 2 || len(res.Entries[0].Violations) != 1 || !strings.Contains(res.Entries[0].Violations[0].String(), "log.entries[0].response.content.text: expected a body of at most") || !strings.Contains(res.Entries[0].Violations[0].Got, "not read") {
		t.Fatalf("the entry must fail for its body, unread: %+v", res.Entries)
	}
	if res.Entries[1].Skipped != "" || len(res.Entries[1].Violations) != 0 {
		t.Fatalf("the next entry is checked: %+v", res.Entries[1])
	}
}

// A long recording is checked in about what one entry takes, plus a few hundred bytes of result
// per entry: the check reads 100,000 entries (about 80 MB of HAR) holding less than 40 MB.
func TestMemoryIsBoundedByEntriesNotByTheFile(t *testing.T) {
	fx := fixtureEntries(t)
	asset := fx[0]
	js := strings.Repeat("console.log('dashboard page');\n", 4)
	asset.Response.Content.Text = &js
	pieces := [][]byte{entryJSON(t, asset)}
	for _, e := range fx[1:] {
		pieces = append(pieces, entryJSON(t, e))
	}
	const entries, api = 100_000, 50 // every 50th entry calls the API
	base := liveHeap()
	var peak uint64
	var size float64
	i := -1
	doc := &generated{next: func() []byte {
		i++
		switch {
		case i == 0:
			return []byte(harStart)
		case i == entries+1:
			return []byte(harEnd)
		case i > entries+1:
			return nil
		}
		if i%10_000 == 0 {
			peak = max(peak, liveHeap())
		}
		e := pieces[0]
		if i%api == 0 {
			e = pieces[1+(i/api)%6]
		}
		size += float64(len(e) + 1)
		if i == 1 {
			return e
		}
		return append([]byte{','}, e...)
	}}
	res, err := har.CheckReader(doc, "long.har", har.Options{OmitExchanges: true})
	if err != nil {
		t.Fatal(err)
	}
	if c, v, s := res.Counts(); c != entries/api || v != 0 || s != entries-entries/api {
		t.Fatalf("want %d entries checked and the others skipped: %d conform, %d violating, %d skipped", entries/api, c, v, s)
	}
	held := int64(peak) - int64(base)
	t.Logf("held at most %.1f MB while reading %.0f MB", float64(held)/1e6, size/1e6)
	if held > 40<<20 {
		t.Errorf("checking %d entries (%.0f MB of HAR), the check held %d MB at once: it must not grow with the file", entries, size/1e6, held>>20)
	}
}
