package dcerpc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
)

// OpLookup is ept_lookup's operation number (C706 appendix L, ept.idl).
const OpLookup = 2

// StatusNoMoreEntries is ept_s_not_registered, the status ept_lookup
// returns when the lookup has run past the last entry (C706 appendix L;
// [MS-RPCE] 3.1.1.5.5 calls it EPT_S_NOT_REGISTERED).
const StatusNoMoreEntries = 0x16c9a0d6

// Inquiry and version options of ept_lookup (C706 appendix L, rpc_c_ep_*
// and rpc_c_vers_*).
const (
	inquiryAll = 0 // rpc_c_ep_all_elts
	versAll    = 1 // rpc_c_vers_all
)

// Handle is an ept_lookup context handle (C706 appendix L
// ept_lookup_handle_t, NDR context handle: attributes + UUID).
type Handle [20]byte

// AppendLookupRequest appends the NDR stub of an ept_lookup call that asks
// for every registered element (C706 appendix L):
//
//	inquiry_type  u32  0 (rpc_c_ep_all_elts)
//	object        ptr  NULL
//	interface_id  ptr  NULL
//	vers_option   u32  1 (rpc_c_vers_all)
//	entry_handle  20   all zero on the first call, then the returned handle
//	max_ents      u32
//
// 40 bytes, little-endian.
func AppendLookupRequest(b []byte, h Handle, maxEntries uint32) []byte {
	b = binary.LittleEndian.AppendUint32(b, inquiryAll)
	b = binary.LittleEndian.AppendUint32(b, 0) // object: NULL referent
	b = binary.LittleEndian.AppendUint32(b, 0) // interface_id: NULL referent
	b = binary.LittleEndian.AppendUint32(b, versAll)
	b = append(b, h[:]...)
	return binary.LittleEndian.AppendUint32(b, maxEntries)
}

// Entry is one ept_entry_t (C706 appendix L): an object UUID, a protocol
// tower and a free-text annotation.
type Entry struct {
	Object     UUID
	Tower      []byte // tower_octet_string, nil for a NULL tower pointer
	Annotation string
}

// LookupResponse is ept_lookup's [out] parameters.
type LookupResponse struct {
	Handle  Handle
	Entries []Entry
	Status  uint32 // 0, or StatusNoMoreEntries after the last entry
}

// ParseLookupResponse decodes the NDR stub of an ept_lookup response
// (C706 appendix L; NDR rules of C706 chapter 14) in byte order o:
//
//	entry_handle  20 bytes
//	num_ents      u32
//	entries       conformant-varying array: max_count, offset, actual_count,
//	              then per entry: object UUID (16), tower referent (u32),
//	              annotation as a varying string (offset, actual_count, chars)
//	towers        deferred, in order, for every non-NULL referent: twr_t as a
//	              conformant struct: max_count, tower_length, octets
//	status        u32
func ParseLookupResponse(stub []byte, o binary.ByteOrder) (LookupResponse, error) {
	var r LookupResponse
	d := ndr{b: stub, o: o}
	copy(r.Handle[:], d.bytes(20))
	numEnts := d.u32()
	maxCount, offset, actual := d.u32(), d.u32(), d.u32()
	if d.err != nil {
		return r, d.err
	}
	if offset != 0 || actual > maxCount || actual != numEnts {
		return r, fmt.Errorf("dcerpc: ept_lookup array: num_ents %d, max_count %d, offset %d, actual_count %d", numEnts, maxCount, offset, actual)
	}
	// Each entry takes at least 28 bytes: refuse counts the stub cannot hold
	// before allocating for them.
	if uint64(actual)*28 > uint64(len(stub)) {
		return r, errShort
	}
	referents := make([]uint32, actual)
	r.Entries = make([]Entry, actual)
	for i := range r.Entries {
		d.align(4)
		if u := d.bytes(16); u != nil {
			r.Entries[i].Object = uuidFromWire(u, o)
		}
		referents[i] = d.u32()
		aoff, acount := d.u32(), d.u32()
		if d.err == nil && aoff != 0 {
			return r, fmt.Errorf("dcerpc: annotation offset %d", aoff)
		}
		r.Entries[i].Annotation = cString(d.bytes(int(acount)))
	}
	seen := map[uint32][]byte{} // full pointers: a repeated referent is sent once
	for i, ref := range referents {
		if ref == 0 {
			continue
		}
		if t, ok := seen[ref]; ok {
			r.Entries[i].Tower = t
			continue
		}
		d.align(4)
		conformance, length := d.u32(), d.u32()
		if d.err == nil && conformance != length {
			return r, fmt.Errorf("dcerpc: tower conformance %d, tower_length %d", conformance, length)
		}
		t := d.bytes(int(length))
		r.Entries[i].Tower, seen[ref] = t, t
	}
	d.align(4)
	r.Status = d.u32()
	if d.err != nil {
		return r, d.err
	}
	return r, nil
}

