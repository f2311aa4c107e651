// Package sqlbrowser asks the SQL Server Browser service (UDP 1434) which
// SQL Server instances a host runs and where they listen, with the SQL
// Server Resolution Protocol.
//
// Specs: [MC-SQLR] 2.2.2 (CLNT_UCAST_EX: the single octet 0x03, "list
// every instance"), 2.2.5 (SVR_RESP: 0x05, a little-endian RESP_SIZE,
// then RESP_DATA, an MBCS string of instance records in the ABNF given
// there: "ServerName;S;InstanceName;I;IsClustered;Yes|No;Version;V",
// then optional transport entries "np;PIPE", "tcp;PORT", "via;...",
// "rpc;COMPUTER", "spx;SERVICE", "adsp;OBJECT", "bv;..." (five values),
// each record ended by ";;"), 3.2.5.2 (the server answers
// CLNT_UCAST_EX with every instance, or stays silent). Section 4 shows
// answers of this shape.
//
// The instances' TCP ports are where their TDS endpoints listen
// (dynamic ports for named instances): TCPPorts lists them for the scan
// to probe, as the endpoint mapper's dynamic RPC ports are.
//
// AppendRequest and ParseResponse are the pure codecs; Query is the
// probes.Datagram.
//
// Confirmed when: an SVR_RESP (0x05) whose length field fits the
// datagram and whose instance records parse. SSRP has no transaction ID,
// so the request is not matched; anything else is open (unexpected-reply).
package sqlbrowser
