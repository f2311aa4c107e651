// Package wsman identifies Windows Remote Management (WinRM, TCP 5985 for
// HTTP and 5986 for HTTPS) with a WS-Management Identify request.
//
// The request is a SOAP 1.2 envelope whose body is the wsmid:Identify
// element of the DMTF WS-Management identity namespace
// (http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd, DSP0226
// 11), POSTed to /wsman with the HTTP header "WSMANIDENTIFY:
// unauthenticated", which [MS-WSMV] defines for an Identify that needs
// no credentials. A WinRM listener that allows it answers an
// IdentifyResponse (ProtocolVersion, ProductVendor, ProductVersion);
// one that does not answers 401 from HTTP.sys ("Server:
// Microsoft-HTTPAPI/2.0") with its authentication schemes (Negotiate,
// Kerberos, Basic, CredSSP): both identify WinRM. Any other HTTP answer
// is reported as what it is, plainly not WinRM.
//
// AppendIdentify and ParseIdentifyResponse are the pure codecs; Identify
// is the probes.Conversation (over TLS for 5986, with probes/tlsprobe).
package wsman
