package webhook

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/favconform/favconform/spec"
)

// Defaults of ReceiverOptions.
const (
	// DefaultWait bounds how long Await waits for an expected event ("It may be delayed.").
	DefaultWait = 30 * time.Second
	// DefaultQuiet is how long Settle waits without a new delivery before it concludes that no
	// more are coming.
	DefaultQuiet = 5 * time.Second
	// DefaultMaxBodyBytes caps a delivery's body.
	DefaultMaxBodyBytes = 1 << 20
)

// ReceiverOptions configure a Receiver.
type ReceiverOptions struct {
	// PublicKey is the app's public key, which every delivery's signature must verify with.
	// Required.
	PublicKey *rsa.PublicKey
	// Now is the clock that judges exp, nbf and iat. nil means time.Now.
	Now func() time.Time
	// Leeway is the clock skew allowed when judging exp, nbf and iat (0: none).
	Leeway time.Duration
	// Wait bounds Await (0: DefaultWait).
	Wait time.Duration
	// Quiet is how long Settle waits for no new delivery (0: DefaultQuiet).
	Quiet time.Duration
	// MaxBodyBytes caps a delivery's body (0: DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// Drain, when set, replaces Settle's quiet period: it returns once the sender has delivered
	// (or given up on) every event it has sent so far, or when ctx ends. Only a sender that knows
	// can supply it — the embedded mock (mock.Mock.FlushWebhooksContext); a real target cannot,
	// and Settle then waits for Quiet without a delivery.
	Drain func(ctx context.Context)
}

// Receiver is the harness's end of the webhooks: an http.Handler that verifies every delivery
// (a JWT signed RS256 with the app's key, not expired, whose payload matches the spec's Webhook*
// and FavoriteList*Event schemas), keeps each event once (a delivery repeating an event id with
// the same event is a harmless duplicate; with another event it is rejected), and lets the suites
// wait for the events they expect. It is safe for concurrent use.
type Receiver struct {
	pub     *rsa.PublicKey
	now     func() time.Time
	leeway  time.Duration
	wait    time.Duration
	quiet   time.Duration
	maxBody int64
	drain   func(ctx context.Context)

	mu         sync.Mutex
	deliveries []*Delivery
	byID       map[string]*Delivery
	rejections []Rejection
	last       time.Time     // when the last delivery (accepted or not) came
	changed    chan struct{} // closed and replaced on every delivery
}

// Delivery is one accepted event.
type Delivery struct {
	// Received is when the event first arrived.
	Received time.Time
	Envelope Envelope
	// Identity is the envelope's identity, decoded; the zero Identity when there is none.
	Identity Identity
	// Event is the envelope's data, decoded; its list, sent as an object or as a string holding
	// one, is Event.Entity() either way.
	Event Event
	// EventJSON is the event as sent (the envelope's data).
	EventJSON []byte
	// Duplicates counts the later deliveries of the same event (same id, same content), which
	// were answered 200 and otherwise ignored.
	Duplicates int

	token string // the JWT as received, for Replay; never printed
}

// EventType is the delivery's event type: the envelope's eventType, or, when the envelope has
// none (facts.md: it is optional), the type of the event's slug.
func (d Delivery) EventType() string {
	if d.Envelope.EventType != "" {
		return d.Envelope.EventType
	}
	return TypeOfSlug(d.Event.Slug)
}

// RejectionKind says what was wrong with a rejected delivery.
type RejectionKind string

// The kinds of rejection.
const (
	// RejectedSignature: not a JWT, not RS256, a signature that does not verify with the app's
	// public key, or an expired (or not yet valid) token.
	RejectedSignature RejectionKind = "signature"
	// RejectedPayload: a payload that does not match the documented format (data not a string,
	// a schema violation, JSON that does not decode), or a request that is not a POST.
	RejectedPayload RejectionKind = "payload"
	// RejectedReusedID: an event id already used by a different event.
	RejectedReusedID RejectionKind = "reused-id"
)

// Rejection is one delivery the receiver refused.
type Rejection struct {
	Received time.Time
	Kind     RejectionKind
	Reason   string
	// EventType, EventID and EntityID are read from the payload without trusting it (best
	// effort; empty when it cannot be decoded), so that a rejection can be tied to a list.
	EventType, EventID, EntityID string
}

func (r Rejection) String() string {
	s := fmt.Sprintf("rejected (%s): %s", r.Kind, r.Reason)
	if r.EventID != "" || r.EntityID != "" {
		s += fmt.Sprintf(" [unverified: %s event %s of list %s]", r.EventType, r.EventID, r.EntityID)
	}
	return s
}

// Error is the error Verify and Deliver return for a rejected delivery.
type Error struct {
	Kind   RejectionKind
	Reason string
}

