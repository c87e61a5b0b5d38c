package webhook

import (
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/favconform/favconform/api"
)

// DeliveryContentType is the Content-Type of a delivery's request, as the reference mock sends
// it (mock/webhooks.go): the body is the JWT's text.
const DeliveryContentType = "text/plain; charset=utf-8"

// NewEvent builds an event about list l as the reference mock builds its events (mock/webhooks.go,
// before its readings and deviations change them) and check-receiver sends them: a fresh GUID id, the stated EntityFqdn, the slug, entityId the list id,
// eventTime at (UTC, RFC 3339 with nanoseconds), entityEventSequence seq, and the list as
// createdEvent.entity or updatedEvent.currentEntity (an object), or an empty deletedEvent. The
// envelope (NewEnvelope), its payload data (PayloadData) and the JWT (Sign) complete a delivery.
func NewEvent(slug string, l api.FavoriteList, seq int64, at time.Time) (Event, error) {
	if TypeOfSlug(slug) == "" {
		return Event{}, fmt.Errorf("webhook: event slug %q is not created, updated or deleted", slug)
	}
	ev := Event{
		ID:                  uuid.NewString(),
		EntityFqdn:          EntityFqdn,
		Slug:                slug,
		EntityID:            l.ID,
		EventTime:           at.UTC().Format(time.RFC3339Nano),
		EntityEventSequence: strconv.FormatInt(seq, 10),
	}
	l.Favorites = append(make([]api.Favorite, 0, len(l.Favorites)), l.Favorites...)
	switch slug {
	case SlugCreated:
		ev.CreatedEvent = &CreatedEvent{Entity: l}
	case SlugUpdated:
		ev.UpdatedEvent = &UpdatedEvent{CurrentEntity: l}
	default:
		ev.DeletedEvent = &DeletedEvent{}
	}
	return ev, nil
}
