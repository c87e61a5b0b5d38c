// Package spec holds the OpenAPI 3.0.3 description of the Dashboard Favorite List REST API
// (openapi.yaml) and the schema-validation options it must be used with.
//
// The document describes what favconform checks, not only what the reference says: where the
// reference is wrong or silent, the reading taken is recorded in discrepancies.yaml.
package spec

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi.yaml
var openapiYAML []byte

// Bytes returns the embedded openapi.yaml. The slice is a copy: callers may change it.
func Bytes() []byte {
	return append([]byte(nil), openapiYAML...)
}

var load = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		return nil, fmt.Errorf("spec: parse openapi.yaml: %w", err)
	}
	// Validate also checks the examples against their schemas (without the uuid check: see
	// SchemaOptions; fixtures/docs_test.go checks the same samples with it).
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("spec: openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	return doc, nil
})

// Load returns the parsed and validated document. It is parsed once and shared by every caller,
// so callers must not mutate it. To route requests to another host, route on a shallow copy with
// its own servers, which leaves the shared document alone:
//
//	d := *doc
//	d.Servers = openapi3.Servers{{URL: targetURL}} // or nil to match any host
//	router, err := gorillamux.NewRouter(&d)
func Load() (*openapi3.T, error) {
	return load()
}

// validateUUID accepts the RFC 4122 textual form of a UUID (8-4-4-4-12 hexadecimal digits), of
// any version or variant, in either case. kin-openapi's own FormatOfStringForUUIDOfRFC4122
// insists on versions 1-5 and the RFC 4122 variant, which would reject ids a server may
// legitimately generate (v7, Microsoft GUIDs). A loop, not a regexp: every id of every exchange
// passes here (the regexp was 13 % of a validation's CPU).
func validateUUID(s string) error {
	if len(s) != 36 {
		return errNotUUID
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return errNotUUID
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return errNotUUID
			}
		}
	}
	return nil
}

var errNotUUID = errors.New("not a UUID (8-4-4-4-12 hexadecimal digits)")

// validateDateTime checks the RFC 3339 syntax and, unlike kin-openapi's default regexp, that the
// date exists (no 2024-02-30). time.Parse refuses a leap second (:60), which Wix never sends.
func validateDateTime(s string) error {
	if !isDateTimeSyntax(s) {
		return fmt.Errorf("not an RFC 3339 date-time")
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		return fmt.Errorf("not an RFC 3339 date-time: %v", err)
	}
	return nil
}

// isDateTimeSyntax reports whether s matches kin-openapi's FormatOfStringDateTime, RFC 3339's
// date-time production: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), month 01-12, day 01-31,
// hour 00-23, minute 00-59, second 00-60. A loop, not that regexp, for the reason validateUUID
// gives (the regexp was 7 % of a validation); spec_test.go holds the two to the same answers.
func isDateTimeSyntax(s string) bool {
	digits := func(from, to int) bool {
		for i := from; i < to; i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
	two := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	if len(s) < 20 || !digits(0, 4) || s[4] != '-' || !digits(5, 7) || s[7] != '-' || !digits(8, 10) ||
		s[10] != 'T' || !digits(11, 13) || s[13] != ':' || !digits(14, 16) || s[16] != ':' || !digits(17, 19) {
		return false
	}
	if m := two(5); m < 1 || m > 12 {
		return false
	}
	if d := two(8); d < 1 || d > 31 {
		return false
	}
	if two(11) > 23 || two(14) > 59 || two(17) > 60 {
		return false
	}
	rest := s[19:]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 {
			return false
		}
		rest = rest[n:]
	}
	if rest == "Z" {
		return true
	}
	if len(rest) != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':' {
		return false
	}
	for _, i := range []int{1, 2, 4, 5} {
		if rest[i] < '0' || rest[i] > '9' {
			return false
		}
	}
	return true
}

// SchemaOptions returns the schema-validation options every validation against this document
// needs: they make `format: uuid` checked (kin-openapi ignores it by default) and `date-time`
// checked strictly. They are per call: kin-openapi's global format registry is not touched.
//
// Pass them to openapi3filter through Options.SchemaValidationOptions, or to Schema.VisitJSON.
// Each call returns new options that share nothing, so callers may append to the result.
func SchemaOptions() []openapi3.SchemaValidationOption {
	opts := []openapi3.SchemaValidationOption{}
	// One WithStringFormatValidator per format: each writes into the settings' own map,
	// whereas WithStringFormatValidators would hand kin a map that later options mutate.
	for name, v := range StringFormats() {
		opts = append(opts, openapi3.WithStringFormatValidator(name, v))
	}
	return opts
}

// StringFormats returns, in a new map, the string formats SchemaOptions checks. A caller that
// validates often may hand it to kin-openapi whole, once, with openapi3.WithStringFormatValidators
// — every validation then reads the same map instead of building its own — provided no option
// after it adds a format (WithStringFormatValidator would write into the shared map).
func StringFormats() map[string]openapi3.StringFormatValidator {
	return map[string]openapi3.StringFormatValidator{
		"uuid":      openapi3.NewCallbackValidator(validateUUID),
		"date-time": openapi3.NewCallbackValidator(validateDateTime),
	}
}

// Schema returns the component schema of the given name (for example "FavoriteList" or
// "FavoriteListCreatedEvent"). It belongs to the shared document: do not mutate it.
func Schema(name string) (*openapi3.Schema, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	ref := doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("spec: no component schema %q", name)
	}
	return ref.Value, nil
}

// VisitJSON validates v, a value decoded by encoding/json into any, against the component schema
// of the given name, with SchemaOptions and then opts (for example openapi3.MultiErrors(), or
// openapi3.VisitAsRequest() so that readOnly properties are rejected).
func VisitJSON(schemaName string, v any, opts ...openapi3.SchemaValidationOption) error {
	schema, err := Schema(schemaName)
	if err != nil {
		return err
	}
	return schema.VisitJSON(v, append(SchemaOptions(), opts...)...)
}
