package dcerpc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// PDU types (C706 12.6.3.1, PTYPE).
const (
	TypeRequest  = 0
	TypeResponse = 2
	TypeFault    = 3
	TypeBind     = 11
	TypeBindAck  = 12
	TypeBindNak  = 13
)

// pfc_flags (C706 12.6.3.1).
const (
	FlagFirstFrag  = 0x01 // PFC_FIRST_FRAG
	FlagLastFrag   = 0x02 // PFC_LAST_FRAG
	FlagObjectUUID = 0x80 // PFC_OBJECT_UUID: a request carries an object UUID
)

// Sizes fixed by C706 12.6.3.1 and 12.6.4.
const (
	headerLen     = 16 // common header
	requestHdrLen = 24 // common header + alloc_hint, p_cont_id, opnum
	faultHdrLen   = 32 // common header + alloc_hint, p_cont_id, cancel_count, reserved, status, reserved
	// MaxFrag is the fragment size this client offers and accepts, the
	// value Windows clients use.
	MaxFrag = 4280
)

// littleEndianDREP is the NDR data representation label: little-endian
// integers, ASCII characters, IEEE floats (C706 14.1, 12.6.3.1 packed_drep).
var littleEndianDREP = [4]byte{0x10, 0, 0, 0}

// Header is the common header of every connection-oriented PDU
// (C706 12.6.3.1).
type Header struct {
	Version      uint8   // rpc_vers, 5
	MinorVersion uint8   // rpc_vers_minor, 0 or 1
	Type         uint8   // PTYPE
	Flags        uint8   // pfc_flags
	DataRep      [4]byte // packed_drep: byte 0 high nibble 1 = little-endian
	FragLength   uint16  // the whole PDU, header included
	AuthLength   uint16  // length of the auth_value at the PDU's end
	CallID       uint32
}

// Order is the byte order of the PDU's integers and of its NDR stub.
func (h Header) Order() binary.ByteOrder { return drepOrder(h.DataRep) }

func drepOrder(drep [4]byte) binary.ByteOrder {
	if drep[0]&0xf0 == 0 {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// ParseHeader reads the common header. frag_length and auth_length are
// read in the order the packed_drep names; the PDU must be complete.
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < headerLen {
		return h, errShort
	}
	h.Version, h.MinorVersion, h.Type, h.Flags = b[0], b[1], b[2], b[3]
	copy(h.DataRep[:], b[4:8])
	if h.Version != 5 || h.MinorVersion > 1 {
		return h, fmt.Errorf("dcerpc: not a connection-oriented RPC v5 PDU (version %d.%d)", h.Version, h.MinorVersion)
	}
	o := h.Order()
	h.FragLength = o.Uint16(b[8:10])
	h.AuthLength = o.Uint16(b[10:12])
	h.CallID = o.Uint32(b[12:16])
	if h.FragLength < headerLen {
		return h, fmt.Errorf("dcerpc: frag_length %d shorter than the header", h.FragLength)
	}
	return h, nil
}

var errShort = errors.New("dcerpc: truncated PDU")

func appendHeader(b []byte, ptype, flags uint8, callID uint32) []byte {
	b = append(b, 5, 0, ptype, flags)
	b = append(b, littleEndianDREP[:]...)
	b = append(b, 0, 0, 0, 0) // frag_length, auth_length: patched by finish
	return binary.LittleEndian.AppendUint32(b, callID)
}

// finish patches frag_length of the PDU that starts at start.
func finish(b []byte, start int) []byte {
	binary.LittleEndian.PutUint16(b[start+8:], uint16(len(b)-start))
	return b
}

func appendSyntax(b []byte, s SyntaxID) []byte {
	b = appendUUID(b, s.UUID, binary.LittleEndian)
	b = binary.LittleEndian.AppendUint16(b, s.Major)
	return binary.LittleEndian.AppendUint16(b, s.Minor)
}

// AppendBind appends a bind PDU (C706 12.6.4.3) offering one presentation
// context, id 0: abstract syntax iface with the NDR 2.0 transfer syntax.
// pfc_flags are first|last; max_xmit_frag and max_recv_frag are MaxFrag;
// assoc_group_id 0 asks for a new association group.
func AppendBind(b []byte, callID uint32, iface SyntaxID) []byte {
	start := len(b)
	b = appendHeader(b, TypeBind, FlagFirstFrag|FlagLastFrag, callID)
	b = binary.LittleEndian.AppendUint16(b, MaxFrag) // max_xmit_frag
	b = binary.LittleEndian.AppendUint16(b, MaxFrag) // max_recv_frag
	b = binary.LittleEndian.AppendUint32(b, 0)       // assoc_group_id
	b = append(b, 1, 0, 0, 0)                        // p_cont_list_t: n_context_elem 1, reserved, reserved2
	b = binary.LittleEndian.AppendUint16(b, 0)       // p_cont_id
	b = append(b, 1, 0)                              // n_transfer_syn 1, reserved
	b = appendSyntax(b, iface)                       // abstract_syntax
	b = appendSyntax(b, NDR())                       // transfer_syntaxes[0]
	return finish(b, start)
}

// AppendRequest appends a single-fragment request PDU (C706 12.6.4.9) on
// presentation context contextID, without an object UUID.
func AppendRequest(b []byte, callID uint32, contextID, opnum uint16, stub []byte) []byte {
	start := len(b)
	b = appendHeader(b, TypeRequest, FlagFirstFrag|FlagLastFrag, callID)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(stub))) // alloc_hint
	b = binary.LittleEndian.AppendUint16(b, contextID)         // p_cont_id
	b = binary.LittleEndian.AppendUint16(b, opnum)
	b = append(b, stub...)
	return finish(b, start)
}

