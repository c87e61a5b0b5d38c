package validate

import (
	"reflect"
	"strings"
	"testing"
)

var jsonSeeds = []string{
	`{"favoriteList":{"id":"b8216af7-cf7c-4860-8014-54e4824a1745","revision":"2","favorites":[{"id":"x","pageId":"p","title":"Another ★ page","relativeUrl":"/a?b=c#d"}]}}`,
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `12.5e-3`, `1E+2`, `-`, `01`, `1.`, `.5`, `1e`, `"a"`, `""`, ` {"a" : [ 1 , 2 ] } `,
	`{"a":1,"a":2}`, `{"a":"\u00e9\ud83d\ude00\n\"q\""}`, `{"a":"\ud800"}`, `{"a":"\u12"}`, `{"a":"tab	in"}`, "{\"a\":\"\xff\"}",
	`{"favoriteList":{}} trailing`, `{"a":1}{"b":2}`, `[1,]`, `{"a":1,}`, `{,}`, `[1 2]`, `{"a" 1}`, `{1:2}`, `tru`, `nul`, `truex`,
	`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	``, ` `, `{"a":[1,{"b":null}]}`, `{"message":"x","details":{"applicationError":{"code":"NOT_FOUND"}}}`, `"\\"`, `"a\\"`, `"\"`, `1 2`,
	`123456789012345678901234567890`, `-1.5E-300`, "\t\n\r[true]\r\n",
}

// decodeJSON gives encoding/json's value and error, whatever the body; where its fast path
// answers, that answer is encoding/json's.
func checkDecode(t *testing.T, body string) {
	got, gotErr := decodeJSON([]byte(body))
	want, wantErr := stdJSON([]byte(body))
	if !reflect.DeepEqual(got, want) || (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
		t.Fatalf("%q: decodeJSON gave %#v, %v; encoding/json %#v, %v", body, got, gotErr, want, wantErr)
	}
	if v, ok := fastJSON([]byte(body)); ok && (wantErr != nil || !reflect.DeepEqual(v, want)) {
		t.Fatalf("%q: the fast path gave %#v; encoding/json %#v, %v", body, v, want, wantErr)
	}
}

func TestDecodeJSONIsEncodingJSONs(t *testing.T) {
	fast := 0
	for _, s := range jsonSeeds {
		checkDecode(t, s)
		if _, ok := fastJSON([]byte(s)); ok {
			fast++
		}
	}
	if fast < 15 {
		t.Fatalf("only %d of the seeds took the fast path: it is not doing its work", fast)
	}
	// Every prefix of a real answer (truncated bodies), and every single-byte change of it.
	body := jsonSeeds[0]
	for i := range body {
		checkDecode(t, body[:i])
		for _, c := range []byte(`"{}[],:0-1.eE+ \x00\\ta`) {
			b := []byte(body)
			b[i] = c
			checkDecode(t, string(b))
		}
	}
	if _, ok := fastJSON([]byte(strings.Repeat("[", 200) + strings.Repeat("]", 200))); ok {
		t.Fatal("nesting deeper than fastJSONMaxDepth must go to encoding/json")
	}
}

func FuzzFastJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) { checkDecode(t, body) })
}
