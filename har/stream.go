package har

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// This file reads a HAR document as a stream: the log's small fields (version, creator, browser,
// comment) are decoded as they come, pages and other fields are stepped over, and log.entries is
// handed over one entry at a time, as its JSON text. Memory is bounded by the largest entry, and
// no string longer than maxString is held at all (see MaxBodySize).

// readChunk is how much of the file is read at a time.
const readChunk = 64 << 10

// maxNesting is encoding/json's nesting limit: a value nested deeper is refused as it refuses it.
const maxNesting = 10000

// harExpected is what a file that is not a HAR document at all was expected to be.
const harExpected = "a HAR file: a JSON object {\"log\": {\"version\": \"1.2\", \"entries\": [...]}}"

// position is a place in the file, for messages.
type position struct {
	offset    int64 // bytes before it
	line      int   // from 1
	lineStart int64 // offset of its line's first byte
}

// column is the position's column, from 1.
func (p position) column() int64 { return p.offset - p.lineStart + 1 }

// advance returns the position b's bytes further on.
func (p position) advance(b []byte) position {
	p.offset += int64(len(b))
	if n := bytes.Count(b, []byte{'\n'}); n > 0 {
		p.line += n
		p.lineStart = p.offset - int64(len(b)-1-bytes.LastIndexByte(b, '\n'))
	}
	return p
}

// syntaxError is a JSON syntax error found while streaming, worded as encoding/json words them.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }

// quoteChar formats c as encoding/json's syntax errors do.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	if c >= 0x80 {
		s = strconv.Quote(string([]byte{c}))
	}
	return "'" + s[1:len(s)-1] + "'"
}

// stream reads a JSON document from r a chunk at a time.
type stream struct {
	name string
	r    io.Reader
	buf  []byte // the current chunk; buf[pos:] is unread
	pos  int
	// counted is how much of buf the line count covers; at is the position of buf[counted].
	counted int
	at      position
	eof     bool
	open    []byte // capture's, kept between calls
	skipped []byte // skip's buffer, kept between calls
}

func newStream(r io.Reader, name string) *stream {
	return &stream{name: name, r: r, buf: make([]byte, 0, readChunk), at: position{line: 1}}
}

// fill reads the next chunk once buf is used up; false at the end of the input.
func (s *stream) fill() (bool, error) {
	if s.pos < len(s.buf) {
		return true, nil
	}
	if s.eof {
		return false, nil
	}
	s.at = s.at.advance(s.buf[s.counted:])
	s.buf, s.pos, s.counted = s.buf[:0], 0, 0
	for len(s.buf) == 0 {
		n, err := s.r.Read(s.buf[:cap(s.buf)])
		s.buf = s.buf[:n]
		if err == io.EOF {
			s.eof = true
			return n > 0, nil
		}
		if err != nil {
			return false, s.formatError(-1, "", "a readable HAR file", err)
		}
	}
	return true, nil
}

// here is the position of the next unread byte.
func (s *stream) here() position {
	s.at = s.at.advance(s.buf[s.counted:s.pos])
	s.counted = s.pos
	return s.at
}

func (s *stream) formatError(entry int, field, expected string, err error) *FormatError {
	return &FormatError{File: s.name, Entry: entry, Field: field, Expected: expected, Err: err}
}

// syntaxErrorAt is the error for a file that is not JSON, at p.
func (s *stream) syntaxErrorAt(p position, err error) error {
	return s.formatError(-1, "", harExpected, fmt.Errorf("line %d, column %d: %w", p.line, p.column(), err))
}

// badByte is the syntax error for the next byte, found where context says.
func (s *stream) badByte(context string) error {
	p := s.here()
	return s.syntaxErrorAt(p, &syntaxError{"invalid character " + quoteChar(s.buf[s.pos]) + " " + context})
}

