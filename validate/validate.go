// Package validate checks HTTP exchanges against the embedded OpenAPI document of the Dashboard
// Favorite List API. Use a Validator directly, wrap an http.Client's transport with Transport, or
// wrap a server with Middleware; each reports every Violation with the operation, a JSON pointer,
// what the spec expects and what came.
package validate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/favconform/favconform/spec"
)

// apiRoot is where the API's paths start. Whatever stands before it in a request's path (a
// gateway's base path, the SDK's "/_api") is not part of the operation's path.
const apiRoot = "/dashboard/v1/"

// Validator checks requests and responses against one OpenAPI document. It is safe for
// concurrent use.
type Validator struct {
	router  routers.Router
	options *openapi3filter.Options
	// statusAndHeaders are options with the response body left out, and bodyOptions the schema
	// options ValidateResponse would use for it: checkResponse (response.go) checks the body.
	statusAndHeaders *openapi3filter.Options
	bodyOptions      []openapi3.SchemaValidationOption
	// withoutBody leaves the request body out, and requestBodyOptions are the schema options
	// ValidateRequestBody would use for it: checkRequest (request.go) checks the body.
	withoutBody        *openapi3filter.Options
	requestBodyOptions []openapi3.SchemaValidationOption
	// compiledRequests and compiledResponses are the JSON body schemas of the operations,
	// compiled (compiled.go): a body they accept needs no decoding and no walk by kin-openapi.
	// A schema that does not compile is absent, and left to kin-openapi whole.
	compiledRequests, compiledResponses map[*openapi3.Schema]*compiledSchema
	routes                              routeCache
}

// New returns a Validator for doc. The document is not modified.
func New(doc *openapi3.T) (*Validator, error) {
	// The router matches the request's host against servers; requests go to mocks, proxies and
	// the real host alike, so routing ignores servers and matches paths only.
	routed := *doc
	routed.Servers = nil
	router, err := gorillamux.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("validate: building the router: %w", err)
	}
	if doc.IsOpenAPI31OrLater() {
		// checkResponse walks response bodies with 3.0 semantics, as ValidateResponse does for 3.0.
		return nil, fmt.Errorf("validate: OpenAPI %s documents are not supported (3.0 only)", doc.OpenAPI)
	}
	// The formats of spec.SchemaOptions, in one map of this Validator's own that nothing writes
	// after New: every validation reads it, instead of building a map per schema visit (which
	// was an eighth of the bytes a validation allocated).
	schemaOptions := []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidators(spec.StringFormats())}
	options := &openapi3filter.Options{
		MultiError:              true,
		IncludeResponseStatus:   true,
		AuthenticationFunc:      requireAuthorizationHeader,
		SchemaValidationOptions: schemaOptions,
	}
	statusAndHeaders := *options
	statusAndHeaders.ExcludeResponseBody = true
	withoutBody := *options
	withoutBody.ExcludeRequestBody = true
	requests, responses := compileBodySchemas(doc, spec.StringFormats())
	return &Validator{
		compiledRequests:   requests,
		compiledResponses:  responses,
		router:             router,
		options:            options,
		statusAndHeaders:   &statusAndHeaders,
		bodyOptions:        append([]openapi3.SchemaValidationOption{openapi3.MultiErrors()}, schemaOptions...),
		withoutBody:        &withoutBody,
		requestBodyOptions: append([]openapi3.SchemaValidationOption{openapi3.VisitAsRequest(), openapi3.MultiErrors()}, schemaOptions...),
	}, nil
}

// compileBodySchemas compiles the JSON schema of every request and response body of doc.
func compileBodySchemas(doc *openapi3.T, formats map[string]openapi3.StringFormatValidator) (requests, responses map[*openapi3.Schema]*compiledSchema) {
	requests, responses = map[*openapi3.Schema]*compiledSchema{}, map[*openapi3.Schema]*compiledSchema{}
	add := func(into map[*openapi3.Schema]*compiledSchema, content openapi3.Content, asRequest bool) {
		for _, media := range content {
			if media == nil || media.Schema == nil || media.Schema.Value == nil {
				continue
			}
			if _, done := into[media.Schema.Value]; done {
				continue
			}
			if c, err := compileSchema(media.Schema, asRequest, formats); err == nil {
				into[media.Schema.Value] = c
			}
		}
	}
	if doc.Paths == nil {
		return requests, responses
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				add(requests, op.RequestBody.Value.Content, true)
			}
			if op.Responses == nil {
				continue
			}
			for _, r := range op.Responses.Map() {
				if r != nil && r.Value != nil {
					add(responses, r.Value.Content, false)
				}
			}
		}
	}
	return requests, responses
}

var defaultValidator = sync.OnceValues(func() (*Validator, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	return New(doc)
})

// Default returns the Validator for the embedded spec, built once.
func Default() (*Validator, error) { return defaultValidator() }

