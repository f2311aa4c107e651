//go:build !windows

package responder

func addrInUse(error) bool { return false }

func permissionDenied(error) bool { return false }
