// Package webhook implements the delivery format of the API's three webhook events (Favorite List
// Created, Updated and Deleted) on both sides: signing, for the reference mock that sends them, and
// a verifying Receiver, for the harness that checks a target's events.
//
// The format (favorite-list-api.txt and facts.md): a delivery is an HTTP POST whose body is a JWT
// signed RS256 with the app's key pair. The JWT payload's `data` is a string holding the JSON of an
// Envelope {eventType, instanceId, data, identity}, whose `data` (the Event) and `identity` (an
// Identity) are themselves strings holding JSON. The receiver must answer 200 within 1250 ms or the
// delivery is retried.
//
// What the receiver accepts is what spec/openapi.yaml's Webhook* and FavoriteList*Event schemas
// accept, which is no more than the sources require: of the envelope only `data` is required
// (the SDK types every member optional); an event's list (createdEvent.entity,
// updatedEvent.currentEntity, deletedEvent.deletedEntity) may be a JSON object, as the reference's
// samples show, or a string holding the list's JSON, as the SDK's types declare
// (discrepancies.yaml: event-entity-type). Both forms decode to the same api.FavoriteList.
package webhook

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/favconform/favconform/api"
)

// The event types (the envelope's eventType) and the slugs of the events.
const (
	TypeCreated = "wix.dashboard.v1.favorite_list_created"
	TypeUpdated = "wix.dashboard.v1.favorite_list_updated"
	TypeDeleted = "wix.dashboard.v1.favorite_list_deleted"

	SlugCreated = "created"
	SlugUpdated = "updated"
	SlugDeleted = "deleted"
)

// EntityFqdn is the entityFqdn the event pages state ("Expected wix.dashboard.v1.favorite_list.");
// their samples show SampleEntityFqdn instead (discrepancy register: entity-fqdn).
const (
	EntityFqdn       = "wix.dashboard.v1.favorite_list"
	SampleEntityFqdn = "wix.os.backoffice.v1.favorites"
)

// Algorithm is the only signing algorithm a delivery may use.
const Algorithm = "RS256"

// AnswerWithin is how long a receiver has to answer 200 before the sender retries (facts.md).
const AnswerWithin = 1250 * time.Millisecond

// Identity types of the envelope's identity (facts.md). IdentityUnknown is the first value of the
// SDK's enum, proto3's default: an identity without identityType is of that type.
const (
	IdentityUnknown          = "UNKNOWN"
	IdentityAnonymousVisitor = "ANONYMOUS_VISITOR"
	IdentityMember           = "MEMBER"
	IdentityWixUser          = "WIX_USER"
	IdentityApp              = "APP"
)

// Envelope is the decoded `data` of the JWT payload. Data and Identity hold JSON text. Every
// member but Data may be absent (facts.md: "all optional"), and then is empty: without EventType
// the event's slug says which event it is (Delivery.EventType), and without Identity (or with an
// empty one) there is no identity.
type Envelope struct {
	EventType  string `json:"eventType"`
	InstanceID string `json:"instanceId"`
	Data       string `json:"data"`
	Identity   string `json:"identity"`
	// AccountInfo is the envelope's accountInfo as sent (nil when absent), which @wix/sdk reads
	// (facts.md); no source gives its form.
	AccountInfo json.RawMessage `json:"accountInfo,omitempty"`
}

// Identity is the decoded `identity` of the envelope: who made the change. IdentityType is ""
// when the envelope has no identity, or one without identityType (IdentityUnknown).
type Identity struct {
	IdentityType       string `json:"identityType"`
	AnonymousVisitorID string `json:"anonymousVisitorId,omitempty"`
	MemberID           string `json:"memberId,omitempty"`
	WixUserID          string `json:"wixUserId,omitempty"`
	AppID              string `json:"appId,omitempty"`
}

// Event is the decoded `data` of the envelope: one of the three events. EntityEventSequence is ""
// when it is absent or null (the SDK: `string | null`), TriggeredByAnonymizeRequest false when
// absent.
type Event struct {
	ID                          string        `json:"id"`
	EntityFqdn                  string        `json:"entityFqdn"`
	Slug                        string        `json:"slug"`
	EntityID                    string        `json:"entityId"`
	EventTime                   string        `json:"eventTime"`
	TriggeredByAnonymizeRequest bool          `json:"triggeredByAnonymizeRequest"`
	OriginatedFrom              string        `json:"originatedFrom,omitempty"`
	EntityEventSequence         string        `json:"entityEventSequence"`
	CreatedEvent                *CreatedEvent `json:"createdEvent,omitempty"`
	UpdatedEvent                *UpdatedEvent `json:"updatedEvent,omitempty"`
	DeletedEvent                *DeletedEvent `json:"deletedEvent,omitempty"`
}

// CreatedEvent carries the created list. On the wire its entity is a JSON object or a string
// holding the list's JSON; decoding takes both (AsString says which came) and encoding writes the
// object unless AsString is set.
type CreatedEvent struct {
	Entity api.FavoriteList `json:"entity"`
	// AsString: the entity travels as a string holding its JSON (the SDK's declared type).
	AsString bool `json:"-"`
}

