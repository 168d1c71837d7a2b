//go:build !unix

package gateway

import "time"

// processCPU is unknown on this platform; benchmarks then report no CPU cost.
func processCPU() time.Duration { return 0 }
