package har

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// decode decodes one entry's JSON text into e, as json.Unmarshal would, and reports
// whether the entry has a request and a response (each present and not null). Plain entries —
// what devtools and proxies write — are decoded in one pass by entryDecoder (encoding/json scans
// a text twice, and decoding was most of a HAR check's cost); anything it does not take on (an
// error of any kind, a member named twice or in another case, a number or escape it leaves to
// encoding/json) goes to encoding/json whole, so that the value and the error are always
// encoding/json's. FuzzEntryDecoder holds the two to it.
func (d *entryDecoder) decode(raw []byte, e *Entry) (hasRequest, hasResponse bool, err error) {
	d.b, d.i, d.hasRequest, d.hasResponse, d.next = raw, 0, false, false, 0
	defer func() { d.b = nil }()
	if d.entry(e) {
		return d.hasRequest, d.hasResponse, nil
	}
	*e = Entry{}
	return stdDecodeEntry(raw, e)
}

// stdDecodeEntry is encoding/json's decoding of an entry: first its shape (an object with a
// request and a response), then the entry.
func stdDecodeEntry(raw []byte, e *Entry) (hasRequest, hasResponse bool, err error) {
	var shape struct {
		Request  json.RawMessage `json:"request"`
		Response json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal(raw, &shape); err != nil {
		return false, false, err
	}
	if isNull(shape.Request) || isNull(shape.Response) {
		return !isNull(shape.Request), !isNull(shape.Response), nil
	}
	return true, true, json.Unmarshal(raw, e)
}

// entryError turns a decoding error of entry i into the FormatError that says what was expected
// where; a syntax error is one of the file, placed by where.
func entryError(name string, i int, err error, where func(rel int) position) error {
	ferr := func(field, expected string, err error) error {
		return &FormatError{File: name, Entry: i, Field: field, Expected: expected, Err: err}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		p := where(int(se.Offset) - 1)
		return &FormatError{File: name, Entry: -1, Expected: harExpected, Err: fmt.Errorf("line %d, column %d: %w", p.line, p.column(), err)}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" { // the entry is not an object
			return ferr("", "an object with a request and a response", fmt.Errorf("got a JSON %s", te.Value))
		}
		return ferr(te.Field, "a JSON "+jsonKind(te.Type)+", as HAR 1.2 defines it", fmt.Errorf("got a JSON %s", te.Value))
	}
	return ferr("", "an entry as HAR 1.2 defines it", err)
}

// entryDecoder decodes the JSON text of entries, one at a time; its buffers serve the next.
type entryDecoder struct {
	b []byte
	i int
	// all says to decode every field; otherwise the fields a check does not use (times,
	// sizes, HTTP versions, the query string, status text, redirect URL, timings, comments) are
	// checked as encoding/json would check them, and left out.
	all bool
	// seen are the short strings decoded lately: the same methods, header names and values and
	// MIME types come entry after entry, and are each one string.
	seen    map[string]string
	scratch []byte
	nvs     []NameValue
	// transient says each decoded entry is dropped before the next is decoded (a check's
	// worker): its name/value lists are then the decoder's own, reused entry after entry, in
	// lists (lists[n] for the entry's n-th list; next counts them).
	transient bool
	lists     [][]NameValue
	next      int
	// hasRequest and hasResponse record a request and a response that are not null.
	hasRequest, hasResponse bool
}

// Each struct's member names, as encoding/json matches them: a member whose name matches one
// but for case is left to encoding/json.
var (
	entryNames     = []string{"startedDateTime", "time", "request", "response", "cache", "timings", "comment"}
	requestNames   = []string{"method", "url", "httpVersion", "cookies", "headers", "queryString", "postData", "headersSize", "bodySize"}
	responseNames  = []string{"status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize"}
	nameValueNames = []string{"name", "value"}
	postDataNames  = []string{"mimeType", "text", "params"}
	contentNames   = []string{"size", "mimeType", "text", "encoding"}
	timingsNames   = []string{"send", "wait", "receive"}
)

