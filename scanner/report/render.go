package report

import (
	"io"

	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/policy"
)

// Render writes one saved scan through a writer, one host at a time: a
// first pass reads its settings, end and policy findings (the hosts pass
// by), the second writes the hosts with their findings. The summary is
// counted again from the hosts read; a scan that did not finish is
// rendered as interrupted. It returns what the first pass read.
func Render(r io.ReadSeeker, wr Writer) (*Saved, error) {
	saved, err := ReadScan(r, func(*Saved, scanner.HostResult) error { return nil })
	if err != nil {
		return nil, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	withPolicy := saved.Violations != nil || saved.Unproven != nil
	head := saved.Document
	if withPolicy {
		head.Violations, head.Unproven = []policy.Violation{}, []policy.Violation{}
	}
	if err := wr.Begin(&head); err != nil {
		return nil, err
	}
	byHost := map[string]*Host{}
	if withPolicy {
		for _, v := range saved.Violations {
			h := hostFindings(byHost, v)
			h.Violations = append(h.Violations, v)
		}
		for _, v := range saved.Unproven {
			h := hostFindings(byHost, v)
			h.Unproven = append(h.Unproven, v)
		}
	}
	var sum Summary
	if _, err := ReadScan(r, func(_ *Saved, h scanner.HostResult) error {
		sum.Add(h)
		hr := Host{HostResult: h}
		if f := byHost[h.Address.String()]; f != nil {
			hr.Violations, hr.Unproven = f.Violations, f.Unproven
		}
		return wr.Host(hr)
	}); err != nil {
		return nil, err
	}
	tail := saved.Document
	tail.Summary = sum
	tail.Interrupted = tail.Interrupted || !saved.Ended
	return saved, wr.End(&tail)
}

func hostFindings(m map[string]*Host, v policy.Violation) *Host {
	k := v.Host.String()
	if m[k] == nil {
		m[k] = &Host{}
	}
	return m[k]
}
