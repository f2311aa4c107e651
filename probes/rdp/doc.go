// Package rdp opens the Remote Desktop Protocol's connection sequence far
// enough to identify the server: the X.224 Connection Request carrying an
// RDP Negotiation Request ([MS-RDPBCGR] 2.2.1.1, 2.2.1.1.1) and the
// Connection Confirm with its Negotiation Response or Failure
// ([MS-RDPBCGR] 2.2.1.2, 2.2.1.2.1, 2.2.1.2.2), framed by TPKT (RFC 1006)
// and X.224 (ITU-T X.224 13.3, 13.4) as the iso package encodes them.
//
// TCP 1503 was the port of Terminal Server clients before Beta 2, and is
// also T.120's (ITU-T T.123 uses the same RFC 1006 + X.224 framing); a
// plain CR without negotiation data draws a CC from either.
//
// Confirmed when: a TPKT (version 3, length within bounds) carries an
// X.224 Connection Confirm whose negotiation data, if any, is a well-formed
// RDP_NEG_RSP or RDP_NEG_FAILURE; or a Disconnect Request or TPDU Error
// (an ISO transport stack that is not RDP). Anything else is open
// (unexpected-reply).
package rdp
