package har

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzEntryDecoder holds the entry decoder to encoding/json: whenever it decodes a text itself
// (rather than leaving it to encoding/json), encoding/json decodes the same text without error
// into the same entry — every field when the decoder reads them all, the fields a check uses
// when it does not — and finds the same request and response.
func FuzzEntryDecoder(f *testing.F) {
	for _, name := range []string{"clean.har", "violations.har"} {
		l, err := ReadFile(filepath.Join("..", "fixtures", "har", name))
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range l.Entries {
			b, _ := json.Marshal(e)
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{"request":{"method":"GET","url":"https://x/","headers":[{"name":"A","value":"\u00e9\n\"x\""}]},"response":{"status":200,"content":{"text":null}}}`,
		`{"request":null,"response":{"status":1e2}}`,
		`{"Request":{"method":"GET"},"response":{}}`,
		`{"request":{"method":"GET"},"request":{"url":"u"},"response":{}}`,
		`{"request":{"headers":[null]},"response":{"status":-0}}`,
		`{"request":{},"response":{"content":{"size":1.5}}, "_initiator":{"stack":[1,"\ud83d\ude00",true,null]}}`,
		`{"cache":1,"request":{},"response":{}}`,
		`{"time":"1","request":{},"response":{}}`,
		"{\"request\":{\"method\":\"G\xffT\"},\"response\":{}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, all := range []bool{true, false} {
			var fast Entry
			d := entryDecoder{b: raw, all: all}
			if !d.entry(&fast) {
				continue // left to encoding/json
			}
			var std Entry
			if err := json.Unmarshal(raw, &std); err != nil {
				t.Fatalf("all=%v: decoded %q, which encoding/json refuses: %v", all, raw, err)
			}
			var shape struct{ Request, Response json.RawMessage }
			_ = json.Unmarshal(raw, &shape)
			if d.hasRequest != !isNull(shape.Request) || d.hasResponse != !isNull(shape.Response) {
				t.Fatalf("all=%v: %q: request %v, response %v, but encoding/json finds %q and %q", all, raw, d.hasRequest, d.hasResponse, shape.Request, shape.Response)
			}
			if !all {
				std = checkedFields(std)
			}
			if !reflect.DeepEqual(fast, std) {
				t.Fatalf("all=%v: %q:\n decoded     %+v\n encoding/json %+v", all, raw, fast, std)
			}
			// A check's transient decoder, whose lists served an entry before, decodes it alike.
			td := entryDecoder{all: all, transient: true}
			var before, again Entry
			td.decode([]byte(`{"request":{"headers":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"cookies":[{"name":"c","value":"3"}]},"response":{"headers":[{"name":"D","value":"4"}]}}`), &before)
			if _, _, err := td.decode(raw, &again); err != nil || !reflect.DeepEqual(again, fast) {
				t.Fatalf("all=%v: %q: a transient decoder's second entry:\n decoded %+v (%v)\n    want %+v", all, raw, again, err, fast)
			}
		}
	})
}

// checkedFields is e with only the fields a check uses (see entryDecoder.all).
func checkedFields(e Entry) Entry {
	out := Entry{Cache: e.Cache}
	out.Request = Request{Method: e.Request.Method, URL: e.Request.URL, Cookies: e.Request.Cookies, Headers: e.Request.Headers, PostData: e.Request.PostData}
	out.Response = Response{Status: e.Response.Status, Cookies: e.Response.Cookies, Headers: e.Response.Headers, Content: e.Response.Content}
	return out
}

// The decoder reads the fixtures itself: the fallback is for what devtools do not write.
func TestEntryDecoderTakesRecordings(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "fixtures", "har", "violations.har"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Log struct{ Entries []json.RawMessage }
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for i, e := range doc.Log.Entries {
		d := entryDecoder{b: e, all: true}
		if !d.entry(&Entry{}) {
			t.Errorf("entry %d went to encoding/json: %s", i, e)
		}
	}
}
