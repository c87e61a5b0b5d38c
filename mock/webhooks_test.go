package mock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/webhook"
)

// testKey is the key pair the webhook tests sign with (generated once per test binary).
var testKey = sync.OnceValues(webhook.GenerateKey)

// sentEvent is one delivery as the receiver saw it.
type sentEvent struct {
	eventType string
	ev        webhook.Event              // decoded without verification, so rejected deliveries show too
	raw       map[string]json.RawMessage // the event's JSON object as sent
	err       error                      // the receiver's verdict (nil: accepted)
}

// hookEnv is an env whose mock delivers its events in-process to a verifying webhook.Receiver.
type hookEnv struct {
	*env
	rcv *webhook.Receiver

	mu   sync.Mutex
	sent []sentEvent
	mark int
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func newHookEnv(t testing.TB, deviations []string, opts WebhookOptions) *hookEnv {
	t.Helper()
	return newHookEnvWith(t, Options{Deviations: deviations}, opts)
}

// newHookEnvWith is newHookEnv with the mock's options (its Webhooks are opts).
func newHookEnvWith(t testing.TB, mockOpts Options, opts WebhookOptions) *hookEnv {
	t.Helper()
	key, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	h := &hookEnv{}
	h.rcv, err = webhook.NewReceiver(webhook.ReceiverOptions{PublicKey: &key.PublicKey, Now: func() time.Time { return h.clock.Now() }})
	if err != nil {
		t.Fatal(err)
	}
	if opts.URLs == nil {
		opts.URLs = []string{"http://receiver.test/webhooks"}
	}
	if opts.PrivateKey == nil {
		opts.PrivateKey = key
	}
	if opts.Retries == nil {
		opts.Retries = []time.Duration{}
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			body, _ := io.ReadAll(r.Body)
			err := h.rcv.Deliver(body)
			typ, ev, raw := peekEvent(string(body))
			h.mu.Lock()
			h.sent = append(h.sent, sentEvent{typ, ev, raw, err})
			h.mu.Unlock()
			status := http.StatusOK
			if err != nil {
				status = http.StatusBadRequest
			}
			return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: r}, nil
		})}
	}
	mockOpts.Webhooks = &opts
	h.env = newEnvWith(t, mockOpts)
	t.Cleanup(h.m.CloseWebhooks)
	return h
}

// hooksFor is a hookEnv with the deviations and readings of e (for probes).
func hooksFor(e *env) *hookEnv {
	return newHookEnvWith(e.t, Options{Deviations: e.m.dev.names(), Readings: e.m.read.names()}, WebhookOptions{})
}

// flush waits for the deliveries under way and returns those since the last flush.
func (h *hookEnv) flush() []sentEvent {
	h.m.FlushWebhooks()
	h.mu.Lock()
	defer h.mu.Unlock()
	out := slices.Clone(h.sent[h.mark:])
	h.mark = len(h.sent)
	return out
}

// peekEvent decodes a delivery without verifying it; data may be a string or an object, and the
// entity a list or a string holding one (event-entity-as-string). raw is the event's JSON object.
func peekEvent(token string) (string, webhook.Event, map[string]json.RawMessage) {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		return "", webhook.Event{}, nil
	}
	var env struct {
		EventType string          `json:"eventType"`
		Data      json.RawMessage `json:"data"`
	}
	switch d := claims["data"].(type) {
	case string:
		_ = json.Unmarshal([]byte(d), &env)
	default:
		b, _ := json.Marshal(d)
		_ = json.Unmarshal(b, &env)
	}
	data := []byte(env.Data)
	var s string
	if json.Unmarshal(env.Data, &s) == nil {
		data = []byte(s)
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(data, &raw)
	var ev webhook.Event
	_ = json.Unmarshal(entitiesAsObjects(data), &ev)
	return env.EventType, ev, raw
}

// entitiesAsObjects replaces, in an event's JSON, an entity sent as a string holding JSON by that
// JSON.
func entitiesAsObjects(event []byte) []byte {
	var top map[string]json.RawMessage
	if json.Unmarshal(event, &top) != nil {
		return event
	}
	for wrapper, field := range map[string]string{"createdEvent": "entity", "updatedEvent": "currentEntity"} {
		var inner map[string]json.RawMessage
		var s string
		if json.Unmarshal(top[wrapper], &inner) == nil && json.Unmarshal(inner[field], &s) == nil && json.Valid([]byte(s)) {
			inner[field] = json.RawMessage(s)
			top[wrapper], _ = json.Marshal(inner)
		}
	}
	out, err := json.Marshal(top)
	if err != nil {
		return event
	}
	return out
}