// ContextResult is one p_result_t of a bind_ack (C706 12.6.3.1).
type ContextResult struct {
	Result         uint16   `json:"result"` // p_cont_def_result_t: 0 acceptance, 1 user rejection, 2 provider rejection
	Reason         uint16   `json:"reason"` // p_provider_reason_t, meaningful when rejected
	TransferSyntax SyntaxID `json:"-"`
}

// Context results (C706 12.6.3.1 p_cont_def_result_t; [MS-RPCE] 2.2.2.4
// adds negotiate_ack for bind time feature negotiation).
const (
	ResultAcceptance        = 0
	ResultUserRejection     = 1
	ResultProviderRejection = 2
	ResultNegotiateAck      = 3
)

// ResultName names a p_cont_def_result_t.
func ResultName(r uint16) string {
	switch r {
	case ResultAcceptance:
		return "acceptance"
	case ResultUserRejection:
		return "user rejection"
	case ResultProviderRejection:
		return "provider rejection"
	case ResultNegotiateAck:
		return "negotiate ack"
	}
	return fmt.Sprintf("result %d", r)
}

// ProviderReasonName names a p_provider_reason_t (C706 12.6.3.1).
func ProviderReasonName(r uint16) string {
	switch r {
	case 0:
		return "reason not specified"
	case 1:
		return "abstract syntax not supported"
	case 2:
		return "proposed transfer syntaxes not supported"
	case 3:
		return "local limit exceeded"
	}
	return fmt.Sprintf("reason %d", r)
}

// BindAck is the body of a bind_ack PDU (C706 12.6.4.4).
type BindAck struct {
	Header           Header
	MaxXmitFrag      uint16
	MaxRecvFrag      uint16
	AssocGroup       uint32
	SecondaryAddress string // port_spec: the server's port ("135"), NUL removed
	Results          []ContextResult
}

// ParseBindAck reads a complete bind_ack PDU.
func ParseBindAck(pdu []byte) (BindAck, error) {
	var a BindAck
	h, body, err := splitPDU(pdu, TypeBindAck)
	if err != nil {
		return a, err
	}
	a.Header = h
	o := h.Order()
	if len(body) < 10 {
		return a, errShort
	}
	a.MaxXmitFrag = o.Uint16(body[0:2])
	a.MaxRecvFrag = o.Uint16(body[2:4])
	a.AssocGroup = o.Uint32(body[4:8])
	n := int(o.Uint16(body[8:10])) // port_any_t.length, NUL included
	off := headerLen + 10
	if n > len(pdu)-off {
		return a, errShort
	}
	a.SecondaryAddress = cString(pdu[off : off+n])
	off = align(off+n, 4) // pad2: p_result_list_t is 4-aligned from the PDU start
	if off+4 > len(pdu) {
		return a, errShort
	}
	count := int(pdu[off]) // n_results, then reserved, reserved2
	off += 4
	if count*24 > len(pdu)-off {
		return a, errShort
	}
	for range count {
		r := pdu[off : off+24]
		a.Results = append(a.Results, ContextResult{
			Result: o.Uint16(r[0:2]),
			Reason: o.Uint16(r[2:4]),
			TransferSyntax: SyntaxID{
				UUID:  uuidFromWire(r[4:20], o),
				Major: o.Uint16(r[20:22]),
				Minor: o.Uint16(r[22:24]),
			},
		})
		off += 24
	}
	return a, nil
}

