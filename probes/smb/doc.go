// Package smb identifies SMB servers on TCP 445 (and over a NetBIOS
// session on TCP 139).
//
// The SMB2 NEGOTIATE request ([MS-SMB2] 2.2.3) offers dialects 2.0.2, 2.1,
// 3.0, 3.0.2 and 3.1.1, with the negotiate contexts 3.1.1 requires
// (2.2.3.1.1 preauthentication integrity with SHA-512, 2.2.3.1.2
// encryption ciphers), so a server picks its best dialect. The response
// (2.2.4) gives the dialect, the signing policy, the server GUID, its
// capabilities and maximum sizes, and its clock. An SMB2 error response
// (2.2.2) still proves SMB.
//
// Whether the server still speaks SMB1 needs a second connection, since a
// connection speaks one dialect family: an SMB1 NEGOTIATE ([MS-CIFS]
// 2.2.4.52.1) that lists only "NT LM 0.12". A server with SMB1 enabled
// answers with an SMB1 negotiate response (2.2.4.52.2); one without it
// drops the connection (Windows, Samba) or answers that no dialect fits.
//
// Messages travel in the Direct TCP transport framing ([MS-SMB2] 2.1): a
// zero byte and a 24-bit big-endian length, which on TCP 139 is the same
// as a NetBIOS SESSION MESSAGE (RFC 1002 4.3.6) below 64 KiB.
//
// Confirmed when: an SMB2 NEGOTIATE response with one of the dialects
// offered, its security buffer inside the message and, for 3.1.1, its
// negotiate contexts inside the message with the preauth integrity one
// present; or an SMB2 ERROR response (StructureSize 9); or, from an
// SMB1-only server, a whole SMB1 reply header, or an NT LM 0.12 negotiate
// response on the second connection. Absurd offsets, a dialect not offered
// or bare magic bytes are open (unexpected-reply).
package smb
