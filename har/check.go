package har

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/validate"
)

// Options say what to check.
type Options struct {
	// Validator checks the exchanges; nil means validate.Default().
	Validator *validate.Validator
	// Host, if set, limits the check to entries sent to this host (as in the URL, with its port if
	// it has one); entries for other hosts are skipped.
	Host string
	// Sanitized says the HAR was exported without Authorization headers (Chrome's default
	// "Export HAR (sanitized)" does that): their absence is then not reported.
	Sanitized bool
	// Secrets are values to remove from the results besides the Authorization and Cookie values
	// found in the file, which are always removed.
	Secrets []string
}

// Skip reasons.
const (
	SkipNotAPI      = "not a Dashboard Favorite List API path"
	SkipOtherHost   = "another host than the one asked for"
	SkipPreflight   = "CORS preflight (OPTIONS)"
	SkipNoResponse  = "no response recorded (status 0: blocked, cancelled or failed before an answer)"
	noteNoRespBody  = "the response body is not in the HAR (content.text missing): only the request was checked"
	noteSanitized   = "the HAR carries no Authorization header (exported sanitized): its absence was not checked"
	redactedValue   = "[REDACTED]"
	authPlaceholder = "(removed from the HAR)"
)

// Result is the outcome of one HAR file.
type Result struct {
	// File is the name the file was read under.
	File string `json:"file"`
	// Creator is the tool that wrote the HAR ("Chrome 120.0", "favconform", ...).
	Creator string `json:"creator,omitempty"`
	// Entries are every entry of the file, in order.
	Entries []EntryResult `json:"entries"`
}

// EntryResult is the outcome of one entry.
type EntryResult struct {
	// Index is the entry's position in log.entries, from 0.
	Index int `json:"index"`
	// Method and URL are the request's; the URL of a skipped entry is given without its query.
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status"`
	// Operation is the spec's operationId ("" for a skipped entry).
	Operation string `json:"operation,omitempty"`
	// Violations are the entry's faults; none when it conforms or was skipped.
	Violations validate.Violations `json:"violations,omitempty"`
	// Skipped says why the entry was not checked ("" when it was).
	Skipped string `json:"skipped,omitempty"`
	// Note says what was left out of a check.
	Note string `json:"note,omitempty"`
	// Exchange is the entry as checked, redacted (no Authorization or Cookie value, no secret).
	Exchange validate.Exchange `json:"-"`
}

// Counts returns how many entries conform, have violations, and were skipped.
func (r Result) Counts() (conform, violating, skipped int) {
	for _, e := range r.Entries {
		switch {
		case e.Skipped != "":
			skipped++
		case len(e.Violations) > 0:
			violating++
		default:
			conform++
		}
	}
	return
}

// CheckFile reads and checks the HAR file at path. Its error, when the file cannot be read as a
// HAR, is a *FormatError.
func CheckFile(path string, opts Options) (Result, error) {
	l, err := ReadFile(path)
	if err != nil {
		return Result{}, err
	}
	return Check(l, path, opts)
}

// Check validates every API entry of l; name is the file's name in the result.
func Check(l *Log, name string, opts Options) (Result, error) {
	v := opts.Validator
	if v == nil {
		var err error
		if v, err = validate.Default(); err != nil {
			return Result{}, err
		}
	}
	res := Result{File: name, Creator: strings.TrimSpace(l.Creator.Name + " " + l.Creator.Version), Entries: []EntryResult{}}
	redact := redactor(l, opts.Secrets)
	for i, e := range l.Entries {
		res.Entries = append(res.Entries, checkEntry(v, i, e, opts, redact))
	}
	return res, nil
}

