package har

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/favconform/favconform/validate"
)

// FuzzParse holds the streaming reader to the reader it replaced (refParse: the whole document
// through json.Unmarshal): a document one reads, the other reads into the same log; a document
// one refuses, the other refuses; and where the document is JSON, with the same message. The
// differences are the stream's: a file that holds two faults is reported at the first in the
// file (refParse reported a syntax error wherever it was), a log's own members are reported by
// name, and a log or log.entries given twice is refused.
// sameWords reports whether Parse words err as refParse did: all but errors about the log's own
// members (version, creator, browser, comment, entries not an array), which now name them.
func sameWords(err error) bool {
	s := err.Error()
	return strings.Contains(s, "log.entries[") || strings.Contains(s, `has no "log"`) || strings.Contains(s, "the log has none")
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"clean.har", "violations.har", "malformed.har"} {
		b, err := os.ReadFile(filepath.Join("..", "fixtures", "har", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	entry := `{"request":{"method":"GET","url":"https://www.wixapis.com/dashboard/v1/user-favorite-list","headers":[]},"response":{"status":200,"content":{"text":"{}"}}}`
	for _, s := range []string{
		"{\n  \"log\": {,", `{"entries":[]}`, `{"log":{"version":"1.2"}}`, `{"log":{"entries":{}}}`, `{"log":{"entries":[1]}}`,
		`{"log":{"entries":[null]}}`, `{"log":{"entries":[` + entry + `,` + entry + `]}}`, `{"log":{"entries":[` + entry + `]}} x`,
		`{"log":{"creator":{"name":"c","version":"1"},"browser":null,"entries":[]}}`, `{"LOG":{"ENTRIES":[]}}`,
		`{"log":{"entries":[{"request":{"method":"GET","url":"/x"},"response":{"status":200}}]}}`,
		`{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"},"response":{"status":200,"content":{"text":"%%","encoding":"base64"}}}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		want, wantErr := refParse(doc, "x.har")
		got, gotErr := Parse(doc, "x.har")
		switch {
		case wantErr == nil && gotErr != nil:
			if !strings.Contains(gotErr.Error(), "a second") {
				t.Fatalf("%q: refParse reads it, Parse says %v", doc, gotErr)
			}
		case wantErr != nil && gotErr == nil:
			t.Fatalf("%q: refParse says %v, Parse reads it", doc, wantErr)
		case wantErr == nil:
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("%q:\n refParse %+v\n Parse    %+v", doc, want, got)
			}
		case json.Valid(doc) && sameWords(wantErr) && gotErr.Error() != wantErr.Error():
			t.Fatalf("%q:\n refParse says %v\n Parse says    %v", doc, wantErr, gotErr)
		}
	})
}

// refParse is Parse as it was before reading became a stream (json.Unmarshal of the whole
// document), verbatim but for the names: the reference FuzzParse holds Parse to.
//
// It reads a HAR document from b; name is used in errors. It checks every field the
// validation needs: a log with entries, each with a request (method, absolute URL) and a response
// (numeric status), and bodies that decode (base64 where content.encoding says so).
func refParse(b []byte, name string) (*Log, error) {
	ferr := func(entry int, field, expected string, err error) error {
		return &FormatError{File: name, Entry: entry, Field: field, Expected: expected, Err: err}
	}
	var top struct {
		Log *struct {
			Version string          `json:"version"`
			Creator json.RawMessage `json:"creator"`
			Browser json.RawMessage `json:"browser"`
			Entries json.RawMessage `json:"entries"`
			Comment string          `json:"comment"`
		} `json:"log"`
	}
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, ferr(-1, "", "a HAR file: a JSON object {\"log\": {\"version\": \"1.2\", \"entries\": [...]}}", refJSONError(b, err))
	}
	if top.Log == nil {
		return nil, ferr(-1, "log", "an object (the HAR log); this JSON has no \"log\"", nil)
	}
	l := &Log{Version: top.Log.Version, Comment: top.Log.Comment}
	if len(top.Log.Creator) > 0 {
		if err := json.Unmarshal(top.Log.Creator, &l.Creator); err != nil {
			return nil, ferr(-1, "log.creator", "an object {\"name\", \"version\"}", err)
		}
	}
	if !refIsNull(top.Log.Browser) {
		l.Browser = &NameInfo{}
		if err := json.Unmarshal(top.Log.Browser, l.Browser); err != nil {
			return nil, ferr(-1, "log.browser", "an object {\"name\", \"version\"}", err)
		}
	}
	var raw []json.RawMessage
	if len(top.Log.Entries) == 0 || bytes.Equal(bytes.TrimSpace(top.Log.Entries), []byte("null")) {
		return nil, ferr(-1, "log.entries", "an array of entries; the log has none", nil)
	}
	if err := json.Unmarshal(top.Log.Entries, &raw); err != nil {
		return nil, ferr(-1, "log.entries", "an array of entries", err)
	}
	for i, r := range raw {
		var shape struct {
			Request  json.RawMessage `json:"request"`
			Response json.RawMessage `json:"response"`
		}
		if err := json.Unmarshal(r, &shape); err != nil {
			return nil, ferr(i, "", "an object with a request and a response", refTypeError(err))
		}
		if refIsNull(shape.Request) {
			return nil, ferr(i, "request", "an object (the recorded request)", nil)
		}
		if refIsNull(shape.Response) {
			return nil, ferr(i, "response", "an object (the recorded response)", nil)
		}
		var e Entry
		if err := json.Unmarshal(r, &e); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return nil, ferr(i, te.Field, "a JSON "+refJSONKind(te.Type)+", as HAR 1.2 defines it", fmt.Errorf("got a JSON %s", te.Value))
			}
			return nil, ferr(i, "", "an entry as HAR 1.2 defines it", err)
		}
		if e.Request.Method == "" {
			return nil, ferr(i, "request.method", "an HTTP method such as GET", nil)
		}
		if u, err := url.Parse(e.Request.URL); err != nil || !u.IsAbs() || u.Host == "" {
			return nil, ferr(i, "request.url", "an absolute URL such as https://www.wixapis.com/dashboard/v1/user-favorite-list", fmt.Errorf("got %q", validate.Clip(e.Request.URL, 200)))
		}
		if _, err := e.Response.Body(); err != nil {
			return nil, ferr(i, "response.content.text", "text encoded as response.content.encoding says", err)
		}
		l.Entries = append(l.Entries, e)
	}
	return l, nil
}

func refIsNull(b json.RawMessage) bool {
	t := bytes.TrimSpace(b)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

func refJSONKind(t interface{ String() string }) string {
	switch s := t.String(); {
	case strings.HasPrefix(s, "int"), strings.HasPrefix(s, "float"), strings.HasPrefix(s, "uint"):
		return "number"
	case s == "string", s == "*string":
		return "string"
	case strings.HasPrefix(s, "[]"):
		return "array"
	case s == "bool":
		return "boolean"
	default:
		return "object"
	}
}

func refTypeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("got a JSON %s", te.Value)
	}
	return err
}

// jsonError adds the line and column to a JSON syntax error.
func refJSONError(b []byte, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return refTypeError(err)
	}
	line, col := 1, 1
	for _, c := range b[:max(0, min(int(se.Offset)-1, len(b)))] { // Offset is just past the bad byte
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}
