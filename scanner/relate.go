package scanner

import (
	"strings"

	"github.com/winreach/winreach/catalog"
	"github.com/winreach/winreach/probes"
)

var (
	netbiosNS  = catalog.Endpoint{Transport: catalog.UDP, Port: 137}
	netbiosDGM = catalog.Endpoint{Transport: catalog.UDP, Port: 138}
)

// relate adds what one endpoint's result says about another on the same
// host. NetBIOS datagrams (UDP 138) have no request that gets an answer,
// but every NetBIOS stack binds 138 when it binds 137 (RFC 1001 and the
// Windows and Samba implementations), so a confirmed name service is
// strong evidence for the datagram service. It is said in the note; the
// state stays what the probe saw.
func relate(results []EndpointResult) {
	ns, dgm := -1, -1
	for i, r := range results {
		switch r.Endpoint {
		case netbiosNS:
			ns = i
		case netbiosDGM:
			dgm = i
		}
	}
	if ns < 0 || dgm < 0 || results[dgm].State != probes.OpenFiltered {
		return
	}
	r := &results[dgm].Result
	if results[ns].State == probes.Confirmed {
		r.Note = joinNote(r.Note, "UDP 137 on this host answered as NetBIOS, and NetBIOS stacks bind 138 with 137: likely open")
	} else {
		r.Note = joinNote(r.Note, "UDP 137 on this host was "+results[ns].State.String()+", so nothing vouches for 138")
	}
}

// joinNote adds b to the note a, once: assembling a host again (merge,
// resume) does not repeat what an earlier assembly said.
func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case strings.Contains(a, b):
		return a
	}
	return a + "; " + b
}
