package report

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestJUnitCarriesRequirementsFailuresAndTranscripts(t *testing.T) {
	b, err := fixtureReport(t).JUnit()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Cases []struct {
				Name       string `xml:"name,attr"`
				Classname  string `xml:"classname,attr"`
				Properties []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:"value,attr"`
				} `xml:"properties>property"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("junit.xml does not parse: %v\n%s", err, b)
	}
	if doc.Tests != 4 || doc.Failures != 1 || doc.Skipped != 2 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 4 {
		t.Fatalf("counts: tests %d failures %d skipped %d", doc.Tests, doc.Failures, doc.Skipped)
	}
	f := doc.Suites[0].Cases[1]
	if f.Classname != "Create User Favorite List" || !strings.HasPrefix(f.Name, "POST creates the list <script>") {
		t.Errorf("testcase named %q / %q", f.Classname, f.Name)
	}
	var reqs []string
	for _, p := range f.Properties {
		if p.Name == "requirement" {
			reqs = append(reqs, p.Value)
		}
	}
	if strings.Join(reqs, ",") != "create.creates-list,schema.responses-match-spec" {
		t.Errorf("requirement properties %v", reqs)
	}
	if f.Failure == nil || f.Failure.Message != "create a list: the exchange breaks the spec:" ||
		!strings.Contains(f.Failure.Text, `-H "Authorization: $FAVCONFORM_TOKEN_USER"`) || !strings.Contains(f.Failure.Text, "at /src/suites/create_list.go:21") {
		t.Errorf("failure %+v", f.Failure)
	}
	for _, want := range []string{"#2 user POST http://127.0.0.1:8080/dashboard/v1/user-favorite-list -> 200", "Authorization: [REDACTED]",
		"! createUserFavoriteList response /favoriteList/revision: expected type string", "reproduce: curl -i -X POST"} {
		if !strings.Contains(f.SystemOut, want) {
			t.Errorf("system-out lacks %q:\n%s", want, f.SystemOut)
		}
	}
	if s := doc.Suites[0].Cases[2]; s.Skipped == nil || !strings.Contains(s.Skipped.Message, "second-user") {
		t.Errorf("the skip reason is lost: %+v", s.Skipped)
	}
}
