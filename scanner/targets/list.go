package targets

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// List is the targets of a scan in the order given.
type List []Spec

// Resolver looks up host names. *net.Resolver satisfies it; tests inject a
// fake one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// ParseList parses specs separated by commas or white space, such as the
// value of --exclude, with the default Options.
func ParseList(specs string) (List, error) { return Options{}.ParseList(specs) }

// ParseList parses specs separated by commas or white space, such as the
// value of --exclude. An empty string is an empty list.
func (o Options) ParseList(specs string) (List, error) {
	var l List
	for field := range strings.FieldsFuncSeq(specs, isListSeparator) {
		s, err := o.Parse(field)
		if err != nil {
			return nil, err
		}
		l = append(l, s)
	}
	return l, nil
}

func isListSeparator(r rune) bool {
	return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
}

// maxLine bounds one line of a target file.
const maxLine = 64 << 10

// ReadList reads a target file (-iL) with the default Options.
func ReadList(r io.Reader, name string) (List, error) { return Options{}.ReadList(r, name) }

// ReadList reads a target file: one or more specs per line separated by
// white space, # starting a comment, blank lines ignored. name is the file
// name for errors, which read "name:line: ..."; "-" stands for standard
// input and reads "stdin:line: ...".
func (o Options) ReadList(r io.Reader, name string) (List, error) {
	if name == "-" {
		name = "stdin"
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	var l List
	line := 0
	for sc.Scan() {
		line++
		text, _, _ := strings.Cut(sc.Text(), "#")
		if line == 1 {
			// Notepad starts UTF-8 files with a byte order mark.
			text = strings.TrimPrefix(text, "\ufeff")
		}
		for field := range strings.FieldsSeq(text) {
			s, err := o.Parse(field)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, line, err)
			}
			l = append(l, s)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxLine)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return l, nil
}

// resolveParallel bounds the lookups in flight, so that a file of
// thousands of names neither floods the resolver nor waits on each in turn.
const resolveParallel = 16

// Resolve looks up every host name in l with r, asking for all A and AAAA
// addresses ("ip"), and returns a copy of l with the answers recorded; l
// itself is unchanged. Each distinct name (compared without case) is
// looked up once, however often it is listed, at most resolveParallel
// at a time. A name that does not resolve keeps its error, which the
// Iterator reports as a Host; it is not an error of Resolve. The error is
// ctx's, when ctx ends before every lookup has.
func (l List) Resolve(ctx context.Context, r Resolver) (List, error) {
	out := slices.Clone(l)
	at := map[string][]int{} // name -> its places in out
	var names []string
	for i, s := range out {
		if s.kind != kindName {
			continue
		}
		key := strings.ToLower(s.text)
		if at[key] == nil {
			names = append(names, key)
		}
		at[key] = append(at[key], i)
	}
	var g errgroup.Group
	g.SetLimit(resolveParallel)
	for _, key := range names {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			first := at[key][0]
			out[first] = out[first].resolve(ctx, r)
			for _, i := range at[key][1:] {
				out[i].resolved, out[i].addrs, out[i].err = true, out[first].addrs, out[first].err
			}
			return nil
		})
	}
	g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func (s Spec) resolve(ctx context.Context, r Resolver) Spec {
	addrs, err := r.LookupNetIP(ctx, "ip", s.text)
	s.resolved = true
	if err != nil {
		s.err = err
		return s
	}
	// The resolver may answer an A record as ::ffff:a.b.c.d; the
	// unmapped form is what exclusions and repeats compare.
	s.addrs = make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		if a.IsValid() {
			s.addrs = append(s.addrs, a.Unmap())
		}
	}
	slices.SortFunc(s.addrs, netip.Addr.Compare)
	s.addrs = slices.Compact(s.addrs)
	if len(s.addrs) == 0 {
		s.err = fmt.Errorf("lookup %s: no addresses", s.text)
	}
	return s
}
