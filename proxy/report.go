package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/favconform/favconform/internal/redact"
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
//	  "summary": {"exchanges": 12, "answered": 12, "withViolations": 1, "violations": 2, "errors": 0, "notRecorded": 0},
//	  "exchanges": [{"seq": 3, "operation": "getUserFavoriteList", "method": "GET", "url": "...",
//	                 "status": 200, "violations": [{"operation", "in", "pointer", "expected", "got", "message"}],
//	                 "requestHeader": {...}, "requestBody": ..., "responseHeader": {...}, "responseBody": ...}]
//	}
//
// Bodies are JSON values when they hold JSON, strings otherwise. Every text is redacted, valid
// UTF-8 (invalid bytes written as \xNN) and capped (MaxRecordedBodyBytes, ...) with a note
// "… [truncated: N bytes in all]"; the file is at most MaxReportBytes.
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
	// Seq is the exchange's number in the session, from 1 in the order the requests arrived, as
	// in the log lines (#3).
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
	// ViolationsNotRecorded counts the violations past MaxRecordedViolations left out.
	ViolationsNotRecorded int `json:"violationsNotRecorded,omitempty"`
}

// Report returns the session report so far.
func (p *Proxy) Report() Report {
	p.mu.Lock()
	r := Report{
		SchemaVersion: ReportSchemaVersion, Tool: "favconform proxy", Target: p.base.URL(p.target),
		StartedAt: p.started, EndedAt: time.Now(), Summary: p.stats,
		Exchanges: append([]Record{}, p.recorded...),
	}
	p.mu.Unlock()
	return r
}

// WriteReport writes the session report to path as indented JSON, at most MaxReportBytes (the
// last records are left out, and counted, if it would be larger). Every text in it goes through
// the redaction once more, with every credential seen in the session.
func (p *Proxy) WriteReport(path string) error {
	rep := p.Report()
	red := p.sessionRedactor()
	for i := range rep.Exchanges {
		rep.Exchanges[i] = redactRecord(rep.Exchanges[i], red)
	}
	b, err := encodeReport(&rep)
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("proxy: report directory: %w", err)
		}
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("proxy: writing the report: %w", err)
	}
	return nil
}

// encodeReport encodes rep, leaving out its last records (counted in NotRecorded) while it is
// larger than MaxReportBytes.
func encodeReport(rep *Report) ([]byte, error) {
	for {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("proxy: encoding the report: %w", err)
		}
		b = append(b, '\n')
		excess := len(b) - MaxReportBytes
		if excess <= 0 || len(rep.Exchanges) == 0 {
			return b, nil
		}
		// Drop from the end at least as many bytes as are too many (a record's compact size is
		// less than its indented one, so this may take another round).
		dropped := 0
		for excess > 0 && len(rep.Exchanges) > 0 {
			last := rep.Exchanges[len(rep.Exchanges)-1]
			excess -= recordSize(last)
			rep.Exchanges = rep.Exchanges[:len(rep.Exchanges)-1]
			dropped++
		}
		rep.Summary.NotRecorded += dropped
	}
}

// redactRecord is r with every text redacted by red: the report's last pass, with the
// credentials of exchanges that came after r's.
func redactRecord(r Record, red *redact.Redactor) Record {
	r.Operation, r.Method, r.URL, r.Error = red.String(r.Operation), red.String(r.Method), red.String(r.URL), red.String(r.Error)
	r.Violations = redactViolations(r.Violations, red)
	r.RequestHeader, r.ResponseHeader = redactHeaderValues(r.RequestHeader, red), redactHeaderValues(r.ResponseHeader, red)
	r.RequestBody, r.ResponseBody = redactBody(r.RequestBody, red), redactBody(r.ResponseBody, red)
	return r
}

func redactHeaderValues(h http.Header, red *redact.Redactor) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for name, vs := range h {
		c := make([]string, len(vs))
		for i, v := range vs {
			c[i] = red.String(v)
		}
		out[red.String(name)] = c
	}
	return out
}

// redactBody redacts a record's body; a JSON body that no longer is JSON becomes a string.
func redactBody(b any, red *redact.Redactor) any {
	switch b := b.(type) {
	case json.RawMessage:
		return bodyValue(red.Bytes(b))
	case string:
		return red.String(b)
	}
	return b
}