func (e *Error) Error() string {
	return "webhook delivery rejected (" + string(e.Kind) + "): " + e.Reason
}

func reject(kind RejectionKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Reason: fmt.Sprintf(format, args...)}
}

// NewReceiver returns a Receiver for the app whose public key opts names.
func NewReceiver(opts ReceiverOptions) (*Receiver, error) {
	if opts.PublicKey == nil {
		return nil, errors.New("webhook: the receiver needs the app's public key")
	}
	if opts.Leeway < 0 || opts.Wait < 0 || opts.Quiet < 0 || opts.MaxBodyBytes < 0 {
		return nil, errors.New("webhook: negative receiver option")
	}
	r := &Receiver{
		pub: opts.PublicKey, now: opts.Now, leeway: opts.Leeway,
		wait: opts.Wait, quiet: opts.Quiet, maxBody: opts.MaxBodyBytes, drain: opts.Drain,
		byID: map[string]*Delivery{}, changed: make(chan struct{}),
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.wait == 0 {
		r.wait = DefaultWait
	}
	if r.quiet == 0 {
		r.quiet = DefaultQuiet
	}
	if r.maxBody == 0 {
		r.maxBody = DefaultMaxBodyBytes
	}
	return r, nil
}

// Wait is how long Await waits.
func (r *Receiver) Wait() time.Duration { return r.wait }

// Quiet is how long Settle waits for no new delivery.
func (r *Receiver) Quiet() time.Duration { return r.quiet }

// ServeHTTP takes one delivery: 200 when it is accepted (or a duplicate of an accepted event),
// 400 with the reason otherwise, 405 for a method other than POST.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "webhook deliveries are POSTs", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, r.maxBody+1))
	if err != nil {
		http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if int64(len(body)) > r.maxBody {
		r.record(nil, reject(RejectedPayload, "the body is larger than %d bytes", r.maxBody), "")
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := r.Deliver(body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// Deliver verifies and records one delivery body (a JWT), as ServeHTTP does. It returns nil when
// the event is accepted or is a duplicate of an accepted one, and an *Error otherwise.
func (r *Receiver) Deliver(body []byte) error {
	token := strings.TrimSpace(string(body))
	d, verr := r.Verify(token)
	if verr != nil {
		var e *Error
		if !errors.As(verr, &e) {
			e = reject(RejectedPayload, "%v", verr)
		}
		r.record(nil, e, token)
		return e
	}
	return r.record(&d, nil, token)
}

// Replay delivers an accepted event's JWT again, exactly as a sender's retry would.
func (r *Receiver) Replay(d Delivery) error {
	if d.token == "" {
		return errors.New("webhook: the delivery has no JWT to replay (it was not received by this receiver)")
	}
	return r.Deliver([]byte(d.token))
}

// record keeps an accepted delivery (d) or a rejection (e), and wakes the waiters.
func (r *Receiver) record(d *Delivery, e *Error, token string) error {
	now := r.now()
	r.mu.Lock()
	defer func() {
		r.last = now
		close(r.changed)
		r.changed = make(chan struct{})
		r.mu.Unlock()
	}()
	if d != nil {
		if prev, seen := r.byID[d.Event.ID]; seen {
			if sameJSON(prev.EventJSON, d.EventJSON) && prev.EventType() == d.EventType() {
				prev.Duplicates++
				return nil
			}
			e = reject(RejectedReusedID, "event id %s was already used by another event (%s); event ids must be unique", d.Event.ID, prev.Event)
			r.rejections = append(r.rejections, Rejection{Received: now, Kind: e.Kind, Reason: e.Reason,
				EventType: d.EventType(), EventID: d.Event.ID, EntityID: d.Event.EntityID})
			return e
		}
		d.Received = now
		d.token = token
		r.deliveries = append(r.deliveries, d)
		r.byID[d.Event.ID] = d
		return nil
	}
	rej := Rejection{Received: now, Kind: e.Kind, Reason: e.Reason}
	rej.EventType, rej.EventID, rej.EntityID = peek(token)
	r.rejections = append(r.rejections, rej)
	return e
}

// Deliveries returns the accepted events, in the order they first arrived.
func (r *Receiver) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Delivery, len(r.deliveries))
	for i, d := range r.deliveries {
		out[i] = *d
	}
	return out
}

// Rejections returns the rejected deliveries, in the order they arrived.
func (r *Receiver) Rejections() []Rejection {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Rejection(nil), r.rejections...)
}

// Await waits until an accepted event matches, for at most Wait (or until ctx ends), and returns
// the first such event in arrival order. Matching is by content, so events that arrive late or
// out of order are found all the same.
func (r *Receiver) Await(ctx context.Context, match func(Delivery) bool) (Delivery, bool) {
	ctx, cancel := context.WithTimeout(ctx, r.wait)
	defer cancel()
	for {
		r.mu.Lock()
		for _, d := range r.deliveries {
			if match(*d) {
				out := *d
				r.mu.Unlock()
				return out, true
			}
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Delivery{}, false
		}
	}
}

// AwaitAny waits like Await until an accepted event matches accepted or a rejection matches
// rejected (either may be nil), and reports whether one did.
func (r *Receiver) AwaitAny(ctx context.Context, accepted func(Delivery) bool, rejected func(Rejection) bool) bool {
	ctx, cancel := context.WithTimeout(ctx, r.wait)
	defer cancel()
	for {
		r.mu.Lock()
		found := false
		for _, d := range r.deliveries {
			if accepted != nil && accepted(*d) {
				found = true
				break
			}
		}
		for _, x := range r.rejections {
			if found || (rejected != nil && rejected(x)) {
				found = true
				break
			}
		}
		changed := r.changed
		r.mu.Unlock()
		if found {
			return true
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		}
	}
}

// Settle waits until no delivery has arrived for Quiet, for at most Wait (or until ctx ends): the
// bounded wait after which an event that has not come is taken not to be coming. With a Drain it
// waits for that instead, within the same bounds.
func (r *Receiver) Settle(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, r.wait)
	defer cancel()
	if r.drain != nil {
		r.drain(ctx)
		return
	}
	start := r.now()
	for {
		r.mu.Lock()
		last, changed := r.last, r.changed
		r.mu.Unlock()
		if last.Before(start) {
			last = start
		}
		left := r.quiet - r.now().Sub(last)
		if left <= 0 {
			return
		}
		t := time.NewTimer(left)
		select {
		case <-t.C:
		case <-changed:
			t.Stop()
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

// Verify checks one delivery's JWT without recording it: the signature (RS256 only, with the
// app's public key), exp/nbf/iat, and the payload against the spec's schemas (WebhookJWTPayload,
// WebhookEnvelope, WebhookIdentity when there is an identity, and the FavoriteList*Event of the
// eventType, or of the event's slug when the envelope has no eventType). An entity sent as a
// string must hold JSON matching FavoriteList, which the event schemas cannot say. The error is an
// *Error.
func (r *Receiver) Verify(token string) (Delivery, error) {
	if token == "" {
		return Delivery{}, reject(RejectedSignature, "the body is empty, not a JWT")
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{Algorithm}),
		jwt.WithTimeFunc(r.now),
		jwt.WithLeeway(r.leeway),
		jwt.WithIssuedAt(),
	)
	claims := jwt.MapClaims{}
	_, err := parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		if t.Method.Alg() != Algorithm {
			return nil, fmt.Errorf("algorithm %q is not %s", t.Method.Alg(), Algorithm)
		}
		return r.pub, nil
	})
	if err != nil {
		return Delivery{}, reject(RejectedSignature, "%s", describeJWTError(err))
	}
	payload := map[string]any(claims)
	data, isString := payload["data"].(string)
	if !isString {
		if _, present := payload["data"]; !present {
			return Delivery{}, reject(RejectedPayload, "the JWT payload has no data")
		}
		return Delivery{}, reject(RejectedPayload, "the JWT payload's data is %s, not a string holding JSON", jsonKind(payload["data"]))
	}
	if err := spec.VisitJSON("WebhookJWTPayload", payload); err != nil {
		return Delivery{}, reject(RejectedPayload, "the JWT payload does not match WebhookJWTPayload: %v", err)
	}
	var d Delivery
	if err := decodeAgainst("WebhookEnvelope", "the payload's data", []byte(data), &d.Envelope); err != nil {
		return Delivery{}, err
	}
	// facts.md: @wix/sdk "treats a missing `identity` as absent"; so is an empty one, which is
	// how proto3 JSON writes an unset string.
	if d.Envelope.Identity != "" {
		if err := decodeAgainst("WebhookIdentity", "the envelope's identity", []byte(d.Envelope.Identity), &d.Identity); err != nil {
			return Delivery{}, err
		}
	}
	const what = "the envelope's data (the event)"
	var raw any
	if err := json.Unmarshal([]byte(d.Envelope.Data), &raw); err != nil {
		return Delivery{}, reject(RejectedPayload, "%s is not JSON: %v", what, err)
	}
	eventType := d.Envelope.EventType
	if eventType == "" {
		slug, _ := field(raw, "slug").(string)
		if eventType = TypeOfSlug(slug); eventType == "" {
			return Delivery{}, reject(RejectedPayload, "the envelope has no eventType, and the event's slug %s names none of the three events", shortJSON(field(raw, "slug")))
		}
	}
	schema := eventSchemas[eventType]
	if schema == "" { // not reached: WebhookEnvelope enumerates the types
		return Delivery{}, reject(RejectedPayload, "unknown eventType %q", eventType)
	}
	if err := validateAgainst(schema, what, raw); err != nil {
		return Delivery{}, err
	}
	if err := checkStringEntities(raw); err != nil {
		return Delivery{}, err
	}
	if err := json.Unmarshal([]byte(d.Envelope.Data), &d.Event); err != nil {
		return Delivery{}, reject(RejectedPayload, "%s does not decode as %s: %v", what, schema, err)
	}
	d.EventJSON = []byte(d.Envelope.Data)
	d.token = token
	return d, nil
}