// ndr reads NDR primitives; the first error sticks and later reads return
// zero values. Alignment is relative to the stub's start (C706 14.2.2).
type ndr struct {
	b   []byte
	off int
	o   binary.ByteOrder
	err error
}

func (d *ndr) align(n int) {
	if d.err != nil {
		return
	}
	a := align(d.off, n)
	if a > len(d.b) {
		d.err = errShort
		return
	}
	d.off = a
}

func (d *ndr) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b)-d.off {
		d.err = errShort
		return nil
	}
	v := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return v
}

func (d *ndr) u32() uint32 {
	d.align(4)
	v := d.bytes(4)
	if v == nil {
		return 0
	}
	return d.o.Uint32(v)
}

// Floor is one tower floor (C706 appendix L): the left-hand side starts
// with the protocol identifier, the right-hand side holds related or
// address data.
type Floor struct {
	LHS []byte
	RHS []byte
}

// Protocol identifiers of tower floors (C706 appendix I; [MS-RPCE] 2.2.1.3
// for the Microsoft ones).
const (
	ProtoTCP       = 0x07 // floor 4: RHS TCP port, big-endian
	ProtoUDP       = 0x08 // floor 4: RHS UDP port, big-endian
	ProtoIP        = 0x09 // floor 5: RHS IPv4 address
	ProtoNCADG     = 0x0a // floor 3: connectionless RPC
	ProtoNCACN     = 0x0b // floor 3: connection-oriented RPC
	ProtoNCALRPC   = 0x0c // floor 3: local RPC
	ProtoUUID      = 0x0d // floors 1 and 2: LHS UUID + major version, RHS minor version
	ProtoSMB       = 0x0f // floor 4: RHS named pipe, "\PIPE\lsarpc"
	ProtoNamedPipe = 0x10 // floor 4: RHS local endpoint name (ncalrpc)
	ProtoNetBIOS   = 0x11 // floor 5: RHS NetBIOS host name
	ProtoHTTP      = 0x1f // floor 4: RHS HTTP port, big-endian
	ProtoUnixDS    = 0x20 // floor 4: RHS Unix domain socket path (Samba)
)

// maxFloors bounds a tower; real towers have 3 to 5 floors.
const maxFloors = 16

// ParseTower decodes a tower_octet_string (C706 appendix L): a
// little-endian floor count, then per floor a little-endian LHS length,
// the LHS, a little-endian RHS length and the RHS.
func ParseTower(b []byte) ([]Floor, error) {
	if len(b) < 2 {
		return nil, errShort
	}
	n := int(binary.LittleEndian.Uint16(b))
	if n > maxFloors {
		return nil, fmt.Errorf("dcerpc: tower with %d floors", n)
	}
	b = b[2:]
	floors := make([]Floor, 0, n)
	for range n {
		var f Floor
		var ok bool
		if f.LHS, b, ok = lengthPrefixed(b); !ok || len(f.LHS) == 0 {
			return floors, errors.New("dcerpc: truncated tower floor")
		}
		if f.RHS, b, ok = lengthPrefixed(b); !ok {
			return floors, errors.New("dcerpc: truncated tower floor")
		}
		floors = append(floors, f)
	}
	return floors, nil
}

