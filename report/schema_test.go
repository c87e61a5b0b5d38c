package report

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"
)

// jsonPaths lists every field path of v as SCHEMA.md names them: "specs[].transcript[].curl".
func jsonPaths(prefix string, v any, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			// Header maps are keyed by header names, which are data, not fields.
			if strings.HasSuffix(k, "Header") {
				out[p] = true
				continue
			}
			out[p] = true
			jsonPaths(p, val, out)
		}
	case []any:
		for _, e := range x {
			jsonPaths(prefix+"[]", e, out)
		}
	}
}

// TestSchemaDocumentsEveryField fails when report.json has a field report/SCHEMA.md does not
// document: a fully populated report is marshalled and each of its field paths must appear in
// the schema page.
func TestSchemaDocumentsEveryField(t *testing.T) {
	r := fixtureReport(t)
	// Populate what the fixture leaves empty: a call without a response, a validator message.
	c := &r.Specs[1].Transcript[2]
	c.Err, c.InvalidOnPurpose = "no answer within 10s", true
	r.Specs[1].Transcript[1].Violations[0].Message = "value must be a string"
	r.ObservedReadings = []ObservedReading{{ID: "get-without-list", Reading: "404", Evidence: "GET /x → 404 {}", Spec: "a spec"}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	jsonPaths("", generic, paths)
	doc, err := os.ReadFile("SCHEMA.md")
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for p := range paths {
		if !strings.Contains(string(doc), "`"+p+"`") {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("report/SCHEMA.md does not document: %s", strings.Join(missing, ", "))
	}
	if len(paths) < 50 {
		t.Fatalf("the fixture populates only %d fields; the check would miss some", len(paths))
	}
}
