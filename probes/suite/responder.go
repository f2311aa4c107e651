package suite

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"

	"github.com/winreach/winreach/probes"
	"github.com/winreach/winreach/probes/rawip"
	"github.com/winreach/winreach/probes/token"
)

// ResponderProtocol is the Service.Protocol of an endpoint where
// `winreach listen` echoed the token.
const ResponderProtocol = "winreach-listen"

// DroppedNote qualifies a --responder probe that got no answer: winreach
// listen answers every token, so silence is a drop on the path, never
// open|filtered.
const DroppedNote = "winreach listen would have answered: dropped on the path"

// errNotToken: a reply that is not a listener's token reply.
var errNotToken = errors.New("not a winreach listen reply")

func listenService(what string) *probes.Service {
	return &probes.Service{Protocol: ResponderProtocol, Summary: "winreach listen echoed the " + what + " token"}
}

// tokenDatagram is the UDP exchange of --responder: a request token with a
// fresh nonce per attempt, answered by the same token as a reply.
type tokenDatagram struct{}

func (tokenDatagram) Request(probes.Target, int) []byte {
	return token.AppendUDPRequest(nil, token.NewNonce())
}

func (tokenDatagram) Parse(req, reply []byte) (*probes.Service, error) {
	if len(reply) != token.TokenLen {
		return nil, errNotToken
	}
	tok, err := token.ParseToken(reply)
	if err != nil || tok.Kind != token.KindReply {
		return nil, errNotToken
	}
	sent, err := token.ParseToken(req)
	if err != nil || sent.Nonce != tok.Nonce {
		return nil, probes.ErrNotForUs // a late reply to another attempt
	}
	return listenService("UDP"), nil
}

// definitive turns the silence of a token probe into filtered: the
// listener answers every token, so nothing came back because something
// dropped the probe or the answer.
type definitive struct{ probes.Prober }

func (d definitive) Probe(ctx context.Context, t probes.Target) probes.Result {
	r := d.Prober.Probe(ctx, t)
	if r.State == probes.OpenFiltered {
		r.State, r.Note = probes.Filtered, DroppedNote
	}
	return r
}

// rawBase extracts the scan's raw prober settings (its ICMP listeners,
// pacer and timeouts) from Config.Raw.
func rawBase(p probes.Prober) (rawip.Prober, bool) {
	switch p := p.(type) {
	case rawip.Prober:
		return p, true
	case *rawip.Prober:
		return *p, p != nil
	}
	return rawip.Prober{}, false
}

// tokenRaw probes an IP protocol with a packet that carries a request
// token: rawip's probe with the responder's exchange. The listener's reply
// (the same packet, token kind reply) is confirmed; ICMP errors are judged
// as rawip judges them; a packet without the token, or the kernel's own
// port-unreachable, is kept only until the token's time is up. Silence is
// made filtered by definitive.
type tokenRaw struct{ base rawip.Prober }

func (p tokenRaw) Probe(ctx context.Context, t probes.Target) probes.Result {
	probe := p.base
	probe.Exchange = &tokenExchange{} // one per probe: its own nonces
	r := definitive{probe}.Probe(ctx, t)
	if r.State == probes.Closed && r.Reason == probes.ReasonProtoUnreachable {
		r.Note = "the target does not handle the protocol: is winreach listen running there as root?"
	}
	return r
}

// tokenExchange remembers the nonces one probe sent, to recognise their
// echoes.
type tokenExchange struct {
	mu     sync.Mutex
	nonces []token.Nonce
}

func (x *tokenExchange) Packet(proto int, src, dst netip.Addr, seed uint32, attempt int) []byte {
	n := token.NewNonce()
	x.mu.Lock()
	x.nonces = append(x.nonces, n)
	x.mu.Unlock()
	return token.AppendIPRequest(nil, proto, src, dst, seed+uint32(attempt), n)
}

func (x *tokenExchange) Judge(proto int, b []byte) (probes.Result, bool) {
	if got, err := token.ParseIPReply(proto, b); err == nil {
		x.mu.Lock()
		ours := slices.Contains(x.nonces, got)
		x.mu.Unlock()
		if ours {
			return probes.Result{State: probes.Confirmed, Reason: probes.ReasonReply, Service: listenService(catalogName(proto))}, true
		}
	}
	return probes.Result{State: probes.Open, Reason: probes.ReasonUnexpectedReply,
		Note: fmt.Sprintf("the target sent an IP protocol %d packet without the token (%d bytes)", proto, len(b))}, false
}

// WaitPastOpen: port-unreachable from the target is the kernel's own
// handler of the protocol (ip_gre) answering first; the token may follow.
func (x *tokenExchange) WaitPastOpen() bool { return true }

func catalogName(proto int) string {
	switch proto {
	case rawip.ProtoRSVP:
		return "RSVP"
	case rawip.ProtoGRE:
		return "GRE"
	case rawip.ProtoESP:
		return "ESP"
	case rawip.ProtoAH:
		return "AH"
	}
	return "IP"
}