func has(s []sentEvent, slug string) bool {
	return slices.ContainsFunc(s, func(x sentEvent) bool { return x.ev.Slug == slug })
}

func rejectedFor(s []sentEvent, reason string) bool {
	return slices.ContainsFunc(s, func(x sentEvent) bool { return x.err != nil && strings.Contains(x.err.Error(), reason) })
}

func rev(l api.FavoriteList) string { return strconv.FormatInt(int64(l.Revision), 10) }

// webhookProbes are the probes of the deviations seen through the webhooks (deviations_test.go
// gathers every probe).
var webhookProbes = map[string]func(e *env) bool{
	devAppIdentityRefused: func(e *env) bool {
		return e.do(app, http.MethodGet, listPath, nil).status == http.StatusForbidden
	},
	devEventBadSignature: func(e *env) bool {
		h := hooksFor(e)
		h.pCreate(sampleFav(1))
		return rejectedFor(h.flush(), "signature")
	},
	devEventCreatedAsUpdated: func(e *env) bool {
		h := hooksFor(e)
		h.pCreate(sampleFav(1))
		s := h.flush()
		return !has(s, webhook.SlugCreated) && has(s, webhook.SlugUpdated)
	},
	devEventDataNotString: func(e *env) bool {
		h := hooksFor(e)
		h.pCreate(sampleFav(1))
		return rejectedFor(h.flush(), "not a string")
	},
	devEventForFailedWrite: func(e *env) bool {
		h := hooksFor(e)
		l, _ := h.pCreate(sampleFav(1))
		h.flush()
		r := h.pUpdate(l.ID, updateBody(strconv.FormatInt(int64(l.Revision)+7, 10), favs(sampleFav(2))))
		return r.status >= 400 && r.status < 500 && len(h.flush()) > 0
	},
	devEventIDReused: func(e *env) bool {
		h := hooksFor(e)
		l, _ := h.pCreate(sampleFav(1))
		h.flush()
		h.pUpdate(l.ID, updateBody(rev(l), favs(sampleFav(2))))
		return rejectedFor(h.flush(), "already used")
	},
	devEventMissingDeleted: func(e *env) bool {
		h := hooksFor(e)
		l, _ := h.pCreate(sampleFav(1))
		h.flush()
		r := h.do(user, http.MethodDelete, listIDPath(l.ID), nil)
		_, exists := h.pState()
		return r.status == http.StatusOK && !exists && !has(h.flush(), webhook.SlugDeleted)
	},
	devEventMissingUpdated: func(e *env) bool {
		h := hooksFor(e)
		l, _ := h.pCreate(sampleFav(1), sampleFav(2))
		h.flush()
		r := h.pUpdate(l.ID, updateBody(rev(l), favs(sampleFav(3))))
		return r.status == http.StatusOK && !has(h.flush(), webhook.SlugUpdated)
	},
	devEventWrongEntity: func(e *env) bool {
		h := hooksFor(e)
		l, _ := h.pCreate(sampleFav(1))
		h.flush()
		u, ok := anyList(h.pUpdate(l.ID, updateBody(rev(l), favs(sampleFav(2)))))
		return ok && slices.ContainsFunc(h.flush(), func(x sentEvent) bool {
			got := x.ev.Entity()
			return x.ev.Slug == webhook.SlugUpdated && got != nil && got.Revision != u.Revision
		})
	},
}

// accepted returns the receiver's events in the order of the writes (by entityEventSequence:
// deliveries run concurrently and arrive in any order), failing the test on any rejection.
func (h *hookEnv) accepted(t *testing.T) []webhook.Event {
	t.Helper()
	h.m.FlushWebhooks()
	if rej := h.rcv.Rejections(); len(rej) > 0 {
		t.Fatalf("the receiver rejected deliveries: %v", rej)
	}
	var out []webhook.Event
	for _, d := range h.rcv.Deliveries() {
		out = append(out, d.Event)
	}
	rank := map[string]int{webhook.SlugCreated: 0, webhook.SlugUpdated: 1, webhook.SlugDeleted: 2}
	slices.SortStableFunc(out, func(a, b webhook.Event) int {
		x, _ := a.Sequence()
		y, _ := b.Sequence()
		if x != y {
			return int(x - y)
		}
		return rank[a.Slug] - rank[b.Slug]
	})
	return out
}