// unexpectedEnd is the syntax error for a file that stops in the middle of its JSON.
func (s *stream) unexpectedEnd() error {
	p := s.here()
	if p.offset > 0 {
		// encoding/json places it on the last byte.
		p.offset--
	}
	return s.syntaxErrorAt(p, &syntaxError{"unexpected end of JSON input"})
}

// next skips whitespace and returns the next byte without consuming it; ok is false at the end.
func (s *stream) next() (c byte, ok bool, err error) {
	for {
		for s.pos < len(s.buf) {
			switch c := s.buf[s.pos]; c {
			case ' ', '\t', '\n', '\r':
				s.pos++
			default:
				return c, true, nil
			}
		}
		if more, err := s.fill(); !more || err != nil {
			return 0, false, err
		}
	}
}

// expect consumes the next byte, which must be one of want; context names the place for the
// syntax error otherwise.
func (s *stream) expect(want, context string) (byte, error) {
	c, ok, err := s.next()
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, s.unexpectedEnd()
	}
	if strings.IndexByte(want, c) < 0 {
		return 0, s.badByte(context)
	}
	s.pos++
	return c, nil
}

// elision is a string left out of a captured value because it is longer than maxString.
type elision struct {
	// field names it from the captured value ("response.content.text").
	field string
	// at is where in the captured text the string's "" stands, and omitted how many bytes of
	// the file were left out there.
	at      int
	omitted int64
	// atLeast is how many bytes the string holds at least, once decoded.
	atLeast int64
}

// captured is one JSON value of the file as text.
type captured struct {
	raw    []byte
	start  position
	elided []elision
	// broken says the value stops at a syntax fault (a bracket that does not match, too deep a
	// nesting, the end of the file): decoding raw says which.
	broken bool
}

// filePosition is the position in the file of raw[rel].
func (c *captured) filePosition(rel int) position {
	rel = min(max(rel, 0), len(c.raw))
	p := c.start.advance(c.raw[:rel])
	for _, e := range c.elided {
		if e.at < rel {
			p.offset += e.omitted // an elided string holds no newline: it would be a syntax error
		}
	}
	return p
}

// opens marks the bytes capture stops at outside strings.
var opens = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// capture copies the next JSON value of the stream to dst[:0], following strings and brackets
// only (the decoder checks the rest of the syntax). A string whose decoded length is certainly
// above maxString is written as "" and listed in elided, and never held whole.
func (s *stream) capture(dst []byte, maxString int64) (captured, error) {
	c := captured{raw: dst[:0]}
	first, ok, err := s.next()
	if err != nil {
		return c, err
	}
	if !ok {
		return c, s.unexpectedEnd()
	}
	c.start = s.here()
	if first != '{' && first != '[' && first != '"' {
		return s.captureScalar(c)
	}
	// open holds the brackets of the open objects and arrays, so that one closed by the other
	// kind stops the capture there rather than at the end of the file.
	open := s.open[:0]
	defer func() { s.open = open[:0] }()
	seg := s.pos // buf[seg:pos] is still to be appended to c.raw
	for {
		buf := s.buf
		i := nextOpen(buf, s.pos)
		s.pos = i
		if i == len(buf) {
			c.raw = append(c.raw, buf[seg:]...)
			more, err := s.fill()
			if err != nil {
				return c, err
			}
			if !more {
				c.broken = true
				return c, nil
			}
			seg = s.pos
			continue
		}
		switch b := buf[i]; b {
		case '"':
			c.raw = append(c.raw, buf[seg:i]...)
			seg = i
			closed, err := s.captureString(&c, &seg, maxString)
			if err != nil {
				return c, err
			}
			if !closed {
				c.broken = true
				return c, nil
			}
			if len(open) == 0 {
				c.raw = append(c.raw, s.buf[seg:s.pos]...)
				return c, nil
			}
			continue
		case '{', '[':
			if len(open) == maxNesting {
				s.pos++
				c.raw = append(c.raw, buf[seg:s.pos]...)
				c.broken = true
				return c, nil
			}
			open = append(open, b)
		default: // '}', ']'
			if len(open) == 0 || open[len(open)-1] != b-2 { // '{'+2 == '}', '['+2 == ']'
				s.pos++
				c.raw = append(c.raw, buf[seg:s.pos]...)
				c.broken = true
				return c, nil
			}
			open = open[:len(open)-1]
			if len(open) == 0 {
				s.pos++
				c.raw = append(c.raw, buf[seg:s.pos]...)
				return c, nil
			}
		}
		s.pos++
	}
}

