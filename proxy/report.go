package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/favconform/favconform/validate"
)

// ReportSchemaVersion is the version of the session report's shape; it changes only when a field
// changes meaning or goes away.
const ReportSchemaVersion = 1

// Report is the session report (`favconform proxy --report FILE`): the counts, and every exchange
// that had violations or got no answer, redacted.
//
//	{
//	  "schemaVersion": 1,
//	  "tool": "favconform proxy",
//	  "target": "https://www.wixapis.com",
//	  "startedAt": "...", "endedAt": "...",
//	  "summary": {"exchanges": 12, "withViolations": 1, "violations": 2, "errors": 0, "notRecorded": 0},
//	  "exchanges": [{"seq": 3, "operation": "getUserFavoriteList", "method": "GET", "url": "...",
//	                 "status": 200, "violations": [{"operation", "in", "pointer", "expected", "got", "message"}],
//	                 "requestHeader": {...}, "requestBody": ..., "responseHeader": {...}, "responseBody": ...}]
//	}
//
// Bodies are JSON values when they hold JSON, strings otherwise, cut at 64 KiB.
type Report struct {
	SchemaVersion int       `json:"schemaVersion"`
	Tool          string    `json:"tool"`
	Target        string    `json:"target"`
	StartedAt     time.Time `json:"startedAt"`
	EndedAt       time.Time `json:"endedAt"`
	Summary       Stats     `json:"summary"`
	Exchanges     []Record  `json:"exchanges"`
}

// Record is one exchange of the report.
type Record struct {
	// Seq is the exchange's number in the session, from 1, as in the log lines (#3).
	Seq            int                 `json:"seq"`
	Operation      string              `json:"operation,omitempty"`
	Method         string              `json:"method"`
	URL            string              `json:"url"`
	Status         int                 `json:"status"`
	Violations     validate.Violations `json:"violations,omitempty"`
	Error          string              `json:"error,omitempty"`
	RequestHeader  http.Header         `json:"requestHeader,omitempty"`
	RequestBody    any                 `json:"requestBody,omitempty"`
	ResponseHeader http.Header         `json:"responseHeader,omitempty"`
	ResponseBody   any                 `json:"responseBody,omitempty"`
}

func recordOf(seq int, x validate.Exchange) Record {
	return Record{
		Seq: seq, Operation: x.Operation, Method: x.Method, URL: x.URL, Status: x.Status,
		Violations: x.Violations, Error: x.Err,
		RequestHeader: x.RequestHeader, RequestBody: bodyValue(x.RequestBody),
		ResponseHeader: x.ResponseHeader, ResponseBody: bodyValue(x.ResponseBody),
	}
}

// bodyValue is a body as it reads best in JSON: itself when it is JSON, else a string.
func bodyValue(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	if len(b) <= maxReportBody && json.Valid(b) {
		return json.RawMessage(b)
	}
	return validate.Clip(string(b), maxReportBody)
}

// Report returns the session report so far.
func (p *Proxy) Report() Report {
	p.mu.Lock()
	r := Report{
		SchemaVersion: ReportSchemaVersion, Tool: "favconform proxy", Target: validate.RedactedURL(p.target),
		StartedAt: p.started, EndedAt: time.Now(), Summary: p.stats,
		Exchanges: append([]Record{}, p.recorded...),
	}
	p.mu.Unlock()
	return r
}

// WriteReport writes the session report to path as indented JSON. Every string in it goes through
// the redaction once more, with every Authorization value seen in the session.
func (p *Proxy) WriteReport(path string) error {
	b, err := json.MarshalIndent(p.Report(), "", "  ")
	if err != nil {
		return fmt.Errorf("proxy: encoding the report: %w", err)
	}
	redact := p.redactor(nil)
	b = []byte(redact(string(b)))
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("proxy: report directory: %w", err)
		}
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("proxy: writing the report: %w", err)
	}
	return nil
}
