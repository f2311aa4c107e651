// Package policy reads winreach's expectation files (scan --expect FILE)
// and checks scan results against them.
//
// A policy file says, per host or network and per function or group, what
// must be reachable and what must be blocked from where the scan runs. One
// rule per line; # starts a comment; blank lines are ignored:
//
//	# TARGET        FUNCTIONS            EXPECT     [except FUNCTIONS]
//	198.18.1.0/24   *                    blocked    except dns-resolution,smtp
//	198.18.1.20     smtp,imap-ssl        reachable
//	198.18.1.10-12  logon-sequence       reachable
//	*               pptp                 blocked
//
// TARGET is an IPv4 or IPv6 address, a network (CIDR), a range in the
// syntax of scan targets (198.18.1.1-20, 198.18.1.1-198.18.2.5, nmap octet
// ranges), or * for every host. Host names are refused: a policy is about
// addresses, and a name's addresses change.
//
// FUNCTIONS is a comma-separated list of function and group slugs or KB
// names as 'winreach catalog' lists them (smtp, logon-sequence, exchange,
// win2000), or * for every function of the catalog. "except F,G" removes
// functions from the list; it is how "everything but" is written.
//
// EXPECT is reachable or blocked, judged on the function's verdict, and
// only on evidence:
//
//   - reachable holds when the verdict is reachable; it is violated by
//     blocked (filtered on the path) and by not-listening (the path works
//     but nothing answers there: the function still cannot be used).
//   - blocked holds when the verdict is blocked or not-listening: either
//     way the function cannot be used from here. It is violated by
//     reachable.
//   - a verdict of uncertain (only UDP or raw IP silence, which an open
//     service and a silent drop both give) or not-tested proves neither;
//     the function is reported as unproven, not as a violation.
//
// When several rules match a host and a function, the last one in the
// file decides, so a file goes from the general to the particular. A host
// and function no rule matches is not judged.
//
// Parse reports the first error as "FILE:LINE: message". Check judges one
// host's verdicts; it never touches the network.
package policy
