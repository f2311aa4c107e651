package suite

import (
	"testing"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/token"
)

func TestTokenDatagramParse(t *testing.T) {
	var d tokenDatagram
	req := d.Request(probes.Target{}, 0)
	if _, err := d.Parse(req, token.AppendReply(nil, req)); err != nil {
		t.Errorf("reply: %v", err)
	}
	if _, err := d.Parse(req, req); err == nil {
		t.Error("the request itself accepted as a reply")
	}
	other := d.Request(probes.Target{}, 1)
	if _, err := d.Parse(req, token.AppendReply(nil, other)); err != probes.ErrNotForUs {
		t.Errorf("another attempt's reply: %v", err)
	}
}
