//go:build !linux

package bench

// resetPeakRSS cannot set the peak resident memory back on this system.
func resetPeakRSS() bool { return false }

// peakRSS is not read on this system.
func peakRSS() uint64 { return 0 }
