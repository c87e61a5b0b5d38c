package spec

import (
	_ "embed"
	"fmt"
	"regexp"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed requirements.yaml
var requirementsYAML []byte

// Requirement is one documented rule the harness checks (requirements.yaml).
type Requirement struct {
	ID      string `yaml:"id" json:"id"`
	Level   string `yaml:"level" json:"level"`
	Source  string `yaml:"source" json:"source"`
	Quote   string `yaml:"quote" json:"quote"`
	Summary string `yaml:"summary" json:"summary"`
}

// Requirement levels.
const (
	LevelStated  = "stated"
	LevelReading = "reading"
)

var requirementID = regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)+$`)

var requirements = sync.OnceValues(func() ([]Requirement, error) {
	var f struct {
		Requirements []Requirement `yaml:"requirements"`
	}
	if err := yaml.Unmarshal(requirementsYAML, &f); err != nil {
		return nil, fmt.Errorf("spec/requirements.yaml: %w", err)
	}
	seen := map[string]bool{}
	for i, r := range f.Requirements {
		switch {
		case !requirementID.MatchString(r.ID):
			return nil, fmt.Errorf("spec/requirements.yaml: requirements[%d]: id %q is not of the form area.rule", i, r.ID)
		case seen[r.ID]:
			return nil, fmt.Errorf("spec/requirements.yaml: id %q appears twice", r.ID)
		case r.Level != LevelStated && r.Level != LevelReading:
			return nil, fmt.Errorf("spec/requirements.yaml: %s: level %q is neither %s nor %s", r.ID, r.Level, LevelStated, LevelReading)
		case r.Source == "" || r.Quote == "" || r.Summary == "":
			return nil, fmt.Errorf("spec/requirements.yaml: %s needs a source, a quote and a summary", r.ID)
		}
		seen[r.ID] = true
	}
	return f.Requirements, nil
})

// Requirements returns the requirements register, in file order.
func Requirements() ([]Requirement, error) { return requirements() }

// RequirementsYAML returns the register as embedded.
func RequirementsYAML() []byte { return requirementsYAML }