func lengthPrefixed(b []byte) (v, rest []byte, ok bool) {
	if len(b) < 2 {
		return nil, b, false
	}
	n := int(binary.LittleEndian.Uint16(b))
	if n > len(b)-2 {
		return nil, b, false
	}
	return b[2 : 2+n], b[2+n:], true
}

// Endpoint is what a tower says about one registered interface.
type Endpoint struct {
	ObjectUUID       string `json:"object_uuid,omitempty"` // omitted when nil
	InterfaceUUID    UUID   `json:"interface_uuid"`
	InterfaceVersion string `json:"interface_version"` // "major.minor"
	InterfaceName    string `json:"interface_name,omitempty"`
	// Protocol is the protocol sequence: ncacn_ip_tcp, ncacn_np, ncalrpc,
	// ncacn_http, ncadg_ip_udp, ncacn_unix_stream, or "unknown".
	Protocol   string `json:"protocol"`
	Port       uint16 `json:"port,omitempty"`    // TCP, UDP or HTTP port
	Pipe       string `json:"pipe,omitempty"`    // named pipe, LRPC endpoint or socket path
	Address    string `json:"address,omitempty"` // IPv4 address or NetBIOS name from the tower
	Annotation string `json:"annotation,omitempty"`
}

// EndpointFromFloors interprets a tower's floors in the layout C706
// appendix L prescribes: floor 1 the interface, floor 2 the transfer
// syntax, floor 3 the RPC protocol, floor 4 the port or endpoint name,
// floor 5 the host address.
func EndpointFromFloors(floors []Floor) Endpoint {
	var e Endpoint
	var rpc, transport byte
	for i, f := range floors {
		if len(f.LHS) == 0 {
			continue
		}
		id := f.LHS[0]
		switch {
		case i == 0 && id == ProtoUUID && len(f.LHS) >= 19:
			e.InterfaceUUID = uuidFromWire(f.LHS[1:17], binary.LittleEndian)
			minor := uint16(0)
			if len(f.RHS) >= 2 {
				minor = binary.LittleEndian.Uint16(f.RHS)
			}
			e.InterfaceVersion = strconv.Itoa(int(binary.LittleEndian.Uint16(f.LHS[17:19]))) + "." + strconv.Itoa(int(minor))
		case i == 1:
			// Transfer syntax: NDR for every endpoint a mapper lists.
		case i == 2:
			rpc = id
		case i == 3:
			transport = id
			switch id {
			case ProtoTCP, ProtoUDP, ProtoHTTP:
				if len(f.RHS) == 2 {
					e.Port = binary.BigEndian.Uint16(f.RHS)
				}
			case ProtoSMB, ProtoNamedPipe, ProtoUnixDS:
				e.Pipe = cString(f.RHS)
			}
		case i == 4:
			switch id {
			case ProtoIP:
				if a, ok := netip.AddrFromSlice(f.RHS); ok && len(f.RHS) == 4 {
					e.Address = a.String()
				}
			case ProtoNetBIOS:
				e.Address = cString(f.RHS)
			}
		}
	}
	e.Protocol = protocolSequence(rpc, transport)
	return e
}

// protocolSequence names the protseq of floors 3 and 4 ([MS-RPCE] 2.1,
// C706 appendix I).
func protocolSequence(rpc, transport byte) string {
	switch {
	case rpc == ProtoNCACN && transport == ProtoTCP:
		return "ncacn_ip_tcp"
	case rpc == ProtoNCACN && transport == ProtoSMB:
		return "ncacn_np"
	case rpc == ProtoNCACN && transport == ProtoHTTP:
		return "ncacn_http"
	case rpc == ProtoNCACN && transport == ProtoUnixDS:
		return "ncacn_unix_stream"
	case rpc == ProtoNCADG && transport == ProtoUDP:
		return "ncadg_ip_udp"
	case rpc == ProtoNCALRPC:
		return "ncalrpc"
	}
	return fmt.Sprintf("unknown(0x%02x/0x%02x)", rpc, transport)
}
