//go:build windows

package probes

import "syscall"

// Winsock error numbers (winerror.h). Windows reports a TCP RST and, once
// SIO_UDP_CONNRESET is enabled, ICMP port-unreachable as WSAECONNREFUSED or
// WSAECONNRESET; it does not tell admin-prohibited from host-unreachable.
const (
	wsaECONNABORTED  syscall.Errno = 10053
	wsaECONNRESET    syscall.Errno = 10054
	wsaENOBUFS       syscall.Errno = 10055
	wsaETIMEDOUT     syscall.Errno = 10060
	wsaECONNREFUSED  syscall.Errno = 10061
	wsaEHOSTDOWN     syscall.Errno = 10064
	wsaEHOSTUNREACH  syscall.Errno = 10065
	wsaENETDOWN      syscall.Errno = 10050
	wsaENETUNREACH   syscall.Errno = 10051
	wsaEACCES        syscall.Errno = 10013
	wsaEMFILE        syscall.Errno = 10024
	wsaEADDRNOTAVAIL syscall.Errno = 10049
	wsaEAFNOSUPPORT  syscall.Errno = 10047
)

var errnoTable = []errnoReason{
	{wsaECONNREFUSED, Closed, ReasonReset},
	{wsaECONNRESET, Closed, ReasonReset},
	{wsaEHOSTUNREACH, Filtered, ReasonHostUnreachable},
	{wsaEHOSTDOWN, Filtered, ReasonHostUnreachable},
	{wsaENETUNREACH, Filtered, ReasonNetUnreachable},
	{wsaENETDOWN, Filtered, ReasonNetUnreachable},
	{wsaETIMEDOUT, Filtered, ReasonTimeout},
	{wsaEACCES, Filtered, ReasonAdminProhibited},
	{wsaEMFILE, NotTested, ReasonNoDescriptors},
	{wsaENOBUFS, NotTested, ReasonLocalError},
	{wsaEADDRNOTAVAIL, NotTested, ReasonLocalError},
	{wsaEAFNOSUPPORT, NotTested, ReasonUnsupported},
}

// connectedErrnos are the errors a connect can only end with after its
// handshake completed: a refused connect is WSAECONNREFUSED.
var connectedErrnos = []syscall.Errno{wsaECONNRESET, wsaECONNABORTED}
