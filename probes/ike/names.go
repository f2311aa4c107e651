package ike

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// ExchangeName names an exchange type: RFC 7296 3.1 (34-37) and
// RFC 2408 3.1 / RFC 2409 (1-5, 32 Quick Mode).
func ExchangeName(t uint8) string {
	switch t {
	case 1:
		return "Base"
	case 2:
		return "Main Mode"
	case 3:
		return "Authentication Only"
	case 4:
		return "Aggressive Mode"
	case 5:
		return "Informational"
	case 32:
		return "Quick Mode"
	case 34:
		return "IKE_SA_INIT"
	case 35:
		return "IKE_AUTH"
	case 36:
		return "CREATE_CHILD_SA"
	case 37:
		return "INFORMATIONAL"
	}
	return fmt.Sprintf("exchange %d", t)
}

// payloadNameV2 names an IKEv2 payload type (RFC 7296 3.2).
func payloadNameV2(t uint8) string {
	names := [...]string{33: "SA", 34: "KE", 35: "IDi", 36: "IDr", 37: "CERT", 38: "CERTREQ",
		39: "AUTH", 40: "Nonce", 41: "Notify", 42: "Delete", 43: "VendorID", 44: "TSi",
		45: "TSr", 46: "SK", 47: "CP", 48: "EAP", 53: "SKF"}
	if int(t) < len(names) && names[t] != "" {
		return names[t]
	}
	return fmt.Sprintf("payload %d", t)
}

// payloadNameV1 names an ISAKMP payload type (RFC 2408 3.1, RFC 3947 NAT-D).
func payloadNameV1(t uint8) string {
	names := [...]string{1: "SA", 2: "Proposal", 3: "Transform", 4: "KE", 5: "ID", 6: "CERT",
		7: "CR", 8: "HASH", 9: "SIG", 10: "Nonce", 11: "Notification", 12: "Delete",
		13: "VendorID", 20: "NAT-D", 21: "NAT-OA"}
	if int(t) < len(names) && names[t] != "" {
		return names[t]
	}
	return fmt.Sprintf("payload %d", t)
}

// NotifyNameV2 names an IKEv2 Notify Message Type (RFC 7296 3.10.1 and
// the IANA registry's later additions).
func NotifyNameV2(t uint16) string {
	switch t {
	case 1:
		return "UNSUPPORTED_CRITICAL_PAYLOAD"
	case 4:
		return "INVALID_IKE_SPI"
	case 5:
		return "INVALID_MAJOR_VERSION"
	case 7:
		return "INVALID_SYNTAX"
	case 9:
		return "INVALID_MESSAGE_ID"
	case 11:
		return "INVALID_SPI"
	case 14:
		return "NO_PROPOSAL_CHOSEN"
	case 17:
		return "INVALID_KE_PAYLOAD"
	case 24:
		return "AUTHENTICATION_FAILED"
	case 34:
		return "SINGLE_PAIR_REQUIRED"
	case 35:
		return "NO_ADDITIONAL_SAS"
	case 36:
		return "INTERNAL_ADDRESS_FAILURE"
	case 37:
		return "FAILED_CP_REQUIRED"
	case 38:
		return "TS_UNACCEPTABLE"
	case 39:
		return "INVALID_SELECTORS"
	case 43:
		return "TEMPORARY_FAILURE"
	case 44:
		return "CHILD_SA_NOT_FOUND"
	case 16384:
		return "INITIAL_CONTACT"
	case 16385:
		return "SET_WINDOW_SIZE"
	case 16386:
		return "ADDITIONAL_TS_POSSIBLE"
	case 16387:
		return "IPCOMP_SUPPORTED"
	case 16388:
		return "NAT_DETECTION_SOURCE_IP"
	case 16389:
		return "NAT_DETECTION_DESTINATION_IP"
	case 16390:
		return "COOKIE"
	case 16391:
		return "USE_TRANSPORT_MODE"
	case 16392:
		return "HTTP_CERT_LOOKUP_SUPPORTED"
	case 16393:
		return "REKEY_SA"
	case 16394:
		return "ESP_TFC_PADDING_NOT_SUPPORTED"
	case 16395:
		return "NON_FIRST_FRAGMENTS_ALSO"
	case 16404:
		return "MULTIPLE_AUTH_SUPPORTED" // RFC 4739
	case 16406:
		return "REDIRECT_SUPPORTED" // RFC 5685
	case 16407:
		return "REDIRECT"
	case 16418:
		return "CHILDLESS_IKEV2_SUPPORTED" // RFC 6023
	case 16430:
		return "IKEV2_FRAGMENTATION_SUPPORTED" // RFC 7383
	case 16431:
		return "SIGNATURE_HASH_ALGORITHMS" // RFC 7427
	}
	return fmt.Sprintf("notify %d", t)
}

