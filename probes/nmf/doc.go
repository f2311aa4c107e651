// Package nmf identifies a WCF net.tcp endpoint, on Windows domain
// controllers Active Directory Web Services (TCP 9389), by the .NET
// Message Framing preamble a client opens a session with, and the
// server's answer to it.
//
// Specs: [MC-NMF] 2.2.2 (record sizes: 7 bits per octet, least
// significant group first, the high bit set on every octet but the last,
// at most 5 octets), 2.2.3 (records: 0x00 Version, 0x01 Mode, 0x02 Via,
// 0x03 Known Encoding, 0x08 Fault, 0x0A Upgrade Response, 0x0B Preamble
// Ack, 0x0C Preamble End), 2.2.3.2 (modes: 0x02 duplex), 2.2.3.4 (known
// encodings: 0x08 binary SOAP 1.2 with an in-band dictionary, what WCF's
// net.tcp binding uses), 2.2.6 (the preamble message), 3.1.4 (the
// receiver answers a preamble with a Preamble Ack, or a Fault naming
// what it refused, e.g. .../framing/faults/UpgradeInvalid when the
// endpoint wants a security upgrade or EndpointNotFound for an unknown
// Via), section 4 (an example of the duplex session preamble).
//
// Either answer identifies the framing protocol; the fault string says
// why the endpoint refused the session (for ADWS' Windows endpoints, the
// Negotiate upgrade this probe does not request).
//
// AppendPreamble and ParseAnswer are the pure codecs; Preamble is the
// probes.Conversation.
//
// Confirmed when: a whole Preamble Ack record, or a Fault record with
// its string, answers the preamble. Other bytes are open
// (unexpected-reply).
package nmf
