package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"time"

	"github.com/winreach/winreach/scanner/policy"
)

// JSON writes the Document as one indented JSON document, streamed: the
// settings at Begin, then the hosts array one host at a time, then the
// end time, summary and policy findings at End. The bytes are what
// encoding/json's indented encoding of the whole Document would be.
type JSON struct {
	w     *bufio.Writer
	hosts int
	err   error
	// host encodes one host into buf, indented as an element of the
	// hosts array; both are reused, so a host costs no new buffers.
	host *json.Encoder
	buf  bytes.Buffer
}

// NewJSON writes a JSON document to w.
func NewJSON(w io.Writer) *JSON {
	j := &JSON{w: bufio.NewWriterSize(w, 64<<10)}
	j.host = json.NewEncoder(&j.buf)
	j.host.SetIndent("    ", "  ")
	return j
}

// jsonHead and jsonTail are the Document's fields before and after its
// hosts.
type jsonHead struct {
	Scanner   string    `json:"scanner"`
	Version   string    `json:"version"`
	StartTime time.Time `json:"start_time"`
	Options   Options   `json:"options"`
	Targets   []string  `json:"targets"`
}

type jsonTail struct {
	EndTime     time.Time          `json:"end_time"`
	Interrupted bool               `json:"interrupted"`
	Summary     Summary            `json:"summary"`
	Violations  []policy.Violation `json:"violations,omitzero"`
	Unproven    []policy.Violation `json:"unproven,omitzero"`
}

func (j *JSON) write(b []byte) {
	if j.err == nil {
		_, j.err = j.w.Write(b)
	}
}

// Begin writes the document's opening and settings.
func (j *JSON) Begin(d *Document) error {
	o := d.Options
	o.Functions, o.Endpoints = nonNil(o.Functions), nonNil(o.Endpoints)
	b, err := json.MarshalIndent(jsonHead{d.Scanner, d.Version, d.StartTime, o, nonNil(d.Targets)}, "", "  ")
	if err != nil {
		return err
	}
	j.write(bytes.TrimSuffix(b, []byte("\n}")))
	j.write([]byte(",\n  \"hosts\": ["))
	return j.err
}

// Host writes one element of the hosts array.
func (j *JSON) Host(h Host) error {
	hr := h.HostResult
	hr.Endpoints, hr.Functions = nonNil(hr.Endpoints), nonNil(hr.Functions)
	j.buf.Reset()
	if err := j.host.Encode(hr); err != nil {
		return err
	}
	if j.hosts > 0 {
		j.write([]byte(","))
	}
	j.hosts++
	j.write([]byte("\n    "))
	j.write(bytes.TrimSuffix(j.buf.Bytes(), []byte("\n")))
	return j.err
}

// End closes the hosts array and writes the end of the scan.
func (j *JSON) End(d *Document) error {
	if j.hosts > 0 {
		j.write([]byte("\n  "))
	}
	sum := d.Summary
	if sum.Verdicts == nil {
		sum.Verdicts = map[string]int{}
	}
	b, err := json.MarshalIndent(jsonTail{d.EndTime, d.Interrupted, sum, d.Violations, d.Unproven}, "", "  ")
	if err != nil {
		return err
	}
	j.write([]byte("],"))
	j.write(bytes.TrimPrefix(b, []byte("{")))
	j.write([]byte("\n"))
	if j.err != nil {
		return j.err
	}
	return j.w.Flush()
}
