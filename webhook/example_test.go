package webhook_test

import (
	"context"
	"fmt"
	"time"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/webhook"
)

// A sender signs an event; the receiver verifies it and hands it to whoever waits for it.
func ExampleReceiver() {
	key, err := webhook.GenerateKey() // the app's key pair
	if err != nil {
		panic(err)
	}
	r, err := webhook.NewReceiver(webhook.ReceiverOptions{PublicKey: &key.PublicKey, Wait: time.Second})
	if err != nil {
		panic(err)
	}

	list := api.FavoriteList{ID: "67214477-f886-4583-a4cc-60495f5e2e78", Revision: 1,
		CreatedDate: "2024-05-21T16:38:23.355Z", UpdatedDate: "2024-05-21T16:38:23.355Z"}
	ev := webhook.Event{ID: "ef87fe69-3b57-4149-9694-fe9723dcc99b", EntityFqdn: webhook.EntityFqdn, Slug: webhook.SlugCreated,
		EntityID: list.ID, EventTime: time.Now().UTC().Format(time.RFC3339Nano), EntityEventSequence: "1",
		CreatedEvent: &webhook.CreatedEvent{Entity: list}}
	env, _ := webhook.NewEnvelope("instance-1", ev, webhook.Identity{IdentityType: webhook.IdentityWixUser, WixUserID: "6a1f3c52-1d0b-4a58-9a0e-0c1a2b3c4d01"})
	data, _ := webhook.PayloadData(env)
	jwt, _ := webhook.Sign(key, data, time.Now(), time.Hour)

	// What an HTTP POST of jwt to the receiver (it is an http.Handler) does:
	if err := r.Deliver([]byte(jwt)); err != nil {
		panic(err)
	}
	d, ok := r.Await(context.Background(), func(d webhook.Delivery) bool {
		return d.Event.EntityID == list.ID && d.Event.Slug == webhook.SlugCreated
	})
	fmt.Println(ok, d.Envelope.EventType, d.Event.Entity().Revision)
	// Output: true wix.dashboard.v1.favorite_list_created 1
}
