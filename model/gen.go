package model

import (
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
)

// rng is SplitMix64: tiny, and its stream is fixed forever, so that a seed replays the same
// sequence with any Go release (math/rand/v2 does not promise that for its helpers).
type rng struct{ s uint64 }

func newRNG(seed int64) *rng { return &rng{s: uint64(seed)} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n); n must be > 0.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// chance reports true with probability percent/100.
func (r *rng) chance(percent int) bool { return r.intn(100) < percent }

// RandomSeed returns a fresh non-negative seed.
func RandomSeed() int64 {
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("model: reading random bytes: %v", err)) // crypto/rand does not fail on supported platforms
	}
	return int64(binary.LittleEndian.Uint64(b[:]) >> 1)
}

// Generate returns the sequence of n steps of seed over roles. It depends on the seed, n's
// prefix and the roles only: it is planned against the model alone (a server's answers, ids
// included, never steer it), so a seed replays the same sequence against any target, and the
// first k steps of a longer sequence are the sequence of k steps.
func Generate(seed int64, n int, roles []identity.Role) []Step {
	if len(roles) == 0 {
		roles = []identity.Role{identity.User}
	}
	r := newRNG(seed)
	m := New(roles...)
	sim := &simulator{}
	steps := make([]Step, 0, n)
	for i := range n {
		s := genStep(r, m, roles, i)
		steps = append(steps, s)
		sim.apply(m, s)
	}
	return steps
}

// Favorite content: the docs' own page ids (two share one, as in the add sample) and titles,
// plus non-ASCII titles, query strings and fragments, which must all come back exactly.
var (
	pageIDs = []string{"3893d33b-24a1-474b-80b0-dd7c32e20bfb", "81f1ee0a-92b7-42f7-89cb-8b0f96146dcf", "3893d33b-9fm4-474b-80b0-dd7c32e20bfc"}
	titles  = []string{"My Page", "Another Page", "Existing favorite page", "Ventes ★ 売上 %d", "Fav %d", "  spaced %d  "}
	urls    = []string{"", "/route", "/limited-edition/analytics", "/p/%d?tab=sales&range=30d#top"}
)

func genFavorite(r *rng, i int) api.Favorite {
	pick := func(pool []string) string {
		s := pool[r.intn(len(pool))]
		if strings.Contains(s, "%d") {
			s = fmt.Sprintf(s, i)
		}
		return s
	}
	pageID := fmt.Sprintf("page-%d", i%7)
	if r.chance(50) {
		pageID = pageIDs[r.intn(len(pageIDs))]
	}
	return api.Favorite{PageID: pageID, Title: pick(titles), RelativeURL: pick(urls)}
}

type weighted struct {
	op Op
	w  int
}

// genStep picks the next step from the model's state: mostly sensible calls, about a third of
// them with one fault.
func genStep(r *rng, m *Model, roles []identity.Role, i int) Step {
	role := roles[r.intn(len(roles))]
	l := m.State(role)
	n := len(l.Favorites)
	s := Step{Role: role, Nonce: r.next(), Index: r.intn(max(n, 1))}

	ops := []weighted{{Get, 6}, {Create, 6}, {Update, 16}, {DeleteList, 4}, {Add, 20}, {DeleteFavorite, 12}}
	if !l.Exists {
		ops[1].w = 18
		ops[5].w = 3
	}
	if n >= 50 { // a full list has made its point after a few steps (and is costly to read)
		ops[3].w = 20
	}
	total := 0
	for _, o := range ops {
		total += o.w
	}
	pick := r.intn(total)
	for _, o := range ops {
		if pick < o.w {
			s.Op = o.op
			break
		}
		pick -= o.w
	}

	switch s.Op {
	case Create:
		if r.chance(4) {
			s.Fill = MaxFavorites
			break
		}
		for k := range 1 + r.intn(3) {
			s.Items = append(s.Items, Item{Keep: -1, Fav: genFavorite(r, i*10+k)})
		}
	case Add:
		s.Items = []Item{{Keep: -1, Fav: genFavorite(r, i*10)}}
	case Update:
		s.RevisionAsNumber = r.chance(30)
		if r.chance(5) {
			s.Fill = MaxFavorites
			break
		}
		order := make([]int, n)
		for k := range order {
			order[k] = k
		}
		for k := n - 1; k > 0; k-- { // shuffle now and then
			if r.chance(30) {
				j := r.intn(k + 1)
				order[k], order[j] = order[j], order[k]
			}
		}
		keep := 70
		if n >= 20 {
			keep = 10
		}
		for k, j := range order {
			if r.chance(keep) {
				it := Item{Keep: j, Fav: genFavorite(r, i*10+k)}
				it.Retitle = r.chance(25)
				s.Items = append(s.Items, it)
			}
		}
		for k := range r.intn(3) {
			s.Items = append(s.Items, Item{Keep: -1, Fav: genFavorite(r, i*10+n+k)})
		}
		if len(s.Items) == 0 {
			s.Items = append(s.Items, Item{Keep: -1, Fav: genFavorite(r, i*10)})
		}
		if len(s.Items) > MaxFavorites {
			s.Items = s.Items[:MaxFavorites]
		}
	}

	if r.chance(30) {
		var faults []Fault
		switch s.Op {
		case Get:
			faults = []Fault{NoAuth}
		case Create:
			faults = []Fault{NoAuth, MalformedJSON, BadField, TooMany}
		case Update:
			faults = []Fault{NoAuth, MalformedJSON, BadField, TooMany, StaleRevision, StaleRevision, UnknownID, DeletedID}
		case DeleteList:
			faults = []Fault{NoAuth, UnknownID, DeletedID}
		case Add:
			faults = []Fault{NoAuth, MalformedJSON, BadField}
		case DeleteFavorite:
			faults = []Fault{NoAuth, UnknownID, DeletedID}
		}
		if len(roles) > 1 && (s.Op == Update || s.Op == DeleteList || s.Op == DeleteFavorite) {
			faults = append(faults, OthersID, OthersID)
		}
		s.Fault = faults[r.intn(len(faults))]
		switch s.Fault {
		case BadField:
			s.Break = Breaks[r.intn(len(Breaks))]
		case TooMany:
			s.Fill = MaxFavorites + 1
			s.Items = nil
		case StaleRevision:
			s.RevisionDelta = []int64{-1, 1, 2}[r.intn(3)]
		case OthersID:
			other := roles[(indexOf(roles, role)+1)%len(roles)]
			s.Index = r.intn(max(len(m.State(other).Favorites), 1))
		}
	}
	return s
}

