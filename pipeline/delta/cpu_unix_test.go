//go:build unix

package delta

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used, so benchmarks on a busy machine can also
// say how many rows they write per second of CPU they got.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
