// Package rdpudp tells whether a Remote Desktop server offers its UDP
// transport (UDP 3389) by opening the RDP-UDP connection as a client
// does: a SYN datagram, answered by a SYN+ACK.
//
// Specs: [MS-RDPEUDP] 2.2.2.1 (RDPUDP_FEC_HEADER: snSourceAck,
// uReceiveWindowSize, uFlags, all fields in network byte order), 2.2.2.5
// (RDPUDP_SYNDATA_PAYLOAD: snInitialSequenceNumber, uUpStreamMtu,
// uDownStreamMtu), 2.2.2.8 (RDPUDP_CORRELATION_ID_PAYLOAD), 2.2.2.9
// (RDPUDP_SYNDATAEX_PAYLOAD: uSynExFlags, uUdpVer, cookieHash for
// version 3), 3.1.5.1.1 (the SYN datagram: snSourceAck -1, a random
// initial sequence number, MTUs in 1132-1232, zero-padded to 1232
// octets), 3.1.5.1.3 (the SYN+ACK: snSourceAck echoes our initial
// sequence number, RDPUDP_FLAG_ACK set), section 4 (the SYN and SYN+ACK
// examples). [MS-RDPBCGR] 2.2.15 has the TCP side that normally tells
// the client to try UDP; a server answers a SYN without it.
//
// AppendSYN and ParseSYNACK are the pure codecs; SYN is the
// probes.Datagram.
//
// Confirmed when: a datagram with RDPUDP_FLAG_SYN and RDPUDP_FLAG_ACK
// whose snSourceAck echoes our initial sequence number. Our SYN reflected
// lacks the ACK flag; anything else is open (unexpected-reply).
package rdpudp
