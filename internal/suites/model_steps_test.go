package suites

import (
	"testing"

	"github.com/favconform/favconform/model"
	"github.com/favconform/favconform/target"
)

// The one place that decides a run's model-based length, which the runner also prints.
func TestModelSteps(t *testing.T) {
	local, remote := target.Config{BaseURL: "http://127.0.0.1:8080"}, target.Config{BaseURL: "https://www.wixapis.com"}
	for _, c := range []struct {
		t          target.Config
		configured int
		want       int
	}{{local, 0, model.DefaultSteps}, {remote, 0, RemoteModelSteps}, {remote, 7, 7}, {local, 300, 300}} {
		if got := ModelSteps(c.t, c.configured); got != c.want {
			t.Errorf("ModelSteps(%s, %d) = %d, want %d", c.t.BaseURL, c.configured, got, c.want)
		}
	}
}
