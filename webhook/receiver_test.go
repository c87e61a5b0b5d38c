package webhook

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/favconform/favconform/api"
)

var (
	keysOnce      sync.Once
	appKey, other *rsa.PrivateKey
)

// keys returns the app's key pair and an unrelated one (generated once per test binary).
func keys(t *testing.T) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if appKey, err = GenerateKey(); err != nil {
			panic(err)
		}
		if other, err = GenerateKey(); err != nil {
			panic(err)
		}
	})
	return appKey, other
}

var clock = time.Date(2024, 5, 21, 16, 38, 23, 0, time.UTC)

func newTestReceiver(t *testing.T, opts ReceiverOptions) *Receiver {
	t.Helper()
	k, _ := keys(t)
	if opts.PublicKey == nil {
		opts.PublicKey = &k.PublicKey
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return clock }
	}
	if opts.Wait == 0 {
		opts.Wait = 2 * time.Second
	}
	r, err := NewReceiver(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func list(id string, rev int64, favs ...api.Favorite) api.FavoriteList {
	return api.FavoriteList{ID: id, Revision: api.Revision(rev), CreatedDate: "2024-05-21T16:38:23.355Z",
		UpdatedDate: "2024-05-21T16:38:23.355Z", Favorites: append([]api.Favorite{}, favs...)}
}

var fav = api.Favorite{ID: "5332fd97-e2dd-4eb2-b59e-c0f84c1c9895", PageID: "5077a343-8f35-46b7-9942-d7a526555eb0", Title: "First Favorite"}

func event(slug string, l api.FavoriteList, seq int64) Event {
	ev := Event{ID: uuid.NewString(), EntityFqdn: EntityFqdn, Slug: slug, EntityID: l.ID,
		EventTime: "2024-05-21T16:38:23.471478546Z", EntityEventSequence: jsonInt(seq)}
	switch slug {
	case SlugCreated:
		ev.CreatedEvent = &CreatedEvent{Entity: l}
	case SlugUpdated:
		ev.UpdatedEvent = &UpdatedEvent{CurrentEntity: l}
	default:
		ev.DeletedEvent = &DeletedEvent{}
	}
	return ev
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

var user = Identity{IdentityType: IdentityWixUser, WixUserID: "6a1f3c52-1d0b-4a58-9a0e-0c1a2b3c4d01"}

// signed returns the JWT of ev, signed with key at the test clock.
func signed(t *testing.T, key *rsa.PrivateKey, ev Event) string {
	t.Helper()
	env, err := NewEnvelope("c6d2a1b0-0000-4000-8000-000000000001", ev, user)
	if err != nil {
		t.Fatal(err)
	}
	data, err := PayloadData(env)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Sign(key, data, clock, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// signClaims signs arbitrary claims with method and key.
func signClaims(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func validData(t *testing.T, ev Event) string {
	t.Helper()
	env, err := NewEnvelope("c6d2a1b0-0000-4000-8000-000000000001", ev, user)
	if err != nil {
		t.Fatal(err)
	}
	data, err := PayloadData(env)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func wantRejected(t *testing.T, r *Receiver, token string, kind RejectionKind, reason string) {
	t.Helper()
	err := r.Deliver([]byte(token))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want a rejection (%s), got %v", kind, err)
	}
	if e.Kind != kind || !strings.Contains(e.Reason, reason) {
		t.Fatalf("want a %s rejection mentioning %q, got %s: %s", kind, reason, e.Kind, e.Reason)
	}
	if len(r.Deliveries()) != 0 {
		t.Fatalf("a rejected delivery must not be kept as an event: %v", r.Deliveries())
	}
	rej := r.Rejections()
	if len(rej) == 0 || rej[len(rej)-1].Kind != kind {
		t.Fatalf("the rejection must be recorded, got %v", rej)
	}
}

func TestAcceptsAConformingDelivery(t *testing.T) {
	k, _ := keys(t)
	r := newTestReceiver(t, ReceiverOptions{})
	l := list("67214477-f886-4583-a4cc-60495f5e2e78", 1, fav)
	ev := event(SlugCreated, l, 1)
	if err := r.Deliver([]byte(signed(t, k, ev))); err != nil {
		t.Fatalf("a conforming delivery must be accepted: %v", err)
	}
	ds := r.Deliveries()
	if len(ds) != 1 {
		t.Fatalf("want 1 event, got %d", len(ds))
	}
	d := ds[0]
	if d.Envelope.EventType != TypeCreated || d.Identity != user || d.Event.ID != ev.ID || d.Event.EntityID != l.ID {
		t.Fatalf("decoded delivery differs: %+v", d)
	}
	got := d.Event.Entity()
	if got == nil || got.Revision != 1 || len(got.Favorites) != 1 || got.Favorites[0] != fav {
		t.Fatalf("createdEvent.entity decoded as %+v", got)
	}
	if n, ok := d.Event.Sequence(); !ok || n != 1 {
		t.Fatalf("sequence: %d %v", n, ok)
	}
}

func TestRejectsATamperedSignature(t *testing.T) {
	k, _ := keys(t)
	r := newTestReceiver(t, ReceiverOptions{})
	tok := signed(t, k, event(SlugCreated, list(uuid.NewString(), 1, fav), 1))
	parts := strings.Split(tok, ".")
	// Change the payload, keep the signature: the signature no longer covers what is sent.
	claims := jwt.MapClaims{"data": validData(t, event(SlugDeleted, list(uuid.NewString(), 2), 3)), "iat": clock.Unix(), "exp": clock.Add(time.Hour).Unix()}
	b, _ := json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	wantRejected(t, r, strings.Join(parts, "."), RejectedSignature, "signature")

	// A flipped bit in the signature itself.
	sig, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[2])
	if err != nil {
		t.Fatal(err)
	}
	sig[0] ^= 1
	parts = strings.Split(tok, ".")
	parts[2] = base64.RawURLEncoding.EncodeToString(sig)
	wantRejected(t, newTestReceiver(t, ReceiverOptions{}), strings.Join(parts, "."), RejectedSignature, "signature")
}

func TestRejectsAJWTSignedWithAnotherKey(t *testing.T) {
	_, wrong := keys(t)
	r := newTestReceiver(t, ReceiverOptions{})
	l := list(uuid.NewString(), 1, fav)
	wantRejected(t, r, signed(t, wrong, event(SlugCreated, l, 1)), RejectedSignature, "public key")
	// The rejection is tied to its list, unverified, for the failure message.
	if rej := r.Rejections()[0]; rej.EntityID != l.ID || rej.EventType != TypeCreated {
		t.Fatalf("the rejection must name the (unverified) list and type, got %+v", rej)
	}
}

func TestRejectsAnExpiredJWT(t *testing.T) {
	k, _ := keys(t)
	data := validData(t, event(SlugCreated, list(uuid.NewString(), 1, fav), 1))
	tok := signClaims(t, jwt.SigningMethodRS256, k, jwt.MapClaims{"data": data, "iat": clock.Add(-2 * time.Hour).Unix(), "exp": clock.Add(-time.Hour).Unix()})
	wantRejected(t, newTestReceiver(t, ReceiverOptions{}), tok, RejectedSignature, "expired")

	// Within the leeway it is accepted: the leeway is what a receiver allows for clock skew.
	r := newTestReceiver(t, ReceiverOptions{Leeway: 2 * time.Hour})
	if err := r.Deliver([]byte(tok)); err != nil {
		t.Fatalf("an expiry within the leeway must be accepted: %v", err)
	}
}

func TestRejectsAlgorithmsOtherThanRS256(t *testing.T) {
	k, _ := keys(t)
	data := validData(t, event(SlugCreated, list(uuid.NewString(), 1, fav), 1))
	claims := jwt.MapClaims{"data": data, "iat": clock.Unix(), "exp": clock.Add(time.Hour).Unix()}
	pubPEM, err := PublicKeyPEM(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"none":  signClaims(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims),
		"RS512": signClaims(t, jwt.SigningMethodRS512, k, claims),
		"PS256": signClaims(t, jwt.SigningMethodPS256, k, claims),
		// The classic confusion: HMAC keyed with the public key, which anyone has.
		"HS256 keyed with the public key": signClaims(t, jwt.SigningMethodHS256, pubPEM, claims),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			wantRejected(t, newTestReceiver(t, ReceiverOptions{}), tok, RejectedSignature, "")
		})
	}
}

func TestRejectsAPayloadWhoseDataIsNotAString(t *testing.T) {
	k, _ := keys(t)
	l := list(uuid.NewString(), 1, fav)
	ev := event(SlugCreated, l, 1)
	env, err := NewEnvelope("c6d2a1b0-0000-4000-8000-000000000001", ev, user)
	if err != nil {
		t.Fatal(err)
	}
	var envObject map[string]any
	b, _ := json.Marshal(env)
	if err := json.Unmarshal(b, &envObject); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]any{"an object (as the docs' sample shows)": envObject, "a number": 42, "null": nil} {
		t.Run(name, func(t *testing.T) {
			tok, err := Sign(k, data, clock, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			r := newTestReceiver(t, ReceiverOptions{})
			wantRejected(t, r, tok, RejectedPayload, "not a string")
			if name == "an object (as the docs' sample shows)" && r.Rejections()[0].EntityID != l.ID {
				t.Fatalf("the rejection must still name the list: %+v", r.Rejections()[0])
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		tok := signClaims(t, jwt.SigningMethodRS256, k, jwt.MapClaims{"iat": clock.Unix(), "exp": clock.Add(time.Hour).Unix()})
		wantRejected(t, newTestReceiver(t, ReceiverOptions{}), tok, RejectedPayload, "no data")
	})
}

func TestRejectsPayloadsBreakingTheSchemas(t *testing.T) {
	k, _ := keys(t)
	l := list(uuid.NewString(), 2, fav)
	sign := func(env map[string]any) string {
		b, _ := json.Marshal(env)
		tok, err := Sign(k, string(b), clock, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	str := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	good := event(SlugUpdated, l, 2)
	noEntityID := good
	noEntityID.EntityID = ""
	var numberRevision map[string]any
	_ = json.Unmarshal([]byte(str(good)), &numberRevision)
	numberRevision["updatedEvent"].(map[string]any)["currentEntity"].(map[string]any)["revision"] = 2
	cases := map[string]struct {
		env    map[string]any
		reason string
	}{
		"identity is an object":         {map[string]any{"eventType": TypeUpdated, "instanceId": "i", "data": str(good), "identity": user}, "WebhookEnvelope"},
		"event data is an object":       {map[string]any{"eventType": TypeUpdated, "instanceId": "i", "data": good, "identity": str(user)}, "WebhookEnvelope"},
		"unknown event type":            {map[string]any{"eventType": "wix.dashboard.v1.favorite_list_moved", "instanceId": "i", "data": str(good), "identity": str(user)}, "WebhookEnvelope"},
		"slug disagrees with eventType": {map[string]any{"eventType": TypeCreated, "instanceId": "i", "data": str(good), "identity": str(user)}, "FavoriteListCreatedEvent"},
		"event without entityId":        {map[string]any{"eventType": TypeUpdated, "instanceId": "i", "data": str(noEntityID), "identity": str(user)}, "FavoriteListUpdatedEvent"},
		"revision as a number":          {map[string]any{"eventType": TypeUpdated, "instanceId": "i", "data": str(numberRevision), "identity": str(user)}, "FavoriteListUpdatedEvent"},
		"identity without its id":       {map[string]any{"eventType": TypeUpdated, "instanceId": "i", "data": str(good), "identity": `{"identityType":"WIX_USER"}`}, "WebhookIdentity"},
		"event data is not JSON":        {map[string]any{"eventType": TypeUpdated, "instanceId": "i", "data": "{", "identity": str(user)}, "not JSON"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			wantRejected(t, newTestReceiver(t, ReceiverOptions{}), sign(c.env), RejectedPayload, c.reason)
		})
	}
	t.Run("not a JWT", func(t *testing.T) {
		wantRejected(t, newTestReceiver(t, ReceiverOptions{}), "not.a.jwt", RejectedSignature, "well-formed")
		wantRejected(t, newTestReceiver(t, ReceiverOptions{}), "", RejectedSignature, "empty")
	})
}

func TestDuplicateDeliveriesAreHarmlessAndReusedIDsRejected(t *testing.T) {
	k, _ := keys(t)
	r := newTestReceiver(t, ReceiverOptions{})
	l := list(uuid.NewString(), 1, fav)
	ev := event(SlugCreated, l, 1)
	tok := signed(t, k, ev)
	if err := r.Deliver([]byte(tok)); err != nil {
		t.Fatal(err)
	}
	d := r.Deliveries()[0]
	if err := r.Replay(d); err != nil {
		t.Fatalf("a repeated delivery must be answered as accepted: %v", err)
	}
	// The same event signed again (a sender that re-signs on retry) is a duplicate too.
	if err := r.Deliver([]byte(signed(t, k, ev))); err != nil {
		t.Fatalf("the same event re-signed must be a duplicate: %v", err)
	}
	ds := r.Deliveries()
	if len(ds) != 1 || ds[0].Duplicates != 2 {
		t.Fatalf("want one event seen twice more, got %d events, duplicates %d", len(ds), ds[0].Duplicates)
	}
	other := event(SlugUpdated, list(l.ID, 2, fav), 2)
	other.ID = ev.ID
	wantErr := r.Deliver([]byte(signed(t, k, other)))
	var e *Error
	if !errors.As(wantErr, &e) || e.Kind != RejectedReusedID {
		t.Fatalf("another event under a used id must be rejected as reused, got %v", wantErr)
	}
	if len(r.Deliveries()) != 1 {
		t.Fatal("the reused id must not add an event")
	}
	if err := (&Receiver{}).Replay(Delivery{}); err == nil {
		t.Fatal("replaying a delivery that was never received must fail")
	}
}

func TestAwaitMatchesLateAndOutOfOrderEvents(t *testing.T) {
	k, _ := keys(t)
	r := newTestReceiver(t, ReceiverOptions{})
	id := uuid.NewString()
	var toks []string
	for rev := int64(1); rev <= 4; rev++ {
		slug := SlugUpdated
		if rev == 1 {
			slug = SlugCreated
		}
		toks = append(toks, signed(t, k, event(slug, list(id, rev, fav), rev)))
	}
	// Delivered newest first, from another goroutine, after the waiting has begun.
	go func() {
		for i := len(toks) - 1; i >= 0; i-- {
			if err := r.Deliver([]byte(toks[i])); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for rev := int64(1); rev <= 4; rev++ {
		d, ok := r.Await(context.Background(), func(d Delivery) bool {
			l := d.Event.Entity()
			return d.Event.EntityID == id && l != nil && int64(l.Revision) == rev
		})
		if !ok {
			t.Fatalf("revision %d was delivered but not matched", rev)
		}
		if n, _ := d.Event.Sequence(); n != rev {
			t.Fatalf("matched the wrong event: %v", d.Event)
		}
	}
	if _, ok := newTestReceiver(t, ReceiverOptions{Wait: 10 * time.Millisecond}).Await(context.Background(), func(Delivery) bool { return true }); ok {
		t.Fatal("Await on an empty receiver must report nothing")
	}
	if !r.AwaitAny(context.Background(), func(Delivery) bool { return true }, nil) {
		t.Fatal("AwaitAny must find an accepted event")
	}
	short := newTestReceiver(t, ReceiverOptions{Wait: 10 * time.Millisecond})
	short.record(nil, reject(RejectedPayload, "x"), "")
	if !short.AwaitAny(context.Background(), nil, func(Rejection) bool { return true }) {
		t.Fatal("AwaitAny must find a rejection")
	}
	if short.AwaitAny(context.Background(), nil, nil) {
		t.Fatal("AwaitAny with no matcher must report nothing")
	}
}

func TestSettleReturns(t *testing.T) {
	r := newTestReceiver(t, ReceiverOptions{Now: time.Now, Quiet: time.Millisecond, Wait: time.Second})
	r.Settle(context.Background()) // returns once nothing has come for Quiet
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	newTestReceiver(t, ReceiverOptions{Now: time.Now, Quiet: time.Hour}).Settle(ctx) // and when ctx ends
}

func TestServeHTTP(t *testing.T) {
	k, _ := keys(t)
	r := newTestReceiver(t, ReceiverOptions{MaxBodyBytes: 8 << 10})
	srv := httptest.NewServer(r)
	defer srv.Close()
	post := func(body string) int {
		resp, err := http.Post(srv.URL+"/webhooks", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(signed(t, k, event(SlugDeleted, list(uuid.NewString(), 3), 4))); code != http.StatusOK {
		t.Fatalf("a conforming delivery: want 200, got %d", code)
	}
	if code := post("garbage"); code != http.StatusBadRequest {
		t.Fatalf("garbage: want 400, got %d", code)
	}
	if code := post(strings.Repeat("x", 9<<10)); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a body over the limit: want 413, got %d", code)
	}
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: want 405, got %d", resp.StatusCode)
	}
	if len(r.Deliveries()) != 1 || len(r.Rejections()) != 2 {
		t.Fatalf("want 1 event and 2 rejections, got %d and %d", len(r.Deliveries()), len(r.Rejections()))
	}
}

func TestListen(t *testing.T) {
	r := newTestReceiver(t, ReceiverOptions{})
	s, err := Listen("127.0.0.1:0", r)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Post(s.URL, "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("want 400, got %d", resp.StatusCode)
	}
	s.Close()
	s.Close()
	if _, err := Listen("256.0.0.1:1", r); err == nil {
		t.Fatal("a bad address must fail")
	}
}

func TestKeysAndOptions(t *testing.T) {
	k, _ := keys(t)
	pub, err := PublicKeyPEM(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePublicKeyPEM(pub)
	if err != nil || !back.Equal(&k.PublicKey) {
		t.Fatalf("public key round trip: %v", err)
	}
	priv, err := PrivateKeyPEM(k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := ParsePrivateKeyPEM(priv)
	if err != nil || !kb.Equal(k) {
		t.Fatalf("private key round trip: %v", err)
	}
	if _, err := ParsePrivateKeyPEM([]byte("secret-ish text")); err == nil || strings.Contains(err.Error(), "secret-ish") {
		t.Fatalf("a bad private key must fail without quoting it: %v", err)
	}
	if _, err := ParsePublicKeyPEM([]byte("nope")); err == nil {
		t.Fatal("a bad public key must fail")
	}
	if _, err := NewReceiver(ReceiverOptions{}); err == nil {
		t.Fatal("a receiver without a key must fail")
	}
	if _, err := NewReceiver(ReceiverOptions{PublicKey: &k.PublicKey, Wait: -1}); err == nil {
		t.Fatal("negative options must fail")
	}
	if _, err := Sign(nil, "x", clock, time.Hour); err == nil {
		t.Fatal("signing without a key must fail")
	}
	if _, err := NewEnvelope("i", Event{Slug: "moved"}, user); err == nil {
		t.Fatal("an unknown slug must fail")
	}
}

// With a Drain, Settle waits for it — not for a quiet period — and no longer than Wait.
func TestSettleWithDrainWaitsForTheSender(t *testing.T) {
	delivered := make(chan struct{})
	var drained bool
	r := newTestReceiver(t, ReceiverOptions{Now: time.Now, Quiet: time.Hour, Wait: time.Second, Drain: func(ctx context.Context) {
		select {
		case <-delivered:
			drained = true
		case <-ctx.Done():
		}
	}})
	go func() { time.Sleep(20 * time.Millisecond); close(delivered) }()
	r.Settle(context.Background())
	if !drained {
		t.Fatal("Settle returned before the sender had delivered everything")
	}
	stuck := newTestReceiver(t, ReceiverOptions{Now: time.Now, Quiet: time.Hour, Wait: 30 * time.Millisecond, Drain: func(ctx context.Context) { <-ctx.Done() }})
	done := make(chan struct{})
	go func() { stuck.Settle(context.Background()); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Settle with a Drain that never ends must return after Wait")
	}
}
