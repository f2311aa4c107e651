package rawip

// unsupportedNote is empty: Linux delivers every packet of a protocol to
// its raw sockets and every ICMP error to a raw ICMP socket.
func unsupportedNote() string { return "" }