// BindNak is the body of a bind_nak PDU (C706 12.6.4.5).
type BindNak struct {
	Header   Header
	Reason   uint16     // provider_reject_reason
	Versions [][2]uint8 // p_rt_versions_supported_t: major, minor
}

// RejectReasonName names a p_reject_reason_t (C706 12.6.3.1; 8 and 9 from
// [MS-RPCE] 2.2.2.5).
func RejectReasonName(r uint16) string {
	names := [...]string{
		"reason not specified", "temporary congestion", "local limit exceeded",
		"called paddr unknown", "protocol version not supported",
		"default context not supported", "user data not readable",
		"no psap available", "authentication type not recognized",
		"invalid checksum",
	}
	if int(r) < len(names) {
		return names[r]
	}
	return fmt.Sprintf("reason %d", r)
}

// ParseBindNak reads a complete bind_nak PDU.
func ParseBindNak(pdu []byte) (BindNak, error) {
	var n BindNak
	h, body, err := splitPDU(pdu, TypeBindNak)
	if err != nil {
		return n, err
	}
	n.Header = h
	if len(body) < 2 {
		return n, errShort
	}
	n.Reason = h.Order().Uint16(body[0:2])
	if len(body) >= 3 {
		count := int(body[2])
		v := body[3:]
		for i := 0; i < count && 2*i+1 < len(v); i++ {
			n.Versions = append(n.Versions, [2]uint8{v[2*i], v[2*i+1]})
		}
	}
	return n, nil
}

// Response is one response PDU (C706 12.6.4.10).
type Response struct {
	Header      Header
	AllocHint   uint32
	ContextID   uint16
	CancelCount uint8
	Stub        []byte // this fragment's stub data, auth trailer removed
}

// ParseResponse reads one complete response PDU (one fragment).
func ParseResponse(pdu []byte) (Response, error) {
	var r Response
	h, body, err := splitPDU(pdu, TypeResponse)
	if err != nil {
		return r, err
	}
	r.Header = h
	if len(body) < requestHdrLen-headerLen {
		return r, errShort
	}
	o := h.Order()
	r.AllocHint = o.Uint32(body[0:4])
	r.ContextID = o.Uint16(body[4:6])
	r.CancelCount = body[6]
	r.Stub = body[8:]
	return r, nil
}

// Fault is a fault PDU (C706 12.6.4.7): the call failed with Status.
type Fault struct {
	Header    Header
	ContextID uint16
	Status    uint32
}

func (f Fault) Error() string {
	return fmt.Sprintf("dcerpc: fault 0x%08x (%s)", f.Status, StatusName(f.Status))
}

// ParseFault reads a complete fault PDU.
func ParseFault(pdu []byte) (Fault, error) {
	var f Fault
	h, body, err := splitPDU(pdu, TypeFault)
	if err != nil {
		return f, err
	}
	f.Header = h
	if len(body) < faultHdrLen-headerLen {
		return f, errShort
	}
	o := h.Order()
	f.ContextID = o.Uint16(body[4:6])
	f.Status = o.Uint32(body[8:12])
	return f, nil
}

// StatusName names the fault and ept_lookup status codes a probe meets
// (C706 appendix E and L; [MS-RPCE] 2.2.2.11 and 3.1.1.5.5).
func StatusName(s uint32) string {
	switch s {
	case 0:
		return "ok"
	case 0x00000005:
		return "access denied"
	case 0x000006f7:
		return "nca_s_fault_ndr"
	case 0x1c010002:
		return "nca_s_op_rng_error"
	case 0x1c010003:
		return "nca_s_unk_if"
	case 0x1c01000b:
		return "nca_s_proto_error"
	case 0x1c00001a:
		return "nca_s_fault_context_mismatch"
	case StatusNoMoreEntries:
		return "ept_s_not_registered (no more entries)"
	case 0x16c9a0d8:
		return "ept_s_cant_perform_op"
	case 0x16c9a0d2:
		return "ept_s_invalid_entry"
	}
	return "unknown status"
}

