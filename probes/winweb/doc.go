// Package winweb identifies what a Windows server publishes on HTTPS 443:
// Exchange Server (Outlook on the web, EWS, Autodiscover, MAPI over HTTP,
// ActiveSync) and the Remote Desktop Gateway, and says plainly when a web
// server is neither.
//
// It runs behind probes/tlsprobe (which reads the certificate) and sends,
// on the one connection, a few HEAD requests (RFC 9110 9.3.2: no body
// comes back, so replies need no framing beyond the head) to the paths
// Exchange publishes, then the RD Gateway's HTTP-transport request:
//
//   - HEAD /owa/auth/logon.aspx, /ews/exchange.asmx,
//     /autodiscover/autodiscover.xml, /mapi/emsmdb/,
//     /Microsoft-Server-ActiveSync: Exchange answers with X-OWA-Version
//     (the build, on OWA pages), X-FEServer (the front end's name),
//     X-BEServer or X-CalculatedBETarget, and 401s with its authentication
//     schemes on EWS, MAPI and ActiveSync.
//   - RDG_OUT_DATA /remoteDesktopGateway/ with an RDG-Connection-Id header
//     ([MS-TSGU] 2.2.3.1, the HTTP transport's OUT channel): an RD Gateway
//     answers 401 with its schemes (Negotiate, NTLM, Basic) through HTTP.sys;
//     other servers refuse the method (400, 405, 501).
//
// The server's connection management decides how many answers arrive: a
// server that closes after a reply ends the sequence, and what was learned
// is reported.
//
// Judge is pure (replies in, identification out); Identify is the
// probes.Conversation.
package winweb
