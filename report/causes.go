package report

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/favconform/favconform/validate"
)

// Cause is one root cause of a run's failures: the specs that failed for the same reason.
type Cause struct {
	// Cause says it: the spec violation the specs share ("operation in pointer: expected ...,
	// got ..."), or their failure's gist with ids and numbers left out.
	Cause string `json:"cause"`
	// Specs are the full texts of the failed specs, in the order they ran.
	Specs []string `json:"specs"`
}

// guidOrNumber matches what varies between two failures of one cause: ids, numbers, dates.
var guidOrNumber = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\d{4}-\d\d-\d\dT[0-9:.]+Z|\d+`)

// causeOf is the root cause of a failed spec: the first violation of the spec held against the
// target in its failing call (or, failing that, in any call), else its failure's gist.
func causeOf(s Spec) string {
	violation := func(c Call) (validate.Violation, bool) {
		for _, v := range c.Violations {
			if c.InvalidOnPurpose && v.In == validate.InRequest {
				continue
			}
			return v, true
		}
		return validate.Violation{}, false
	}
	if f := s.Failure; f != nil && f.Call != nil && *f.Call < len(s.Transcript) {
		if v, ok := violation(s.Transcript[*f.Call]); ok {
			return violationCause(v)
		}
	}
	if f := s.Failure; f != nil && strings.Contains(f.Message, "breaks the spec") {
		for _, c := range s.Transcript {
			if v, ok := violation(c); ok {
				return violationCause(v)
			}
		}
	}
	if s.Failure == nil {
		return ""
	}
	return guidOrNumber.ReplaceAllStringFunc(Headline(s.Failure.Message), func(m string) string {
		if strings.Contains(m, "-") {
			return "…"
		}
		return "N"
	})
}

func violationCause(v validate.Violation) string {
	s := fmt.Sprintf("%s %s %s: expected %s", v.Operation, v.In, v.Pointer, v.Expected)
	if v.Got != "" {
		s += ", got " + guidOrNumber.ReplaceAllString(v.Got, "N")
	}
	return s
}

// groupCauses groups the failed specs by cause, the cause with the most specs first.
func groupCauses(specs []Spec) []Cause {
	var out []Cause
	at := map[string]int{}
	for _, s := range specs {
		if s.State != "failed" || s.Failure == nil {
			continue
		}
		c := causeOf(s)
		i, ok := at[c]
		if !ok {
			i = len(out)
			at[c] = i
			out = append(out, Cause{Cause: c})
		}
		out[i].Specs = append(out[i].Specs, s.Name)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Specs) > len(out[j].Specs) })
	return out
}
