//go:build !(linux && (amd64 || arm64))

package main

import (
	"errors"
	"os"
)

func openTUN(netns, dev string) (*os.File, error) {
	return nil, errors.New("the WAN relay needs Linux network namespaces and TUN devices")
}
