// Command winreach-labd is a LAB STAND-IN, not a real service: it plays
// the few Windows services that have no Debian daemon, just far enough
// for winreach's probes to be tested against real sockets in the lab. It
// is not Citrix, an X.400 MTA, WLBS, SQL Server, Remote Desktop, AD Web
// Services or WinRM, and must never be run on a production network.
//
// Always (the Windows NT-era services of the Q150543 catalog):
//
//   - Citrix ICA (TCP 1494): sends the ICA detection string
//     7f 7f 49 43 41 00 on connect and repeats it once a second, the
//     behaviour nmap's service probes record for Citrix servers.
//   - X.400 over RFC 1006 (TCP 102): answers an X.224 Connection Request
//     with a class 0 Connection Confirm (X.224 13.4) echoing the TSAPs
//     and TPDU size, then discards data until the client closes.
//   - WLBS remote control (UDP 2504): binds and stays silent, as the
//     real service does to anything but its own authenticated packets.
//
// With --modern (Windows Server 2016 and later; answers from the worked
// examples and structure definitions of Microsoft's open specifications,
// see the table in answers.go):
//
//   - SQL Server (TCP 1433): a PRELOGIN answer ([MS-TDS] 2.2.6.5).
//   - SQL Server Browser (UDP 1434): SVR_RESP listing one instance on
//     tcp/1433 ([MC-SQLR] 2.2.5).
//   - RDP over UDP (UDP 3389): a SYN+ACK to a SYN ([MS-RDPEUDP] 3.1.5.1.3).
//   - AD Web Services (TCP 9389): a .NET Message Framing Fault record to
//     a preamble ([MC-NMF] 2.2.3.6).
//   - WinRM (TCP 5985): HTTP 401 from Microsoft-HTTPAPI/2.0 asking for
//     Negotiate or Kerberos.
//
// It binds only the address given with --addr, answers at most a few
// dozen connections at a time, and stops on SIGTERM, SIGINT or after
// --duration. Every answer it logs names the stand-in.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/winreach/winreach/probes/ica"
	"github.com/winreach/winreach/probes/iso"
)

const usageHead = `winreach-labd: LAB STAND-IN for services with no Debian daemon
(Citrix ICA greeting on TCP 1494, X.400/RFC 1006 connect on TCP 102, a
silent WLBS socket on UDP 2504; with --modern also SQL Server TDS 1433,
SQL Server Browser UDP 1434, RDP over UDP 3389, AD Web Services 9389 and
WinRM 5985). It imitates only the first packets those services send, for
testing winreach in its lab; it is not the real service.

Usage: winreach-labd --addr 198.18.1.55 [flags]
`

type config struct {
	addr netip.Addr
	// ports maps a stand-in's name to its port; 0 or absent disables it.
	ports     map[string]int
	duration  time.Duration
	maxConns  int
	connLimit time.Duration
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmsgprefix)
	log.SetPrefix("winreach-labd: ")
	fs := flag.NewFlagSet("winreach-labd", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "", "the one address to bind (required), e.g. 198.18.1.55")
	modern := fs.Bool("modern", false, "also run the Windows Server 2016+ stand-ins on their default ports")
	c := config{ports: map[string]int{}}
	portFlags := map[string]*int{}
	for _, s := range standIns() {
		def := s.port
		if s.modern {
			def = 0
		}
		usage := fmt.Sprintf("%s port of the %s stand-in, %s (0 disables", s.network, s.name, s.imitates)
		if s.modern {
			usage += fmt.Sprintf("; %d with --modern", s.port)
		}
		portFlags[s.name] = fs.Int(s.name+"-port", def, usage+")")
	}
	fs.DurationVar(&c.duration, "duration", 0, "stop after this long (0: run until SIGTERM)")
	_ = fs.Parse(os.Args[1:])
	a, err := netip.ParseAddr(*addr)
	if err != nil {
		fs.Usage()
		log.Fatalf("--addr: %v", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, s := range standIns() {
		c.ports[s.name] = *portFlags[s.name]
		if s.modern && *modern && !set[s.name+"-port"] {
			c.ports[s.name] = s.port
		}
	}
	c.addr, c.maxConns, c.connLimit = a, 64, 30*time.Second

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if c.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.duration)
		defer cancel()
	}
	if err := run(ctx, c, func(name string, a net.Addr) { log.Printf("%s stand-in listening on %s", name, a) }); err != nil {
		log.Fatal(err)
	}
}

