// Package dcerpc speaks enough connection-oriented DCE/RPC to ask an
// endpoint mapper (TCP 135) which RPC interfaces a host offers and where.
//
// The wire formats follow The Open Group's DCE 1.1 RPC specification (C706):
// chapter 12 for the connection-oriented PDUs (common header 12.6.3.1, bind
// 12.6.4.3, bind_ack 12.6.4.4, bind_nak 12.6.4.5, request 12.6.4.9,
// response 12.6.4.10, fault 12.6.4.7), chapter 14 for NDR, appendix L for
// the endpoint mapper's ept_lookup and appendix I for protocol towers;
// [MS-RPCE] 2.2 adds Microsoft's tower floor identifiers (named pipes,
// LRPC, HTTP) and 2.2.1.2.5 the ept_lookup status codes.
//
// The codecs are pure functions (AppendBind, AppendRequest,
// AppendLookupRequest; ParseHeader, ParseBindAck, ParseBindNak,
// ParseResponse, ParseFault, ParseLookupResponse, ParseTower);
// ReadResponse reassembles a fragmented response. EndpointMapper is the
// probes.Conversation for TCP 135: it binds to the endpoint mapper
// interface and pages through ept_lookup until the mapper says "no more
// entries", so a report can list every endpoint and the scanner can follow
// the dynamic TCP ports (Details.TCPPorts, Bind, Follow).
//
// Confirmed when: the bind drew a well-formed bind_ack or bind_nak
// (C706 12.6.4.4, 12.6.4.5) in a whole PDU; the lookups that follow add
// detail but never decide the state. Anything else is open
// (unexpected-reply).
package dcerpc
