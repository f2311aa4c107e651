package report

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/winreach/winreach/probes"
)

// jsonObject is one object of a JSON text: where it is ("",
// "hosts", "hosts.endpoints", ...) and its keys in order.
type jsonObject struct {
	path string
	keys []string
}

// objectKeys lists every object of a JSON text.
func objectKeys(t *testing.T, b []byte) []jsonObject {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	var objects []jsonObject
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			objects = append(objects, jsonObject{path: path})
			me := len(objects) - 1
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				objects[me].keys = append(objects[me].keys, k.(string))
				child := k.(string)
				if path != "" {
					child = path + "." + child
				}
				if err := walk(child); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		case json.Delim('['):
			for dec.More() {
				if err := walk(path); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		}
		return err
	}
	if err := walk(""); err != nil {
		t.Fatalf("%v in\n%s", err, b)
	}
	return objects
}

// The README's JSON example is what the writer emits: every object's keys
// exist in the writer's output, in the writer's order.
func TestREADMEJSONExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)### JSON\n.*?```json\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no JSON example under ### JSON")
	}
	example := bytes.ReplaceAll(m[1], []byte("{...}"), []byte("{}"))
	// A document with every field the example shows.
	d := withPolicy(fixedDocument())
	h := &d.Hosts[1]
	h.Endpoints[0].Result.Note, h.Endpoints[0].Result.Attempts = "a note", 1
	h.Endpoints[0].Result.RTT, h.Endpoints[0].Result.Wait = time.Millisecond, time.Second
	h.Endpoints[0].Result.ICMP = &probes.ICMP{Type: 3, Code: 13, From: netip.MustParseAddr("198.18.1.1")}
	h.Endpoints[0].Result.Service.Details = map[string]string{"k": "v"}
	d.Options.Functions, d.Options.Endpoints = []string{"smtp"}, []string{"tcp/25"}
	var out bytes.Buffer
	if err := WriteJSON(&out, d); err != nil {
		t.Fatal(err)
	}
	// The writer's order of each kind of object: its fullest instance.
	want := map[string][]string{}
	for _, o := range objectKeys(t, out.Bytes()) {
		if len(o.keys) > len(want[o.path]) {
			want[o.path] = o.keys
		}
	}
	for _, o := range objectKeys(t, example) {
		path, keys := o.path, o.keys
		if path == "hosts.endpoints.service.details" {
			continue
		}
		full, ok := want[path]
		if !ok {
			t.Errorf("README object %q: the writer writes no such object", path)
			continue
		}
		last := -1
		for _, k := range keys {
			i := slices.Index(full, k)
			switch {
			case i < 0:
				t.Errorf("README %q has %q, which the writer does not write (it writes %q)", path, k, full)
			case i < last:
				t.Errorf("README %q puts %q out of the writer's order %q", path, k, full)
			}
			last = max(last, i)
		}
	}
}