// run serves until ctx ends; ready is told of each bound listener.
func run(ctx context.Context, c config, ready func(name string, a net.Addr)) error {
	var lc net.ListenConfig
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, max(1, c.maxConns))

	serveTCP := func(name string, port int, handle func(net.Conn)) error {
		ln, err := lc.Listen(ctx, "tcp", hostPort(c.addr, port))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		ready(name, ln.Addr())
		context.AfterFunc(ctx, func() { ln.Close() })
		wg.Go(func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
						log.Printf("%s: accept: %v", name, err)
						continue
					}
					return
				}
				select {
				case sem <- struct{}{}:
				default: // busy: refuse rather than queue
					conn.Close()
					continue
				}
				wg.Go(func() {
					defer func() { <-sem }()
					defer conn.Close()
					_ = conn.SetDeadline(time.Now().Add(c.connLimit))
					stop := context.AfterFunc(ctx, func() { conn.Close() })
					defer stop()
					handle(conn)
				})
			}
		})
		return nil
	}
	serveUDP := func(name string, port int, answer func([]byte) []byte) error {
		pc, err := lc.ListenPacket(ctx, "udp", hostPort(c.addr, port))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		ready(name, pc.LocalAddr())
		context.AfterFunc(ctx, func() { pc.Close() })
		wg.Go(func() { serveDatagrams(pc, name, answer) })
		return nil
	}
	for _, s := range standIns() {
		port := c.ports[s.name]
		if port == 0 {
			continue
		}
		var err error
		if s.network == "tcp" {
			err = serveTCP(s.name, port, s.tcp)
		} else {
			err = serveUDP(s.name, port, s.udp)
		}
		if err != nil {
			return err
		}
	}
	<-ctx.Done()
	return nil
}

func hostPort(a netip.Addr, port int) string {
	return net.JoinHostPort(a.String(), strconv.Itoa(port))
}

// greetICA sends the detection string once a second, at most ten times,
// until the client speaks or leaves.
func greetICA(conn net.Conn) {
	done := make(chan struct{})
	go func() { // any client byte (or close) ends the greeting
		defer close(done)
		var b [1]byte
		_, _ = conn.Read(b[:])
	}()
	for range 10 {
		if _, err := conn.Write([]byte(ica.Magic)); err != nil {
			return
		}
		select {
		case <-done:
			return
		case <-time.After(time.Second):
		}
	}
}

// maxTPKT bounds what the ISO stand-in reads per packet.
const maxTPKT = 2048

// confirmISO answers a CR with a CC and discards whatever follows; any
// other first packet gets an ER (X.224 13.12, cause 2: invalid TPDU type).
func confirmISO(conn net.Conn) {
	tpdu, err := iso.ReadTPKT(conn, maxTPKT)
	if err != nil {
		return
	}
	t, err := iso.ParseTPDU(tpdu)
	if err != nil || t.Code != iso.CodeCR {
		// LI 4, ER, DST-REF 0, reject cause 2 (X.224 13.12.1).
		_, _ = conn.Write(iso.AppendTPKT(nil, []byte{4, iso.CodeER, 0, 0, 2}))
		return
	}
	_, _ = conn.Write(iso.AppendTPKT(nil, iso.AppendConnectConfirm(nil, confirmFor(t))))
	for { // DT TPDUs until the client disconnects
		if _, err := iso.ReadTPKT(conn, maxTPKT); err != nil {
			return
		}
	}
}

// confirmFor builds the CC for a CR: class 0, the TPDU size capped at 2048
// octets (X.224 13.4.4: the responder may lower it, never raise it) and
// the TSAPs echoed.
func confirmFor(cr iso.TPDU) iso.CC {
	cc := iso.CC{DstRef: cr.SrcRef, SrcRef: 0x0007}
	if v, ok := cr.Param(iso.ParamTPDUSize); ok && len(v) == 1 {
		cc.Params = append(cc.Params, iso.Param{Code: iso.ParamTPDUSize, Value: []byte{min(v[0], 0x0b)}})
	}
	for _, code := range []uint8{iso.ParamCallingTSAP, iso.ParamCalledTSAP} {
		if v, ok := cr.Param(code); ok {
			cc.Params = append(cc.Params, iso.Param{Code: code, Value: v})
		}
	}
	return cc
}

// serveDatagrams answers each datagram with what answer returns for it;
// a nil answer function (WLBS) or a nil answer is silence.
func serveDatagrams(pc net.PacketConn, name string, answer func([]byte) []byte) {
	buf := make([]byte, 2048)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if answer == nil {
			continue
		}
		if out := answer(buf[:n]); out != nil {
			log.Printf("%s stand-in: %d-octet answer to %s", name, len(out), from)
			_, _ = pc.WriteTo(out, from)
		}
	}
}
