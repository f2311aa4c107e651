package scanner

import (
	"strings"
	"testing"

	"github.com/winreach/winreach/probes"
)

func TestRelateNetBIOSDatagramToNameService(t *testing.T) {
	for _, tc := range []struct {
		ns   probes.State
		says string
	}{
		{probes.Confirmed, "likely open"},
		{probes.OpenFiltered, "nothing vouches"},
	} {
		rs := []EndpointResult{
			{Endpoint: ep("udp/137"), Result: probes.Result{State: tc.ns}},
			{Endpoint: ep("udp/138"), Result: probes.Result{State: probes.OpenFiltered, Note: probes.NoProbeNote}},
		}
		relate(rs)
		if n := rs[1].Note; !strings.Contains(n, tc.says) || !strings.HasPrefix(n, probes.NoProbeNote) || rs[1].State != probes.OpenFiltered {
			t.Errorf("137 %v: 138 is %v %q", tc.ns, rs[1].State, n)
		}
	}
	closed := []EndpointResult{
		{Endpoint: ep("udp/137"), Result: probes.Result{State: probes.Confirmed}},
		{Endpoint: ep("udp/138"), Result: probes.Result{State: probes.Closed}},
	}
	relate(closed)
	if closed[1].Note != "" {
		t.Errorf("a closed 138 got a note: %q", closed[1].Note)
	}
}
