package har_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/favconform/favconform/har"
)

// longRecording is clean.har's entries over and over, indented as devtools write them: many
// times the size of a chunk the reader reads.
func longRecording(t *testing.T, copies int) []byte {
	t.Helper()
	fx := fixtureEntries(t)
	var entries []har.Entry
	for range copies {
		entries = append(entries, fx...)
	}
	var b bytes.Buffer
	if err := (&har.Log{Creator: har.NameInfo{Name: "test", Version: "1"}, Entries: entries}).Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// wholeFileSyntaxError is what reading the whole file with encoding/json says of it: the
// message and the line and column of the fault, as the check words them.
func wholeFileSyntaxError(t *testing.T, doc []byte) string {
	t.Helper()
	err := json.Unmarshal(doc, new(any))
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("the document must not be JSON: %v", err)
	}
	line, col := 1, 1
	for _, c := range doc[:max(0, min(int(se.Offset)-1, len(doc)))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("expected a HAR file: a JSON object {\"log\": {\"version\": \"1.2\", \"entries\": [...]}} (line %d, column %d: %s)", line, col, se)
}

// Read as a stream, a file that is not JSON is reported where encoding/json, reading it whole,
// finds the fault, in its words — deep in the file, past many chunks, inside an entry or between
// two, or cut off.
func TestSyntaxErrorsAreWhereEncodingJSONFindsThem(t *testing.T) {
	doc := longRecording(t, 60) // about 800 KB
	deep := len(doc) * 2 / 3
	next := func(what string) int { return deep + bytes.Index(doc[deep:], []byte(what)) }
	edit := func(at, cut int, insert string) []byte {
		return append(append(append([]byte(nil), doc[:at]...), insert...), doc[at+cut:]...)
	}
	cases := map[string][]byte{
		"a comma left out between entries": edit(next("},\n      {")+1, 1, ""),
		"a comma left out in an entry":     edit(bytes.LastIndexByte(doc[:next(`"httpVersion"`)], ','), 1, ""),
		"a stray byte after a value":       edit(next(`"status": 200`)+len(`"status": 200`), 0, "x"),
		"a bracket of the wrong kind":      edit(next("],\n"), 1, "}"),
		"a newline in a string":            edit(next(`"url": "`)+len(`"url": "`), 0, "\n"),
		"a bad escape":                     edit(next(`\"`), 2, `\q`),
		"cut off in an entry":              doc[:deep],
		"cut off in a string":              doc[:next(`"url": "`)+10],
		"something after the log":          append(append([]byte(nil), doc...), "}"...),
		"not JSON at all":                  []byte("HAR\n"),
		"nothing":                          nil,
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			want := wholeFileSyntaxError(t, bad)
			_, err := har.CheckReader(bytes.NewReader(bad), "x.har", har.Options{})
			if err == nil || err.Error() != "x.har: "+want {
				t.Fatalf("want\n  x.har: %s\ngot\n  %v", want, err)
			}
			if _, err := har.Parse(bad, "x.har"); err == nil || err.Error() != "x.har: "+want {
				t.Fatalf("Parse: want\n  x.har: %s\ngot\n  %v", want, err)
			}
		})
	}
}

// A wrong type deep in a long file names its entry and field, and the entries before it do not
// make up for it.
func TestTypeErrorsNameTheEntryDeepInAFile(t *testing.T) {
	doc := longRecording(t, 60)
	i := bytes.Index(doc, []byte(`"status": 200`))
	for range 300 {
		i += 1 + bytes.Index(doc[i+1:], []byte(`"status": 200`))
	}
	bad := append(append(append([]byte(nil), doc[:i]...), `"status": "200"`...), doc[i+len(`"status": 200`):]...)
	_, err := har.CheckReader(bytes.NewReader(bad), "x.har", har.Options{})
	var fe *har.FormatError
	if !errors.As(err, &fe) || err.Error() != "x.har: log.entries[300].response.status: expected a JSON number, as HAR 1.2 defines it (got a JSON string)" {
		t.Fatalf("want the entry and field named, got %v", err)
	}
}

// The log's own members are read wherever they stand, entries first or last, and checked.
func TestLogMembersInAnyOrder(t *testing.T) {
	entry := `{"request":{"method":"GET","url":"https://x/"},"response":{"status":200}}`
	res, err := har.CheckReader(strings.NewReader(`{"log":{"entries":[`+entry+`],"pages":[{"id":"p","title":"t"}],"browser":{"name":"Firefox","version":"128.0"},"creator":{"name":"Firefox","version":"128.0"},"version":"1.2"},"extra":[1,{"a":null}]}`), "x.har", har.Options{})
	if err != nil || res.Creator != "Firefox 128.0" || len(res.Entries) != 1 {
		t.Fatalf("want the creator read after the entries: %+v %v", res, err)
	}
	for doc, want := range map[string]string{
		`{"log":{"entries":[],"creator":"Firefox"}}`:        `x.har: log.creator: expected an object {"name", "version"} (got a JSON string)`,
		`{"log":{"entries":[],"version":1.2}}`:              `x.har: log.version: expected a JSON string (got a JSON number)`,
		`{"log":{"entries":[],"entries":[]}}`:               `x.har: log.entries: expected one array of entries; the log has a second "entries"`,
		`{"log":{"entries":[],"pages":[{"id":x}]}}`:         `x.har: expected a HAR file`,
		`{"log":{"entries":{"request":{}}}}`:                `x.har: log.entries: expected an array of entries (got a JSON object)`,
		`{"log":null}`:                                      `x.har: log: expected an object (the HAR log); this JSON has no "log"`,
		`[{"log":{}}]`:                                      `x.har: expected a HAR file: a JSON object {"log": {"version": "1.2", "entries": [...]}} (got a JSON array)`,
		`{"log":{"entries":[]}}`:                            ``,
		`{"LOG":{"Entries":[],"Creator":{"name":"c"}}}`:     ``,
		`{"log":{"entries":[` + entry + `,` + entry + `]}}`: ``,
	} {
		_, err := har.CheckReader(strings.NewReader(doc), "x.har", har.Options{})
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: want it read, got %v", doc, err)
		case want != "" && (err == nil || !strings.HasPrefix(err.Error(), want)):
			t.Errorf("%s:\n  want %s\n  got  %v", doc, want, err)
		}
	}
}