func TestWebhookEventsOfEachWrite(t *testing.T) {
	h := newHookEnv(t, nil, WebhookOptions{InstanceID: "instance-1"})
	l := h.add(user, sampleFav(1)) // no list: Created
	r := h.do(user, http.MethodPatch, listIDPath(l.ID), updateBody(rev(l), favs(sampleFav(2), sampleFav(3))))
	u := r.list(t)                 // Updated
	a := h.add(user, sampleFav(4)) // Updated
	d := h.do(user, http.MethodDelete, delFavPath(a.Favorites[0].ID), nil).list(t)
	h.flush()
	refusedBefore := len(h.rcv.Deliveries())
	h.do(user, http.MethodPost, listPath, createBody(favs(sampleFav(5))))                 // 409: nothing
	h.do(user, http.MethodPatch, listIDPath(l.ID), updateBody("99", favs(sampleFav(5))))  // 409: nothing
	h.do(identity.UserWithoutPermission, http.MethodPost, addPath, addBody(sampleFav(5))) // 403: nothing
	if len(h.flush()) != 0 || len(h.rcv.Deliveries()) != refusedBefore {
		t.Fatal("refused writes must send no event")
	}
	h.do(user, http.MethodDelete, listIDPath(l.ID), nil) // Deleted

	evs := h.accepted(t)
	want := []struct {
		slug string
		list *api.FavoriteList
		seq  int64
	}{{webhook.SlugCreated, &l, 1}, {webhook.SlugUpdated, &u, 2}, {webhook.SlugUpdated, &a, 3}, {webhook.SlugUpdated, &d, 4}, {webhook.SlugDeleted, nil, 5}}
	if len(evs) != len(want) {
		t.Fatalf("want %d events, got %d: %v", len(want), len(evs), evs)
	}
	ids := map[string]bool{}
	for i, w := range want {
		ev := evs[i]
		if ev.Slug != w.slug || ev.EntityID != l.ID || ev.EntityFqdn != webhook.EntityFqdn || ev.TriggeredByAnonymizeRequest {
			t.Errorf("event %d: %+v, want %s of %s", i, ev, w.slug, l.ID)
		}
		if n, _ := ev.Sequence(); n != w.seq {
			t.Errorf("event %d: sequence %s, want %d", i, ev.EntityEventSequence, w.seq)
		}
		if ids[ev.ID] {
			t.Errorf("event id %s repeated", ev.ID)
		}
		ids[ev.ID] = true
		got := ev.Entity()
		switch {
		case w.list == nil && (got != nil || ev.DeletedEvent == nil):
			t.Errorf("event %d: a Deleted event carries deletedEvent and no entity: %+v", i, ev)
		case w.list != nil && (got == nil || !equalLists(*got, *w.list)):
			t.Errorf("event %d: entity %+v, want the list the API returned %+v", i, got, *w.list)
		}
	}
	for _, d := range h.rcv.Deliveries() {
		if d.Envelope.InstanceID != "instance-1" || d.Identity.IdentityType != webhook.IdentityWixUser || d.Identity.WixUserID != h.ident(user).WixUserID {
			t.Errorf("envelope %+v, identity %+v", d.Envelope, d.Identity)
		}
	}
}

func TestWebhookDeletingTheLastFavoriteSendsUpdatedThenDeleted(t *testing.T) {
	h := newHookEnv(t, nil, WebhookOptions{})
	l := h.create(app, sampleFav(1))
	final := h.do(app, http.MethodDelete, delFavPath(l.Favorites[0].ID), nil).list(t)
	evs := h.accepted(t)
	if len(evs) != 3 || evs[1].Slug != webhook.SlugUpdated || evs[2].Slug != webhook.SlugDeleted {
		t.Fatalf("want created, updated, deleted; got %v", evs)
	}
	if got := evs[1].Entity(); got == nil || !equalLists(*got, final) || len(got.Favorites) != 0 {
		t.Fatalf("the Updated event must carry the emptied list %+v, got %+v", final, got)
	}
	if a, _ := evs[1].Sequence(); a != 2 {
		t.Fatalf("updated sequence %d", a)
	}
	if b, _ := evs[2].Sequence(); b != 3 {
		t.Fatalf("deleted sequence %d", b)
	}
	for _, d := range h.rcv.Deliveries() {
		if d.Identity.IdentityType != webhook.IdentityApp || d.Identity.AppID != h.ident(app).AppID {
			t.Fatalf("an app's change carries the app's identity, got %+v", d.Identity)
		}
	}
}

