package responder

import (
	"errors"

	"golang.org/x/sys/windows"
)

// Winsock reports bind conflicts with its own error numbers, which
// syscall.EADDRINUSE and os.ErrPermission do not match.
func addrInUse(err error) bool { return errors.Is(err, windows.WSAEADDRINUSE) }

func permissionDenied(err error) bool { return errors.Is(err, windows.WSAEACCES) }