// maxScalar bounds a captured number or literal: no JSON number is anywhere near as long, and
// the decoder refuses what is cut off.
const maxScalar = 1 << 10

// captureScalar captures a number or literal: everything up to the next delimiter (at least one
// byte, so that a stray delimiter is what the decoder sees and names).
func (s *stream) captureScalar(c captured) (captured, error) {
	for {
		i := s.pos
		if len(c.raw) == 0 {
			i++
		}
	scan:
		for ; i < len(s.buf); i++ {
			switch s.buf[i] {
			case ',', '}', ']', ':', ' ', '\t', '\n', '\r', '"', '{', '[':
				break scan
			}
		}
		c.raw = append(c.raw, s.buf[s.pos:i]...)
		s.pos = i
		if i < len(s.buf) || len(c.raw) > maxScalar {
			return c, nil
		}
		more, err := s.fill()
		if err != nil || !more {
			return c, err
		}
	}
}

// captureString captures the string starting at the stream's position (its opening quote) and
// reports whether it closed before the end of the file. Bytes from *seg on are not yet in c.raw.
func (s *stream) captureString(c *captured, seg *int, maxString int64) (bool, error) {
	start := len(c.raw) // the opening quote's place in c.raw
	s.pos++
	for {
		rest := s.buf[s.pos:]
		if q := bytes.IndexByte(rest, '"'); q >= 0 {
			s.pos += q
			if !s.escaped(c.raw, *seg) {
				s.pos++
				return true, nil
			}
			s.pos++
			continue
		}
		s.pos = len(s.buf)
		// The string goes on past this chunk: append it, and look at its length.
		c.raw = append(c.raw, s.buf[*seg:]...)
		*seg = len(s.buf)
		if int64(len(c.raw)-start-1) > maxString {
			return s.elideString(c, seg, start, maxString)
		}
		more, err := s.fill()
		if err != nil || !more {
			return false, err
		}
		*seg = s.pos
	}
}

// escaped reports whether the quote at buf[pos] is escaped: preceded by an odd number of
// backslashes, in buf[seg:pos] and, before that, at the end of raw.
func (s *stream) escaped(raw []byte, seg int) bool {
	n := 0
	i := s.pos - 1
	for ; i >= seg && s.buf[i] == '\\'; i-- {
		n++
	}
	if i < seg {
		for j := len(raw) - 1; j >= 0 && raw[j] == '\\'; j-- {
			n++
		}
	}
	return n%2 == 1
}

// stringScan follows a string's bytes after its opening quote: its decoded length (a lower
// bound: each escape counts one byte) and the escape it is in.
type stringScan struct {
	decoded int64
	escape  int // 0 none, 1 after a backslash, 2-5 in a \u escape's hex digits
}

// step takes one byte of the string; done when it is the closing quote. A byte JSON does not
// allow there is a syntax error, worded as encoding/json's.
func (st *stringScan) step(b byte) (done bool, err error) {
	switch {
	case st.escape == 0 && b == '"':
		return true, nil
	case st.escape == 0 && b == '\\':
		st.escape = 1
	case st.escape == 0 && b < 0x20:
		return false, &syntaxError{"invalid character " + quoteChar(b) + " in string literal"}
	case st.escape == 0:
		st.decoded++
	case st.escape == 1 && b == 'u':
		st.escape = 2
	case st.escape == 1 && strings.IndexByte(`"\/bfnrt`, b) >= 0:
		st.escape, st.decoded = 0, st.decoded+1
	case st.escape == 1:
		return false, &syntaxError{"invalid character " + quoteChar(b) + " in string escape code"}
	case ('0' <= b && b <= '9') || ('a' <= b && b <= 'f') || ('A' <= b && b <= 'F'):
		if st.escape++; st.escape == 6 {
			st.escape, st.decoded = 0, st.decoded+1
		}
	default:
		return false, &syntaxError{"invalid character " + quoteChar(b) + " in \\u hexadecimal character escape"}
	}
	return false, nil
}

