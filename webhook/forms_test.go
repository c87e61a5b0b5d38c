package webhook

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/favconform/favconform/api"
)

// signEnvelope signs an envelope given as a map (members left out or of any form) with the app's
// key at the test clock.
func signEnvelope(t *testing.T, env map[string]any) string {
	t.Helper()
	k, _ := keys(t)
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Sign(k, string(b), clock, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// eventMap is ev as a JSON object, to change.
func eventMap(t *testing.T, ev Event) map[string]any {
	t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func accept(t *testing.T, token string) Delivery {
	t.Helper()
	r := newTestReceiver(t, ReceiverOptions{})
	if err := r.Deliver([]byte(token)); err != nil {
		t.Fatalf("must be accepted: %v", err)
	}
	ds := r.Deliveries()
	if len(ds) != 1 {
		t.Fatalf("want 1 event, got %d", len(ds))
	}
	return ds[0]
}

// The SDK types an event's entity as a string, the reference's samples show an object
// (discrepancies.yaml: event-entity-type): a delivery carrying either is accepted, and Entity()
// gives the same list for both.
func TestEntityInEitherWireForm(t *testing.T) {
	k, _ := keys(t)
	l := list(uuid.NewString(), 3, fav, api.Favorite{ID: "96dc7876-0203-47a6-9654-45a30dbc65cd", PageID: "dd0f5103", Title: "Second", RelativeURL: "/a?b=c#d"})
	for _, slug := range []string{SlugCreated, SlugUpdated} {
		t.Run(slug, func(t *testing.T) {
			object := event(slug, l, 3)
			str := event(slug, l, 3)
			str.ID = uuid.NewString()
			if slug == SlugCreated {
				str.CreatedEvent.AsString = true
			} else {
				str.UpdatedEvent.AsString = true
			}
			// The wire forms are what the sources describe: an object, and a string holding it.
			part, name := "createdEvent", "entity"
			if slug == SlugUpdated {
				part, name = "updatedEvent", "currentEntity"
			}
			if _, isObject := eventMap(t, object)[part].(map[string]any)[name].(map[string]any); !isObject {
				t.Fatalf("the object form is not an object: %s", jsonText(t, object))
			}
			s, isString := eventMap(t, str)[part].(map[string]any)[name].(string)
			if !isString || !strings.HasPrefix(s, `{"id":"`+l.ID+`"`) {
				t.Fatalf("the string form is not a string holding the list: %s", jsonText(t, str))
			}

			fromObject := accept(t, signed(t, k, object))
			fromString := accept(t, signed(t, k, str))
			a, b := fromObject.Event.Entity(), fromString.Event.Entity()
			if a == nil || b == nil || !reflect.DeepEqual(*a, *b) || !reflect.DeepEqual(*a, l) {
				t.Fatalf("Entity() differs between the forms:\nobject: %+v\nstring: %+v\nsent:   %+v", a, b, l)
			}
			asString := func(d Delivery) bool {
				if d.Event.CreatedEvent != nil {
					return d.Event.CreatedEvent.AsString
				}
				return d.Event.UpdatedEvent.AsString
			}
			if asString(fromObject) || !asString(fromString) {
				t.Fatalf("AsString must say which form came: object %v, string %v", asString(fromObject), asString(fromString))
			}
		})
	}
	t.Run(SlugDeleted, func(t *testing.T) {
		for name, deleted := range map[string]any{
			"an object":    l,
			"a string":     jsonText(t, l),
			"null":         nil,
			"empty string": "",
		} {
			ev := eventMap(t, event(SlugDeleted, l, 4))
			ev["deletedEvent"] = map[string]any{"movedToTrash": true, "deletedEntity": deleted}
			d := accept(t, signEnvelope(t, map[string]any{"eventType": TypeDeleted, "data": jsonText(t, ev)}))
			got := d.Event.DeletedEvent
			switch name {
			case "an object", "a string":
				if got == nil || got.DeletedEntity == nil || !reflect.DeepEqual(*got.DeletedEntity, l) || got.AsString != (name == "a string") {
					t.Fatalf("%s: deletedEntity decoded as %+v", name, got)
				}
			default:
				if got == nil || got.DeletedEntity != nil || !got.MovedToTrash {
					t.Fatalf("%s: want no deleted entity, got %+v", name, got)
				}
			}
			if d.Event.Entity() != nil {
				t.Fatalf("%s: Entity() is for Created and Updated only", name)
			}
		}
	})
}

// A string entity must hold JSON matching FavoriteList, exactly as an object entity must.
func TestStringEntitiesAreValidated(t *testing.T) {
	l := list(uuid.NewString(), 2, fav)
	withEntity := func(slug string, entity any) string {
		ev := eventMap(t, event(slug, l, 2))
		switch slug {
		case SlugCreated:
			ev["createdEvent"] = map[string]any{"entity": entity}
		case SlugUpdated:
			ev["updatedEvent"] = map[string]any{"currentEntity": entity}
		default:
			ev["deletedEvent"] = map[string]any{"deletedEntity": entity}
		}
		return signEnvelope(t, map[string]any{"eventType": TypeOfSlug(slug), "data": jsonText(t, ev), "identity": jsonText(t, user)})
	}
	numberRevision := strings.Replace(jsonText(t, l), `"revision":"2"`, `"revision":2`, 1)
	cases := []struct {
		name, slug string
		entity     any
		reason     string
	}{
		{"not JSON", SlugCreated, `{"id":`, "createdEvent.entity (a string) does not hold JSON"},
		{"empty", SlugUpdated, ``, "updatedEvent.currentEntity (a string) does not hold JSON"},
		{"a revision as a number", SlugUpdated, numberRevision, "updatedEvent.currentEntity (a string)'s JSON does not match FavoriteList"},
		{"half a list", SlugCreated, `{"id":"` + l.ID + `"}`, "does not match FavoriteList"},
		{"a list as a string inside a string", SlugCreated, jsonText(t, jsonText(t, l)), "does not match FavoriteList"},
		{"a deleted entity that is no list", SlugDeleted, `{"revision":"x"}`, "deletedEvent.deletedEntity (a string)'s JSON does not match FavoriteList"},
		{"a number", SlugCreated, 7, "FavoriteListCreatedEvent"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantRejected(t, newTestReceiver(t, ReceiverOptions{}), withEntity(c.slug, c.entity), RejectedPayload, c.reason)
		})
	}
}

// facts.md: "The envelope (MessageEnvelope): instanceId? (GUID), eventType? (at most 150),
// identity?, data? — all optional". An envelope of data alone is accepted; without data there is
// no event, and the delivery is refused.
func TestEnvelopeMembersAreOptionalButData(t *testing.T) {
	l := list(uuid.NewString(), 1, fav)
	ev := event(SlugCreated, l, 1)
	data := jsonText(t, ev)

	d := accept(t, signEnvelope(t, map[string]any{"data": data}))
	if d.Envelope.EventType != "" || d.EventType() != TypeCreated {
		t.Fatalf("without eventType the slug tells the type: envelope %q, EventType() %q", d.Envelope.EventType, d.EventType())
	}
	if d.Identity != (Identity{}) || d.Envelope.InstanceID != "" || d.Event.ID != ev.ID || d.Event.Entity().ID != l.ID {
		t.Fatalf("decoded as %+v", d)
	}

	// An empty identity is no identity (proto3 JSON's unset string); accountInfo is kept as sent.
	d = accept(t, signEnvelope(t, map[string]any{"eventType": TypeCreated, "instanceId": "i", "data": data, "identity": "",
		"accountInfo": map[string]any{"accountId": "a", "siteId": "s"}}))
	if d.Identity != (Identity{}) || string(d.Envelope.AccountInfo) != `{"accountId":"a","siteId":"s"}` {
		t.Fatalf("identity %+v, accountInfo %s", d.Identity, d.Envelope.AccountInfo)
	}

	// The identity types of the SDK's enum, UNKNOWN included; ids of any form.
	for _, who := range []string{`{"identityType":"UNKNOWN"}`, `{}`, `{"identityType":"MEMBER","memberId":"member-1"}`, `{"identityType":"ANONYMOUS_VISITOR","anonymousVisitorId":"v"}`} {
		d = accept(t, signEnvelope(t, map[string]any{"eventType": TypeCreated, "data": data, "identity": who}))
		if jsonText(t, d.Identity) != jsonText(t, mustIdentity(t, who)) {
			t.Fatalf("identity %s decoded as %+v", who, d.Identity)
		}
	}

	for name, c := range map[string]struct {
		env    map[string]any
		reason string
	}{
		"no data":                        {map[string]any{"eventType": TypeCreated, "instanceId": "i", "identity": jsonText(t, user)}, "WebhookEnvelope"},
		"no eventType and no known slug": {map[string]any{"data": strings.Replace(data, `"slug":"created"`, `"slug":"moved"`, 1)}, `slug "moved" names none`},
		"no eventType and no slug":       {map[string]any{"data": strings.Replace(data, `"slug":"created",`, "", 1)}, "slug absent names none"},
		"identity that is not JSON":      {map[string]any{"data": data, "identity": "{"}, "identity is not JSON"},
	} {
		t.Run(name, func(t *testing.T) {
			r := newTestReceiver(t, ReceiverOptions{})
			wantRejected(t, r, signEnvelope(t, c.env), RejectedPayload, c.reason)
			if name == "no eventType and no known slug" && r.Rejections()[0].EntityID != l.ID {
				t.Fatalf("the rejection must still name the list: %+v", r.Rejections()[0])
			}
		})
	}
	// A rejection's type is read from the slug when the envelope has none.
	r := newTestReceiver(t, ReceiverOptions{})
	_, wrong := keys(t)
	b, _ := json.Marshal(map[string]any{"data": data})
	tok, err := Sign(wrong, string(b), clock, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	wantRejected(t, r, tok, RejectedSignature, "public key")
	if rej := r.Rejections()[0]; rej.EventType != TypeCreated || rej.EntityID != l.ID {
		t.Fatalf("the rejection must name the type (from the slug) and the list: %+v", rej)
	}
}

func mustIdentity(t *testing.T, s string) Identity {
	t.Helper()
	var id Identity
	if err := json.Unmarshal([]byte(s), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// What the SDK leaves optional in an event, and what the reference gives no format, passes: no
// entityEventSequence (or null, or not digits), no triggeredByAnonymizeRequest, an id that is no
// GUID, a favorite without a title, an updated event's modifiedFields.
func TestEventFieldsNoStricterThanSources(t *testing.T) {
	l := list(uuid.NewString(), 2, fav, api.Favorite{ID: "96dc7876-0203-47a6-9654-45a30dbc65cd", PageID: "p"})
	base := event(SlugUpdated, l, 2)
	base.UpdatedEvent.ModifiedFields = json.RawMessage(`{"favorites":[]}`)
	for name, change := range map[string]func(map[string]any){
		"as the mock sends it":                 func(map[string]any) {},
		"no entityEventSequence":               func(m map[string]any) { delete(m, "entityEventSequence") },
		"entityEventSequence null":             func(m map[string]any) { m["entityEventSequence"] = nil },
		"entityEventSequence not digits":       func(m map[string]any) { m["entityEventSequence"] = "v2" },
		"no triggeredByAnonymizeRequest":       func(m map[string]any) { delete(m, "triggeredByAnonymizeRequest") },
		"an id that is no GUID":                func(m map[string]any) { m["id"] = "evt-42" },
		"originatedFrom":                       func(m map[string]any) { m["originatedFrom"] = "api" },
		"the sample's entityFqdn":              func(m map[string]any) { m["entityFqdn"] = SampleEntityFqdn },
		"a favorite whose title is null":       func(m map[string]any) { favorites(m)[0].(map[string]any)["title"] = nil },
		"a favorite whose relativeUrl is \"\"": func(m map[string]any) { favorites(m)[0].(map[string]any)["relativeUrl"] = "" },
	} {
		t.Run(name, func(t *testing.T) {
			m := eventMap(t, base)
			change(m)
			d := accept(t, signEnvelope(t, map[string]any{"eventType": TypeUpdated, "data": jsonText(t, m), "identity": jsonText(t, user)}))
			if got := d.Event.Entity(); got == nil || got.ID != l.ID || len(got.Favorites) != 2 || got.Favorites[1].Title != "" {
				t.Fatalf("entity decoded as %+v", got)
			}
			if string(d.Event.UpdatedEvent.ModifiedFields) != `{"favorites":[]}` {
				t.Fatalf("modifiedFields: %s", d.Event.UpdatedEvent.ModifiedFields)
			}
		})
	}
	for name, change := range map[string]func(map[string]any){
		"no id":                    func(m map[string]any) { delete(m, "id") },
		"an empty id":              func(m map[string]any) { m["id"] = "" },
		"no entityId":              func(m map[string]any) { delete(m, "entityId") },
		"no eventTime":             func(m map[string]any) { delete(m, "eventTime") },
		"entityEventSequence as 2": func(m map[string]any) { m["entityEventSequence"] = 2 },
		"a favorite without id":    func(m map[string]any) { delete(favorites(m)[0].(map[string]any), "id") },
		"a favorite without pageId": func(m map[string]any) {
			delete(favorites(m)[0].(map[string]any), "pageId")
		},
	} {
		t.Run(name, func(t *testing.T) {
			m := eventMap(t, base)
			change(m)
			wantRejected(t, newTestReceiver(t, ReceiverOptions{}),
				signEnvelope(t, map[string]any{"eventType": TypeUpdated, "data": jsonText(t, m)}), RejectedPayload, "FavoriteListUpdatedEvent")
		})
	}
}

func favorites(event map[string]any) []any {
	return event["updatedEvent"].(map[string]any)["currentEntity"].(map[string]any)["favorites"].([]any)
}

// Encoding and decoding an event keep it, in either form.
func TestEventJSONRoundTrip(t *testing.T) {
	l := list(uuid.NewString(), 5, fav)
	for _, ev := range []Event{
		event(SlugCreated, l, 5),
		{ID: "e", Slug: SlugCreated, CreatedEvent: &CreatedEvent{Entity: l, AsString: true}},
		{ID: "e", Slug: SlugUpdated, UpdatedEvent: &UpdatedEvent{CurrentEntity: l, ModifiedFields: json.RawMessage(`{"a":1}`)}},
		{ID: "e", Slug: SlugUpdated, UpdatedEvent: &UpdatedEvent{CurrentEntity: l, AsString: true}},
		{ID: "e", Slug: SlugDeleted, DeletedEvent: &DeletedEvent{}},
		{ID: "e", Slug: SlugDeleted, DeletedEvent: &DeletedEvent{MovedToTrash: true, DeletedEntity: &l, AsString: true}},
		{ID: "e", Slug: SlugDeleted, DeletedEvent: &DeletedEvent{DeletedEntity: &l}},
	} {
		b := jsonText(t, ev)
		var back Event
		if err := json.Unmarshal([]byte(b), &back); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !reflect.DeepEqual(back, ev) {
			t.Errorf("round trip of %s:\ngot  %+v\nwant %+v", b, back, ev)
		}
	}
	// The object form is what the mock has always sent, byte for byte.
	if got, want := jsonText(t, CreatedEvent{Entity: l}), `{"entity":`+jsonText(t, l)+`}`; got != want {
		t.Errorf("object form %s, want %s", got, want)
	}
	if got := jsonText(t, DeletedEvent{}); got != `{}` {
		t.Errorf("an empty deletedEvent is %s, want {}", got)
	}
	var c CreatedEvent
	if err := json.Unmarshal([]byte(`{"entity":"{\"id\":"}`), &c); err == nil || !strings.Contains(err.Error(), "createdEvent.entity") {
		t.Errorf("a string entity that holds no list: err = %v", err)
	}
}
