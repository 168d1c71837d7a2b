//go:build !unix

package bench

import "time"

// cpuTime is unknown here; the per-CPU rates then stay zero.
func cpuTime() time.Duration { return 0 }
