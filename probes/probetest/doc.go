// Package probetest holds test helpers shared by the probe packages:
// loopback TCP and UDP servers bound to 127.0.0.1:0 and stopped by
// t.Cleanup, and canned misbehaving peers (garbage, an endless stream, a
// trickle, an immediate close or reset, silence) that every Conversation
// must survive with a clean state; Chunked feeds a fuzz target's bytes to a
// reader in pieces.
//
// The servers follow RFC 793/9293 and RFC 768 only in the ordinary way the
// kernel does; what they write is chosen to be no protocol at all.
package probetest
