// Package iso speaks ISO transport over TCP: TPKT framing (RFC 1006
// section 6) carrying ISO 8073 / ITU-T X.224 class 0 TPDUs. The probe sends
// a Connection Request (X.224 13.3) and recognises the Connection Confirm
// (13.4), Disconnect Request (13.5) and TPDU Error (13.12) that any ISO
// transport stack answers with. Exchange Server 5.0's MTA listened this way
// on TCP 102 for X.400 (RFC 2126's predecessor, RFC 1006 over TCP).
//
// The X.224 CR/CC codec is also the first layer of RDP's connection
// sequence ([MS-RDPBCGR] 2.2.1.1), which the rdp package builds on.
//
// There is no X.400 MTA packaged for Debian; the codec is checked against
// the byte layouts of the specs and against the project's own lab
// stand-in (cmd/winreach-labd), and the CC parser against xrdp's CC.
//
// Confirmed when: a TPKT (version 3, length within bounds) carries a CC,
// DR or ER TPDU whose length indicator fits the TPDU. Anything else is open
// (unexpected-reply).
package iso