// UpdatedEvent carries the list as the update left it, in either wire form (see CreatedEvent).
type UpdatedEvent struct {
	CurrentEntity api.FavoriteList `json:"currentEntity"`
	// ModifiedFields is updatedEvent.modifiedFields as sent (nil when absent), which @wix/sdk
	// reads (facts.md); no source gives its form.
	ModifiedFields json.RawMessage `json:"modifiedFields,omitempty"`
	// AsString: the entity travels as a string holding its JSON (the SDK's declared type).
	AsString bool `json:"-"`
}

// DeletedEvent is the docs' "struct"; their sample holds movedToTrash. The SDK declares a
// `deletedEntity?: string | null` too: nil when absent, null or "", else the list in either wire
// form (see CreatedEvent).
type DeletedEvent struct {
	MovedToTrash  bool              `json:"movedToTrash,omitempty"`
	DeletedEntity *api.FavoriteList `json:"deletedEntity,omitempty"`
	// AsString: the deleted entity travels as a string holding its JSON.
	AsString bool `json:"-"`
}

// MarshalJSON writes the entity as an object, or as a string holding it when AsString is set.
func (c CreatedEvent) MarshalJSON() ([]byte, error) {
	entity, err := encodeEntity(c.Entity, c.AsString)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Entity json.RawMessage `json:"entity"`
	}{entity})
}

