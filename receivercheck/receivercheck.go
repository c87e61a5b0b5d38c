// Package receivercheck checks an app's webhook receiver: the endpoint to which Wix delivers the
// Favorite List Created, Updated and Deleted events. It sends the receiver deliveries built
// exactly as the reference mock builds its own (webhook.NewEvent, NewEnvelope, PayloadData and
// Sign: a JWT signed RS256 whose payload's data is the stringified envelope, POSTed as text) and
// forged ones, and makes one report.Spec of each case, citing a requirement of the receiver
// register (spec/requirements.yaml, section receiverRequirements).
//
// The docs force little of a receiver: answer 200 within 1250 ms (facts.md) and "Be sure to
// verify the data was sent by Wix." Where they are silent - what to answer a forgery, a
// duplicate, events out of order, an expired token, a payload whose data is not a string - the
// default checks take the most lenient reading (spec/discrepancies.yaml, ids receiver-*), and the
// stricter ones run only with Options.Strict.
package receivercheck

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/internal/redact"
	"github.com/favconform/favconform/report"
	"github.com/favconform/favconform/webhook"
)

// DefaultTimeout is how long the receiver has to answer each delivery (facts.md: 1250 ms).
const DefaultTimeout = webhook.AnswerWithin

// TokenTTL is the lifetime of the JWTs of valid deliveries (exp - iat), the reference mock's
// (mock.DefaultTokenTTL).
const TokenTTL = time.Hour

// BodyPreview is how much of a receiver's answer a failure message quotes.
const BodyPreview = 200

// Labels of the specs of a check.
const (
	LabelReceiver = "receiver"
	LabelStrict   = "strict"
	// RequirementLabelPrefix and ReadingLabelPrefix are the suites' (internal/suites).
	RequirementLabelPrefix = "req:"
	ReadingLabelPrefix     = "reading:"
)

// Options configure Check.
type Options struct {
	// URL is the receiver's endpoint (http or https). Required.
	URL string
	// PrivateKey signs the valid deliveries; the receiver must verify with its public key. nil:
	// a key pair is generated, which only a receiver that verifies nothing accepts.
	PrivateKey *rsa.PrivateKey
	// Timeout is how long the receiver has to answer each delivery. 0: DefaultTimeout.
	Timeout time.Duration
	// Client sends the deliveries. nil: a client that follows no redirect.
	Client *http.Client
	// Strict adds the checks of readings the docs do not force (spec/discrepancies.yaml
	// receiver-*): exactly 200 for a valid delivery, a 4xx for a forgery, duplicates and events
	// out of order answered 2xx, expired tokens and non-string data refused.
	Strict bool
	// Version is the tool version the report records.
	Version string
	// InstanceID is the envelopes' instanceId. "": a random GUID.
	InstanceID string
	// Log, if set, receives one line per delivery as it is answered.
	Log io.Writer
}

