package probetest

import "io"

// Chunked returns a reader of b[1:] that hands out at most b[0]%16+1
// bytes per Read and then io.EOF: a fuzz target's way to see a reply
// arrive in pieces, as from a slow peer.
func Chunked(b []byte) io.Reader {
	if len(b) == 0 {
		return &chunked{}
	}
	return &chunked{rest: b[1:], size: int(b[0]%16) + 1}
}

type chunked struct {
	rest []byte
	size int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.size)], c.rest)
	c.rest = c.rest[n:]
	return n, nil
}
