package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"time"

	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/policy"
)

// Saved is what a saved scan says besides its hosts: the Document's
// settings and end (Hosts nil), and how the file ended.
type Saved struct {
	Document
	// Lines is set for JSON Lines, clear for one JSON document.
	Lines bool
	// Ended is set when the scan's end was read (the "end" record, or the
	// document's close).
	Ended bool
	// Truncated is set when the input ended in the middle of a record (a
	// run killed while writing); everything before it was read.
	Truncated bool
}

// ErrNotScan is returned for input that is not a winreach scan output.
var ErrNotScan = errors.New("not a winreach scan (want the output of scan --format json or jsonl)")

// ReadScan reads a saved scan, one JSON document or JSON Lines, calling
// host for every host in file order; the Saved passed along holds the
// settings, which come before the hosts. A JSON document is decoded one
// host at a time, so a file of any size is read in bounded memory. Of
// JSON Lines, the endpoint records of a host are gathered until its host
// record; endpoints whose host record never came (a run killed before
// the host finished) make a partial host at the end. A cut last record
// ends the read without an error (Saved.Truncated).
func ReadScan(r io.Reader, host func(*Saved, scanner.HostResult) error) (*Saved, error) {
	rd := &scanReader{dec: json.NewDecoder(r), host: host, saved: &Saved{}}
	err := rd.read()
	var syn *json.SyntaxError
	if err != nil && rd.records > 0 && (errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &syn)) {
		rd.saved.Truncated, err = true, nil
	}
	if err != nil {
		return nil, err
	}
	if err := rd.flushPending(); err != nil {
		return nil, err
	}
	return rd.saved, nil
}

type scanReader struct {
	dec     *json.Decoder
	host    func(*Saved, scanner.HostResult) error
	saved   *Saved
	records int // records (hosts of a document) read whole
	// pending are JSON Lines endpoint records waiting for their host.
	pending map[netip.Addr][]scanner.EndpointResult
}

func (rd *scanReader) read() error {
	// The first object is a JSON document or the start record of JSON
	// Lines; it is read key by key so a document's hosts stream.
	if t, err := rd.dec.Token(); err != nil {
		if errors.Is(err, io.EOF) {
			return ErrNotScan
		}
		return err
	} else if t != json.Delim('{') {
		return ErrNotScan
	}
	fields := map[string]json.RawMessage{}
	sawHosts := false
	for rd.dec.More() {
		t, err := rd.dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		if key != "hosts" {
			var v json.RawMessage
			if err := rd.dec.Decode(&v); err != nil {
				return err
			}
			fields[key] = v
			continue
		}
		sawHosts = true
		if err := rd.header(fields); err != nil {
			return err
		}
		if err := rd.documentHosts(); err != nil {
			return err
		}
	}
	if _, err := rd.dec.Token(); err != nil { // '}'
		return err
	}
	rd.records++
	if _, isLines := fields["type"]; isLines {
		return rd.lines(fields)
	}
	if !sawHosts {
		return ErrNotScan
	}
	if rd.dec.More() {
		return errors.New("data after the JSON document")
	}
	// The end's fields come after the hosts (before them in files
	// written before the JSON writer streamed).
	if err := unmarshalFields(fields, &rd.saved.Document); err != nil {
		return err
	}
	rd.saved.Hosts, rd.saved.Ended = nil, true
	return nil
}

// header reads a document's settings, before its hosts.
func (rd *scanReader) header(fields map[string]json.RawMessage) error {
	if err := unmarshalFields(fields, &rd.saved.Document); err != nil {
		return err
	}
	if rd.saved.Scanner != "winreach" {
		return ErrNotScan
	}
	return nil
}

func (rd *scanReader) documentHosts() error {
	if t, err := rd.dec.Token(); err != nil {
		return err
	} else if t == nil {
		return nil // "hosts": null, as written before lists were never null
	} else if t != json.Delim('[') {
		return fmt.Errorf("hosts is not a list")
	}
	for rd.dec.More() {
		var h scanner.HostResult
		if err := rd.dec.Decode(&h); err != nil {
			return err
		}
		rd.records++
		if err := rd.host(rd.saved, h); err != nil {
			return err
		}
	}
	_, err := rd.dec.Token() // ']'
	return err
}