// UnreachableError is Check's error when the receiver cannot be reached at all (no connection:
// refused, unknown host, no route): not a failure of the receiver, but no check either.
type UnreachableError struct {
	URL string
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("the receiver at %s cannot be reached: %v", e.URL, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// expectation is what a delivery must get.
type expectation int

const (
	// accepted: 2xx within the timeout (strict: exactly 200).
	accepted expectation = iota
	// refused: anything but a 2xx (strict: a 4xx within the timeout).
	refused
)

// delivery is one request to the receiver.
type delivery struct {
	what        string // what it is, for messages
	body        []byte
	contentType string
	want        expectation
}

// answer is what came back.
type answer struct {
	status int
	body   []byte // the first BodyPreview bytes
	took   time.Duration
	err    error // no answer (timeout or transport error)
}

// Case is one check: a name, the requirement it covers, and whether it runs only with Strict.
type Case struct {
	ID          string
	Name        string
	Requirement string
	// Reading is the discrepancy (spec/discrepancies.yaml) whose stricter reading the case checks
	// (set on strict cases).
	Reading string
	Strict  bool
	build   func(b *builder) ([]delivery, error)
}

// Cases returns the cases of a check, in the order they run.
func Cases() []Case {
	return []Case{
		{ID: "created", Name: "a valid Favorite List Created event is answered 2xx in time", Requirement: "receiver.answers-in-time",
			build: func(b *builder) ([]delivery, error) { return b.one(webhook.SlugCreated, b.list(1), 1) }},
		{ID: "updated", Name: "a valid Favorite List Updated event is answered 2xx in time", Requirement: "receiver.answers-in-time",
			build: func(b *builder) ([]delivery, error) { return b.one(webhook.SlugUpdated, b.first.at(2), 2) }},
		{ID: "deleted", Name: "a valid Favorite List Deleted event is answered 2xx in time", Requirement: "receiver.answers-in-time",
			build: func(b *builder) ([]delivery, error) { return b.one(webhook.SlugDeleted, b.first.at(2), 3) }},
		{ID: "duplicate", Name: "the same delivery sent twice is answered 2xx both times", Requirement: "receiver.takes-duplicates",
			Reading: "receiver-duplicate-answer", Strict: true, build: (*builder).duplicate},
		{ID: "updated-before-created", Name: "an Updated event before its list's Created is answered 2xx, and so is the Created", Requirement: "receiver.takes-out-of-order",
			Reading: "receiver-out-of-order-answer", Strict: true, build: (*builder).updatedBeforeCreated},
		{ID: "revision-3-before-2", Name: "an Updated event of revision 3 before the one of revision 2 is answered 2xx, and so is the later", Requirement: "receiver.takes-out-of-order",
			Reading: "receiver-out-of-order-answer", Strict: true, build: (*builder).revision3Before2},
		{ID: "forged-other-key", Name: "a delivery signed with another key is not answered 2xx", Requirement: "receiver.verifies-sender",
			build: (*builder).otherKeyForgery},
		{ID: "forged-tampered", Name: "a delivery whose payload was altered after signing is not answered 2xx", Requirement: "receiver.verifies-sender",
			build: (*builder).tampered},
		{ID: "forged-alg-none", Name: "an unsigned JWT (alg none) is not answered 2xx", Requirement: "receiver.verifies-sender",
			build: (*builder).algNone},
		{ID: "forged-hs256-public-key", Name: "a JWT signed HS256 with the public key's PEM as the secret is not answered 2xx", Requirement: "receiver.verifies-sender",
			build: (*builder).hs256PublicKey},
		{ID: "forged-not-jwt", Name: "a body that is not a JWT (the payload as plain JSON) is not answered 2xx", Requirement: "receiver.verifies-sender",
			build: (*builder).notJWT},
		{ID: "expired", Name: "a correctly signed JWT that expired an hour ago is not answered 2xx", Requirement: "receiver.rejects-expired",
			Reading: "receiver-expired-token", Strict: true, build: (*builder).expired},
		{ID: "data-not-string", Name: "a correctly signed payload whose data is an object, not a string, is not answered 2xx", Requirement: "receiver.rejects-non-string-data",
			Reading: "receiver-data-not-string", Strict: true, build: (*builder).dataNotString},
		{ID: "after-forgeries", Name: "a valid event sent after the forged deliveries is still answered 2xx in time", Requirement: "receiver.answers-in-time",
			build: func(b *builder) ([]delivery, error) { return b.one(webhook.SlugCreated, b.list(1), 1) }},
	}
}

// Check sends the deliveries of every case to opts.URL, one at a time in Cases order, and
// returns the report: a spec per case (strict cases skipped without Options.Strict). It returns
// an *UnreachableError, and no report, when the receiver cannot be reached at all, and an error
// for options it cannot use.
func Check(ctx context.Context, opts Options) (*report.Report, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("receivercheck: the receiver URL %q is not an http(s) URL", redact.New(nil).String(opts.URL))
	}
	if opts.Timeout < 0 {
		return nil, errors.New("receivercheck: negative timeout")
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Client == nil {
		opts.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if opts.InstanceID == "" {
		opts.InstanceID = uuid.NewString()
	}
	reqs, err := Requirements()
	if err != nil {
		return nil, err
	}
	b, err := newBuilder(opts)
	if err != nil {
		return nil, err
	}
	red := redact.New(nil)
	target := red.String(opts.URL)
	start := time.Now()
	rep := &report.Report{SchemaVersion: report.SchemaVersion, Tool: "favconform", Version: opts.Version, Target: target,
		Profile: "default", StartedAt: start.UTC()}
	if opts.Strict {
		rep.Profile = "strict"
	}
	c := checker{opts: opts, target: target, red: red}
	for _, k := range Cases() {
		sp := report.Spec{Name: "check-receiver: " + k.Name, Labels: []string{LabelReceiver, RequirementLabelPrefix + k.Requirement},
			Requirements: []string{k.Requirement}, Container: "check-receiver"}
		if k.Strict {
			sp.Labels = append(sp.Labels, LabelStrict, ReadingLabelPrefix+k.Reading)
		}
		if k.Strict && !opts.Strict {
			sp.State, sp.SkipCause = "skipped", "strict"
			sp.SkipReason = fmt.Sprintf("checks a reading the docs do not force (spec/discrepancies.yaml %s): run check-receiver with --strict", k.Reading)
			rep.Specs = append(rep.Specs, sp)
			continue
		}
		ds, err := k.build(b)
		if err != nil {
			return nil, fmt.Errorf("receivercheck: building case %s: %w", k.ID, err)
		}
		began := time.Now()
		msg, err := c.run(ctx, ds)
		if err != nil {
			return nil, err
		}
		sp.DurationMS = time.Since(began).Milliseconds()
		sp.State = "passed"
		if msg != "" {
			sp.State = "failed"
			sp.Failure = &report.Failure{Message: red.String(msg), Location: "receivercheck case " + k.ID}
		}
		rep.Specs = append(rep.Specs, sp)
	}
	rep.Summary.Requests = c.sent
	out := report.Merge([]*report.Report{rep}, reqs, time.Since(start))
	out.ObservedReadings = append(out.ObservedReadings, c.readings()...)
	if out.ObservedReadings == nil {
		out.ObservedReadings = []report.ObservedReading{}
	}
	if out.Causes == nil {
		out.Causes = []report.Cause{}
	}
	return out, nil
}

// checker sends the deliveries and judges the answers.
type checker struct {
	opts   Options
	target string
	red    *redact.Redactor
	sent   int
	// What the receiver answered valid and refused deliveries (first evidence of each status).
	acceptedWith, refusedWith map[string]string
}

// run sends ds in order and returns "" when every answer is the expected one, else the message
// of the first wrong one. Its error is an *UnreachableError (for the first delivery of a check
// only: later, a lost connection is an answer like any other) or ctx's.
func (c *checker) run(ctx context.Context, ds []delivery) (string, error) {
	for i, d := range ds {
		first := c.sent == 0
		a := c.post(ctx, d)
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if first && a.err != nil && isUnreachable(a.err) {
			return "", &UnreachableError{URL: c.target, Err: a.err}
		}
		if c.opts.Log != nil {
			fmt.Fprintf(c.opts.Log, "  %-70s -> %s\n", d.what, c.describe(a))
		}
		c.observe(d, a)
		if problem := c.judge(d, a); problem != "" {
			step := ""
			if len(ds) > 1 {
				step = fmt.Sprintf(" (delivery %d of %d)", i+1, len(ds))
			}
			return fmt.Sprintf("%s%s\n  sent: %s: POST %s, Content-Type %s, %d-byte body %s\n  got: %s\n  wanted: %s",
				problem, step, d.what, c.target, d.contentType, len(d.body), preview(d.body, 60), c.describe(a), c.wanted(d.want)), nil
		}
	}
	return "", nil
}

// post sends one delivery; the receiver has opts.Timeout to answer.
func (c *checker) post(ctx context.Context, d delivery) answer {
	c.sent++
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.opts.URL, bytes.NewReader(d.body))
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Content-Type", d.contentType)
	resp, err := c.opts.Client.Do(req)
	if err != nil {
		a := answer{err: err, took: time.Since(start)}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			a.err = fmt.Errorf("no answer within %s", c.opts.Timeout)
		}
		return a
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, took: time.Since(start)}
	a.body, _ = io.ReadAll(io.LimitReader(resp.Body, BodyPreview))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return a
}

// isUnreachable tells a connection that could not be made (dial, DNS) from other errors.
func isUnreachable(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return (errors.As(err, &op) && op.Op == "dial") || errors.As(err, &dns)
}

// judge says what is wrong with a, or "".
func (c *checker) judge(d delivery, a answer) string {
	ok2xx := a.err == nil && a.status >= 200 && a.status < 300
	switch d.want {
	case accepted:
		switch {
		case a.err != nil:
			return "a valid delivery got no answer in time"
		case !ok2xx:
			return fmt.Sprintf("a valid delivery was answered %d, not 2xx", a.status)
		case a.took > c.opts.Timeout:
			return fmt.Sprintf("a valid delivery was answered after %s, beyond %s", a.took.Round(time.Millisecond), c.opts.Timeout)
		case c.opts.Strict && a.status != http.StatusOK:
			return fmt.Sprintf("a valid delivery was answered %d, not 200 (strict profile: receiver-success-status)", a.status)
		}
	case refused:
		switch {
		case ok2xx:
			return fmt.Sprintf("a forged or invalid delivery was answered %d: the receiver took it", a.status)
		case c.opts.Strict && (a.err != nil || a.status < 400 || a.status >= 500):
			return "a forged or invalid delivery was not refused with a 4xx in time (strict profile: receiver-forgery-answer)"
		}
	}
	return ""
}

func (c *checker) wanted(e expectation) string {
	if e == accepted {
		if c.opts.Strict {
			return fmt.Sprintf("200 within %s", c.opts.Timeout)
		}
		return fmt.Sprintf("a 2xx within %s", c.opts.Timeout)
	}
	if c.opts.Strict {
		return fmt.Sprintf("a 4xx within %s", c.opts.Timeout)
	}
	return "anything but a 2xx (another status, no answer, a closed connection)"
}

func (c *checker) describe(a answer) string {
	if a.err != nil {
		return fmt.Sprintf("no answer after %s: %s", a.took.Round(time.Millisecond), c.red.String(a.err.Error()))
	}
	return fmt.Sprintf("status %d after %s, body (first %d bytes) %s", a.status, a.took.Round(time.Millisecond), BodyPreview, c.red.String(preview(a.body, BodyPreview)))
}

// observe keeps the first evidence of each status with which the receiver took a valid delivery
// (2xx) or refused a forged one (not 2xx): the readings of receiver-success-status and
// receiver-forgery-answer it took.
func (c *checker) observe(d delivery, a answer) {
	ok2xx := a.status >= 200 && a.status < 300
	if a.err != nil || ok2xx == (d.want == refused) {
		return // no answer, or a wrong one: a failure, not a reading
	}
	m := &c.acceptedWith
	if d.want == refused {
		m = &c.refusedWith
	}
	if *m == nil {
		*m = map[string]string{}
	}
	key := fmt.Sprint(a.status)
	if _, seen := (*m)[key]; !seen {
		(*m)[key] = fmt.Sprintf("%s -> %s", d.what, c.describe(a))
	}
}

// readings are the receiver's answers where the docs leave the status open.
func (c *checker) readings() []report.ObservedReading {
	var out []report.ObservedReading
	add := func(id, what string, m map[string]string) {
		for status, evidence := range m {
			out = append(out, report.ObservedReading{ID: id, Reading: what + " " + status, Evidence: evidence, Spec: "check-receiver"})
		}
	}
	add("receiver-forgery-answer", "answers a forged or invalid delivery", c.refusedWith)
	add("receiver-success-status", "answers a valid delivery", c.acceptedWith)
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Reading < out[j].Reading
	})
	return out
}

