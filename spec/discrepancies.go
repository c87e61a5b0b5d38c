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
	// Readings are, for a silent point, its legitimate readings and which the reference mock
	// takes (empty for a contradiction the register settles).
	Readings []Alternative `yaml:"readings" json:"readings,omitempty"`
}

// Alternative is one legitimate reading of a silent point.
type Alternative struct {
	// Reading says what a server taking it does.
	Reading string `yaml:"reading" json:"reading"`
	// Mock is MockDefault when the reference mock takes this reading unless told otherwise, else
	// the name of the mock's reading switch that makes it take it (mock.Readings).
	Mock string `yaml:"mock" json:"mock"`
}

// MockDefault marks the reading the reference mock takes by default.
const MockDefault = "default"

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
		defaults := 0
		for j, a := range d.Readings {
			if a.Reading == "" || a.Mock == "" {
				return nil, fmt.Errorf("spec/discrepancies.yaml: %s: readings[%d] needs a reading and a mock (%q or a mock reading's name)", d.ID, j, MockDefault)
			}
			if a.Mock == MockDefault {
				defaults++
			}
		}
		if len(d.Readings) > 0 && defaults != 1 {
			return nil, fmt.Errorf("spec/discrepancies.yaml: %s: exactly one of its readings is the mock's default (mock: %s), not %d", d.ID, MockDefault, defaults)
		}
		seen[d.ID] = true
	}
	return ds, nil
})

// Discrepancies returns the discrepancy register, in file order.
func Discrepancies() ([]Discrepancy, error) { return discrepancies() }