var eventSchemas = map[string]string{
	TypeCreated: "FavoriteListCreatedEvent",
	TypeUpdated: "FavoriteListUpdatedEvent",
	TypeDeleted: "FavoriteListDeletedEvent",
}

// decodeAgainst decodes b (JSON text held in a string field) into v after validating it against
// the component schema.
func decodeAgainst(schema, what string, b []byte, v any) error {
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return reject(RejectedPayload, "%s is not JSON: %v", what, err)
	}
	if err := validateAgainst(schema, what, raw); err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return reject(RejectedPayload, "%s does not decode as %s: %v", what, schema, err)
	}
	return nil
}

func validateAgainst(schema, what string, raw any) error {
	if err := spec.VisitJSON(schema, raw); err != nil {
		return reject(RejectedPayload, "%s does not match %s: %v", what, schema, err)
	}
	return nil
}

// entitySlots are where the events carry their list. The SDK types each as a string (holding
// the list's JSON), the reference's samples show objects (discrepancies.yaml: event-entity-type);
// the event schemas accept both, but cannot say what a string must hold.
var entitySlots = []struct {
	part, name string
	optional   bool // an empty string is no entity (deletedEntity?: string | null)
}{
	{"createdEvent", "entity", false},
	{"updatedEvent", "currentEntity", false},
	{"deletedEvent", "deletedEntity", true},
}