// preview quotes the first n bytes of b.
func preview(b []byte, n int) string {
	if len(b) == 0 {
		return `""`
	}
	s := string(b)
	if len(b) > n {
		s = string(b[:n])
		return fmt.Sprintf("%q…", s)
	}
	return fmt.Sprintf("%q", s)
}

// builder makes the deliveries.
type builder struct {
	key      *rsa.PrivateKey
	other    *rsa.PrivateKey
	pubPEM   []byte
	instance string
	who      webhook.Identity
	// first is the list of the first three cases (created, updated, deleted).
	first listState
}

// listState is a list as a sequence of events carries it.
type listState struct{ l api.FavoriteList }

// at is the list at revision rev (its favorites unchanged, updatedDate now).
func (s listState) at(rev int64) api.FavoriteList {
	l := s.l
	l.Revision = api.Revision(rev)
	l.UpdatedDate = stamp(time.Now())
	return l
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func newBuilder(opts Options) (*builder, error) {
	key := opts.PrivateKey
	var err error
	if key == nil {
		if key, err = webhook.GenerateKey(); err != nil {
			return nil, err
		}
	}
	other, err := webhook.GenerateKey()
	if err != nil {
		return nil, err
	}
	pub, err := webhook.PublicKeyPEM(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	b := &builder{key: key, other: other, pubPEM: pub, instance: opts.InstanceID,
		who: webhook.Identity{IdentityType: webhook.IdentityWixUser, WixUserID: uuid.NewString()}}
	b.first = listState{b.list(1)}
	return b, nil
}

// list is a new list at revision rev with two favorites.
func (b *builder) list(rev int64) api.FavoriteList {
	now := stamp(time.Now())
	return api.FavoriteList{ID: uuid.NewString(), Revision: api.Revision(rev), CreatedDate: now, UpdatedDate: now,
		Favorites: []api.Favorite{
			{ID: uuid.NewString(), PageID: uuid.NewString(), Title: "First Favorite"},
			{ID: uuid.NewString(), PageID: uuid.NewString(), Title: "Second Favorite", RelativeURL: "/settings?tab=2#top"},
		}}
}

// payload is the JWT payload data of an event about l, as the mock makes it.
func (b *builder) payload(slug string, l api.FavoriteList, seq int64) (webhook.Envelope, string, error) {
	ev, err := webhook.NewEvent(slug, l, seq, time.Now())
	if err != nil {
		return webhook.Envelope{}, "", err
	}
	env, err := webhook.NewEnvelope(b.instance, ev, b.who)
	if err != nil {
		return webhook.Envelope{}, "", err
	}
	data, err := webhook.PayloadData(env)
	return env, data, err
}

// valid is a correctly signed delivery of an event about l.
func (b *builder) valid(slug string, l api.FavoriteList, seq int64) (delivery, error) {
	_, data, err := b.payload(slug, l, seq)
	if err != nil {
		return delivery{}, err
	}
	tok, err := webhook.Sign(b.key, data, time.Now(), TokenTTL)
	if err != nil {
		return delivery{}, err
	}
	return delivery{what: fmt.Sprintf("valid %s event (list revision %d, sequence %d)", slug, l.Revision, seq),
		body: []byte(tok), contentType: webhook.DeliveryContentType, want: accepted}, nil
}

func (b *builder) one(slug string, l api.FavoriteList, seq int64) ([]delivery, error) {
	d, err := b.valid(slug, l, seq)
	return []delivery{d}, err
}

func (b *builder) duplicate() ([]delivery, error) {
	d, err := b.valid(webhook.SlugCreated, b.list(1), 1)
	if err != nil {
		return nil, err
	}
	again := d
	again.what = "the same " + strings.TrimPrefix(d.what, "valid ") + " again, the same JWT"
	return []delivery{d, again}, nil
}

func (b *builder) updatedBeforeCreated() ([]delivery, error) {
	s := listState{b.list(1)}
	up, err := b.valid(webhook.SlugUpdated, s.at(2), 2)
	if err != nil {
		return nil, err
	}
	created, err := b.valid(webhook.SlugCreated, s.l, 1)
	if err != nil {
		return nil, err
	}
	created.what += ", after its Updated"
	return []delivery{up, created}, nil
}

func (b *builder) revision3Before2() ([]delivery, error) {
	s := listState{b.list(1)}
	var out []delivery
	for _, step := range []struct {
		slug     string
		rev, seq int64
	}{{webhook.SlugCreated, 1, 1}, {webhook.SlugUpdated, 3, 3}, {webhook.SlugUpdated, 2, 2}} {
		l := s.l
		if step.rev > 1 {
			l = s.at(step.rev)
		}
		d, err := b.valid(step.slug, l, step.seq)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	out[2].what += ", after revision 3"
	return out, nil
}

// claims is the JWT payload Sign makes.
func claims(data any, issued time.Time) jwt.MapClaims {
	return jwt.MapClaims{"data": data, "iat": issued.Unix(), "exp": issued.Add(TokenTTL).Unix()}
}

func forged(what string, body []byte, contentType string) []delivery {
	return []delivery{{what: what, body: body, contentType: contentType, want: refused}}
}

func (b *builder) otherKeyForgery() ([]delivery, error) {
	_, data, err := b.payload(webhook.SlugCreated, b.list(1), 1)
	if err != nil {
		return nil, err
	}
	tok, err := webhook.Sign(b.other, data, time.Now(), TokenTTL)
	if err != nil {
		return nil, err
	}
	return forged("Created event signed RS256 with another key", []byte(tok), webhook.DeliveryContentType), nil
}

func (b *builder) tampered() ([]delivery, error) {
	l := b.list(1)
	_, data, err := b.payload(webhook.SlugCreated, l, 1)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tok, err := webhook.Sign(b.key, data, now, TokenTTL)
	if err != nil {
		return nil, err
	}
	// The same event with another favorite title: its payload, under the first one's signature.
	var env webhook.Envelope
	if err := json.Unmarshal([]byte(data), &env); err != nil {
		return nil, err
	}
	env.Data = strings.Replace(env.Data, `"First Favorite"`, `"Tampered Favorite"`, 1)
	altered, err := webhook.PayloadData(env)
	if err != nil {
		return nil, err
	}
	seg, err := json.Marshal(claims(altered, now))
	if err != nil {
		return nil, err
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, errors.New("a signed JWT without three parts")
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(seg)
	return forged("Created event whose payload was altered after signing (a favorite's title)", []byte(strings.Join(parts, ".")), webhook.DeliveryContentType), nil
}

func (b *builder) algNone() ([]delivery, error) {
	_, data, err := b.payload(webhook.SlugCreated, b.list(1), 1)
	if err != nil {
		return nil, err
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims(data, time.Now())).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		return nil, err
	}
	return forged("Created event in an unsigned JWT (alg none)", []byte(tok), webhook.DeliveryContentType), nil
}

func (b *builder) hs256PublicKey() ([]delivery, error) {
	_, data, err := b.payload(webhook.SlugCreated, b.list(1), 1)
	if err != nil {
		return nil, err
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(data, time.Now())).SignedString(b.pubPEM)
	if err != nil {
		return nil, err
	}
	return forged("Created event in a JWT signed HS256 with the public key's PEM as the secret", []byte(tok), webhook.DeliveryContentType), nil
}

func (b *builder) notJWT() ([]delivery, error) {
	_, data, err := b.payload(webhook.SlugCreated, b.list(1), 1)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(claims(data, time.Now()))
	if err != nil {
		return nil, err
	}
	return forged("Created event's JWT payload as plain JSON, no JWT", body, "application/json"), nil
}

func (b *builder) expired() ([]delivery, error) {
	_, data, err := b.payload(webhook.SlugCreated, b.list(1), 1)
	if err != nil {
		return nil, err
	}
	tok, err := webhook.Sign(b.key, data, time.Now().Add(-2*TokenTTL), TokenTTL)
	if err != nil {
		return nil, err
	}
	return forged("Created event, correctly signed, whose JWT expired an hour ago", []byte(tok), webhook.DeliveryContentType), nil
}

func (b *builder) dataNotString() ([]delivery, error) {
	env, _, err := b.payload(webhook.SlugCreated, b.list(1), 1)
	if err != nil {
		return nil, err
	}
	tok, err := webhook.Sign(b.key, env, time.Now(), TokenTTL)
	if err != nil {
		return nil, err
	}
	return forged("Created event, correctly signed, whose payload's data is the envelope as a JSON object", []byte(tok), webhook.DeliveryContentType), nil
}
