package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/winreach/winreach/probes/nmf"
	"github.com/winreach/winreach/probes/rdpudp"
	"github.com/winreach/winreach/probes/sqlbrowser"
	"github.com/winreach/winreach/probes/tds"
)

// standIn is one service this command imitates.
type standIn struct {
	name    string // log prefix and flag name ("<name>-port")
	network string // "tcp" or "udp"
	port    int    // default port
	// modern stand-ins (Windows Server 2016 and later) run only with
	// --modern or their own port flag.
	modern   bool
	imitates string // what it answers, for --help
	tcp      func(net.Conn)
	// udp answers one datagram; nil is silence.
	udp func(req []byte) []byte
}

// standIns is the table of every stand-in and its answer. The answers of
// the modern services are the bytes of the open specifications' worked
// examples and structure definitions, named in each entry.
func standIns() []standIn {
	return []standIn{
		{name: "ica", network: "tcp", port: 1494, tcp: greetICA,
			imitates: "Citrix ICA: the detection string 7f 7f 49 43 41 00, once a second"},
		{name: "iso", network: "tcp", port: 102, tcp: confirmISO,
			imitates: "X.400 over RFC 1006: an X.224 CC to a CR"},
		{name: "wlbs", network: "udp", port: 2504,
			imitates: "WLBS remote control: silence"},
		{name: "tds", network: "tcp", port: 1433, modern: true, tcp: answerPrelogin,
			imitates: "SQL Server: a PRELOGIN answer ([MS-TDS] 2.2.6.5), version 15.0.2000.5, ENCRYPT_OFF"},
		{name: "sqlbrowser", network: "udp", port: 1434, modern: true, udp: answerBrowser,
			imitates: "SQL Server Browser: SVR_RESP ([MC-SQLR] 2.2.5) listing MSSQLSERVER on tcp/1433"},
		{name: "rdpudp", network: "udp", port: 3389, modern: true, udp: answerRDPUDP,
			imitates: "RDP over UDP: a SYN+ACK ([MS-RDPEUDP] 3.1.5.1.3) to a SYN"},
		{name: "nmf", network: "tcp", port: 9389, modern: true, tcp: answerNMF,
			imitates: "AD Web Services: a .NET Message Framing fault UpgradeInvalid ([MC-NMF] 2.2.3.6) to a preamble without the Negotiate upgrade"},
		{name: "winrm", network: "tcp", port: 5985, modern: true, tcp: answerWinRM,
			imitates: "WinRM over HTTP: 401 from Microsoft-HTTPAPI/2.0 asking for Negotiate or Kerberos ([MS-WSMV] 2.1, RFC 4559)"},
	}
}

// tdsAnswer is a SQL Server 2019 RTM PRELOGIN answer laid out as [MS-TDS]
// 2.2.6.5 describes it: a tabular result packet (2.2.3.1) with VERSION
// 15.0.2000.5, ENCRYPTION ENCRYPT_OFF, INSTOPT 0x00, an empty THREADID and
// MARS off.
var tdsAnswer = mustHex(`04 01 00 2b 00 00 01 00
	00 00 1a 00 06  01 00 20 00 01  02 00 21 00 01  03 00 22 00 00  04 00 22 00 01  ff
	0f 00 07 d0 00 05  00  00  00`)

// browserInstances is what the SQL Server Browser stand-in lists: the
// default instance on the TDS stand-in's port, with its pipe, in the
// shape of [MC-SQLR] 2.2.5 and the answers of its section 4.
var browserInstances = []sqlbrowser.Instance{{
	ServerName: "LABSQL", InstanceName: "MSSQLSERVER", Version: "15.0.2000.5",
	TCPPort: 1433, Pipe: `\\LABSQL\pipe\sql\query`,
}}

// nmfFault is the Fault Record the AD Web Services stand-in sends
// ([MC-NMF] 2.2.3.6, the fault strings of 3.1.5): ADWS' Windows endpoints
// want the Negotiate upgrade before the Preamble End.
const nmfFault = "http://schemas.microsoft.com/ws/2006/05/framing/faults/UpgradeInvalid"

// nmfEndpointPrefix: a Via whose path does not start with it gets the
// EndpointNotFound fault instead.
const nmfEndpointPrefix = "/ActiveDirectoryWebServices/"

// winrm401 is HTTP.sys' answer to an unauthenticated POST /wsman on a
// default WinRM listener ([MS-WSMV] 2.1: SOAP over HTTP on /wsman, the
// client authenticates with HTTP authentication; Negotiate (RFC 4559) and
// Kerberos are the service's defaults). The status line carries no
// reason phrase, as HTTP.sys writes it (RFC 9112 4 allows that).
const winrm401 = "HTTP/1.1 401 \r\n" +
	"Server: Microsoft-HTTPAPI/2.0\r\n" +
	"WWW-Authenticate: Negotiate\r\n" +
	"WWW-Authenticate: Kerberos\r\n" +
	"Content-Length: 0\r\n" +
	"Connection: close\r\n\r\n"

// winrm404 is HTTP.sys' answer for a path no listener registered.
const winrm404 = "HTTP/1.1 404 Not Found\r\n" +
	"Content-Type: text/html; charset=us-ascii\r\n" +
	"Server: Microsoft-HTTPAPI/2.0\r\n" +
	"Content-Length: 0\r\n" +
	"Connection: close\r\n\r\n"

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// answerPrelogin reads a PRELOGIN and sends tdsAnswer, then discards
// what follows (a TLS handshake or a LOGIN7 the stand-in cannot serve).
func answerPrelogin(conn net.Conn) {
	pkt, err := tds.ReadPacket(conn, tds.TypePrelogin)
	if err != nil {
		return
	}
	if _, err := tds.ParsePrelogin(pkt); err != nil {
		return // [MS-TDS] 3.3.5.1: close on a malformed PRELOGIN
	}
	log.Printf("tds stand-in: PRELOGIN answer to %s", conn.RemoteAddr())
	if _, err := conn.Write(tdsAnswer); err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(conn, 1<<16))
}

