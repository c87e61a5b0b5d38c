package validate

import (
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// checkRequest validates a request whose body is body. openapi3filter.ValidateRequest checks the
// security requirement and the parameters; a JSON body is checked here as ValidateRequestBody
// would (same schema, same options, "as a request" so that read-only fields are refused), but
// decoded by decodeJSON, and its fault joins the others in the same order and shape. Anything
// else — no body, another media type — is left to ValidateRequest whole.
// TestRequestFastPathAgreesWithKinOpenAPI holds the two to the same violations.
func (v *Validator) checkRequest(in *openapi3filter.RequestValidationInput, body []byte) error {
	rb, schema := jsonRequestSchema(in, body)
	if schema == nil {
		return openapi3filter.ValidateRequest(in.Request.Context(), in)
	}
	rest := *in
	rest.Options = v.withoutBody
	// The body is checked below, and requireAuthorizationHeader does not read it: without one,
	// ValidateRequest does not copy it for the authentication functions (a tenth of the time of
	// an add-favorite's validation). in.Request is requestInput's copy, this call's own.
	withBody := in.Request.Body
	in.Request.Body = http.NoBody
	err := openapi3filter.ValidateRequest(in.Request.Context(), &rest)
	in.Request.Body = withBody
	bodyErr := v.checkRequestBody(in, rb, schema, body)
	if bodyErr == nil {
		return err
	}
	// With Options.MultiError, ValidateRequest gathers its faults in one MultiError, the body's
	// last; so does this.
	var me openapi3.MultiError
	if m, ok := err.(openapi3.MultiError); ok {
		me = m
	} else if err != nil {
		me = openapi3.MultiError{err}
	}
	return append(me, bodyErr)
}

func (v *Validator) checkRequestBody(in *openapi3filter.RequestValidationInput, rb *openapi3.RequestBody, schema *openapi3.SchemaRef, body []byte) error {
	if c := v.compiledRequests[schema.Value]; c != nil && c.accepts(body) {
		return nil
	}
	value, err := decodeJSON(body)
	if err != nil {
		return &openapi3filter.RequestError{Input: in, RequestBody: rb, Reason: "failed to decode request body",
			Err: &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}}
	}
	if err := schema.Value.VisitJSON(value, v.requestBodyOptions...); err != nil {
		return &openapi3filter.RequestError{Input: in, RequestBody: rb, Reason: "doesn't match schema" + schemaID(schema), Err: err}
	}
	return nil
}

// jsonRequestSchema returns the request body and the schema of a non-empty JSON body of this
// request, or nils when the body is not one checkRequest checks itself.
func jsonRequestSchema(in *openapi3filter.RequestValidationInput, body []byte) (*openapi3.RequestBody, *openapi3.SchemaRef) {
	if len(body) == 0 || in.Route == nil || in.Route.Operation == nil || in.Route.Operation.RequestBody == nil {
		return nil, nil
	}
	rb := in.Route.Operation.RequestBody.Value
	if rb == nil || len(rb.Content) == 0 {
		return nil, nil
	}
	ct := in.Request.Header.Get("Content-Type")
	media := rb.Content.Get(ct)
	if media == nil || media.Schema == nil || media.Schema.Value == nil || !isJSON(ct) {
		return nil, nil
	}
	return rb, media.Schema
}

// isJSON reports whether a Content-Type names application/json (any parameters, any case).
func isJSON(ct string) bool {
	base, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(base), "application/json")
}

// schemaID is how openapi3filter names a schema in its reasons: " " and its $ref or title.
func schemaID(s *openapi3.SchemaRef) string {
	id := strings.TrimSpace(s.Ref)
	if id == "" && s.Value != nil {
		id = strings.TrimSpace(s.Value.Title)
	}
	if id == "" {
		return ""
	}
	return " " + id
}