// NotifyNameV1 names an ISAKMP Notify Message Type (RFC 2408 3.14.1,
// RFC 2407 4.6.3).
func NotifyNameV1(t uint16) string {
	names := [...]string{1: "INVALID-PAYLOAD-TYPE", 2: "DOI-NOT-SUPPORTED", 3: "SITUATION-NOT-SUPPORTED",
		4: "INVALID-COOKIE", 5: "INVALID-MAJOR-VERSION", 6: "INVALID-MINOR-VERSION",
		7: "INVALID-EXCHANGE-TYPE", 8: "INVALID-FLAGS", 9: "INVALID-MESSAGE-ID",
		10: "INVALID-PROTOCOL-ID", 11: "INVALID-SPI", 12: "INVALID-TRANSFORM-ID",
		13: "ATTRIBUTES-NOT-SUPPORTED", 14: "NO-PROPOSAL-CHOSEN", 15: "BAD-PROPOSAL-SYNTAX",
		16: "PAYLOAD-MALFORMED", 17: "INVALID-KEY-INFORMATION", 18: "INVALID-ID-INFORMATION",
		19: "INVALID-CERT-ENCODING", 20: "INVALID-CERTIFICATE", 21: "CERT-TYPE-UNSUPPORTED",
		22: "INVALID-CERT-AUTHORITY", 23: "INVALID-HASH-INFORMATION", 24: "AUTHENTICATION-FAILED",
		25: "INVALID-SIGNATURE", 26: "ADDRESS-NOTIFICATION", 27: "NOTIFY-SA-LIFETIME",
		28: "CERTIFICATE-UNAVAILABLE", 29: "UNSUPPORTED-EXCHANGE-TYPE", 30: "UNEQUAL-PAYLOAD-LENGTHS"}
	switch {
	case int(t) < len(names) && names[t] != "":
		return names[t]
	case t == 16384:
		return "CONNECTED"
	case t == 24576:
		return "RESPONDER-LIFETIME"
	case t == 24577:
		return "REPLAY-STATUS"
	case t == 24578:
		return "INITIAL-CONTACT"
	}
	return fmt.Sprintf("notify %d", t)
}

// transformTypeName names an IKEv2 transform type (RFC 7296 3.3.2).
func transformTypeName(t uint8) string {
	switch t {
	case 1:
		return "ENCR"
	case 2:
		return "PRF"
	case 3:
		return "INTEG"
	case 4:
		return "DH"
	case 5:
		return "ESN"
	}
	return fmt.Sprintf("type %d", t)
}

