package suite

import (
	"testing"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/scanner/responder"
)

// FuzzTokenDatagramParse: a UDP reply to a --responder probe confirms
// only when it is the listener's reply token with the request's nonce.
func FuzzTokenDatagramParse(f *testing.F) {
	req := tokenDatagram{}.Request(probes.Target{}, 1)
	f.Add(req, responder.AppendReply(nil, req))
	f.Add(req, req)
	f.Add(req, []byte{})
	f.Fuzz(func(t *testing.T, req, reply []byte) {
		svc, err := tokenDatagram{}.Parse(req, reply)
		if err != nil {
			return
		}
		sent, serr := responder.ParseToken(req)
		got, gerr := responder.ParseToken(reply)
		if svc == nil || len(reply) != responder.TokenLen || serr != nil || gerr != nil ||
			got.Kind != responder.KindReply || got.Nonce != sent.Nonce {
			t.Fatalf("confirmed %x for %x", reply, req)
		}
	})
}

// FuzzTokenExchangeJudge: a raw packet confirms only with a nonce the
// probe sent; anything else is open and not final.
func FuzzTokenExchangeJudge(f *testing.F) {
	f.Add(47, []byte{0, 0, 0x08, 0})
	f.Add(50, make([]byte, 64))
	f.Fuzz(func(t *testing.T, proto int, b []byte) {
		x := &tokenExchange{}
		r, final := x.Judge(proto, b)
		if final || r.Service != nil {
			t.Fatalf("a probe that sent nothing confirmed %x", b)
		}
	})
}
