package icmperr

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/winreach/winreach/probes/probetest"
)

// The layout of linux/errqueue.h on a little-endian host (x86-64, arm64):
// struct sock_extended_err, then the offender (SO_EE_OFFENDER).
const (
	// ee_errno 113 EHOSTUNREACH, origin 2 ICMP, type 3, code 13, pad,
	// ee_info 0, ee_data 0; sockaddr_in: family 2, port 0, 198.18.201.4,
	// 8 bytes of sin_zero.
	extErrAdminProhibited4 = `71000000 02 03 0d 00 00000000 00000000
		0200 0000 c612c904 0000000000000000`
	// ee_errno 13 EACCES, origin 3 ICMP6, type 1, code 1; sockaddr_in6:
	// family 10, port 0, flowinfo 0, fd77:7272:201::4, scope 0.
	extErrAdminProhibited6 = `0d000000 03 01 01 00 00000000 00000000
		0a00 0000 00000000 fd777272020100000000000000000004 00000000`
	// ee_errno 90 EMSGSIZE, origin 1 LOCAL, no ICMP, ee_info 1400 (the
	// path MTU); offender family 0 (AF_UNSPEC).
	extErrLocalMsgSize = `5a000000 01 00 00 00 78050000 00000000
		0000 0000 00000000 0000000000000000`
)

func TestParseExtendedErr(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hex    string
		want   Error
		wantV6 bool
	}{
		{"admin-prohibited v4", extErrAdminProhibited4,
			Error{Origin: OriginICMP, Type: 3, Code: 13, From: netip.MustParseAddr("198.18.201.4"), Errno: syscall.EHOSTUNREACH}, false},
		{"admin-prohibited v6", extErrAdminProhibited6,
			Error{Origin: OriginICMP6, Type: 1, Code: 1, From: netip.MustParseAddr("fd77:7272:201::4"), Errno: syscall.EACCES}, true},
		{"local EMSGSIZE", extErrLocalMsgSize,
			Error{Origin: OriginLocal, Errno: syscall.EMSGSIZE}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := parseExtendedErr(probetest.Hex(t, tc.hex), binary.LittleEndian)
			if err != nil {
				t.Fatal(err)
			}
			if *e != tc.want || e.V6() != tc.wantV6 {
				t.Errorf("got %+v, want %+v", *e, tc.want)
			}
		})
	}
	if _, err := parseExtendedErr(make([]byte, 15), binary.LittleEndian); err == nil {
		t.Error("15 bytes parsed")
	}
	// No offender (a bare struct) is not an error.
	if e, err := parseExtendedErr(probetest.Hex(t, extErrAdminProhibited4)[:16], binary.LittleEndian); err != nil || e.From.IsValid() {
		t.Errorf("bare: %+v %v", e, err)
	}
}

func TestErrorChain(t *testing.T) {
	e := &Error{Origin: OriginICMP, Type: 3, Code: 13, From: netip.MustParseAddr("198.18.201.4"),
		Errno: syscall.EHOSTUNREACH, Syscall: "connect"}
	err := error(&net.OpError{Op: "dial", Net: "tcp", Err: e})
	var errno syscall.Errno
	if !errors.As(err, &errno) || errno != syscall.EHOSTUNREACH {
		t.Errorf("errno lost: %v", errno)
	}
	var se *os.SyscallError
	if !errors.As(err, &se) || se.Syscall != "connect" {
		t.Errorf("syscall error lost: %v", se)
	}
	typ, code, from, v6 := e.ICMPDetail()
	if typ != 3 || code != 13 || from != e.From || v6 {
		t.Errorf("ICMPDetail = %d %d %v %v", typ, code, from, v6)
	}
	if got := err.Error(); !strings.Contains(got, "ICMP 3/13 from 198.18.201.4") {
		t.Errorf("Error() = %q", got)
	}
}

func FuzzParseExtendedErr(f *testing.F) {
	for _, h := range []string{extErrAdminProhibited4, extErrAdminProhibited6, extErrLocalMsgSize} {
		f.Add(probetest.Hex(f, h))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := parseExtendedErr(b, binary.LittleEndian)
		if err == nil && e == nil {
			t.Fatal("nil error and nil result")
		}
	})
}
