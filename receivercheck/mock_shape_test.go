package receivercheck

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/webhook"
)

// shape is a delivery's form without its values: the request's Content-Type, the JWT header, and
// the members (and JSON kinds) of the payload, the envelope and the event.
type shape struct {
	ContentType     string
	Header          map[string]any
	Payload, Env    map[string]string
	Event, Identity map[string]string
}

func kinds(raw map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range raw {
		out[k] = reflect.TypeOf(v).Kind().String()
		if m, ok := v.(map[string]any); ok {
			keys := make([]string, 0, len(m))
			for kk := range m {
				keys = append(keys, kk)
			}
			sort.Strings(keys)
			out[k] += "{" + strings.Join(keys, ",") + "}"
		}
	}
	return out
}

func shapeOf(t *testing.T, contentType string, body []byte) shape {
	t.Helper()
	claims := jwt.MapClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(string(body), claims)
	if err != nil {
		t.Fatalf("not a JWT: %v", err)
	}
	var env, ev, who map[string]any
	if err := json.Unmarshal([]byte(claims["data"].(string)), &env); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(env["data"].(string)), &ev); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(env["identity"].(string)), &who); err != nil {
		t.Fatal(err)
	}
	return shape{ContentType: contentType, Header: tok.Header, Payload: kinds(claims), Env: kinds(env), Event: kinds(ev), Identity: kinds(who)}
}

// The valid deliveries are built as the reference mock builds its own: a Created event of the
// mock and the check's valid Created have the same form, member for member.
func TestCheckReceiverDeliveriesHaveTheMocksForm(t *testing.T) {
	var mu sync.Mutex
	var got []shape
	capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, shapeOf(t, r.Header.Get("Content-Type"), body))
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer capture.Close()
	key, err := webhook.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	m, err := mock.New(mock.Options{Webhooks: &mock.WebhookOptions{URLs: []string{capture.URL}, PrivateKey: key, Retries: []time.Duration{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.CloseWebhooks()
	api := httptest.NewServer(m)
	defer api.Close()
	user, _ := identity.ByRole(identity.Default(), identity.User)
	req, _ := http.NewRequest(http.MethodPost, api.URL+"/dashboard/v1/user-favorite-list",
		strings.NewReader(`{"favoriteList": {"favorites": [{"pageId": "p1", "title": "First Favorite"}, {"pageId": "p2", "title": "Second", "relativeUrl": "/a?b=1#c"}]}}`))
	req.Header.Set("Authorization", user.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	m.FlushWebhooks()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("the mock delivered %d events, want 1", len(got))
	}
	b, err := newBuilder(Options{PrivateKey: key, InstanceID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := b.valid(webhook.SlugCreated, b.list(1), 1)
	if err != nil {
		t.Fatal(err)
	}
	ours := shapeOf(t, d.contentType, d.body)
	if !reflect.DeepEqual(ours, got[0]) {
		t.Errorf("the check's valid Created differs in form from the mock's:\nmock:  %+v\ncheck: %+v", got[0], ours)
	}
}