// requireAuthorizationHeader enforces the security requirement: the header must be present. Its
// value is the target's business, never the validator's (and is never copied into a violation).
func requireAuthorizationHeader(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if strings.TrimSpace(in.RequestValidationInput.Request.Header.Get("Authorization")) == "" {
		return errors.New("no Authorization header")
	}
	return nil
}

// route finds the operation of req. Its error is a Violation when no operation matches.
func (v *Validator) route(req *http.Request) (*routers.Route, map[string]string, string, *Violation) {
	u := *req.URL
	if i := strings.Index(u.Path, apiRoot); i > 0 {
		u.Path = u.Path[i:]
		u.RawPath = ""
	}
	// The router reads the method and the path alone (routing ignores hosts): they are the key.
	key := req.Method + " " + u.EscapedPath()
	if hit, ok := v.routes.get(key); ok {
		return hit.route, maps.Clone(hit.params), hit.route.Operation.OperationID, nil
	}
	r := req.WithContext(req.Context()) // a shallow copy: the router reads, never writes
	r.URL = &u
	r.Host = ""
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		name := req.Method + " " + u.Path
		what := "a documented path"
		if errors.Is(err, routers.ErrMethodNotAllowed) {
			what = "a documented method for this path"
		}
		return nil, nil, name, &Violation{Operation: name, In: InRequest, Pointer: "path", Expected: what, Got: req.Method + " " + u.Path, Message: err.Error()}
	}
	name := route.Operation.OperationID
	if name == "" {
		name = req.Method + " " + route.Path
	} else {
		v.routes.put(key, routeHit{route: route, params: maps.Clone(params)})
	}
	return route, params, name, nil
}

// routeCache remembers the routes of recent paths: the route lookup (gorilla/mux's regexps) was
// 7 % of a validation, and most calls repeat a path. It forgets everything past routeCacheSize
// paths (ids make paths many). Routes are only read once found, so hits share them.
type routeCache struct {
	mu   sync.RWMutex
	hits map[string]routeHit
}

type routeHit struct {
	route  *routers.Route
	params map[string]string
}

const routeCacheSize = 512

func (c *routeCache) get(key string) (routeHit, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	h, ok := c.hits[key]
	return h, ok
}

func (c *routeCache) put(key string, h routeHit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hits == nil || len(c.hits) >= routeCacheSize {
		c.hits = make(map[string]routeHit, routeCacheSize)
	}
	c.hits[key] = h
}

// requestInput is openapi3filter's input for req with its body. The request is a shallow copy:
// openapi3filter replaces its Body, and the caller's request keeps its own.
func (v *Validator) requestInput(req *http.Request, body []byte, route *routers.Route, params map[string]string) *openapi3filter.RequestValidationInput {
	r := req.WithContext(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: v.options}
}

// CheckRequest validates a request whose body has been read into body. It returns the operation
// and the violations (none when the request conforms).
func (v *Validator) CheckRequest(req *http.Request, body []byte) (string, Violations) {
	route, params, op, notFound := v.route(req)
	if notFound != nil {
		return op, Violations{*notFound}
	}
	err := v.checkRequest(v.requestInput(req, body, route, params), body)
	return op, violationsOf(op, InRequest, err)
}

// CheckResponse validates the response to req. The request is used only to find the operation.
func (v *Validator) CheckResponse(req *http.Request, status int, header http.Header, body []byte) (string, Violations) {
	route, params, op, notFound := v.route(req)
	if notFound != nil {
		return op, Violations{*notFound}
	}
	err := v.checkResponse(v.requestInput(req, nil, route, params), status, header, body)
	return op, violationsOf(op, InResponse, err)
}

// Check validates a whole exchange: the request, then the response.
func (v *Validator) Check(req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) (string, Violations) {
	route, params, op, notFound := v.route(req)
	if notFound != nil {
		return op, Violations{*notFound}
	}
	in := v.requestInput(req, reqBody, route, params)
	out := violationsOf(op, InRequest, v.checkRequest(in, reqBody))
	out = append(out, violationsOf(op, InResponse, v.checkResponse(in, status, header, respBody))...)
	return op, out
}

// Exchange is one request and its response, with what the validator found.
type Exchange struct {
	Operation      string      `json:"operation"`
	Method         string      `json:"method"`
	URL            string      `json:"url"`
	RequestHeader  http.Header `json:"requestHeader,omitempty"`
	RequestBody    []byte      `json:"requestBody,omitempty"`
	Status         int         `json:"status"`
	ResponseHeader http.Header `json:"responseHeader,omitempty"`
	ResponseBody   []byte      `json:"responseBody,omitempty"`
	Violations     Violations  `json:"violations,omitempty"`
	// Err is set when no response came (a dead target, a timeout, a dropped connection).
	Err string `json:"error,omitempty"`
}

// RedactedURL is the exchange's URL with query values that look like secrets removed.
func RedactedURL(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}