func (d *entryDecoder) entry(e *Entry) bool {
	ok := d.object(entryNames, func(k int) bool {
		switch k {
		case 0:
			return d.extra(&e.StartedDateTime)
		case 1:
			return d.extraFloat(&e.Time)
		case 2:
			if d.null() {
				return true
			}
			d.hasRequest = true
			return d.request(&e.Request)
		case 3:
			if d.null() {
				return true
			}
			d.hasResponse = true
			return d.response(&e.Response)
		case 4:
			// struct{}: any object (or null); its members are ignored.
			return d.null() || (d.peek() == '{' && d.skip(0))
		case 5:
			if !d.all {
				var discard Timings
				return d.timings(&discard)
			}
			return d.timings(&e.Timings)
		case 6:
			return d.extra(&e.Comment)
		}
		return false
	})
	d.ws()
	return ok && d.i == len(d.b)
}

func (d *entryDecoder) request(r *Request) bool {
	return d.object(requestNames, func(k int) bool {
		switch k {
		case 0:
			return d.str(&r.Method)
		case 1:
			return d.str(&r.URL)
		case 2:
			return d.extra(&r.HTTPVersion)
		case 3:
			return d.nameValues(&r.Cookies, true)
		case 4:
			return d.nameValues(&r.Headers, true)
		case 5:
			return d.nameValues(&r.QueryString, d.all)
		case 6:
			if d.null() {
				r.PostData = nil
				return true
			}
			if r.PostData == nil {
				r.PostData = &PostData{}
			}
			p := r.PostData
			return d.object(postDataNames, func(k int) bool {
				switch k {
				case 0:
					return d.str(&p.MimeType)
				case 1:
					return d.str(&p.Text)
				case 2:
					return d.nameValues(&p.Params, true)
				}
				return false
			})
		case 7:
			return d.extraInt64(&r.HeadersSize)
		case 8:
			return d.extraInt64(&r.BodySize)
		}
		return false
	})
}

func (d *entryDecoder) response(r *Response) bool {
	return d.object(responseNames, func(k int) bool {
		switch k {
		case 0:
			var n int64
			if !d.int64(&n) || int64(int(n)) != n {
				return false
			}
			r.Status = int(n)
			return true
		case 1:
			return d.extra(&r.StatusText)
		case 2:
			return d.extra(&r.HTTPVersion)
		case 3:
			return d.nameValues(&r.Cookies, true)
		case 4:
			return d.nameValues(&r.Headers, true)
		case 5:
			c := &r.Content
			return d.object(contentNames, func(k int) bool {
				switch k {
				case 0:
					return d.int64(&c.Size)
				case 1:
					return d.str(&c.MimeType)
				case 2:
					if d.null() {
						c.Text = nil
						return true
					}
					var s string
					if !d.str(&s) {
						return false
					}
					c.Text = &s
					return true
				case 3:
					return d.str(&c.Encoding)
				}
				return false
			})
		case 6:
			return d.extra(&r.RedirectURL)
		case 7:
			return d.extraInt64(&r.HeadersSize)
		case 8:
			return d.extraInt64(&r.BodySize)
		}
		return false
	})
}

func (d *entryDecoder) timings(t *Timings) bool {
	return d.object(timingsNames, func(k int) bool {
		switch k {
		case 0:
			return d.float(&t.Send)
		case 1:
			return d.float(&t.Wait)
		case 2:
			return d.float(&t.Receive)
		}
		return false
	})
}

// nameValues decodes an array of {name, value} objects into *p, or only checks it unless keep.
// A null element is left to encoding/json.
func (d *entryDecoder) nameValues(p *[]NameValue, keep bool) bool {
	if d.null() {
		if keep {
			*p = nil
		}
		return true
	}
	if d.peek() != '[' {
		return false
	}
	d.i++
	d.ws()
	if d.peek() == ']' {
		d.i++
		if keep {
			*p = []NameValue{}
		}
		return true
	}
	// Gathered in nvs, then copied: one allocation of the right size; or, for a transient entry,
	// gathered in the decoder's own list, kept as it is.
	out := d.nvs[:0]
	var slot *[]NameValue
	if keep && d.transient {
		if d.next == len(d.lists) {
			d.lists = append(d.lists, nil)
		}
		slot = &d.lists[d.next]
		d.next++
		out = (*slot)[:0]
	}
	defer func() {
		if slot != nil {
			*slot = out[:0]
		} else {
			d.nvs = out[:0]
		}
	}()
	for {
		var nv NameValue
		ok := d.object(nameValueNames, func(member int) bool {
			if member == 0 {
				return d.str(&nv.Name)
			}
			return d.str(&nv.Value)
		})
		if !ok {
			return false
		}
		if keep {
			out = append(out, nv)
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
			d.ws()
		case ']':
			d.i++
			switch {
			case slot != nil:
				*p = out
			case keep:
				*p = slices.Clone(out)
			}
			return true
		default:
			return false
		}
	}
}