func checkEntry(v *validate.Validator, i int, e Entry, opts Options, redact func(string) string) EntryResult {
	u, _ := url.Parse(e.Request.URL) // Parse checked it
	out := EntryResult{Index: i, Method: strings.ToUpper(e.Request.Method), URL: redact(e.Request.URL), Status: e.Response.Status}
	skip := func(reason string) EntryResult {
		bare := *u
		bare.RawQuery, bare.Fragment, bare.User = "", "", nil
		out.URL, out.Skipped = redact(bare.String()), reason
		return out
	}
	switch {
	case !isAPIPath(u.Path):
		return skip(SkipNotAPI)
	case opts.Host != "" && !strings.EqualFold(u.Host, opts.Host):
		return skip(SkipOtherHost + " (" + opts.Host + ")")
	case out.Method == http.MethodOptions && header(e.Request.Headers).Get("Access-Control-Request-Method") != "":
		return skip(SkipPreflight)
	case e.Response.Status == 0:
		return skip(SkipNoResponse)
	}

	reqBody := e.Request.Body()
	req, err := http.NewRequest(out.Method, e.Request.URL, bytes.NewReader(reqBody))
	if err != nil {
		// Parse accepted the URL and any method string; a method with spaces gets here.
		return skip("unusable request: " + err.Error())
	}
	req.Header = header(e.Request.Headers)
	if req.Header.Get("Content-Type") == "" && e.Request.PostData != nil && e.Request.PostData.MimeType != "" && len(reqBody) > 0 {
		req.Header.Set("Content-Type", e.Request.PostData.MimeType)
	}
	if opts.Sanitized && strings.TrimSpace(req.Header.Get("Authorization")) == "" {
		req.Header.Set("Authorization", authPlaceholder)
		out.Note = noteSanitized
	}
	respHeader := header(e.Response.Headers)
	if respHeader.Get("Content-Type") == "" && e.Response.Content.MimeType != "" {
		respHeader.Set("Content-Type", e.Response.Content.MimeType)
	}
	respBody, _ := e.Response.Body() // Parse checked it
	if e.Response.BodyRecorded() {
		out.Operation, out.Violations = v.Check(req, reqBody, e.Response.Status, respHeader, respBody)
	} else {
		out.Operation, out.Violations = v.CheckRequest(req, reqBody)
		out.Note = joinNotes(out.Note, noteNoRespBody)
	}
	for k, vv := range out.Violations {
		vv.Operation, vv.Expected, vv.Got, vv.Message = redact(vv.Operation), redact(vv.Expected), redact(vv.Got), redact(vv.Message)
		out.Violations[k] = vv
	}
	out.Exchange = validate.Exchange{
		Operation: out.Operation, Method: out.Method, URL: out.URL,
		RequestHeader: redactHeader(req.Header, redact), RequestBody: []byte(redact(string(reqBody))),
		Status: e.Response.Status, ResponseHeader: redactHeader(respHeader, redact), ResponseBody: []byte(redact(string(respBody))),
		Violations: out.Violations,
	}
	return out
}

func joinNotes(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// isAPIPath reports whether path is one of the API's (after any prefix such as the SDK's /_api).
func isAPIPath(path string) bool {
	i := strings.Index(path, api.ListPath)
	if i < 0 {
		return false
	}
	rest := path[i+len(api.ListPath):]
	return rest == "" || strings.HasPrefix(rest, "/")
}

var sensitive = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// redactor removes the file's credentials (every Authorization, Cookie and Set-Cookie value, and
// each credential after its scheme) and the given secrets.
func redactor(l *Log, secrets []string) func(string) string {
	var all []string
	add := func(nvs []NameValue) {
		for _, nv := range nvs {
			if !slices.ContainsFunc(sensitive, func(s string) bool { return strings.EqualFold(s, nv.Name) }) {
				continue
			}
			v := strings.TrimSpace(nv.Value)
			all = append(all, v)
			if _, cred, ok := strings.Cut(v, " "); ok {
				all = append(all, strings.TrimSpace(cred))
			}
		}
	}
	for _, e := range l.Entries {
		add(e.Request.Headers)
		add(e.Response.Headers)
		for _, c := range e.Request.Cookies {
			all = append(all, c.Value)
		}
		for _, c := range e.Response.Cookies {
			all = append(all, c.Value)
		}
	}
	// Short values ("1", "a") would garble every output and are no credentials.
	all = slices.DeleteFunc(all, func(s string) bool { return len(s) < 6 || s == authPlaceholder })
	for _, s := range secrets {
		if s != "" {
			all = append(all, s)
		}
	}
	sort.Slice(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
	all = slices.Compact(all)
	return func(s string) string {
		for _, secret := range all {
			s = strings.ReplaceAll(s, secret, redactedValue)
		}
		return s
	}
}

func redactHeader(h http.Header, redact func(string) string) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		isSensitive := slices.ContainsFunc(sensitive, func(s string) bool { return strings.EqualFold(s, k) })
		for _, v := range vs {
			if isSensitive && v != authPlaceholder {
				v = redactedValue
			} else {
				v = redact(v)
			}
			out[k] = append(out[k], v)
		}
	}
	return out
}
