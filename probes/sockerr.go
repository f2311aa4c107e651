package probes

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
)

// Classify maps the error of a connect, write or read on a socket to a
// state and reason. It is the one place where winreach interprets socket
// errors; the errno sets per OS live in sockerr_*.go.
//
// Linux folds ICMP errors into errnos (PROBES.md's traps): RST and ICMP 3/3
// become ECONNREFUSED; 3/1, 3/10 and 3/13 become EHOSTUNREACH, 3/0 and 3/9
// ENETUNREACH, 3/2 ENOPROTOOPT. An errno alone therefore cannot tell a
// firewall's reject from a missing host; the ICMP-aware paths refine it.
func Classify(err error) (State, Reason) {
	if err == nil {
		return Open, ReasonSynAck
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return Filtered, ReasonTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return Filtered, ReasonTimeout
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return classifyErrno(errno)
	}
	return NotTested, ReasonLocalError
}

// errnoReason is one row of the per-OS errno tables.
type errnoReason struct {
	errno  syscall.Errno
	state  State
	reason Reason
}

func classifyErrno(e syscall.Errno) (State, Reason) {
	for _, row := range errnoTable {
		if row.errno == e {
			return row.state, row.reason
		}
	}
	return NotTested, ReasonLocalError
}
