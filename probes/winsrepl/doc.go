// Package winsrepl confirms the WINS replication service on TCP 42 with
// an association start ([MS-WINSRA] 2.2.3), the first message a WINS
// replication partner sends. A WINS server answers with an association
// start response (2.2.4) naming its association handle and NBNS version,
// or with an association stop (2.2.5) when it refuses the partner; both
// prove the service.
//
// Samba implements the server in source4/wrepl_server and describes the
// packets in librpc/idl/winsrepl.idl, where the two version fields are
// named the other way round (minor_version holds the 2 that [MS-WINSRA]
// calls the major version). Samba listens on 42 only as an AD DC with
// "wins support = yes".
//
// Confirmed when: a replication packet whose length field fits the
// bound arrives whole and is an association start response or stop with
// no unknown opcode bits. Anything else is open (unexpected-reply).
package winsrepl