func TestWebhookPublicKeyIsServed(t *testing.T) {
	h := newHookEnv(t, nil, WebhookOptions{})
	r := h.do("", http.MethodGet, WebhookPublicKeyPath, nil)
	if r.status != http.StatusOK || string(r.body) != string(h.m.WebhookPublicKeyPEM()) {
		t.Fatalf("GET %s: %d %s", WebhookPublicKeyPath, r.status, r.body)
	}
	pub, err := webhook.ParsePublicKeyPEM(r.body)
	key, _ := testKey()
	if err != nil || !pub.Equal(&key.PublicKey) || !h.m.WebhookPublicKey().Equal(&key.PublicKey) {
		t.Fatalf("the served key is not the signing key's public half: %v", err)
	}
	if strings.Contains(string(r.body), "PRIVATE") {
		t.Fatal("the private key must never be served")
	}
	if r := h.do("", http.MethodPost, WebhookPublicKeyPath, nil); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d", r.status)
	}
	if r := h.do("", http.MethodHead, WebhookPublicKeyPath, nil); r.status != http.StatusOK || len(r.body) != 0 {
		t.Fatalf("HEAD: %d", r.status)
	}
	plain := newEnv(t)
	if r := plain.do("", http.MethodGet, WebhookPublicKeyPath, nil); r.status != http.StatusNotFound {
		t.Fatalf("without webhooks the path is unknown: %d", r.status)
	}
	if plain.m.WebhookPublicKey() != nil || plain.m.WebhookPublicKeyPEM() != nil {
		t.Fatal("without webhooks there is no key")
	}
	plain.m.FlushWebhooks()
	plain.m.CloseWebhooks()
}

