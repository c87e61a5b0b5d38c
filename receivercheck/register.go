package receivercheck

import (
	"fmt"
	"regexp"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/favconform/favconform/spec"
)

// The receiver register is the section receiverRequirements of spec/requirements.yaml: the
// requirements of an app's webhook receiver. It is kept apart from the suites' register (the
// section requirements, spec.Requirements), every entry of which a suite spec must cover; these
// are covered by the cases of Check instead (receivercheck's tests hold them to that).

// IDPrefix starts the id of every receiver requirement.
const IDPrefix = "receiver."

var receiverID = regexp.MustCompile(`^receiver\.[a-z0-9-]+$`)

var requirements = sync.OnceValues(func() ([]spec.Requirement, error) {
	var f struct {
		Receiver []spec.Requirement `yaml:"receiverRequirements"`
	}
	if err := yaml.Unmarshal(spec.RequirementsYAML(), &f); err != nil {
		return nil, fmt.Errorf("spec/requirements.yaml: %w", err)
	}
	if len(f.Receiver) == 0 {
		return nil, fmt.Errorf("spec/requirements.yaml: no receiverRequirements section")
	}
	suites, err := spec.Requirements()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, r := range suites {
		seen[r.ID] = true
	}
	for i, r := range f.Receiver {
		switch {
		case !receiverID.MatchString(r.ID):
			return nil, fmt.Errorf("spec/requirements.yaml: receiverRequirements[%d]: id %q is not of the form receiver.rule", i, r.ID)
		case seen[r.ID]:
			return nil, fmt.Errorf("spec/requirements.yaml: id %q appears twice", r.ID)
		case r.Level != spec.LevelStated && r.Level != spec.LevelReading:
			return nil, fmt.Errorf("spec/requirements.yaml: %s: level %q is neither %s nor %s", r.ID, r.Level, spec.LevelStated, spec.LevelReading)
		case r.Source == "" || r.Quote == "" || r.Summary == "":
			return nil, fmt.Errorf("spec/requirements.yaml: %s needs a source, a quote and a summary", r.ID)
		}
		seen[r.ID] = true
	}
	return f.Receiver, nil
})

// Requirements returns the receiver register, in file order.
func Requirements() ([]spec.Requirement, error) { return requirements() }
