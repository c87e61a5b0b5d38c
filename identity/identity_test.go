package identity

import "testing"

func TestPool(t *testing.T) {
	ids := Pool(3)
	if len(ids) != 3*len(Default()) {
		t.Fatalf("Pool(3) has %d identities", len(ids))
	}
	tokens, users := map[string]bool{}, map[string]bool{}
	for _, id := range ids {
		if tokens[id.Token] {
			t.Fatalf("token %s repeats", id.Token)
		}
		tokens[id.Token] = true
		if id.IdentityType == TypeWixUser {
			users[id.WixUserID] = true
		}
	}
	for _, r := range Roles {
		if n := len(Accounts(ids, r)); n != 3 {
			t.Errorf("role %s has %d accounts, want 3", r, n)
		}
	}
	// The k-th app acts for the k-th copy of its user.
	apps, us := Accounts(ids, App), Accounts(ids, User)
	for k := range apps {
		if (apps[0].WixUserID == us[0].WixUserID) != (apps[k].WixUserID == us[k].WixUserID) {
			t.Errorf("copy %d: the app's user is not the copy of the default's", k+1)
		}
		if apps[k].IdentityType == TypeApp && k > 0 && !users[apps[k].WixUserID] && users[apps[0].WixUserID] {
			t.Errorf("copy %d: the app acts for no user of the pool", k+1)
		}
	}
	if len(Pool(1)) != len(Default()) || Pool(1)[0].Token != Default()[0].Token {
		t.Error("Pool(1) must be Default()")
	}
}
