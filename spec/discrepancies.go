package spec

import (
	_ "embed"
	"fmt"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed discrepancies.yaml
var discrepanciesYAML []byte

// Discrepancy is one place where the docs contradict themselves or are silent, with the reading
// favconform takes (discrepancies.yaml).
type Discrepancy struct {
	ID      string   `yaml:"id" json:"id"`
	Topic   string   `yaml:"topic" json:"topic"`
	Sources []Source `yaml:"sources" json:"sources"`
	Reading string   `yaml:"reading" json:"reading"`
	Why     string   `yaml:"why" json:"why"`
	// StrictOnly says the checks that go beyond the default reading run only in the strict
	// profile; specs making them cite the entry (suites.Reading) and carry the strict label.
	StrictOnly bool `yaml:"strictOnly" json:"strictOnly"`
}

// Source is a quoted sentence of the docs.
type Source struct {
	File  string `yaml:"file" json:"file"`
	Quote string `yaml:"quote" json:"quote"`
}

var discrepancies = sync.OnceValues(func() ([]Discrepancy, error) {
	var ds []Discrepancy
	if err := yaml.Unmarshal(discrepanciesYAML, &ds); err != nil {
		return nil, fmt.Errorf("spec/discrepancies.yaml: %w", err)
	}
	seen := map[string]bool{}
	for i, d := range ds {
		switch {
		case d.ID == "" || seen[d.ID]:
			return nil, fmt.Errorf("spec/discrepancies.yaml: entry %d: id %q is empty or repeated", i, d.ID)
		case len(d.Sources) == 0 || d.Reading == "" || d.Why == "":
			return nil, fmt.Errorf("spec/discrepancies.yaml: %s needs sources, a reading and a why", d.ID)
		}
		seen[d.ID] = true
	}
	return ds, nil
})

// Discrepancies returns the discrepancy register, in file order.
func Discrepancies() ([]Discrepancy, error) { return discrepancies() }