// scan takes b's bytes up to the string's closing quote (done; n counts it) or to a byte JSON
// does not allow there (err, about b[n]).
func (st *stringScan) scan(b []byte) (n int, done bool, err error) {
	for n < len(b) {
		if st.escape == 0 {
			k := stringRun(b, n)
			st.decoded += int64(k - n)
			if n = k; n == len(b) {
				break
			}
		}
		done, err := st.step(b[n])
		if err != nil {
			return n, false, err
		}
		n++
		if done {
			return n, true, nil
		}
	}
	return n, false, nil
}

// elideString goes on with a string whose text (in c.raw from start on) is longer than
// maxString: it is kept while its decoded length may still be within maxString, and left out
// (written "") once it is certainly not. On return, everything up to the stream's position is
// in c.raw.
func (s *stream) elideString(c *captured, seg *int, start int, maxString int64) (bool, error) {
	var st stringScan
	if n, _, err := st.scan(c.raw[start+1:]); err != nil {
		return false, s.syntaxErrorAt(c.filePosition(start+1+n), err)
	}
	kept, omitted := true, int64(0)
	elide := func() {
		omitted = int64(len(c.raw) - start - 1)
		c.raw = append(c.raw[:start], '"')
		c.elided = append(c.elided, elision{field: fieldAt(c.raw, start), at: start})
		kept = false
	}
	if st.decoded > maxString {
		elide()
	}
	for {
		more, err := s.fill()
		if err != nil || !more {
			return false, err
		}
		from := s.pos
		n, done, err := st.scan(s.buf[from:])
		s.pos += n
		*seg = s.pos
		if err != nil {
			return false, s.syntaxErrorAt(s.here(), err)
		}
		content := s.buf[from:s.pos]
		if done {
			content = content[:len(content)-1]
		}
		if kept {
			c.raw = append(c.raw, content...)
			if st.decoded > maxString {
				elide()
			}
		} else {
			omitted += int64(len(content))
		}
		if done {
			c.raw = append(c.raw, '"')
			if !kept {
				c.elided[len(c.elided)-1].omitted = omitted
				c.elided[len(c.elided)-1].atLeast = st.decoded
			}
			return true, nil
		}
	}
}

// fieldAt names the place of the string that starts at raw[at] in the captured value raw: the
// keys of the objects around it joined by dots, array elements by their index
// ("response.headers[2].value"), "(a key)" for a member's name.
func fieldAt(raw []byte, at int) string {
	type frame struct {
		object    bool
		expectKey bool
		key       []byte
		index     int
	}
	var open []frame
	for i := 0; i < at; i++ {
		switch raw[i] {
		case '"':
			j := i + 1
			for ; j < at && raw[j] != '"'; j++ {
				if raw[j] == '\\' {
					j++
				}
			}
			if top := len(open) - 1; top >= 0 && open[top].object && open[top].expectKey {
				open[top].key, open[top].expectKey = raw[i+1:min(j, at)], false
			}
			i = j
		case '{', '[':
			open = append(open, frame{object: raw[i] == '{', expectKey: raw[i] == '{'})
		case '}', ']':
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		case ',':
			if top := len(open) - 1; top >= 0 {
				if open[top].object {
					open[top].expectKey = true
				} else {
					open[top].index++
				}
			}
		}
	}
	var b strings.Builder
	for i, f := range open {
		last := i == len(open)-1
		switch {
		case f.object && last && f.expectKey:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString("(a key)")
		case f.object:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.Write(f.key)
		default:
			fmt.Fprintf(&b, "[%d]", f.index)
		}
	}
	return b.String()
}

