package har

import (
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/validate"
)

// resultStore keeps the results of a file's entries until the end of the file, when they are
// redacted (every credential of the file is known only then) and returned. A result is kept
// without a pointer — its strings interned or in one byte array, its violations and exchange in
// side lists — so that the garbage collector, which runs many times during a long file, has
// nothing to scan in them: with a result per entry as an EntryResult, marking them was a tenth
// of a check's time.
type resultStore struct {
	blocks [][]compactResult // of resultBlock each: growing never copies them
	n      int
	// urls holds every result's URL, one after the other.
	urls []byte
	// strings are the interned methods, operations, skip reasons and notes; index 0 is "".
	strings []string
	index   map[string]uint32
	// violations and exchanges are the few results' that have them.
	violations []validate.Violations
	exchanges  []validate.Exchange
}

// resultBlock is how many results a block holds.
const resultBlock = 4096

// compactResult is an EntryResult without pointers: strings[method] and so on,
// urls[urlFrom:urlTo], violations[violations] and exchanges[exchange] when it has them.
type compactResult struct {
	urlFrom, urlTo                   int
	status                           int
	method, operation, skipped, note uint32
	violations, exchange             uint32
	hasViolations, hasExchange       bool
}

func (s *resultStore) intern(v string) uint32 {
	if v == "" {
		return 0
	}
	if s.index == nil {
		s.index, s.strings = map[string]uint32{}, []string{""}
	}
	i, ok := s.index[v]
	if !ok {
		i = uint32(len(s.strings))
		s.strings = append(s.strings, v)
		s.index[v] = i
	}
	return i
}

// put keeps the result of entry i.
func (s *resultStore) put(i int, r EntryResult) {
	for len(s.blocks)*resultBlock <= i {
		s.blocks = append(s.blocks, make([]compactResult, resultBlock))
	}
	c := compactResult{
		urlFrom: len(s.urls), status: r.Status,
		method: s.intern(r.Method), operation: s.intern(r.Operation), skipped: s.intern(r.Skipped), note: s.intern(r.Note),
	}
	s.urls = append(s.urls, r.URL...)
	c.urlTo = len(s.urls)
	if len(r.Violations) > 0 {
		s.violations = append(s.violations, r.Violations)
		c.violations, c.hasViolations = uint32(len(s.violations)-1), true
	}
	if r.Exchange.Method != "" {
		s.exchanges = append(s.exchanges, r.Exchange)
		c.exchange, c.hasExchange = uint32(len(s.exchanges)-1), true
	}
	s.blocks[i/resultBlock][i%resultBlock] = c
	s.n = max(s.n, i+1)
}

// redactStrings redacts the interned strings, for every result at once.
func (s *resultStore) redactStrings(red *redact.Redactor) {
	for i, v := range s.strings {
		s.strings[i] = red.String(v)
	}
}

// count is how many entries the results cover.
func (s *resultStore) count() int { return s.n }

// urlText is every URL as one string, for get to cut from: one allocation for them all.
func (s *resultStore) urlText() string { return string(s.urls) }

// get returns the result of entry i; urls is urlText().
func (s *resultStore) get(i int, urls string) EntryResult {
	c := s.blocks[i/resultBlock][i%resultBlock]
	r := EntryResult{
		Index: i, Status: c.status, URL: urls[c.urlFrom:c.urlTo],
		Method: s.str(c.method), Operation: s.str(c.operation), Skipped: s.str(c.skipped), Note: s.str(c.note),
	}
	if c.hasViolations {
		r.Violations = s.violations[c.violations]
	}
	if c.hasExchange {
		r.Exchange = s.exchanges[c.exchange]
	}
	return r
}

func (s *resultStore) str(i uint32) string {
	if i == 0 {
		return ""
	}
	return s.strings[i]
}