func (d *entryDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\r':
			d.i++
		case '\n':
			d.i++
			// Indentation, eight spaces at a time.
			for d.i+8 <= len(d.b) && binary.LittleEndian.Uint64(d.b[d.i:]) == 0x2020202020202020 {
				d.i += 8
			}
		default:
			return
		}
	}
}

// peek is the next byte, 0 at the end.
func (d *entryDecoder) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// null consumes a null literal if one is next.
func (d *entryDecoder) null() bool {
	if bytes.HasPrefix(d.b[d.i:], []byte("null")) {
		d.i += 4
		return true
	}
	return false
}

// object decodes an object whose known members are names: member(k) decodes the value of
// names[k]. Another member is stepped over; one named twice, or like a known one but for case,
// ends the fast path (encoding/json merges the first into the second, and matches names
// regardless of case).
func (d *entryDecoder) object(names []string, member func(k int) bool) bool {
	d.ws()
	if d.peek() != '{' {
		return false
	}
	d.i++
	d.ws()
	if d.peek() == '}' {
		d.i++
		return true
	}
	var seen uint32
	for {
		d.ws()
		key, ok := d.key()
		if !ok {
			return false
		}
		d.ws()
		if d.peek() != ':' {
			return false
		}
		d.i++
		d.ws()
		k := -1
		for j, n := range names {
			if string(key) == n {
				k = j
				break
			}
		}
		switch {
		case k >= 0:
			if seen&(1<<k) != 0 || !member(k) {
				return false
			}
			seen |= 1 << k
		case foldsToOneOf(key, names):
			return false
		default:
			if !d.skip(0) {
				return false
			}
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

func foldsToOneOf(key []byte, names []string) bool {
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// key reads a member name without escapes (one with an escape is left to encoding/json).
func (d *entryDecoder) key() ([]byte, bool) {
	if d.peek() != '"' {
		return nil, false
	}
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			d.i = j + 1
			return d.b[start:j], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// str decodes a string (null leaves *p as it is, as in encoding/json).
func (d *entryDecoder) str(p *string) bool {
	if d.null() {
		return true
	}
	if d.peek() != '"' {
		return false
	}
	start := d.i + 1
	for j := start; ; {
		j = plainText(d.b, j)
		if j == len(d.b) {
			return false
		}
		switch c := d.b[j]; {
		case c == '"':
			*p = d.short(d.b[start:j])
			d.i = j + 1
			return true
		case c == '\\':
			return d.escapedStr(p, j)
		case c < 0x20:
			return false
		default:
			r, size := utf8.DecodeRune(d.b[j:])
			if r == utf8.RuneError && size == 1 {
				return false // encoding/json replaces it with U+FFFD
			}
			j += size
		}
	}
}

// short returns b as a string: the same string decoded lately if b is short and was seen,
// else a new one.
func (d *entryDecoder) short(b []byte) string {
	const short, remembered = 128, 4096
	if len(b) > short {
		return string(b)
	}
	if s, ok := d.seen[string(b)]; ok {
		return s
	}
	if d.seen == nil || len(d.seen) >= remembered {
		d.seen = make(map[string]string, 64)
	}
	s := string(b)
	d.seen[s] = s
	return s
}

// extra decodes a string a check does not use (see all).
func (d *entryDecoder) extra(p *string) bool {
	if d.all {
		return d.str(p)
	}
	return d.null() || d.skipString()
}

func (d *entryDecoder) extraInt64(p *int64) bool {
	var discard int64
	if d.all {
		return d.int64(p)
	}
	return d.int64(&discard)
}

func (d *entryDecoder) extraFloat(p *float64) bool {
	var discard float64
	if d.all {
		return d.float(p)
	}
	return d.float(&discard)
}

// escapedStr decodes the rest of a string from its first backslash at d.b[j].
func (d *entryDecoder) escapedStr(p *string, j int) bool {
	out := append(d.scratch[:0], d.b[d.i+1:j]...)
	defer func() { d.scratch = out[:0] }()
	for j < len(d.b) {
		// Runs between escapes are short in a JSON text held in a string (\" every few bytes):
		// a byte loop finds their end sooner than plainText.
		k := j
		for k < len(d.b) && plainByte[d.b[k]] {
			k++
		}
		if k > j {
			out = append(out, d.b[j:k]...)
			j = k
			continue
		}
		c := d.b[j]
		switch {
		case c == '"':
			*p = string(out)
			d.i = j + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if j+1 >= len(d.b) {
				return false
			}
			switch e := d.b[j+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(d.b[j+2:])
				if !ok || utf16.IsSurrogate(r) {
					return false // surrogates follow encoding/json's own rules
				}
				out = utf8.AppendRune(out, r)
				j += 6
				continue
			default:
				return false
			}
			j += 2
		default:
			r, size := utf8.DecodeRune(d.b[j:])
			if r == utf8.RuneError && size == 1 {
				return false
			}
			out = append(out, d.b[j:j+size]...)
			j += size
		}
	}
	return false
}

// plainByte marks the bytes that stand for themselves in a JSON string and are ASCII.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// hex4 reads the four hexadecimal digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a number as JSON's grammar has it and reports whether it is an integer (no
// fraction, no exponent).
func (d *entryDecoder) number() (text []byte, integer, ok bool) {
	start := d.i
	digits := func() int {
		n := 0
		for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.peek() == '-' {
		d.i++
	}
	if d.peek() == '0' {
		d.i++
	} else if digits() == 0 {
		return nil, false, false
	}
	integer = true
	if d.peek() == '.' {
		d.i++
		integer = false
		if digits() == 0 {
			return nil, false, false
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.i++
		integer = false
		if c := d.peek(); c == '+' || c == '-' {
			d.i++
		}
		if digits() == 0 {
			return nil, false, false
		}
	}
	return d.b[start:d.i], integer, true
}

func (d *entryDecoder) int64(p *int64) bool {
	if d.null() {
		return true
	}
	text, integer, ok := d.number()
	if !ok || !integer {
		return false
	}
	n, err := strconv.ParseInt(string(text), 10, 64)
	if err != nil {
		return false
	}
	*p = n
	return true
}

func (d *entryDecoder) float(p *float64) bool {
	if d.null() {
		return true
	}
	text, _, ok := d.number()
	if !ok {
		return false
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		return false
	}
	*p = f
	return true
}

// skip steps over a value, checking its syntax (strings need not be valid UTF-8: encoding/json
// does not look inside the strings it skips).
func (d *entryDecoder) skip(depth int) bool {
	if depth > 100 {
		return false // deeper nesting is left to encoding/json, with its limit
	}
	d.ws()
	switch c := d.peek(); {
	case c == '{':
		d.i++
		d.ws()
		if d.peek() == '}' {
			d.i++
			return true
		}
		for {
			d.ws()
			if !d.skipString() {
				return false
			}
			d.ws()
			if d.peek() != ':' {
				return false
			}
			d.i++
			if !d.skip(depth + 1) {
				return false
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.i++
			case '}':
				d.i++
				return true
			default:
				return false
			}
		}
	case c == '[':
		d.i++
		d.ws()
		if d.peek() == ']' {
			d.i++
			return true
		}
		for {
			if !d.skip(depth + 1) {
				return false
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.i++
			case ']':
				d.i++
				return true
			default:
				return false
			}
		}
	case c == '"':
		return d.skipString()
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		_, _, ok := d.number()
		return ok
	}
	return false
}

func (d *entryDecoder) literal(word string) bool {
	if !bytes.HasPrefix(d.b[d.i:], []byte(word)) {
		return false
	}
	d.i += len(word)
	return true
}

func (d *entryDecoder) skipString() bool {
	if d.peek() != '"' {
		return false
	}
	for j := d.i + 1; ; j++ {
		j = plainText(d.b, j)
		if j == len(d.b) {
			return false
		}
		switch c := d.b[j]; {
		case c == '"':
			d.i = j + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if j+1 >= len(d.b) {
				return false
			}
			switch d.b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if _, ok := hex4(d.b[j+2:]); !ok {
					return false
				}
				j += 5
			default:
				return false
			}
		}
		// Any other byte (non-ASCII) is taken as it is: encoding/json does not look inside the
		// strings it skips.
	}
}
