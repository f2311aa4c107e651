//go:build race

package scanner

// raceEnabled: the race detector slows sockets and scheduling tenfold.
const raceEnabled = true