func indexOf(roles []identity.Role, r identity.Role) int {
	for i, x := range roles {
		if x == r {
			return i
		}
	}
	return 0
}

// simulator stands in for a server that follows the model (taking the mock-like reading of
// every open point), so that Generate can plan the next step from the state the docs imply.
type simulator struct{ ids int }

func (sim *simulator) id(kind string) string {
	sim.ids++
	return fmt.Sprintf("sim-%s-%d", kind, sim.ids)
}

func (sim *simulator) apply(m *Model, s Step) {
	e := m.Plan(s)
	if e.Refused {
		return
	}
	m.Commit(e, sim.answer(e))
}

// answer is a response that passes e.Check, but for the ids (which are not GUIDs).
func (sim *simulator) answer(e Expectation) *client.Response {
	switch e.kind {
	case newList, sameList:
		l := api.FavoriteList{ID: e.want.ID, Revision: api.Revision(e.want.Revision)}
		if e.kind == newList {
			l.ID, l.Revision = sim.id("list"), 1
		}
		for _, f := range e.want.Favorites {
			if f.ID == "" {
				f.ID = sim.id("favorite")
			}
			l.Favorites = append(l.Favorites, f)
		}
		return &client.Response{Status: http.StatusOK, List: &l}
	}
	return &client.Response{Status: http.StatusOK}
}

// Normalize rewrites steps as the model plans them from a clean slate over roles: positions are
// taken modulo the lists they index, and kept favorites that resolve to new ones are written as
// new. The normalized steps make the same calls as the originals, and read plainly ("keep #1" is
// the list's favorite 1).
func Normalize(roles []identity.Role, steps []Step) []Step {
	m := New(roles...)
	sim := &simulator{}
	out := make([]Step, len(steps))
	for i, s := range steps {
		out[i] = m.normalize(s)
		sim.apply(m, s)
	}
	return out
}

func (m *Model) normalize(s Step) Step {
	s.Items = slices.Clone(s.Items)
	u := m.user(s.Role)
	mod := func(i, n int) int {
		if n <= 0 {
			return 0
		}
		return i % n
	}
	switch s.Op {
	case Update:
		if s.Fill > 0 {
			break
		}
		cur := u.list.Favorites
		used := map[int]bool{}
		for k, it := range s.Items {
			if it.Keep >= 0 && len(cur) > 0 && !used[it.Keep%len(cur)] {
				it.Keep %= len(cur)
				used[it.Keep] = true
			} else {
				it.Keep, it.Retitle = -1, false
			}
			s.Items[k] = it
		}
	case DeleteFavorite:
		switch s.Fault {
		case None, NoAuth:
			s.Index = mod(s.Index, len(u.list.Favorites))
		case DeletedID:
			s.Index = mod(s.Index, len(u.goneFavorites))
		case OthersID:
			if o := m.other(s.Role); o != nil {
				s.Index = mod(s.Index, len(o.list.Favorites))
			}
		default:
			s.Index = 0
		}
	}
	return s
}