// skip steps over the next JSON value, checking its syntax; it is held no more than an entry is.
func (s *stream) skip() error {
	c, err := s.capture(s.skipped[:0], maxString)
	if err != nil {
		return err
	}
	if cap(c.raw) <= keptBuffer {
		s.skipped = c.raw[:0]
	}
	if c.broken {
		return c.syntaxError(s)
	}
	if err := json.Unmarshal(c.raw, new(json.RawMessage)); err != nil {
		return c.syntaxError(s)
	}
	return nil
}

// syntaxError is the error for a value that is not JSON, as encoding/json finds it in raw.
func (c *captured) syntaxError(s *stream) error {
	err := json.Unmarshal(c.raw, new(json.RawMessage))
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return s.syntaxErrorAt(c.filePosition(int(se.Offset)-1), se)
	}
	if err == nil {
		// Whole, yet broken: cut off by the end of the file.
		return s.unexpectedEnd()
	}
	return s.syntaxErrorAt(c.start, err)
}

// decode decodes a captured value into v; a syntax error is the file's, placed in it.
func (c *captured) decode(s *stream, v any) error {
	if c.broken {
		return c.syntaxError(s)
	}
	err := json.Unmarshal(c.raw, v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return s.syntaxErrorAt(c.filePosition(int(se.Offset)-1), se)
	}
	return err
}

// jsonType names the type of the JSON value whose first byte is b, as encoding/json's
// UnmarshalTypeError does.
func jsonType(b byte) string {
	switch {
	case b == '{':
		return "object"
	case b == '[':
		return "array"
	case b == '"':
		return "string"
	case b == 't' || b == 'f':
		return "bool"
	case b == 'n':
		return "null"
	}
	return "number"
}

// object walks the object at the stream's position, calling member for each of its members
// with the stream at the member's value; member must consume it.
func (s *stream) object(member func(key string) error) error {
	s.pos++ // '{'
	c, ok, err := s.next()
	if err != nil {
		return err
	}
	if !ok {
		return s.unexpectedEnd()
	}
	if c == '}' {
		s.pos++
		return nil
	}
	for {
		if c, ok, err = s.next(); err != nil {
			return err
		} else if !ok {
			return s.unexpectedEnd()
		}
		if c != '"' {
			return s.badByte("looking for beginning of object key string")
		}
		k, err := s.capture(nil, maxScalar)
		if err != nil {
			return err
		}
		var key string
		if err := k.decode(s, &key); err != nil {
			return err
		}
		if _, err := s.expect(":", "after object key"); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		if c, err = s.expect(",}", "after object key:value pair"); err != nil {
			return err
		}
		if c == '}' {
			return nil
		}
	}
}

// notExpected is the error for a value of another type than expected: the value is read first,
// so that a syntax error in it is reported as such.
func (s *stream) notExpected(field, expected string) error {
	first, _, _ := s.next()
	v, err := s.capture(nil, maxString)
	if err != nil {
		return err
	}
	if err := v.decode(s, new(json.RawMessage)); err != nil {
		return err
	}
	return s.formatError(-1, field, expected, fmt.Errorf("got a JSON %s", jsonType(first)))
}

// isNullNext consumes a null literal if one is next.
func (s *stream) isNullNext() (bool, error) {
	c, ok, err := s.next()
	if err != nil || !ok || c != 'n' {
		return false, err
	}
	v, err := s.capture(nil, maxScalar)
	if err != nil {
		return false, err
	}
	if string(v.raw) != "null" {
		return false, v.decode(s, new(json.RawMessage))
	}
	return true, nil
}

