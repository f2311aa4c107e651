package probes

import (
	"context"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
)

// opError wraps an errno the way the net package reports a failed connect:
// *net.OpError -> *os.SyscallError -> syscall.Errno.
func opError(errno syscall.Errno) error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)}
}

func TestClassifyErrnoTable(t *testing.T) {
	for _, row := range errnoTable {
		t.Run(row.errno.Error(), func(t *testing.T) {
			st, reason := Classify(opError(row.errno))
			if st != row.state || reason != row.reason {
				t.Errorf("Classify(%v) = %v %v, want %v %v", row.errno, st, reason, row.state, row.reason)
			}
			// Wrapping once more (as a caller might) changes nothing.
			st, reason = Classify(fmt.Errorf("probe: %w", opError(row.errno)))
			if st != row.state || reason != row.reason {
				t.Errorf("wrapped: %v %v", st, reason)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		state  State
		reason Reason
	}{
		{"nil", nil, Open, ReasonSynAck},
		{"context deadline", context.DeadlineExceeded, Filtered, ReasonTimeout},
		{"dial timeout", &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}, Filtered, ReasonTimeout},
		{"unknown", fmt.Errorf("something else"), NotTested, ReasonLocalError},
		{"unmapped errno", opError(syscall.Errno(0x7fff)), NotTested, ReasonLocalError},
	} {
		st, reason := Classify(tc.err)
		if st != tc.state || reason != tc.reason {
			t.Errorf("%s: Classify = %v %v, want %v %v", tc.name, st, reason, tc.state, tc.reason)
		}
	}
}
