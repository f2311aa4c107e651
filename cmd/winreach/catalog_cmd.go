package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/winreach/winreach/catalog"
)

const catalogUsage = `Usage: winreach catalog [--catalog NAME[,NAME]] [--format table|json]

Lists the functions winreach checks, their groups, the endpoints each needs
(tcp/N, udp/N, ip/N for an IP protocol; "?" marks an optional transport,
which a scan skips, as not-tested (skipped), where the host resets the
function's required port: clients set it up only over that one) and, for
the modern catalog, the Microsoft document each comes from.

  --catalog q150543   Microsoft KB Q150543, NT 4.0 to Windows 2000 (default)
  --catalog modern    Windows Server 2016-2025, from Microsoft's current port
                      documents (KB 832017, KB 179442, KB 154596, the Exchange
                      Server network ports reference, SMB over QUIC)
  --catalog FILE      a catalog of your own, in the same text format (see the
                      README, "Catalogs"); several names join with commas
`

func cmdCatalog(e env, args []string) error {
	fs := newFlagSet("catalog")
	format, spec := new(string), new(string)
	defineFlags(fs, catalogFlagSpecs, map[string]any{"format": format, "catalog": spec})
	if _, err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(e.stdout, catalogUsage)
			return nil
		}
		return usagef("catalog: %v", err)
	}
	if *format != "json" && *format != "table" {
		return usagef("catalog: %v", checkValue(catalogFlagSpecs, "format", *format))
	}
	c, err := loadCatalog("catalog", *spec)
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Catalog   string             `json:"catalog"`
			Source    string             `json:"source"`
			Sources   []catalog.Source   `json:"sources,omitempty"`
			Groups    []catalog.Group    `json:"groups"`
			Functions []catalog.Function `json:"functions"`
		}{c.Name, c.Title, c.Sources, c.Groups, c.Functions})
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 8, 2, ' ', 0)
	for _, g := range c.Groups {
		fmt.Fprintf(tw, "%s (--group %s)\n", g.Name, g.ID)
		for _, f := range c.InGroup(g.ID) {
			var eps []string
			for _, ep := range f.Endpoints {
				eps = append(eps, ep.String())
			}
			need := strings.Join(eps, " ")
			if f.AnyOf {
				need = "any of: " + strings.Join(eps, ", ")
			}
			for _, ep := range f.Optional {
				need += " " + ep.String() + "?"
			}
			note := f.Note
			if len(f.Sources) > 0 {
				var docs []string
				for _, s := range f.Sources {
					docs = append(docs, sourceLabel(c, s))
				}
				note = strings.TrimPrefix(note+"; source: "+strings.Join(docs, ", "), "; ")
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f.ID, f.Name, need, note)
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(c.Sources) > 0 {
		fmt.Fprintln(e.stdout, "Sources:")
		for _, s := range c.Sources {
			fmt.Fprintf(e.stdout, "  %s: %s", s.ID, s.Title)
			if s.URL != "" {
				fmt.Fprintf(e.stdout, " <%s>", s.URL)
			}
			fmt.Fprintln(e.stdout)
		}
	}
	fmt.Fprintf(e.stdout, "%d functions in %d groups, from %s.\n", len(c.Functions), len(c.Groups), c.Title)
	return nil
}

// sourceLabel is a source's short name for the table: "KB 832017", or
// its slug when the title carries no KB number.
func sourceLabel(c *catalog.Catalog, id string) string {
	s, _ := c.Source(id)
	if i := strings.Index(s.Title, "(KB "); i >= 0 {
		if j := strings.Index(s.Title[i:], ")"); j > 0 {
			return s.Title[i+1 : i+j]
		}
	}
	return id
}