// UnmarshalJSON reads the entity from an object or from a string holding one.
func (c *CreatedEvent) UnmarshalJSON(b []byte) error {
	var w struct {
		Entity json.RawMessage `json:"entity"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	l, asString, err := decodeEntity(w.Entity)
	if err != nil {
		return fmt.Errorf("createdEvent.entity: %w", err)
	}
	*c = CreatedEvent{AsString: asString}
	if l != nil {
		c.Entity = *l
	}
	return nil
}

// MarshalJSON writes the entity as an object, or as a string holding it when AsString is set.
func (u UpdatedEvent) MarshalJSON() ([]byte, error) {
	entity, err := encodeEntity(u.CurrentEntity, u.AsString)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		CurrentEntity  json.RawMessage `json:"currentEntity"`
		ModifiedFields json.RawMessage `json:"modifiedFields,omitempty"`
	}{entity, u.ModifiedFields})
}

// UnmarshalJSON reads the entity from an object or from a string holding one.
func (u *UpdatedEvent) UnmarshalJSON(b []byte) error {
	var w struct {
		CurrentEntity  json.RawMessage `json:"currentEntity"`
		ModifiedFields json.RawMessage `json:"modifiedFields"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	l, asString, err := decodeEntity(w.CurrentEntity)
	if err != nil {
		return fmt.Errorf("updatedEvent.currentEntity: %w", err)
	}
	*u = UpdatedEvent{ModifiedFields: w.ModifiedFields, AsString: asString}
	if l != nil {
		u.CurrentEntity = *l
	}
	return nil
}

// MarshalJSON writes the deleted entity, if any, as an object, or as a string holding it when
// AsString is set.
func (d DeletedEvent) MarshalJSON() ([]byte, error) {
	var entity json.RawMessage
	if d.DeletedEntity != nil {
		var err error
		if entity, err = encodeEntity(*d.DeletedEntity, d.AsString); err != nil {
			return nil, err
		}
	}
	return json.Marshal(struct {
		MovedToTrash  bool            `json:"movedToTrash,omitempty"`
		DeletedEntity json.RawMessage `json:"deletedEntity,omitempty"`
	}{d.MovedToTrash, entity})
}

// UnmarshalJSON reads the deleted entity, if any, from an object or from a string holding one.
func (d *DeletedEvent) UnmarshalJSON(b []byte) error {
	var w struct {
		MovedToTrash  bool            `json:"movedToTrash"`
		DeletedEntity json.RawMessage `json:"deletedEntity"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	l, asString, err := decodeEntity(w.DeletedEntity)
	if err != nil {
		return fmt.Errorf("deletedEvent.deletedEntity: %w", err)
	}
	*d = DeletedEvent{MovedToTrash: w.MovedToTrash, DeletedEntity: l, AsString: asString}
	return nil
}

// encodeEntity is the wire form of l: its JSON, or a JSON string holding it.
func encodeEntity(l api.FavoriteList, asString bool) (json.RawMessage, error) {
	b, err := json.Marshal(l)
	if err != nil || !asString {
		return b, err
	}
	return json.Marshal(string(b))
}

// decodeEntity reads a list from its wire form: a JSON object, or a JSON string holding one. It
// returns nil for nothing: an absent value, null, or "" (proto3 JSON's unset string, which @wix/sdk
// takes for absent too).
func decodeEntity(raw json.RawMessage) (l *api.FavoriteList, asString bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, false, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, true, err
		}
		if s == "" {
			return nil, true, nil
		}
		raw, asString = json.RawMessage(s), true
	}
	l = new(api.FavoriteList)
	if err := json.Unmarshal(raw, l); err != nil {
		if asString {
			return nil, true, fmt.Errorf("a string that does not hold a list's JSON: %w", err)
		}
		return nil, false, err
	}
	return l, asString, nil
}

// Entity returns the list a Created or Updated event carries (nil for Deleted), whichever wire
// form it came in.
func (e Event) Entity() *api.FavoriteList {
	switch {
	case e.CreatedEvent != nil:
		l := e.CreatedEvent.Entity
		return &l
	case e.UpdatedEvent != nil:
		l := e.UpdatedEvent.CurrentEntity
		return &l
	}
	return nil
}

// Sequence is entityEventSequence as a number (ok false when it is not a non-negative int64).
func (e Event) Sequence() (int64, bool) {
	n, err := strconv.ParseInt(e.EntityEventSequence, 10, 64)
	return n, err == nil && n >= 0
}

// String describes the event in one line, for messages.
func (e Event) String() string {
	s := fmt.Sprintf("%s event %s of list %s (sequence %s", e.Slug, e.ID, e.EntityID, e.EntityEventSequence)
	if l := e.Entity(); l != nil {
		s += fmt.Sprintf(", revision %d, %d favorite(s)", l.Revision, len(l.Favorites))
	}
	return s + ")"
}

// TypeOfSlug is the event type of a slug ("" for an unknown slug).
func TypeOfSlug(slug string) string {
	switch slug {
	case SlugCreated:
		return TypeCreated
	case SlugUpdated:
		return TypeUpdated
	case SlugDeleted:
		return TypeDeleted
	}
	return ""
}

// NewEnvelope builds the envelope of an event: the event and the identity are stringified.
func NewEnvelope(instanceID string, ev Event, who Identity) (Envelope, error) {
	t := TypeOfSlug(ev.Slug)
	if t == "" {
		return Envelope{}, fmt.Errorf("webhook: event slug %q is not created, updated or deleted", ev.Slug)
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return Envelope{}, fmt.Errorf("webhook: encoding the event: %w", err)
	}
	id, err := json.Marshal(who)
	if err != nil {
		return Envelope{}, fmt.Errorf("webhook: encoding the identity: %w", err)
	}
	return Envelope{EventType: t, InstanceID: instanceID, Data: string(data), Identity: string(id)}, nil
}

// PayloadData is the JWT payload's `data` for env: the envelope's JSON, as a string.
func PayloadData(env Envelope) (string, error) {
	b, err := json.Marshal(env)
	if err != nil {
		return "", fmt.Errorf("webhook: encoding the envelope: %w", err)
	}
	return string(b), nil
}

// Sign returns a delivery body: a JWT signed RS256 with key, whose payload is {"data": data,
// "iat": issued, "exp": issued + ttl}. data is normally the string PayloadData returns (anything
// else makes a delivery a conforming receiver rejects, which deviations use).
func Sign(key *rsa.PrivateKey, data any, issued time.Time, ttl time.Duration) (string, error) {
	if key == nil {
		return "", errors.New("webhook: no signing key")
	}
	claims := jwt.MapClaims{
		"data": data,
		"iat":  issued.Unix(),
		"exp":  issued.Add(ttl).Unix(),
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		return "", fmt.Errorf("webhook: signing: %w", err)
	}
	return s, nil
}

// KeyBits is the size of the keys GenerateKey makes: 2048, the least that common JWT libraries
// accept for RS256 (Node's jsonwebtoken refuses smaller keys).
const KeyBits = 2048

// GenerateKey makes an RSA key pair of KeyBits for signing deliveries.
func GenerateKey() (*rsa.PrivateKey, error) { return GenerateKeyBits(KeyBits) }

// GenerateKeyBits makes an RSA key pair of the given size (at least 1024, Go's floor).
func GenerateKeyBits(bits int) (*rsa.PrivateKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("webhook: generating a key pair: %w", err)
	}
	return k, nil
}

// PublicKeyPEM encodes pub as a PEM "PUBLIC KEY" block (PKIX), the form receivers load.
func PublicKeyPEM(pub *rsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("webhook: encoding the public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePublicKeyPEM reads an RSA public key from PEM: a PKIX "PUBLIC KEY", a PKCS #1 "RSA PUBLIC
// KEY" or a certificate.
func ParsePublicKeyPEM(b []byte) (*rsa.PublicKey, error) {
	k, err := jwt.ParseRSAPublicKeyFromPEM(b)
	if err != nil {
		return nil, fmt.Errorf("webhook: not a PEM-encoded RSA public key: %w", err)
	}
	return k, nil
}

// ParsePrivateKeyPEM reads an RSA private key from PEM (PKCS #1 or PKCS #8). Its errors never
// quote the input.
func ParsePrivateKeyPEM(b []byte) (*rsa.PrivateKey, error) {
	k, err := jwt.ParseRSAPrivateKeyFromPEM(b)
	if err != nil {
		return nil, fmt.Errorf("webhook: not a PEM-encoded RSA private key (PKCS #1 or PKCS #8): %w", err)
	}
	return k, nil
}

// PrivateKeyPEM encodes key as a PKCS #8 PEM "PRIVATE KEY" block, for writing to a file. Never
// print it.
func PrivateKeyPEM(key *rsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("webhook: encoding the private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