// answerBrowser answers CLNT_BCAST_EX and CLNT_UCAST_EX with every
// instance, CLNT_UCAST_INST with the instance named ([MC-SQLR] 3.2.5).
func answerBrowser(req []byte) []byte {
	if len(req) == 0 {
		return nil
	}
	switch req[0] {
	case sqlbrowser.ClntBcastEx, sqlbrowser.ClntUcastEx:
		if len(req) != 1 {
			return nil
		}
		return sqlbrowser.AppendResponse(nil, browserInstances)
	case sqlbrowser.ClntUcastIns:
		name, _, _ := bytes.Cut(req[1:], []byte{0})
		for _, in := range browserInstances {
			if strings.EqualFold(in.InstanceName, string(name)) {
				return sqlbrowser.AppendResponse(nil, []sqlbrowser.Instance{in})
			}
		}
	}
	return nil
}

// answerRDPUDP answers a SYN with a SYN+ACK ([MS-RDPEUDP] 3.1.5.1.3):
// snSourceAck the client's initial sequence number, a random one of its
// own, MTUs no larger than the client's, and SYNEX with the lower version
// when the client sent SYNEX.
func answerRDPUDP(req []byte) []byte {
	if len(req) < 16 || binary.BigEndian.Uint32(req) != 0xffffffff {
		return nil
	}
	flags := binary.BigEndian.Uint16(req[6:])
	if flags&rdpudp.FlagSYN == 0 || flags&rdpudp.FlagACK != 0 {
		return nil
	}
	s := rdpudp.Syn{
		SourceAck:       binary.BigEndian.Uint32(req[8:]),
		ReceiveWindow:   64,
		InitialSequence: rand.Uint32(),
		UpStreamMTU:     clampMTU(binary.BigEndian.Uint16(req[12:])),
		DownStreamMTU:   clampMTU(binary.BigEndian.Uint16(req[14:])),
	}
	rest := req[16:]
	if flags&rdpudp.FlagCorrelationID != 0 && len(rest) >= 32 {
		rest = rest[32:]
	}
	if flags&rdpudp.FlagSYNEX != 0 && len(rest) >= 4 {
		s.Flags |= rdpudp.FlagSYNEX
		s.SynExFlags = 0x0001 // RDPUDP_VERSION_INFO_VALID
		s.UDPVersion = min(binary.BigEndian.Uint16(rest[2:]), rdpudp.Version2)
	}
	return rdpudp.AppendSYNACK(nil, s)
}

func clampMTU(m uint16) uint16 { return max(rdpudp.MinMTU, min(m, rdpudp.MaxMTU)) }

// maxPreamble bounds the records the NMF stand-in reads.
const maxPreamble = 4096

// answerNMF reads a preamble up to the Preamble End ([MC-NMF] 2.2.6) and
// answers with the fault: UpgradeInvalid, or EndpointNotFound for a Via
// that is no ADWS endpoint, or UnsupportedMode for a mode other than
// duplex.
func answerNMF(conn net.Conn) {
	r := bufio.NewReader(io.LimitReader(conn, maxPreamble))
	fault := nmfFault
	for {
		rec, err := r.ReadByte()
		if err != nil {
			return
		}
		switch rec {
		case nmf.RecVersion:
			if _, err := io.CopyN(io.Discard, r, 2); err != nil {
				return
			}
		case nmf.RecMode, nmf.RecKnownEncoding:
			v, err := r.ReadByte()
			if err != nil {
				return
			}
			if rec == nmf.RecMode && v != nmf.ModeDuplex {
				fault = "http://schemas.microsoft.com/ws/2006/05/framing/faults/UnsupportedMode"
			}
		case nmf.RecVia:
			n, err := nmf.ReadSize(r)
			if err != nil || n > maxPreamble {
				return
			}
			via := make([]byte, n)
			if _, err := io.ReadFull(r, via); err != nil {
				return
			}
			if !strings.Contains(string(via), nmfEndpointPrefix) {
				fault = "http://schemas.microsoft.com/ws/2006/05/framing/faults/EndpointNotFound"
			}
		case nmf.RecPreambleEnd:
			log.Printf("nmf stand-in: fault %s to %s", nmf.FaultName(fault), conn.RemoteAddr())
			b := append([]byte{nmf.RecFault}, nmf.AppendSize(nil, len(fault))...)
			_, _ = conn.Write(append(b, fault...))
			return
		default:
			return // not a preamble record: close, as 3.1.4.2 has the receiver do
		}
	}
}

// answerWinRM reads one HTTP request and answers as HTTP.sys does for a
// WinRM listener: 401 on /wsman, 404 elsewhere, then closes.
func answerWinRM(conn net.Conn) {
	r := bufio.NewReader(io.LimitReader(conn, 1<<20))
	req, err := http.ReadRequest(r)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(req.Body, 1<<16))
	req.Body.Close()
	answer := winrm404
	if strings.EqualFold(req.URL.Path, "/wsman") {
		answer = winrm401
	}
	log.Printf("winrm stand-in: %s %s from %s: %s", req.Method, req.URL.Path, conn.RemoteAddr(), strings.SplitN(answer, "\r\n", 2)[0])
	_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(conn, answer) // Connection: close
}
