package spec

import "testing"

func TestValidateUUID(t *testing.T) {
	good := []string{"b8216af7-cf7c-4860-8014-54e4824a1745", "B8216AF7-CF7C-4860-8014-54E4824A1745", "01890a5d-ac96-774b-bcce-b302099a8057", "00000000-0000-0000-0000-000000000000"}
	bad := []string{"", "b8216af7", "b8216af7-cf7c-4860-8014-54e4824a174", "b8216af7-cf7c-4860-8014-54e4824a17455", "b8216af7xcf7c-4860-8014-54e4824a1745",
		"g8216af7-cf7c-4860-8014-54e4824a1745", "b8216af7-cf7c-4860-8014-54e4824a174-", "3893d33b-9fm4-474b-80b0-dd7c32e20bfc", "{b8216af7-cf7c-4860-8014-54e4824a17}"}
	for _, s := range good {
		if err := validateUUID(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range bad {
		if validateUUID(s) == nil {
			t.Errorf("%q passed", s)
		}
	}
}
