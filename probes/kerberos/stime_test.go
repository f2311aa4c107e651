package kerberos

import (
	"testing"
	"time"

	"github.com/winreach/winreach/probes/probetest"
)

// stime and susec (RFC 4120 5.9.1: the KDC's time, KerberosTime to the
// second plus microseconds) of real KRB-ERRORs, to the microsecond: the
// clock a logon's skew check reads.
func TestServerTimeFixtures(t *testing.T) {
	for file, want := range map[string]time.Time{
		"testdata/samba417_error6_udp.hex": time.Date(2026, 11, 25, 21, 28, 22, 489472000, time.UTC),
		"testdata/mit120_error6_udp.hex":   time.Date(2026, 11, 25, 21, 28, 46, 824227000, time.UTC),
	} {
		r, err := ParseReply(probetest.ReadHex(t, file))
		if err != nil || !r.ServerTime.Equal(want) {
			t.Errorf("%s: %v %v, want %v", file, err, r.ServerTime, want)
		}
	}
}
