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

const catalogUsage = `Usage: winreach catalog [--format table|json]

Lists the functions of Microsoft KB Q150543 that winreach checks, their
groups, and the endpoints each needs (tcp/N, udp/N, ip/N for an IP protocol).
`

func cmdCatalog(e env, args []string) error {
	fs := newFlagSet("catalog")
	format := new(string)
	defineFlags(fs, catalogFlagSpecs, map[string]any{"format": format})
	if _, err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(e.stdout, catalogUsage)
			return nil
		}
		return usagef("catalog: %v", err)
	}
	c := catalog.Default()
	switch *format {
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Source    string             `json:"source"`
			Groups    []catalog.Group    `json:"groups"`
			Functions []catalog.Function `json:"functions"`
		}{"Microsoft KB Q150543", c.Groups, c.Functions})
	case "table":
		tw := tabwriter.NewWriter(e.stdout, 2, 8, 2, ' ', 0)
		for _, g := range c.Groups {
			fmt.Fprintf(tw, "%s (--group %s)\n", g.Name, g.ID)
			for _, f := range c.InGroup(g.ID) {
				eps := make([]string, len(f.Endpoints))
				for i, ep := range f.Endpoints {
					eps[i] = ep.String()
				}
				need := strings.Join(eps, " ")
				if f.AnyOf {
					need = "any of: " + strings.Join(eps, ", ")
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f.ID, f.Name, need, f.Note)
			}
			fmt.Fprintln(tw)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d functions in %d groups, from Microsoft KB Q150543.\n", len(c.Functions), len(c.Groups))
		return nil
	}
	return usagef("catalog: %v", checkValue(catalogFlagSpecs, "format", *format))
}
