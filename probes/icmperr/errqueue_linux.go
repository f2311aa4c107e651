package icmperr

import (
	"golang.org/x/sys/unix"
)

// readErrQueue takes the oldest error off fd's error queue without
// blocking. It returns nil when the queue is empty or its message is not
// an ICMP error (a local one such as EMSGSIZE carries no ICMP).
func readErrQueue(fd int) *Error {
	// Bounded: each entry is one sock_extended_err plus its offender;
	// a few tries drain what one probe can have caused.
	for range 4 {
		var oob [128]byte
		var data [512]byte // the quoted packet; unused, but recvmsg wants room
		_, oobn, _, _, err := unix.Recvmsg(fd, data[:], oob[:], unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		if err != nil {
			return nil // EAGAIN: the queue is empty
		}
		if e := parseControl(oob[:oobn]); e != nil {
			return e
		}
	}
	return nil
}

// parseControl finds the IP_RECVERR or IPV6_RECVERR message in the
// control data of one recvmsg(MSG_ERRQUEUE).
func parseControl(oob []byte) *Error {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	for _, m := range msgs {
		if !(m.Header.Level == unix.SOL_IP && m.Header.Type == unix.IP_RECVERR) &&
			!(m.Header.Level == unix.SOL_IPV6 && m.Header.Type == unix.IPV6_RECVERR) {
			continue
		}
		e, err := ParseExtendedErr(m.Data)
		if err != nil || (e.Origin != OriginICMP && e.Origin != OriginICMP6) {
			continue
		}
		return e
	}
	return nil
}