// checkStringEntities checks that every entity of the event (decoded into any) that is a
// string holds JSON matching FavoriteList, as an object entity must.
func checkStringEntities(event any) error {
	for _, slot := range entitySlots {
		s, ok := field(field(event, slot.part), slot.name).(string)
		if !ok || (s == "" && slot.optional) {
			continue
		}
		what := fmt.Sprintf("the event's %s.%s (a string)", slot.part, slot.name)
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return reject(RejectedPayload, "%s does not hold JSON: %v", what, err)
		}
		if err := validateAgainst("FavoriteList", what+"'s JSON", v); err != nil {
			return err
		}
	}
	return nil
}

// field is v's member name when v is a JSON object, else nil.
func field(v any, name string) any {
	if m, ok := v.(map[string]any); ok {
		return m[name]
	}
	return nil
}

// shortJSON renders v for a message ("absent" for nil).
func shortJSON(v any) string {
	if v == nil {
		return "absent"
	}
	b, err := json.Marshal(v)
	if err != nil || len(b) > 80 {
		return jsonKind(v)
	}
	return string(b)
}

func describeJWTError(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "the body is not a well-formed JWT: " + err.Error()
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "the signature does not verify with the app's public key: " + err.Error()
	case errors.Is(err, jwt.ErrTokenExpired):
		return "the JWT has expired: " + err.Error()
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "the JWT is not valid yet: " + err.Error()
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "the JWT cannot be verified (only " + Algorithm + " is accepted): " + err.Error()
	}
	return "the JWT does not verify: " + err.Error()
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("a %T", v)
}

// peek reads the event type, event id and entity id of a token without verifying anything, for
// tying a rejection to a list. data may be a string (as documented) or an object.
func peek(token string) (eventType, eventID, entityID string) {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		return "", "", ""
	}
	env := map[string]any{}
	switch data := claims["data"].(type) {
	case string:
		if json.Unmarshal([]byte(data), &env) != nil {
			return "", "", ""
		}
	case map[string]any:
		env = data
	}
	eventType, _ = env["eventType"].(string)
	ev := map[string]any{}
	switch inner := env["data"].(type) {
	case string:
		_ = json.Unmarshal([]byte(inner), &ev)
	case map[string]any:
		ev = inner
	}
	eventID, _ = ev["id"].(string)
	entityID, _ = ev["entityId"].(string)
	if eventType == "" { // the envelope's eventType is optional: the slug tells
		slug, _ := ev["slug"].(string)
		eventType = TypeOfSlug(slug)
	}
	return eventType, eventID, entityID
}

// sameJSON reports whether a and b hold the same JSON value (key order and spacing aside).
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	cx, _ := json.Marshal(x)
	cy, _ := json.Marshal(y)
	return bytes.Equal(cx, cy)
}