func TestWebhookKeyIsGeneratedUnlessGiven(t *testing.T) {
	m, err := New(Options{Webhooks: &WebhookOptions{}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.CloseWebhooks()
	key, _ := testKey()
	if m.WebhookPublicKey() == nil || m.WebhookPublicKey().Equal(&key.PublicKey) {
		t.Fatal("a mock without a key must generate its own")
	}
}

func TestWebhookOptionsAreChecked(t *testing.T) {
	for name, o := range map[string]WebhookOptions{
		"bad URL":        {URLs: []string{"ftp://x"}},
		"relative URL":   {URLs: []string{"/webhooks"}},
		"negative delay": {Delay: -1},
		"negative retry": {Retries: []time.Duration{-time.Second}},
	} {
		if _, err := New(Options{Webhooks: &o}); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

// A receiver that fails is retried on the schedule; one that answers too late counts as failed.
func TestWebhookRetries(t *testing.T) {
	key, _ := testKey()
	var calls atomic.Int32
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
		case 2:
			<-block // no answer within the timeout
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()
	defer close(block)
	var mu sync.Mutex
	var attempts []WebhookAttempt
	m, err := New(Options{Webhooks: &WebhookOptions{
		URLs: []string{srv.URL}, PrivateKey: key, Timeout: 50 * time.Millisecond,
		Retries: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond},
		OnAttempt: func(a WebhookAttempt) {
			mu.Lock()
			attempts = append(attempts, a)
			mu.Unlock()
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.CloseWebhooks()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, listPath, strings.NewReader(`{"favoriteList":{"favorites":[{"pageId":"p","title":"t"}]}}`))
	req.Header.Set("Authorization", identity.Default()[0].Token)
	m.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("create: %d", rec.Code)
	}
	m.FlushWebhooks()
	mu.Lock()
	defer mu.Unlock()
	if len(attempts) != 3 {
		t.Fatalf("want 3 attempts (500, no answer, 200), got %d: %+v", len(attempts), attempts)
	}
	if attempts[0].Status != 500 || attempts[0].Err == nil || attempts[1].Err == nil || !strings.Contains(attempts[1].Err.Error(), "no answer within") ||
		attempts[2].Err != nil || attempts[2].Attempt != 3 || attempts[2].EventType != webhook.TypeCreated || attempts[2].GaveUp {
		t.Fatalf("attempts: %+v", attempts)
	}
}

func TestWebhookGivesUpAfterTheSchedule(t *testing.T) {
	key, _ := testKey()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer srv.Close()
	var n atomic.Int32
	var gaveUp atomic.Bool
	m, err := New(Options{Webhooks: &WebhookOptions{URLs: []string{srv.URL, srv.URL + "/second"}, PrivateKey: key, Retries: []time.Duration{0, 0},
		OnAttempt: func(a WebhookAttempt) {
			n.Add(1)
			if a.GaveUp {
				gaveUp.Store(true)
			}
		}}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, addPath, strings.NewReader(`{"favorite":{"pageId":"p","title":"t"}}`))
	req.Header.Set("Authorization", identity.Default()[0].Token)
	m.ServeHTTP(rec, req)
	m.FlushWebhooks()
	if n.Load() != 6 || !gaveUp.Load() {
		t.Fatalf("want 3 attempts per URL and a give-up, got %d attempts", n.Load())
	}
	m.CloseWebhooks()
	m.CloseWebhooks()
}

// A delivery delay holds events back; CloseWebhooks abandons them and later writes send nothing.
func TestWebhookDelayAndClose(t *testing.T) {
	var n atomic.Int32
	h := newHookEnv(t, nil, WebhookOptions{Delay: time.Hour, OnAttempt: func(WebhookAttempt) { n.Add(1) }})
	h.create(user, sampleFav(1))
	h.m.CloseWebhooks() // returns although a delivery waits for an hour
	h.create(user2, sampleFav(1))
	h.m.FlushWebhooks()
	if n.Load() != 0 || len(h.rcv.Deliveries()) != 0 {
		t.Fatalf("nothing may be delivered: %d attempts", n.Load())
	}
}

// With jitter, deliveries are spread out; every one still arrives.
func TestWebhookJitterDeliversEverything(t *testing.T) {
	h := newHookEnv(t, nil, WebhookOptions{Jitter: 5 * time.Millisecond})
	l := h.create(user, sampleFav(1))
	for i := range 5 {
		l = h.do(user, http.MethodPatch, listIDPath(l.ID), updateBody(rev(l), favs(sampleFav(i)))).list(t)
	}
	evs := h.accepted(t)
	if len(evs) != 6 {
		t.Fatalf("want 6 events, got %d", len(evs))
	}
	seen := map[int64]bool{}
	for _, ev := range evs {
		n, _ := ev.Sequence()
		seen[n] = true
	}
	for i := int64(1); i <= 6; i++ {
		if !seen[i] {
			t.Errorf("sequence %d missing: %v", i, evs)
		}
	}
}

func TestWebhookDeviationSpecifics(t *testing.T) {
	t.Run("event-wrong-entity carries the previous state", func(t *testing.T) {
		h := newHookEnv(t, []string{devEventWrongEntity}, WebhookOptions{})
		l := h.create(user, sampleFav(1))
		h.do(user, http.MethodPatch, listIDPath(l.ID), updateBody(rev(l), favs(sampleFav(2)))).list(t)
		evs := h.accepted(t)
		if got := evs[1].Entity(); got == nil || !equalLists(*got, l) {
			t.Fatalf("want the created state, got %+v", got)
		}
	})
	t.Run("event-for-failed-write sends the unchanged list", func(t *testing.T) {
		h := newHookEnv(t, []string{devEventForFailedWrite}, WebhookOptions{})
		l := h.create(user, sampleFav(1))
		h.do(user, http.MethodPost, listPath, createBody(favs(sampleFav(2)))) // 409
		evs := h.accepted(t)
		if len(evs) != 2 || evs[1].Slug != webhook.SlugUpdated || !equalLists(*evs[1].Entity(), l) {
			t.Fatalf("got %v", evs)
		}
	})
	t.Run("event-missing-updated keeps the Updated of a deletion", func(t *testing.T) {
		h := newHookEnv(t, []string{devEventMissingUpdated}, WebhookOptions{})
		l := h.create(user, sampleFav(1))
		h.do(user, http.MethodDelete, delFavPath(l.Favorites[0].ID), nil)
		if evs := h.accepted(t); len(evs) != 3 {
			t.Fatalf("got %v", evs)
		}
	})
}

func ExampleWebhookOptions() {
	// A mock that delivers its events to a receiver, after a delay.
	m, err := New(Options{Webhooks: &WebhookOptions{URLs: []string{"http://127.0.0.1:8099/webhooks"}, Delay: 100 * time.Millisecond}})
	if err != nil {
		panic(err)
	}
	defer m.CloseWebhooks()
	fmt.Println(strings.HasPrefix(string(m.WebhookPublicKeyPEM()), "-----BEGIN PUBLIC KEY-----"))
	// Output: true
}

// FlushWebhooksContext returns once the deliveries sent so far are done, or when ctx ends first.
func TestFlushWebhooksContext(t *testing.T) {
	h := newHookEnv(t, nil, WebhookOptions{Delay: 10 * time.Millisecond})
	h.pCreate(sampleFav(1))
	if err := h.m.FlushWebhooksContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(h.flush()); n != 1 {
		t.Fatalf("after the flush %d deliveries are done, want 1", n)
	}
	slow := newHookEnv(t, nil, WebhookOptions{Delay: time.Hour})
	slow.pCreate(sampleFav(1))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := slow.m.FlushWebhooksContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a delivery an hour away must outlast the context, got %v", err)
	}
}
