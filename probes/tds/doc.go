// Package tds identifies a Microsoft SQL Server (TCP 1433, or the port an
// instance listens on) by the first exchange of the Tabular Data Stream
// protocol: the client's PRELOGIN message and the server's answer, which
// carries the server's product version and its encryption setting.
//
// Specs: [MS-TDS] 2.2.3.1 (packet header: type, status, big-endian length,
// SPID, packet ID, window), 2.2.3.1.1 (packet types: 0x12 PRELOGIN, 0x04
// tabular result), 2.2.6.5 (PRELOGIN: option tokens with big-endian
// offsets and lengths, then the option data; VERSION, ENCRYPTION, INSTOPT,
// THREADID, MARS, TRACEID, FEDAUTHREQUIRED, NONCEOPT, TERMINATOR 0xFF),
// 4.1 (the worked example of a pre-login request, this package's request
// fixture). The server's VERSION is its product version, major.minor.build
// with a sub-build; Microsoft's list of SQL Server versions (KB 321185)
// names the product: 13 is SQL Server 2016, 14 2017, 15 2019, 16 2022.
//
// A server in TDS 8.0 strict mode wants TLS before any TDS byte and closes
// the connection on a plain PRELOGIN; that shows as an open port whose
// peer closed early.
//
// AppendPrelogin and ParsePrelogin are the pure codecs; Prelogin is the
// probes.Conversation.
//
// Confirmed when: a whole TDS packet of type 4 (tabular result) holds a
// PRELOGIN option table that parses within the packet. Anything else is
// open (unexpected-reply); a close after the PRELOGIN is open
// (closed-by-peer), as from a TDS 8.0 strict server.
package tds