// splitPDU checks the header of a complete PDU of type want and returns
// the body after the common header with the auth verifier, if any, cut
// off (C706 12.6.3.1: auth_length counts the auth_value; the 8-byte
// sec_trailer and its padding precede it).
func splitPDU(pdu []byte, want uint8) (Header, []byte, error) {
	h, err := ParseHeader(pdu)
	if err != nil {
		return h, nil, err
	}
	if h.Type != want {
		return h, nil, fmt.Errorf("dcerpc: PDU type %d, want %d", h.Type, want)
	}
	if int(h.FragLength) > len(pdu) {
		return h, nil, errShort
	}
	end := int(h.FragLength)
	if h.AuthLength > 0 {
		end -= int(h.AuthLength) + 8
		if end < headerLen {
			return h, nil, errors.New("dcerpc: auth_length exceeds the PDU")
		}
		pad := int(pdu[end+2]) // sec_trailer.auth_pad_length
		if end-pad >= headerLen {
			end -= pad
		}
	}
	return h, pdu[headerLen:end], nil
}

// ReadPDU reads one whole PDU: the common header, then the rest of
// frag_length. It reads at most 65535 bytes. On error it returns what it
// read, so that a caller can quote a reply that is not DCE/RPC.
func ReadPDU(r io.Reader) ([]byte, error) {
	var hdr [headerLen]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		return hdr[:n], err
	}
	h, err := ParseHeader(hdr[:])
	if err != nil {
		return hdr[:], err
	}
	pdu := make([]byte, h.FragLength)
	copy(pdu, hdr[:])
	if _, err := io.ReadFull(r, pdu[headerLen:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return pdu, err
	}
	return pdu, nil
}

// ReadResponse reads the response to call callID and returns its stub
// data reassembled from every fragment up to the one flagged
// PFC_LAST_FRAG (C706 12.4.2.1), with the stub's byte order. A fault PDU
// is returned as a Fault error. The reassembled stub is bounded by
// maxStub bytes.
func ReadResponse(r io.Reader, callID uint32, maxStub int) ([]byte, binary.ByteOrder, error) {
	var (
		stub  []byte
		order binary.ByteOrder
	)
	for frag := 0; ; frag++ {
		if frag == maxFragments {
			return nil, nil, fmt.Errorf("dcerpc: response in more than %d fragments", maxFragments)
		}
		pdu, err := ReadPDU(r)
		if err != nil {
			return nil, nil, err
		}
		h, _ := ParseHeader(pdu)
		if h.CallID != callID {
			return nil, nil, fmt.Errorf("dcerpc: response to call %d, want %d", h.CallID, callID)
		}
		switch h.Type {
		case TypeFault:
			f, err := ParseFault(pdu)
			if err != nil {
				return nil, nil, err
			}
			return nil, nil, f
		case TypeResponse:
		default:
			return nil, nil, fmt.Errorf("dcerpc: PDU type %d where a response was due", h.Type)
		}
		resp, err := ParseResponse(pdu)
		if err != nil {
			return nil, nil, err
		}
		if frag == 0 {
			if h.Flags&FlagFirstFrag == 0 {
				return nil, nil, errors.New("dcerpc: first response fragment lacks PFC_FIRST_FRAG")
			}
			order = h.Order()
		} else if h.Flags&FlagFirstFrag != 0 {
			return nil, nil, errors.New("dcerpc: PFC_FIRST_FRAG in the middle of a response")
		}
		if len(stub)+len(resp.Stub) > maxStub {
			return nil, nil, fmt.Errorf("dcerpc: response larger than %d bytes", maxStub)
		}
		stub = append(stub, resp.Stub...)
		if h.Flags&FlagLastFrag != 0 {
			return stub, order, nil
		}
	}
}

// maxFragments bounds a reassembly even when fragments carry no stub.
const maxFragments = 4096

func align(n, a int) int { return (n + a - 1) &^ (a - 1) }

// cString returns b up to its first NUL.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
