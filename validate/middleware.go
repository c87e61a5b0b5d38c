package validate

import (
	"bytes"
	"io"
	"net/http"
)

// Middleware wraps a server's handler so that each exchange it serves is validated after the
// handler returns; onExchange receives every exchange. Use it to check a mock or a server under
// test from the inside. The handler's response is passed through unchanged.
func Middleware(v *Validator, onExchange func(Exchange)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var reqBody []byte
			if r.Body != nil {
				reqBody, _ = io.ReadAll(r.Body)
				r.Body.Close()
				r.Body = io.NopCloser(bytes.NewReader(reqBody))
			}
			rec := &recorder{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(rec, r)
			op, vs := v.Check(r, reqBody, rec.status, w.Header(), rec.body.Bytes())
			if onExchange != nil {
				onExchange(Exchange{
					Operation: op, Method: r.Method, URL: RedactedURL(r.URL),
					RequestHeader: r.Header, RequestBody: reqBody,
					Status: rec.status, ResponseHeader: w.Header(), ResponseBody: rec.body.Bytes(),
					Violations: vs,
				})
			}
		})
	}
}

// recorder passes writes through while keeping a copy of the status and body.
type recorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
