package suites

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	"github.com/favconform/favconform/api"
	"github.com/favconform/favconform/client"
	"github.com/favconform/favconform/identity"
	"github.com/favconform/favconform/model"
	"github.com/favconform/favconform/model/negative"
)

// NegativeLabel marks the negative cases derived from the spec (--label-filter negative).
const NegativeLabel = "negative"

// The negative cases are derived from spec/openapi.yaml when the tree is built: one Entry per
// constraint of the create, update and add requests (negative.Cases), so that a constraint
// added to the spec is a new case.
func describeNegative() {
	Describe("Negative requests derived from the spec", Label(NegativeLabel), func() {
		cases, err := negative.Cases()
		if err != nil {
			It("derives the negative cases from spec/openapi.yaml", Covers("errors.bad-request"), func() {
				Fail(fmt.Sprintf("deriving the negative cases: %v", err))
			})
			return
		}
		entries := make([]TableEntry, 0, len(cases))
		for _, c := range cases {
			args := []any{Covers(c.Requirements...)}
			if c.Strict {
				args = append(args, Label(Strict))
			}
			entries = append(entries, Entry(c.Name(), append(args, c)...))
		}
		DescribeTable("a request breaking one constraint of the spec is refused with a 4xx in Wix's error shape and changes nothing (a read-only value may instead be ignored, never applied)",
			func(ctx SpecContext, c negative.Case) {
				w := newWorld(ctx)
				me := w.fresh(identity.User)
				var l api.FavoriteList
				if c.Op != model.Create {
					l = okList(me.CreateList(docsMyPage, docsAnother), "create the list the request is sent to")
				}
				before := w.stateOf(me)
				base := negative.Base(c.Op, l)
				body, err := c.Body(base)
				if err != nil {
					Fail(err.Error())
				}
				method, path, valid := c.Request(l)
				what := fmt.Sprintf("%s %s with %s", method, path, c.Name())
				r := me.Invalid().Do(client.Request{Method: method, Path: path, JSON: body})
				if c.MayIgnore && r.Err == nil && r.Status < 400 {
					got := okList(r, what+" (accepted: the read-only value must be ignored)")
					if c.Applied(got) {
						Fail(fmt.Sprintf("%s: the server applied the read-only value %v it was sent\n%s", what, c.Value, r.Describe()))
					}
					if st := w.stateOf(me); st.exists && c.Applied(st.list) {
						Fail(fmt.Sprintf("%s: a read shows the read-only value %v the client sent: %+v", what, c.Value, st.list))
					}
					return
				}
				refused(r, c.Status, what)
				w.unchanged(me, before, "the refused "+what)
				// The control: the same request with nothing broken succeeds, so the refusal was the
				// broken constraint's.
				okList(me.Do(client.Request{Method: method, Path: valid, JSON: base}), fmt.Sprintf("%s %s with nothing broken", method, valid))
			},
			entries,
		)
	})
}