// transformNameV2 names an IKEv2 transform ID of a type (RFC 7296 3.3.2
// and the IANA "IKEv2 Transform Type" registries).
func transformNameV2(typ uint8, id uint16, keyBits int) string {
	var name string
	switch typ {
	case 1:
		name = map[uint16]string{3: "3DES", 12: "AES-CBC", 13: "AES-CTR", 14: "AES-CCM-8",
			15: "AES-CCM-12", 16: "AES-CCM-16", 18: "AES-GCM-8", 19: "AES-GCM-12",
			20: "AES-GCM-16", 28: "CHACHA20-POLY1305"}[id]
		if name != "" && keyBits > 0 {
			name = fmt.Sprintf("%s-%d", name, keyBits)
		}
	case 2:
		name = map[uint16]string{1: "PRF-HMAC-MD5", 2: "PRF-HMAC-SHA1", 4: "PRF-AES128-XCBC",
			5: "PRF-HMAC-SHA2-256", 6: "PRF-HMAC-SHA2-384", 7: "PRF-HMAC-SHA2-512", 8: "PRF-AES128-CMAC"}[id]
	case 3:
		name = map[uint16]string{1: "HMAC-MD5-96", 2: "HMAC-SHA1-96", 5: "AES-XCBC-96",
			12: "HMAC-SHA2-256-128", 13: "HMAC-SHA2-384-192", 14: "HMAC-SHA2-512-256"}[id]
	case 4:
		name = dhGroupName(id)
	}
	if name == "" {
		return fmt.Sprintf("%s %d", transformTypeName(typ), id)
	}
	return name
}

// dhGroupName names a Diffie-Hellman group (RFC 7296 3.3.2, RFC 3526,
// RFC 5903, RFC 8031), the same numbers in IKEv1's group description.
func dhGroupName(id uint16) string {
	switch id {
	case 1:
		return "MODP-768"
	case 2:
		return "MODP-1024"
	case 5:
		return "MODP-1536"
	case 14:
		return "MODP-2048"
	case 15:
		return "MODP-3072"
	case 16:
		return "MODP-4096"
	case 17:
		return "MODP-6144"
	case 18:
		return "MODP-8192"
	case 19:
		return "ECP-256"
	case 20:
		return "ECP-384"
	case 21:
		return "ECP-521"
	case 31:
		return "Curve25519"
	case 32:
		return "Curve448"
	}
	return fmt.Sprintf("group %d", id)
}

// knownVendorIDs are Vendor ID payload values whose meaning is public
// (strongSwan's ike_vendor.c / isakmp_vendor.c tables, RFC 3947, RFC 3706).
// prefix marks values that carry version octets after the listed ones.
var knownVendorIDs = []struct {
	name   string
	hex    string
	prefix bool
}{
	{"strongSwan", "882fe56d6fd20dbc2251613b2ebe5beb", false}, // MD5("strongSwan")
	{"XAuth", "09002689dfd6b712", false},
	{"DPD", "afcad71368a1f1c96b8696fc77570100", false}, // RFC 3706
	{"Cisco Unity", "12f5f28c457168a9702d9fe274cc0100", false},
	{"FRAGMENTATION", "4048b7d56ebce88525e7de7f00d6c2d3", true},
	{"MS NT5 ISAKMPOAKLEY", "1e2b516905991c7d7c96fcbfb587e461", true}, // Windows; the last 4 octets are the version
	{"MS-Negotiation Discovery Capable", "fb1de3cdf341b7ea16b7e5be0855f120", false},
	{"Vid-Initial-Contact", "26244d38eddb61b3172a36e3d0cfb819", false},
	{"NAT-T (RFC 3947)", "4a131c81070358455c5728f20e95452f", false},
	{"draft-ietf-ipsec-nat-t-ike-02", "cd60464335df21f87cfdb2fc68b6a448", false},
	{"draft-ietf-ipsec-nat-t-ike-02\\n", "90cb80913ebb696e086381b5ec427b1f", false},
	{"draft-ietf-ipsec-nat-t-ike-03", "7d9419a65310ca6f2c179d9215529d56", false},
	{"KAME/racoon", "7003cbc1097dbe9c2600ba6983bc8b35", false},
	{"Fortigate", "1d6e178f6c2c0be284985465450fe9d4", false},
}

// VendorIDName names a Vendor ID value, or returns "".
func VendorIDName(v []byte) string {
	h := hex.EncodeToString(v)
	for _, k := range knownVendorIDs {
		if h == k.hex || (k.prefix && strings.HasPrefix(h, k.hex)) {
			return k.name
		}
	}
	return ""
}
