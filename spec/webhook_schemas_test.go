package spec_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/favconform/favconform/spec"
)

// entity is a list as the events carry it (the docs' created sample).
const entity = `{"id":"67214477-f886-4583-a4cc-60495f5e2e78","revision":"1","createdDate":"2024-05-21T16:38:23.355Z",` +
	`"updatedDate":"2024-05-21T16:38:23.355Z","favorites":[{"id":"5332fd97-e2dd-4eb2-b59e-c0f84c1c9895",` +
	`"pageId":"5077a343-8f35-46b7-9942-d7a526555eb0","title":"First Favorite"}]}`

// event is an event of the given slug whose body (createdEvent, ...) is part, with the fields
// the reference's Event Data lists.
func event(slug, part string) string {
	return `{"id":"ef87fe69-3b57-4149-9694-fe9723dcc99b","entityFqdn":"wix.os.backoffice.v1.favorites","slug":"` + slug + `",` +
		`"entityId":"67214477-f886-4583-a4cc-60495f5e2e78","eventTime":"2024-05-21T16:38:23.471478546Z",` + part + `}`
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// The webhook schemas accept what the sources allow (facts.md: the SDK's MessageEnvelope and
// DomainEvent types, @wix/sdk's webhook processing) and refuse what they rule out.
func TestWebhookSchemasNoStricterThanSources(t *testing.T) {
	created := `"createdEvent":{"entity":` + entity + `}`
	tests := []struct {
		name, schema, value string
		ok                  bool
	}{
		// The envelope: "instanceId? (GUID), eventType? (at most 150), identity?, data? — all
		// optional"; data is required by our reading (an envelope without it carries no event).
		{"the whole envelope", "WebhookEnvelope", `{"eventType":"wix.dashboard.v1.favorite_list_created","instanceId":"i","data":"{}","identity":"{}"}`, true},
		{"data alone", "WebhookEnvelope", `{"data":"{}"}`, true},
		{"no data", "WebhookEnvelope", `{"eventType":"wix.dashboard.v1.favorite_list_created","instanceId":"i","identity":"{}"}`, false},
		{"accountInfo (read by @wix/sdk)", "WebhookEnvelope", `{"data":"{}","accountInfo":{"accountId":"a","siteId":"s"}}`, true},
		{"another event type", "WebhookEnvelope", `{"data":"{}","eventType":"wix.dashboard.v1.favorite_list_moved"}`, false},
		{"identity as an object", "WebhookEnvelope", `{"data":"{}","identity":{"identityType":"APP"}}`, false},
		{"data as an object", "WebhookEnvelope", `{"data":{}}`, false},

		// The identity: UNKNOWN is in the SDK's enum; absent is UNKNOWN (proto3's default); the
		// ids have no documented format; each other type needs its own id.
		{"UNKNOWN", "WebhookIdentity", `{"identityType":"UNKNOWN"}`, true},
		{"no identityType", "WebhookIdentity", `{}`, true},
		{"an id with no type", "WebhookIdentity", `{"wixUserId":"u"}`, true},
		{"a user id that is no GUID", "WebhookIdentity", `{"identityType":"WIX_USER","wixUserId":"user-1"}`, true},
		{"a visitor", "WebhookIdentity", `{"identityType":"ANONYMOUS_VISITOR","anonymousVisitorId":"v"}`, true},
		{"a member without memberId", "WebhookIdentity", `{"identityType":"MEMBER"}`, false},
		{"an app without appId", "WebhookIdentity", `{"identityType":"APP","wixUserId":"u"}`, false},
		{"an unknown type", "WebhookIdentity", `{"identityType":"ROBOT"}`, false},

		// The events.
		{"created, as the reference lists it", "FavoriteListCreatedEvent", event("created", created+`,"triggeredByAnonymizeRequest":false,"entityEventSequence":"1"`), true},
		{"without entityEventSequence and triggeredByAnonymizeRequest", "FavoriteListCreatedEvent", event("created", created), true},
		{"entityEventSequence null", "FavoriteListCreatedEvent", event("created", created+`,"entityEventSequence":null`), true},
		{"entityEventSequence not digits", "FavoriteListCreatedEvent", event("created", created+`,"entityEventSequence":"a7"`), true},
		{"entityEventSequence a number", "FavoriteListCreatedEvent", event("created", created+`,"entityEventSequence":7`), false},
		{"an id that is no GUID", "FavoriteListCreatedEvent", strings.Replace(event("created", created), "ef87fe69-3b57-4149-9694-fe9723dcc99b", "evt-1", 1), true},
		{"an empty id", "FavoriteListCreatedEvent", strings.Replace(event("created", created), "ef87fe69-3b57-4149-9694-fe9723dcc99b", "", 1), false},
		{"no id", "FavoriteListCreatedEvent", strings.Replace(event("created", created), `"id":"ef87fe69-3b57-4149-9694-fe9723dcc99b",`, "", 1), false},
		{"no eventTime", "FavoriteListCreatedEvent", strings.Replace(event("created", created), `"eventTime":"2024-05-21T16:38:23.471478546Z",`, "", 1), false},
		{"an unknown entityFqdn", "FavoriteListCreatedEvent", strings.Replace(event("created", created), "wix.os.backoffice.v1.favorites", "wix.other", 1), false},
		{"the other slug", "FavoriteListCreatedEvent", event("updated", created), false},
		{"entity as a string holding JSON (the SDK's type)", "FavoriteListCreatedEvent", event("created", `"createdEvent":{"entity":`+quoteJSON(entity)+`}`), true},
		{"entity as a number", "FavoriteListCreatedEvent", event("created", `"createdEvent":{"entity":7}`), false},
		{"entity with a numeric revision", "FavoriteListCreatedEvent", event("created", `"createdEvent":{"entity":`+strings.Replace(entity, `"1"`, `1`, 1)+`}`), false},
		{"entity whose favorite has no title", "FavoriteListCreatedEvent", event("created", `"createdEvent":{"entity":`+strings.Replace(entity, `,"title":"First Favorite"`, "", 1)+`}`), true},
		{"no createdEvent", "FavoriteListCreatedEvent", event("created", `"originatedFrom":"x"`), false},
		{"updated with modifiedFields (read by @wix/sdk)", "FavoriteListUpdatedEvent", event("updated", `"updatedEvent":{"currentEntity":`+entity+`,"modifiedFields":{"favorites":[]}}`), true},
		{"updated, currentEntity as a string", "FavoriteListUpdatedEvent", event("updated", `"updatedEvent":{"currentEntity":`+quoteJSON(entity)+`}`), true},
		{"updated without currentEntity", "FavoriteListUpdatedEvent", event("updated", `"updatedEvent":{}`), false},
		{"deleted, as sampled", "FavoriteListDeletedEvent", event("deleted", `"deletedEvent":{"movedToTrash":true}`), true},
		{"deleted with deletedEntity as a string", "FavoriteListDeletedEvent", event("deleted", `"deletedEvent":{"deletedEntity":`+quoteJSON(entity)+`}`), true},
		{"deleted with deletedEntity as an object", "FavoriteListDeletedEvent", event("deleted", `"deletedEvent":{"deletedEntity":`+entity+`}`), true},
		{"deleted with deletedEntity null", "FavoriteListDeletedEvent", event("deleted", `"deletedEvent":{"deletedEntity":null}`), true},
		{"deleted with a deletedEntity that is no list", "FavoriteListDeletedEvent", event("deleted", `"deletedEvent":{"deletedEntity":{"id":"x"}}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tt.value), &v); err != nil {
				t.Fatal(err)
			}
			if err := spec.VisitJSON(tt.schema, v); (err == nil) != tt.ok {
				t.Errorf("%s %s: err = %v, want ok = %v", tt.schema, tt.value, err, tt.ok)
			}
		})
	}
}
