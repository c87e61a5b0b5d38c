package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/mock"
	"github.com/favconform/favconform/target"
	"github.com/favconform/favconform/webhook"
)

// The embedded mock delivers its events to a receiver on loopback, late and out of order on
// purpose: each delivery is held back by a random delay in [EmbeddedEventDelay,
// EmbeddedEventDelay+EmbeddedEventJitter). The receiver waits EmbeddedEventWait for an expected
// event, and takes an event as not coming once the mock has delivered every event it sent
// (Drain), so it needs no quiet period.
const (
	EmbeddedEventDelay  = 2 * time.Millisecond
	EmbeddedEventJitter = 8 * time.Millisecond
	EmbeddedEventWait   = 2 * time.Second
	// EmbeddedKeyBits is the size of the embedded mock's signing key. The key is made for one run
	// and only the harness's own receiver verifies it, which accepts any RS256 key; at 1024 bits a
	// signature costs a third of a 2048-bit one (0.45 ms against 1.39 ms here), and the mock signs
	// every delivery of every write: at 2048 bits signing was half of a run's CPU. `favconform
	// serve`, whose deliveries go to the user's receivers, keeps webhook.KeyBits.
	EmbeddedKeyBits = 1024
	// eventLeeway is the clock skew allowed on a real target's JWTs.
	eventLeeway = time.Minute
	// webhookPath is where the embedded mock posts its events on the receiver.
	webhookPath = "/webhooks/favorite-list"
)

// startTarget is Target plus the webhook receiver: for the embedded mock, a receiver on loopback
// that the mock delivers to; for another target, the receiver its configuration describes (none
// when it has no webhooks section: the event suite is then skipped). stop releases everything.
func startTarget(opts Options, out io.Writer) (target.Config, *webhook.Receiver, func(), error) {
	if opts.TargetFile != "" || opts.TargetURL != "" {
		cfg, stop, err := Target(opts)
		if err != nil || cfg.Webhooks == nil {
			return cfg, nil, stop, err
		}
		r, closeReceiver, _, err := listenAt(*cfg.Webhooks, nil)
		if err != nil {
			return cfg, nil, stop, UsageError{err}
		}
		public := cfg.Webhooks.PublicURL
		if public == "" {
			public = "(webhooks.publicURL not set: the app's webhook URL must reach this address)"
		}
		fmt.Fprintf(out, "favconform: receiving webhook events on %s; the app's webhook URL: %s\n", cfg.Webhooks.Listen, public)
		return cfg, r, func() { closeReceiver(); stop() }, nil
	}
	key, err := webhook.GenerateKeyBits(EmbeddedKeyBits)
	if err != nil {
		return target.Config{}, nil, func() {}, UsageError{err}
	}
	pub, err := webhook.PublicKeyPEM(&key.PublicKey)
	if err != nil {
		return target.Config{}, nil, func() {}, UsageError{err}
	}
	hooks := target.Webhooks{Listen: "127.0.0.1:0", PublicKeyPEM: pub, Wait: EmbeddedEventWait}
	// The mock knows when every event it has sent is delivered: "no event came" is judged then,
	// exactly, instead of after a quiet period.
	var srv *mock.Server
	drain := func(ctx context.Context) { srv.Mock.FlushWebhooksContext(ctx) }
	r, closeReceiver, url, err := listenAt(hooks, drain)
	if err != nil {
		return target.Config{}, nil, func() {}, UsageError{err}
	}
	hooks.PublicURL = url + webhookPath
	srv, err = mock.NewServer(mock.Options{Deviations: opts.Deviations, Readings: opts.Readings, JournalSize: -1, Webhooks: &mock.WebhookOptions{
		URLs: []string{hooks.PublicURL}, PrivateKey: key, Delay: EmbeddedEventDelay, Jitter: EmbeddedEventJitter,
	}})
	if err != nil {
		closeReceiver()
		return target.Config{}, nil, func() {}, UsageError{err}
	}
	cfg := target.ForMock(srv.URL, identity.Default())
	cfg.Timeout = opts.Timeout
	cfg.Webhooks = &hooks
	return cfg, r, func() { srv.Mock.CloseWebhooks(); srv.Close(); closeReceiver() }, nil
}

// listenAt starts a receiver for w on w.Listen, with the key of w.PublicKeyPEM or
// w.PublicKeyFile, and returns it with its stop function and base URL.
func listenAt(w target.Webhooks, drain func(context.Context)) (*webhook.Receiver, func(), string, error) {
	pem := w.PublicKeyPEM
	if pem == nil {
		b, err := os.ReadFile(w.PublicKeyFile)
		if err != nil {
			return nil, nil, "", fmt.Errorf("webhooks.publicKeyFile: %w", err)
		}
		pem = b
	}
	pub, err := webhook.ParsePublicKeyPEM(pem)
	if err != nil {
		return nil, nil, "", fmt.Errorf("webhooks.publicKeyFile %s: %w", w.PublicKeyFile, err)
	}
	r, err := webhook.NewReceiver(webhook.ReceiverOptions{PublicKey: pub, Leeway: eventLeeway, Wait: w.EventWait(), Quiet: w.EventQuiet(), Drain: drain})
	if err != nil {
		return nil, nil, "", err
	}
	srv, err := webhook.Listen(w.Listen, r)
	if err != nil {
		return nil, nil, "", err
	}
	return r, srv.Close, srv.URL, nil
}