func unmarshalFields(fields map[string]json.RawMessage, v any) error {
	b, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// line is any JSON Lines record.
type line struct {
	Type        string                    `json:"type"`
	Scanner     string                    `json:"scanner"`
	Version     string                    `json:"version"`
	StartTime   time.Time                 `json:"start_time"`
	Options     Options                   `json:"options"`
	Targets     []string                  `json:"targets"`
	Host        netip.Addr                `json:"host"`
	Address     netip.Addr                `json:"address"`
	Name        string                    `json:"name"`
	Status      string                    `json:"status"`
	Error       string                    `json:"error"`
	Functions   []scanner.FunctionVerdict `json:"functions"`
	EndTime     time.Time                 `json:"end_time"`
	Interrupted bool                      `json:"interrupted"`
	Summary     Summary                   `json:"summary"`
}

// lines reads JSON Lines after the first record, start's fields.
func (rd *scanReader) lines(start map[string]json.RawMessage) error {
	s := rd.saved
	s.Lines = true
	var first line
	if err := unmarshalFields(start, &first); err != nil {
		return err
	}
	if first.Type != "start" || first.Scanner != "winreach" {
		return ErrNotScan
	}
	s.Scanner, s.Version, s.StartTime, s.Options, s.Targets = first.Scanner, first.Version, first.StartTime, first.Options, first.Targets
	rd.pending = map[netip.Addr][]scanner.EndpointResult{}
	for {
		var raw json.RawMessage
		if err := rd.dec.Decode(&raw); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		var rec line
		if err := json.Unmarshal(raw, &rec); err != nil {
			return fmt.Errorf("record %d: %w", rd.records+1, err)
		}
		switch rec.Type {
		case "endpoint":
			var er scanner.EndpointResult
			if err := json.Unmarshal(raw, &er); err != nil {
				return fmt.Errorf("record %d: %w", rd.records+1, err)
			}
			rd.pending[rec.Host] = append(rd.pending[rec.Host], er)
		case "host":
			h := scanner.HostResult{Address: rec.Address, Name: rec.Name, Status: rec.Status, Error: rec.Error,
				Functions: nonNil(rec.Functions), Endpoints: nonNil(rd.pending[rec.Address])}
			if rec.Address.IsValid() {
				delete(rd.pending, rec.Address)
			}
			if err := rd.host(s, h); err != nil {
				return err
			}
		case "violation", "unproven":
			var v policy.Violation
			if err := json.Unmarshal(raw, &v); err != nil {
				return fmt.Errorf("record %d: %w", rd.records+1, err)
			}
			if rec.Type == "violation" {
				s.Violations = append(s.Violations, v)
			} else {
				s.Unproven = append(s.Unproven, v)
			}
		case "end":
			s.EndTime, s.Interrupted, s.Summary, s.Ended = rec.EndTime, rec.Interrupted, rec.Summary, true
		}
		rd.records++
	}
}

// flushPending reports the hosts whose endpoints came without a host
// record, as partial, in address order.
func (rd *scanReader) flushPending() error {
	addrs := make([]netip.Addr, 0, len(rd.pending))
	for a := range rd.pending {
		if a.IsValid() {
			addrs = append(addrs, a)
		}
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	for _, a := range addrs {
		h := scanner.HostResult{Address: a, Status: scanner.StatusPartial, Endpoints: rd.pending[a], Functions: []scanner.FunctionVerdict{}}
		if err := rd.host(rd.saved, h); err != nil {
			return err
		}
	}
	rd.pending = nil
	return nil
}

// ReadPrior reads a scan's output for --resume: the endpoint results of
// every host, less those that say nothing about the target (cut short by
// an interrupt), which the resumed scan probes again.
func ReadPrior(r io.Reader) (*scanner.Prior, error) {
	p := scanner.NewPrior()
	saved, err := ReadScan(r, func(_ *Saved, h scanner.HostResult) error {
		for _, er := range h.Endpoints {
			p.Add(h.Address, er)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	p.Truncated = saved.Truncated
	return p, nil
}
