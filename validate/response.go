package validate

import (
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// checkResponse validates a response to the request of in. openapi3filter.ValidateResponse
// checks the status and the headers; a JSON body is checked here, against the same schema, with
// the same options, and its faults come back in the same openapi3filter.ResponseError.
//
// Why not leave the body to ValidateResponse too: it walks the schema "as a response", and for
// each oneOf it then deep-copies the value per alternative and walks the matching one a second
// time (to inject defaults, and to reject writeOnly properties). The GET answer's favoriteList is
// such a oneOf (a list or {}): the list was copied twice and walked twice, most of a validation's
// cost. The spec has no writeOnly property and no default (TestFastPathPreconditions),
// so walking it plainly gives the same answers (TestResponseFastPathAgreesWithKinOpenAPI).
func (v *Validator) checkResponse(in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) error {
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: v.options}
	rin.SetBodyBytes(body)
	schema := jsonResponseSchema(in, status, header)
	if schema == nil {
		return openapi3filter.ValidateResponse(in.Request.Context(), rin) // all of it kin-openapi's way
	}
	rin.Options = v.statusAndHeaders
	if err := openapi3filter.ValidateResponse(in.Request.Context(), rin); err != nil {
		return err
	}
	if c := v.compiledResponses[schema.Value]; c != nil && c.accepts(body) {
		return nil
	}
	value, err := decodeJSON(body)
	if err != nil {
		return &openapi3filter.ResponseError{Input: rin, Reason: "failed to decode response body",
			Err: &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}}
	}
	if err := schema.Value.VisitJSON(value, v.bodyOptions...); err != nil {
		return &openapi3filter.ResponseError{Input: rin, Reason: "response body doesn't match schema" + schemaID(schema), Err: err}
	}
	return nil
}

// jsonResponseSchema returns the schema of a JSON body of this response, or nil when the
// response is not one whose body this package checks itself (ValidateResponse then does all).
func jsonResponseSchema(in *openapi3filter.RequestValidationInput, status int, header http.Header) *openapi3.SchemaRef {
	if in.Request.Method == http.MethodHead || in.Route == nil || in.Route.Operation == nil {
		return nil
	}
	switch status {
	case http.StatusNotModified, http.StatusPermanentRedirect, http.StatusTemporaryRedirect, http.StatusMovedPermanently:
		return nil // ValidateResponse never checks these
	}
	responses := in.Route.Operation.Responses
	if responses.Len() == 0 {
		return nil
	}
	ref := responses.Status(status)
	if ref == nil {
		ref = responses.Default()
	}
	if ref == nil || ref.Value == nil || len(ref.Value.Content) == 0 {
		return nil
	}
	ct := header.Get("Content-Type")
	media := ref.Value.Content.Get(ct)
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return nil
	}
	if !isJSON(ct) {
		return nil
	}
	return media.Schema
}
