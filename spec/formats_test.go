package spec

import (
	"regexp"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestValidateUUID(t *testing.T) {
	good := []string{"b8216af7-cf7c-4860-8014-54e4824a1745", "B8216AF7-CF7C-4860-8014-54E4824A1745", "01890a5d-ac96-774b-bcce-b302099a8057", "00000000-0000-0000-0000-000000000000"}
	bad := []string{"", "b8216af7", "b8216af7-cf7c-4860-8014-54e4824a174", "b8216af7-cf7c-4860-8014-54e4824a17455", "b8216af7xcf7c-4860-8014-54e4824a1745",
		"g8216af7-cf7c-4860-8014-54e4824a1745", "b8216af7-cf7c-4860-8014-54e4824a174-", "3893d33b-9fm4-474b-80b0-dd7c32e20bfc", "{b8216af7-cf7c-4860-8014-54e4824a17}"}
	for _, s := range good {
		if err := validateUUID(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range bad {
		if validateUUID(s) == nil {
			t.Errorf("%q passed", s)
		}
	}
}

// isDateTimeSyntax must give the answers of the regexp it replaces, kin-openapi's own.
var dateTimeRegexp = regexp.MustCompile(openapi3.FormatOfStringDateTime)

var dateTimeSeeds = []string{
	"2024-03-01T10:15:30Z", "2024-03-01T10:15:30.123456789Z", "2024-03-01T10:15:30+05:30", "2024-03-01T10:15:30.5-00:00",
	"2024-13-01T10:15:30Z", "2024-00-01T10:15:30Z", "2024-10-32T10:15:30Z", "2024-10-00T10:15:30Z", "2024-10-31T24:00:00Z",
	"2024-10-31T23:60:00Z", "2024-10-31T23:59:60Z", "2024-10-31T23:59:61Z", "2024-10-31t23:59:59Z", "2024-10-31T23:59:59z",
	"2024-10-31T23:59:59.Z", "2024-10-31T23:59:59+0530", "2024-10-31T23:59:59+05:3", "2024-10-31 23:59:59Z", "24-10-31T23:59:59Z",
	"2024-10-31T23:59:59", "2024-10-31T23:59:59Z ", " 2024-10-31T23:59:59Z", "2024-10-31T23:59:59+05:30Z", "", "2024-1a-31T23:59:59Z",
	"2024-10-31T23:59:59.1a", "2024-10-31T23:59:59.12+0a:00", "２０24-10-31T23:59:59Z", "2024-10-31T23:59:59\nZ",
}

func TestDateTimeSyntaxMatchesKinOpenAPIsRegexp(t *testing.T) {
	for _, s := range dateTimeSeeds {
		if got, want := isDateTimeSyntax(s), dateTimeRegexp.MatchString(s); got != want {
			t.Errorf("%q: isDateTimeSyntax %v, kin-openapi's regexp %v", s, got, want)
		}
	}
	// Every single-byte change of a valid date-time, at every position.
	base := []byte("2024-03-01T10:15:30.25+05:30")
	for i := range base {
		for _, c := range []byte("09:-+.TZtz 1a\x00") {
			b := append([]byte(nil), base...)
			b[i] = c
			if got, want := isDateTimeSyntax(string(b)), dateTimeRegexp.Match(b); got != want {
				t.Errorf("%q: isDateTimeSyntax %v, kin-openapi's regexp %v", b, got, want)
			}
		}
	}
}

func FuzzDateTimeSyntax(f *testing.F) {
	for _, s := range dateTimeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isDateTimeSyntax(s), dateTimeRegexp.MatchString(s); got != want {
			t.Errorf("%q: isDateTimeSyntax %v, kin-openapi's regexp %v", s, got, want)
		}
	})
}