// walk reads the HAR document: the log's version, creator, browser and comment are decoded, its
// pages and other members checked and stepped over, and each entry of log.entries is captured
// into a buffer from buffer and handed to entry, in order, as soon as it is read. It stops at
// the first error, the file's, buffer's or entry's.
func (s *stream) walk(maxString int64, buffer func() ([]byte, error), entry func(i int, text captured) error) (*Log, error) {
	c, ok, err := s.next()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.unexpectedEnd()
	}
	if c != '{' {
		if strings.IndexByte("[\"tfn-0123456789", c) < 0 {
			return nil, s.badByte("looking for beginning of value")
		}
		return nil, s.notExpected("", harExpected)
	}
	var l *Log
	entries := false
	err = s.object(func(key string) error {
		if !strings.EqualFold(key, "log") {
			return s.skip()
		}
		if l != nil {
			return s.formatError(-1, "log", "one HAR log; this JSON has a second \"log\"", nil)
		}
		if null, err := s.isNullNext(); err != nil || null {
			return err
		}
		if c, _, _ := s.next(); c != '{' {
			return s.notExpected("", harExpected)
		}
		l = &Log{}
		return s.object(func(key string) error {
			field := "log." + key
			switch strings.ToLower(key) {
			case "version", "comment":
				v, err := s.capture(nil, maxString)
				if err != nil {
					return err
				}
				target := &l.Version
				if strings.EqualFold(key, "comment") {
					target = &l.Comment
				}
				if err := v.decode(s, target); err != nil {
					if _, syntax := err.(*FormatError); syntax {
						return err
					}
					return s.formatError(-1, field, "a JSON string", typeError(err))
				}
				return nil
			case "creator", "browser":
				v, err := s.capture(nil, maxString)
				if err != nil {
					return err
				}
				var info *NameInfo
				if err := v.decode(s, &info); err != nil {
					if _, syntax := err.(*FormatError); syntax {
						return err
					}
					return s.formatError(-1, field, "an object {\"name\", \"version\"}", typeError(err))
				}
				if strings.EqualFold(key, "browser") {
					l.Browser = info
				} else if info != nil {
					l.Creator = *info
				}
				return nil
			case "entries":
				if entries {
					return s.formatError(-1, field, "one array of entries; the log has a second \"entries\"", nil)
				}
				entries = true
				if null, err := s.isNullNext(); err != nil {
					return err
				} else if null {
					return s.formatError(-1, field, "an array of entries; the log has none", nil)
				}
				if c, _, _ := s.next(); c != '[' {
					return s.notExpected(field, "an array of entries")
				}
				return s.entries(maxString, buffer, entry)
			}
			return s.skip()
		})
	})
	if err != nil {
		return nil, err
	}
	if _, ok, err := s.next(); err != nil {
		return nil, err
	} else if ok {
		return nil, s.badByte("after top-level value")
	}
	if l == nil {
		return nil, s.formatError(-1, "log", "an object (the HAR log); this JSON has no \"log\"", nil)
	}
	if !entries {
		return nil, s.formatError(-1, "log.entries", "an array of entries; the log has none", nil)
	}
	return l, nil
}

// entries walks the array of entries at the stream's position.
func (s *stream) entries(maxString int64, buffer func() ([]byte, error), entry func(i int, text captured) error) error {
	s.pos++ // '['
	c, ok, err := s.next()
	if err != nil {
		return err
	}
	if !ok {
		return s.unexpectedEnd()
	}
	if c == ']' {
		s.pos++
		return nil
	}
	for i := 0; ; i++ {
		buf, err := buffer()
		if err != nil {
			return err
		}
		text, err := s.capture(buf, maxString)
		if err != nil {
			return err
		}
		if text.broken {
			return text.syntaxError(s)
		}
		if err := entry(i, text); err != nil {
			return err
		}
		if c, err = s.expect(",]", "after array element"); err != nil {
			return err
		}
		if c == ']' {
			return nil
		}
	}
}
