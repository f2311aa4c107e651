//go:build linux && (amd64 || arm64)

package main

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// TUN constants (linux/if_tun.h).
const (
	iffTUN    = 0x0001
	iffNoPI   = 0x1000
	tunSetIff = 0x400454ca // _IOW('T', 202, int)
)

// openTUN attaches to the TUN device dev of namespace netns. The device
// belongs to the namespace /dev/net/tun was opened in, so the open happens
// on a thread moved into netns and back.
func openTUN(netns, dev string) (*os.File, error) {
	runtime.LockOSThread()
	self, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	defer self.Close()
	target, err := os.Open("/run/netns/" + netns)
	if err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	defer target.Close()
	if err := setns(int(target.Fd())); err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("setns %s: %w", netns, err)
	}
	fd, openErr := syscall.Open("/dev/net/tun", syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if openErr == nil {
		openErr = setIff(fd, dev)
	}
	if err := setns(int(self.Fd())); err != nil {
		// This thread stays in netns: leave it locked, so it ends with
		// the goroutine instead of serving others.
		return nil, fmt.Errorf("setns back: %w", err)
	}
	runtime.UnlockOSThread()
	if openErr != nil {
		if fd >= 0 {
			syscall.Close(fd)
		}
		return nil, fmt.Errorf("%s/%s: %w", netns, dev, openErr)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), netns+"/"+dev), nil
}

func setns(fd int) error {
	if _, _, e := syscall.RawSyscall(sysSetns, uintptr(fd), syscall.CLONE_NEWNET, 0); e != 0 {
		return e
	}
	return nil
}

// setIff is TUNSETIFF: attach fd to the TUN device name, without the
// packet-information header.
func setIff(fd int, name string) error {
	var ifr [40]byte // struct ifreq: name[16], flags (short), padding
	copy(ifr[:15], name)
	*(*uint16)(unsafe.Pointer(&ifr[16])) = iffTUN | iffNoPI
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), tunSetIff, uintptr(unsafe.Pointer(&ifr[0]))); e != 0 {
		return e
	}
	return nil
}
