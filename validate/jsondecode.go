package validate

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// decodeJSON decodes a body as openapi3filter's JSON body decoder does: encoding/json into
// interface{}, numbers kept as json.Number, the first value only. Plain JSON — what servers send
// — is decoded in one pass by fastJSON (encoding/json scans a body twice and was a third of a
// validation's cost); anything it does not take on (an error, an escape it leaves to
// encoding/json, invalid UTF-8, deep nesting, bytes after the value) goes to encoding/json
// whole, so the value and the error are always encoding/json's. FuzzFastJSON holds the two to it.
func decodeJSON(body []byte) (any, error) {
	if v, ok := fastJSON(body); ok {
		return v, nil
	}
	return stdJSON(body)
}

// stdJSON is openapi3filter's decoding, verbatim.
func stdJSON(body []byte) (any, error) {
	var value any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&value); err != nil {
		return nil, err
	}
	return value, nil
}

// fastJSONMaxDepth bounds fastJSON's recursion; deeper bodies go to encoding/json.
const fastJSONMaxDepth = 100

// fastJSON decodes b when it is one JSON value and nothing else but whitespace, and reports
// whether it did.
func fastJSON(b []byte) (any, bool) {
	// Invalid UTF-8 anywhere is encoding/json's to handle (in a string it becomes U+FFFD, outside
	// one it is a syntax error). Once the body is known valid, it is copied into one string, and
	// every unescaped string and number of the value is a slice of that copy: one allocation for
	// the body's text instead of one per string.
	if !utf8.Valid(b) {
		return nil, false
	}
	p := jsonParser{b: b, s: string(b)}
	p.space()
	v, ok := p.value(0)
	if !ok {
		return nil, false
	}
	p.space()
	return v, p.i == len(p.b)
}

type jsonParser struct {
	b []byte
	s string // b's text, which decoded strings and numbers slice
	i int
}

func (p *jsonParser) space() { p.i = spaceEnd(p.b, p.i) }

// spaceEnd returns where the JSON whitespace starting at b[i] ends.
func spaceEnd(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func (p *jsonParser) value(depth int) (any, bool) {
	if p.i >= len(p.b) || depth > fastJSONMaxDepth {
		return nil, false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, ok := p.str()
		return s, ok
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	}
	return nil, false
}

func (p *jsonParser) literal(word string) bool {
	if !bytes.HasPrefix(p.b[p.i:], []byte(word)) {
		return false
	}
	p.i += len(word)
	return true
}

func (p *jsonParser) object(depth int) (any, bool) {
	p.i++ // '{'
	m := map[string]any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return m, true
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		m[k] = v // a repeated name: the last value wins, as in encoding/json
		if end, ok := p.next('}'); !ok || end {
			return m, ok
		}
	}
}

// next reads what follows a member or an element: a comma (more to come) or the closing byte
// (end). ok is false on anything else.
func (p *jsonParser) next(closing byte) (end, ok bool) {
	p.space()
	if p.i >= len(p.b) {
		return false, false
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		return false, true
	case closing:
		p.i++
		return true, true
	}
	return false, false
}

func (p *jsonParser) array(depth int) (any, bool) {
	p.i++ // '['
	a := []any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return a, true
	}
	for {
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		if end, ok := p.next(']'); !ok || end {
			return a, ok
		}
	}
}

// str reads a string. One with an escape is handed to encoding/json (its rules for \u escapes
// and surrogates are its own); a control character ends the fast path.
func (p *jsonParser) str() (string, bool) {
	start := p.i + 1
	q := bytes.IndexByte(p.b[start:], '"')
	if q < 0 {
		return "", false
	}
	seg := p.b[start : start+q]
	if bytes.IndexByte(seg, '\\') >= 0 {
		return p.escapedStr(start)
	}
	for _, c := range seg {
		if c < 0x20 {
			return "", false
		}
	}
	p.i = start + q + 1
	return p.s[start : start+q], true
}

// escapedStr reads a string that holds an escape, from its first byte after the quote.
func (p *jsonParser) escapedStr(start int) (string, bool) {
	for j := start; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '\\':
			j++ // the escaped byte cannot end the string
		case c == '"':
			raw := p.b[p.i : j+1]
			p.i = j + 1
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", false
			}
			return s, true
		case c < 0x20:
			return "", false
		}
	}
	return "", false
}

// number reads a number.
func (p *jsonParser) number() (any, bool) {
	end, ok := numberEnd(p.b, p.i)
	if !ok {
		return nil, false
	}
	n := json.Number(p.s[p.i:end])
	p.i = end
	return n, true
}

// numberEnd returns where the number starting at b[i] ends, as JSON's grammar has it:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?. ok is false when no number starts there.
func numberEnd(b []byte, i int) (end int, ok bool) {
	digits := func() int {
		n := 0
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return i, false
		}
	}
	return i, true
}
